"""The mapping language: strict errors, the order of steps, constants, label tables.

Every worked example of docs/mapping.md is ingested through the CLI and must store the rows
the document shows; the other tests pin each rule with a hand-written mapping.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.conftest import sha256
from tests.ingest.fixtures import query
from throughline.ingest.labels import builtin_label_tables, label_key
from throughline.ingest.mapping import ColumnSpec
from throughline.ingest.mapping_files import builtin_mapping
from throughline.ingest.mapping_docs import EXAMPLES
from throughline.ingest.valuemaps import label_key_sql


def _ingest(cli, tmp_path: Path, mapping: str, files: dict[str, str], *extra: str):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "m.yaml").write_text(mapping, encoding="utf-8")
    ws = tmp_path / "ws"
    args = [str(folder / n) for n in files]
    return ws, cli("--workspace", ws, *extra, "ingest", *args, "--profile", folder / "m.yaml")


@pytest.mark.parametrize("n", range(len(EXAMPLES)), ids=[e.title for e in EXAMPLES])
def test_doc_example_stores_what_the_doc_shows(n: int, cli, tmp_path: Path) -> None:
    ex = EXAMPLES[n]
    ws, r = _ingest(cli, tmp_path, ex.mapping, ex.files)
    assert r.code == 0, r.err
    assert query(ws, ex.query) == ex.rows


DEALS = "Deal,Stage,Source\nD1,Won,Web\nD2,,Partner\nD3,Lost,\n"


def _deal_mapping(**cols: str) -> str:
    base = {"opportunity_id": "Deal", "stage": "{from: Stage, default: Open}",
            "is_closed": "{constant: true}", "is_won": "{constant: false}"}
    base.update(cols)
    lines = "".join(f"      {k}: {v}\n" for k, v in base.items())
    return ("name: t\nsources:\n  - name: deals\n    table: opportunities\n"
            f"    files: [\"deals.csv\"]\n    columns:\n{lines}")


def test_default_applies_to_unmapped_values_when_the_map_has_only_a_blank_key(
        cli, tmp_path: Path) -> None:
    # the Olist case: {"": Lost} said what a blank is, and `default` was ignored for the rest
    ws, r = _ingest(cli, tmp_path, _deal_mapping(
        loss_reason='{from: Stage, map: {"": Lost}, default: Won}'), {"deals.csv": DEALS})
    assert r.code == 0, r.err
    assert query(ws, "SELECT opportunity_id, loss_reason FROM opportunities ORDER BY 1") == [
        ("D1", "Won"), ("D2", "Lost"), ("D3", "Won")]


def test_otherwise_keep_and_constant_for_unmapped_labels(cli, tmp_path: Path) -> None:
    ws, r = _ingest(cli, tmp_path, _deal_mapping(
        channel="{from: Source, map: {Web: website}, otherwise: {keep: upper}}",
        motion="{from: Source, map: {Web: inbound, \"\": unknown}, otherwise: partner}",
        lead_source="{from: Source, map: {web: W}, otherwise: keep}"),
        {"deals.csv": DEALS})
    assert r.code == 0, r.err
    assert query(ws, "SELECT opportunity_id, channel, motion, lead_source FROM opportunities "
                     "ORDER BY 1") == [("D1", "website", "inbound", "W"),
                                       ("D2", "PARTNER", "partner", "Partner"),
                                       ("D3", None, "unknown", None)]


def test_unmapped_labels_are_listed_in_the_load_report(cli, tmp_path: Path) -> None:
    files = {"deals.csv": "Deal,Stage,Source\nD1,,Podcast\nD2,,Podcast\nD3,,Web\nD4,,Community\n"}
    ws, r = _ingest(cli, tmp_path, _deal_mapping(
        channel="{from: Source, labels: channel, otherwise: {keep: lower}}"), files, "--json")
    assert r.code == 0, r.err
    notes = json.loads(r.out)["files"][0]["notes"]
    assert notes == ["channel: 2 unmapped label(s) kept as their own value: 'podcast' (2), "
                     "'community' (1)"]


def test_constant_spelt_const_and_default_alone(cli, tmp_path: Path) -> None:
    ws, r = _ingest(cli, tmp_path, _deal_mapping(owner="{const: Team A}",
                                                 persona="{default: buyer}"),
                    {"deals.csv": DEALS})
    assert r.code == 0, r.err
    assert set(query(ws, "SELECT owner, persona FROM opportunities")) == {("Team A", "buyer")}


def test_labels_match_without_case_accents_or_extra_spaces() -> None:
    spec = builtin_mapping("salesforce").source("opportunity").columns["channel"]
    for label in ("Gestión directa", "GESTION   directa", " gestión\tdirecta "):
        assert spec.lookup_table[label_key(label)] == "outbound"


def test_sql_label_key_equals_python_for_every_builtin_label() -> None:
    """The SQL normalisation of a value must give the key Python stored for the label."""
    labels = sorted({k for t in builtin_label_tables().values() for k in t})
    originals = [w for w in _raw_labels()]
    con = duckdb.connect()
    got = con.execute(f"SELECT {label_key_sql('v')} FROM unnest(?) t(v)",
                      [originals]).fetchall()
    assert [g[0] for g in got] == [label_key(w) for w in originals]
    assert {label_key(w) for w in originals} | {""} == set(labels)


def _raw_labels() -> list[str]:
    from throughline.ingest.labels import builtin_label_groups

    return [x for t in builtin_label_groups().values() for xs in t.values() for x in xs if x]


def test_every_channel_label_has_a_motion() -> None:
    tables = builtin_label_tables()
    assert set(tables["channel"]) == set(tables["motion"])
    assert tables["channel"][""] == tables["motion"][""] == "unknown"
    for label in ("socios", "parceiros", "partenaires", "partner"):
        assert (tables["channel"][label], tables["motion"][label]) == ("partner", "partner")
    assert tables["channel"]["webinar"] == "events" and tables["motion"]["webinar"] == "inbound"
    assert tables["channel"]["messe"] == "events" and tables["motion"]["messe"] == "outbound"


# ------------------------------------------------------------------------ strict errors

def _error(cli, tmp_path: Path, mapping: str) -> str:
    _, r = _ingest(cli, tmp_path, mapping, {"deals.csv": DEALS})
    assert r.code == 2, r.out
    return " ".join(r.err.split())


def test_unknown_key_lists_the_allowed_keys_and_names_the_target(cli, tmp_path: Path) -> None:
    err = _error(cli, tmp_path, _deal_mapping(loss_reason="{from: Stage, defualt: x}"))
    assert "m.yaml" in err and "deals.csv" not in err
    assert "source deals, column loss_reason: unknown key 'defualt'" in err
    assert ("allowed keys here: from, path, aggregate, constant, regex, replace, lookup, "
            "lower, upper, labels, map, otherwise, default, bands, format, number_format, "
            "multiply, optional") in err


def test_unknown_key_at_source_and_top_level(cli, tmp_path: Path) -> None:
    text = _deal_mapping().replace("    files:", "    file_glob: x\n    files:")
    err = _error(cli, tmp_path, "nmae: y\n" + text)
    assert "source deals: unknown key 'file_glob'; allowed keys here: name, table, files" in err
    assert "top level: unknown key 'nmae'; allowed keys here: name, description, labels, " \
           "sources" in err


def test_value_is_pointed_to_constant(cli, tmp_path: Path) -> None:
    err = _error(cli, tmp_path, _deal_mapping(owner="{value: Team A}"))
    assert "column owner: unknown key 'value' (for a constant use `constant:`)" in err


def test_bare_number_column_says_how_to_write_a_constant(cli, tmp_path: Path) -> None:
    text = _deal_mapping() + "      probability: 50\n"
    err = _error(cli, tmp_path, text)
    assert "column probability: 50 is not a source column name" in err
    assert "{constant: 50}" in err


def test_bad_regex_is_a_mapping_error_naming_file_target_and_regex(
        cli, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    err = _error(cli, tmp_path, _deal_mapping(owner="{from: Stage, regex: '([A-Z]+'}"))
    assert "m.yaml: invalid mapping" in err
    assert "column owner, regex: invalid regex '([A-Z]+'" in err
    assert "deals.csv" not in err
    assert sha256(ws / "evidence.duckdb") == "absent"


def test_regex_without_group_and_replace_with_missing_group(cli, tmp_path: Path) -> None:
    err = _error(cli, tmp_path, _deal_mapping(owner="{from: Stage, regex: '[A-Z]+'}"))
    assert "column owner: regex '[A-Z]+' has no capture group" in err
    err = _error(cli, tmp_path, _deal_mapping(
        owner="{from: Stage, regex: '(W)(o)', replace: '\\3'}"))
    assert "refers to group \\3" in err


def test_regex_replace_without_match_is_blank(cli, tmp_path: Path) -> None:
    ws, r = _ingest(cli, tmp_path, _deal_mapping(
        owner="{from: Stage, regex: '^W(.*)$', replace: 'w\\1'}"), {"deals.csv": DEALS})
    assert r.code == 0, r.err
    assert query(ws, "SELECT opportunity_id, owner FROM opportunities ORDER BY 1") == [
        ("D1", "won"), ("D2", None), ("D3", None)]


@pytest.mark.parametrize(("col", "spec", "message"), [
    ("channel", "{from: Source, otherwise: keep}", "'otherwise' says what unmapped values"),
    ("channel", "{from: Source, labels: chanel}", "unknown label table 'chanel'; known: "
                                                  "channel, motion"),
    ("name", "{from: Source, number_format: '1.234,56'}", "'number_format' applies to number"),
    ("amount", "{from: Source, format: '%d'}", "'format' is a date format"),
    ("amount", "{from: Source, number_format: '1 234,56'}", "column amount, number_format"),
    ("owner", "{from: Source, lower: true, upper: true}", "only one of 'lower' and 'upper'"),
    ("owner", "{from: Source, constant: x}", "only one of 'from', 'path' or 'constant'"),
])
def test_inconsistent_column_specs(cli, tmp_path: Path, col: str, spec: str,
                                   message: str) -> None:
    err = _error(cli, tmp_path, _deal_mapping(**{col: spec}))
    assert f"column {col}" in err and message in err, err


def test_a_label_listed_under_two_values_is_refused() -> None:
    from throughline.ingest.labels import label_tables

    with pytest.raises(ValueError, match="'web ' is listed under 'website' and 'paid'"):
        label_tables({"t": {"website": ["Web"], "paid": ["web "]}})


def test_row_error_names_source_column_value_and_target(cli, tmp_path: Path) -> None:
    ws, r = _ingest(cli, tmp_path, _deal_mapping(is_won="{from: Stage, map: {Won: yes, "
                                                 "Lost: no}}"),
                    {"deals.csv": "Deal,Stage\nD1,Won\nD2,Pending\n"}, "--json")
    assert r.code == 2
    payload = json.loads(r.out)
    assert (payload["row"], payload["column"], payload["value"]) == (2, "Stage", "Pending")
    assert "(it fills is_won)" in payload["expected"]


def test_short_form_and_yaml_boolean_keys() -> None:
    spec = ColumnSpec.model_validate({"from": "x", "map": {True: "won", None: "blank", 2: "two"}})
    assert spec.map == {"true": "won", "": "blank", "2": "two"}


# ------------------------------------------------------------------------ number formats

@pytest.mark.parametrize(("text", "mode", "value"), [
    ("$1,200.50", "1,234.56", 1200.5),
    ("1.200,50 €", "1.234,56", 1200.5),
    ("€1.200", "1.234,56", 1200.0),
    ("€1.200", "1,234.56", 1.2),
    ("1 200,50", "1.234,56", 1200.5),
    ("1\u00a0200,50", "1.234,56", 1200.5),
    ("(1,200.00)", "1,234.56", -1200.0),
    ("-€ 1.200,5", "1.234,56", -1200.5),
    ("USD 1,200", "1,234.56", 1200.0),
    ("R$ 1.234,56", "1.234,56", 1234.56),
    ("CHF 1'200.50", "1,234.56", 1200.5),
    ("1.234.567", "1.234,56", 1234567.0),
    ("1,5", "1.234,56", 1.5),
    ("1200.50", "1.234,56", None),   # not how this column writes numbers
    ("1,2,3", "1,234.56", None),
    ("12abc", "1,234.56", None),
    ("$1,200.50", None, 1200.5),      # undecided: what reads one way only is read
    ("2,400", None, 2400.0),          # ',' and three digits: thousands, as US exports write
    ("€1.200", None, None),           # 1.2 or 1200: the column must decide
    ("1.200,50 €", None, None),       # written 1.234,56: the column must decide
])
def test_number_reading(text: str, mode: str | None, value: float | None) -> None:
    from throughline.ingest.numbers import number_parse

    got = duckdb.connect().execute(f"SELECT {number_parse('v', mode)} FROM (SELECT ? AS v)",
                                   [text]).fetchone()[0]
    assert got == value


def test_number_column_decided_by_its_other_values(cli, tmp_path: Path) -> None:
    files = {"accounts.csv": "id,revenue,staff\na1,1.200,\"1.250\"\na2,1200.75,12\n"}
    mapping = ("name: t\nsources:\n  - name: a\n    table: accounts\n    files: [accounts.csv]\n"
               "    columns:\n      account_id: id\n      annual_revenue: revenue\n"
               "      employees: staff\n")
    ws, r = _ingest(cli, tmp_path, mapping, files, "--json")
    # revenue: 1200.75 only reads as 1,234.56, so 1.200 is 1.2; staff: 1.250 is a whole
    # number only as 1.234,56, and nothing in the column says so -> refused, not guessed
    assert r.code == 2
    err = json.loads(r.out)
    assert (err["row"], err["column"], err["value"]) == (1, "staff", "1.250")
    assert "number_format" in err["expected"]
    files["accounts.csv"] = files["accounts.csv"].replace("12\n", "\"2.400.000\"\n")
    ws, r = _ingest(cli, tmp_path, mapping, files)
    assert r.code == 0, r.err
    assert query(ws, "SELECT account_id, annual_revenue, employees FROM accounts "
                     "ORDER BY 1") == [("a1", 1.2, 1250), ("a2", 1200.75, 2400000)]


def test_a_value_no_alternative_accepts_is_one_readable_line(cli, tmp_path: Path) -> None:
    err = _error(cli, tmp_path, _deal_mapping(
        channel="{from: Source, map: {a: [b]}}",
        motion="{from: Source, map: {a: b}, otherwise: {keep: lowercase}}"))
    assert ("column channel, map: got ['b']; expected a valid string or a valid integer or "
            "a valid number or a valid boolean") in err
    assert "column motion, otherwise: got 'lowercase'; expected 'as_is', 'lower' or " \
           "'upper'" in err
    assert err.count("column motion") == 1


def test_sample_lead_sources_and_their_translations_map_as_the_generator_means() -> None:
    """`throughline sample` plants evidence in LeadSource labels (English, and with
    --quirks in Spanish and Portuguese): the label tables must read them as it means."""
    from throughline.sample import vocabulary as V
    from throughline.sample.quirks import LOCALIZED, UNUSUAL

    channel, motion = builtin_label_tables()["channel"], builtin_label_tables()["motion"]
    meant = {s.label: (s.group, s.motion) for s in V.LEAD_SOURCES}
    for label, (group, mot) in meant.items():
        assert (channel[label_key(label)], motion[label_key(label)]) == (group, mot), label
    for english, translations in LOCALIZED.items():
        for label in filter(None, translations):
            assert (channel[label_key(label)], motion[label_key(label)]) == meant[english], label
    for label in UNUSUAL.values():  # these must stay unmapped: they are their own channel
        assert label_key(label) not in channel
