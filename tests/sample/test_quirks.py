"""`throughline sample --quirks`: real-world export habits written in, the planted truth kept.

Each quirk is compared with the same company generated without quirks (same scenario,
seed and scale): the quirk must change the export only in the way the real habit does,
and the plain values must be recoverable from it (the English label behind a Spanish
one, the USD amount behind a EUR one at the CurrencyType rate, the genuine history rows
beside the bulk-loaded ones).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from throughline.core.errors import UsageError
from throughline.evidence import SCHEMA
from throughline.sample import generate
from throughline.sample import vocabulary as V
from throughline.sample.quirks import LOCALIZED, QUIRKS, RATES, UNUSUAL, parse_quirks

SCENARIO, SEED, SCALE = "honesty", 4, 0.3
INBOUND = {s.label for s in V.LEAD_SOURCES if s.motion == "inbound"}


@pytest.fixture(scope="module")
def make(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``make(quirks)`` → the folder of SCENARIO/SEED/SCALE written with those quirks."""
    made: dict[str, Path] = {}

    def get(quirks: str = "") -> Path:
        if quirks not in made:
            out = tmp_path_factory.mktemp("q-" + (quirks.replace(",", "+") or "plain"))
            generate(SCENARIO, SEED, SCALE, out, quirks=quirks or None)
            made[quirks] = out
        return made[quirks]

    return get


def rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(newline="", encoding=encoding) as fh:
        return list(csv.DictReader(fh))


def header(path: Path, encoding: str = "utf-8") -> list[str]:
    with path.open(newline="", encoding=encoding) as fh:
        return next(csv.reader(fh))


def by_id(table: list[dict[str, str]], key: str = "Id") -> dict[str, dict[str, str]]:
    return {r[key]: r for r in table}


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def truth(root: Path) -> dict:
    return json.loads((root / "truth.json").read_text(encoding="utf-8"))


# --- the option ----------------------------------------------------------------------------


def test_all_is_every_quirk_that_keeps_the_evidence() -> None:
    everything = parse_quirks("all")
    assert "missing-leadsource" not in everything
    assert set(everything) == set(QUIRKS) - {"missing-leadsource"}
    assert parse_quirks("all,missing-leadsource") == tuple(QUIRKS)
    assert parse_quirks(" cp1252 , currencies,cp1252") == ("currencies", "cp1252")
    assert parse_quirks(None) == () and parse_quirks("") == ()
    with pytest.raises(UsageError, match="'nope'"):
        parse_quirks("currencies,nope")


def test_quirks_list_on_the_command_line(cli) -> None:
    res = cli("sample", "--quirks", "list")
    assert res.code == 0, res.err
    for name in QUIRKS:
        assert name in res.out
    listed = json.loads(cli("--json", "sample", "--quirks", "list").out)
    assert [q["name"] for q in listed] == list(QUIRKS)
    assert {q["name"] for q in listed if not q["in_all"]} == {"missing-leadsource"}
    assert all(q["summary"] for q in listed)


def test_unknown_quirk_is_a_usage_error(cli, tmp_path: Path) -> None:
    res = cli("sample", "--scenario", "healthy", "--quirks", "currencies,euro-signs",
              "--out", tmp_path)
    assert res.code == 2
    assert "euro-signs" in res.err
    assert not (tmp_path / "crm").exists()


def test_cli_writes_the_quirks_and_the_truth_records_them(cli, tmp_path: Path) -> None:
    res = cli("--json", "sample", "--scenario", "inventory", "--seed", "2", "--scale", "0.1",
              "--quirks", "currencies,bulk-history", "--out", tmp_path)
    assert res.code == 0, res.err
    payload = json.loads(res.out)
    assert payload["truth"]["quirks"]["applied"] == ["currencies", "bulk-history"]
    assert payload["files"]["crm/CurrencyType.csv"] == len(RATES)
    assert truth(tmp_path)["quirks"]["applied"] == ["currencies", "bulk-history"]
    assert "--quirks currencies,bulk-history" in (tmp_path / "README.md").read_text()


# --- determinism and the planted truth -----------------------------------------------------


def test_same_seed_and_quirks_give_the_same_bytes(make, tmp_path: Path) -> None:
    generate(SCENARIO, SEED, SCALE, tmp_path / "again", quirks="all")
    first, again = digest(make("all")), digest(tmp_path / "again")
    assert first == again
    assert first != digest(make(""))


def test_planted_truth_is_unchanged_and_the_quirks_are_recorded(make) -> None:
    plain = truth(make(""))
    assert "quirks" not in plain
    for quirks in ("all", "missing-leadsource"):
        quirked = truth(make(quirks))
        rest = {k: v for k, v in quirked.items() if k not in ("files", "quirks")}
        assert rest == {k: v for k, v in plain.items() if k != "files"}
        assert quirked["quirks"]["applied"] == list(parse_quirks(quirks))
        assert set(quirked["quirks"]["details"]) == set(parse_quirks(quirks))


def test_files_a_quirk_does_not_touch_stay_byte_identical(make) -> None:
    plain, quirked = digest(make("")), digest(make("bulk-history"))
    changed = {k for k in plain if plain[k] != quirked.get(k)}
    assert changed == {"crm/OpportunityHistory.csv", "truth.json", "README.md"}


# --- each quirk's shape --------------------------------------------------------------------


def test_localized_labels_mean_the_same_channel(make) -> None:
    plain = by_id(rows(make("") / "crm/Opportunity.csv"))
    quirked = rows(make("localized-labels") / "crm/Opportunity.csv")
    assert len(quirked) == len(plain)
    translated = 0
    for r in quirked:
        english = plain[r["Id"]]["LeadSource"]
        if r["LeadSource"] != english:
            translated += 1
            assert r["LeadSource"] in LOCALIZED[english], (english, r["LeadSource"])
        assert ({k: v for k, v in r.items() if k != "LeadSource"}
                == {k: v for k, v in plain[r["Id"]].items() if k != "LeadSource"})
    assert 0.15 * len(quirked) < translated < 0.4 * len(quirked)
    labels = {r["LeadSource"] for r in quirked}
    assert labels & {"Socios", "Sitio web", "Referencia", "Indicação", "Llamada en frío"}
    assert "" in labels  # blank stays blank


def test_unusual_labels_replace_a_few_inbound_sources(make) -> None:
    plain = by_id(rows(make("") / "crm/Opportunity.csv"))
    quirked = rows(make("unusual-labels") / "crm/Opportunity.csv")
    replaced = [r for r in quirked if r["LeadSource"] != plain[r["Id"]]["LeadSource"]]
    assert {r["LeadSource"] for r in replaced} <= set(UNUSUAL.values())
    assert len({r["LeadSource"] for r in replaced}) >= 3
    assert all(plain[r["Id"]]["LeadSource"] in INBOUND for r in replaced)
    assert 0.01 * len(quirked) < len(replaced) < 0.06 * len(quirked)


def test_currencies_convert_back_at_the_currency_type_rates(make) -> None:
    root = make("currencies")
    assert header(root / "crm/CurrencyType.csv") == [
        "Id", "IsoCode", "ConversionRate", "DecimalPlaces", "IsActive", "IsCorporate"]
    types = rows(root / "crm/CurrencyType.csv")
    rate = {t["IsoCode"]: float(t["ConversionRate"]) for t in types}
    assert [t["IsoCode"] for t in types if t["IsCorporate"] == "true"] == ["USD"]
    assert rate["USD"] == 1.0 and all(t["IsActive"] == "true" for t in types)
    assert all(len(t["Id"]) == 18 and t["Id"].startswith("02U") for t in types)

    opp_header = header(root / "crm/Opportunity.csv")
    assert opp_header[opp_header.index("Amount") + 1] == "CurrencyIsoCode"
    plain = by_id(rows(make("") / "crm/Opportunity.csv"))
    quirked = rows(root / "crm/Opportunity.csv")
    seen = defaultdict(int)
    for r in quirked:
        seen[r["CurrencyIsoCode"]] += 1
        usd = float(r["Amount"]) / rate[r["CurrencyIsoCode"]]
        assert usd == pytest.approx(float(plain[r["Id"]]["Amount"]), abs=0.02)
    assert {"USD", "EUR", "GBP"} <= set(seen)
    assert 0.15 < 1 - seen["USD"] / len(quirked) < 0.5
    # one currency per account: its deals, history and billing lines agree
    account_currency = {}
    for r in quirked:
        assert account_currency.setdefault(r["AccountId"], r["CurrencyIsoCode"]) \
            == r["CurrencyIsoCode"]
    deal_currency = {r["Id"]: r["CurrencyIsoCode"] for r in quirked}
    plain_hist = by_id(rows(make("") / "crm/OpportunityHistory.csv"))
    for h in rows(root / "crm/OpportunityHistory.csv"):
        usd = float(h["Amount"]) / rate[deal_currency[h["OpportunityId"]]]
        assert usd == pytest.approx(float(plain_hist[h["Id"]]["Amount"]), abs=0.02)

    assert header(root / "billing/subscriptions.csv") == SCHEMA["subscriptions"].column_names
    plain_subs = by_id(rows(make("") / "billing/subscriptions.csv"), "subscription_id")
    subs = rows(root / "billing/subscriptions.csv")
    for s in subs:
        assert s["currency"] == account_currency.get(s["account_id"], s["currency"])
        usd = float(s["mrr"]) / rate[s["currency"]]
        assert usd == pytest.approx(float(plain_subs[s["subscription_id"]]["mrr"]), abs=0.02)
    assert any(s["currency"] != "USD" for s in subs)


def test_cp1252_files_are_windows_encoded_with_accented_names(make) -> None:
    root, plain = make("cp1252"), make("")
    raw = (root / "crm/Account.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    accounts = list(csv.DictReader(io.StringIO(text)))
    accented = [a["Name"] for a in accounts if not a["Name"].isascii()]
    assert len(accented) > 0.05 * len(accounts)
    assert any(n.startswith(("Telefónica", "Compañía Café")) for n in accented)
    plain_accounts = by_id(rows(plain / "crm/Account.csv"))
    for a in accounts:  # only names changed
        assert ({k: v for k, v in a.items() if k != "Name"}
                == {k: v for k, v in plain_accounts[a["Id"]].items() if k != "Name"})
    # the deals carry their account's new name, in Windows-1252 too
    opp_text = (root / "crm/Opportunity.csv").read_bytes().decode("cp1252")
    assert any(n in opp_text for n in accented)
    # a file with nothing to accent is the same text, re-encoded with CRLF line ends
    for rel in ("field/activities.csv", "crm/OpportunityHistory.csv"):
        assert ((root / rel).read_bytes().decode("cp1252").replace("\r\n", "\n")
                == (plain / rel).read_text(encoding="utf-8"))
    # JSON and Markdown stay UTF-8, as GitHub and editors write them
    assert (root / "engineering/pull_requests.json").read_bytes() \
        == (plain / "engineering/pull_requests.json").read_bytes()


def test_bulk_history_rows_share_one_migration_timestamp(make) -> None:
    root = make("bulk-history")
    stamp = truth(root)["quirks"]["details"]["bulk-history"]["migration_timestamp"]
    plain = rows(make("") / "crm/OpportunityHistory.csv")
    quirked = rows(root / "crm/OpportunityHistory.csv")
    plain_ids = {r["Id"] for r in plain}
    genuine = [r for r in quirked if r["Id"] in plain_ids]
    assert genuine == plain  # every genuine row kept, unchanged and in order
    loaded = [r for r in quirked if r["Id"] not in plain_ids]
    assert len(loaded) >= 50
    assert {r["CreatedDate"] for r in loaded} == {stamp}
    assert len({r["Id"] for r in quirked}) == len(quirked)
    # each loaded row recreates an older row of the same deal (its stage and values)
    older = defaultdict(list)
    for r in plain:
        if r["CreatedDate"] < stamp:
            older[r["OpportunityId"]].append(
                (r["StageName"], r["Amount"], r["CloseDate"], r["Probability"]))
    for r in loaded:
        assert (r["StageName"], r["Amount"], r["CloseDate"], r["Probability"]) \
            in older[r["OpportunityId"]]
    deals = {r["OpportunityId"] for r in loaded}
    assert len(deals) >= 20
    assert sum(len(older[d]) for d in deals) == len(loaded)  # whole history up to the load
    assert not any(r["CreatedDate"] == stamp for r in plain)


def test_rollup_forecasts_manager_is_the_sum_of_the_team(make) -> None:
    root = make("rollup-forecasts")
    teams = truth(root)["quirks"]["details"]["rollup-forecasts"]["teams"]
    plain = rows(make("") / "field/forecasts.csv")
    quirked = rows(root / "field/forecasts.csv")
    members = {m: mgr for mgr, team in teams.items() for m in team}
    assert [r for r in quirked if r["owner"] not in members] == plain
    sums: dict[tuple[str, str, str], float] = defaultdict(float)
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for r in quirked:
        if r["owner"] in members:
            assert r["category"] == "commit"
            key = (r["period_start"], r["submitted_at"], members[r["owner"]])
            sums[key] += float(r["amount"])
            counts[key] += 1
    managers = [r for r in plain if r["owner"] in teams and r["category"] == "commit"]
    assert managers and len(sums) == len(managers)
    for m in managers:
        key = (m["period_start"], m["submitted_at"], m["owner"])
        assert sums[key] == float(m["amount"])
        assert counts[key] == len(teams[m["owner"]]) >= 3
    assert all(float(r["amount"]) >= 0 for r in quirked)


def test_lost_deals_without_a_close_date(make) -> None:
    plain = by_id(rows(make("") / "crm/Opportunity.csv"))
    quirked = rows(make("lost-without-close-date") / "crm/Opportunity.csv")
    blank = [r for r in quirked if r["CloseDate"] == ""]
    lost = [r for r in quirked if r["IsClosed"] == "true" and r["IsWon"] == "false"]
    assert all(r["IsClosed"] == "true" and r["IsWon"] == "false" for r in blank)
    assert 0.2 * len(lost) < len(blank) < 0.5 * len(lost)
    assert all(p["CloseDate"] for p in plain.values())
    for r in quirked:
        if r["CloseDate"]:
            assert r == plain[r["Id"]]


def test_closed_before_created_is_a_handful_of_backdated_wins(make) -> None:
    plain = by_id(rows(make("") / "crm/Opportunity.csv"))
    quirked = rows(make("closed-before-created") / "crm/Opportunity.csv")
    early = [r for r in quirked if r["CloseDate"] < r["CreatedDate"][:10]]
    assert 3 <= len(early) <= 10
    assert all(r["IsWon"] == "true" for r in early)
    assert not any(p["CloseDate"] < p["CreatedDate"][:10] for p in plain.values())
    changed = [r for r in quirked if r != plain[r["Id"]]]
    assert changed == early  # only CreatedDate moved, only on those deals
    for r in early:
        assert {k: v for k, v in r.items() if k != "CreatedDate"} \
            == {k: v for k, v in plain[r["Id"]].items() if k != "CreatedDate"}


def test_missing_leadsource_drops_the_column_only(make) -> None:
    root = make("missing-leadsource")
    plain = rows(make("") / "crm/Opportunity.csv")
    quirked = rows(root / "crm/Opportunity.csv")
    assert "LeadSource" not in header(root / "crm/Opportunity.csv")
    assert quirked == [{k: v for k, v in r.items() if k != "LeadSource"} for r in plain]


def test_xlsx_account_export(make) -> None:
    root = make("xlsx")
    assert not (root / "crm/Account.csv").exists()
    wb = openpyxl.load_workbook(root / "crm/Account.xlsx", read_only=True)
    sheet = wb["Account"]
    values = [[("" if v is None else v) for v in row] for row in sheet.iter_rows(values_only=True)]
    wb.close()
    plain = rows(make("") / "crm/Account.csv")
    assert values[0] == list(plain[0])
    assert len(values) - 1 == len(plain) == truth(root)["files"]["crm/Account.xlsx"]
    for got, want in zip(values[1:], plain):
        assert [str(v) for v in got] == list(want.values())
    assert isinstance(values[1][values[0].index("NumberOfEmployees")], int)
    # no clock in the bytes: openpyxl stamps the save time, the generator fixes it
    with zipfile.ZipFile(root / "crm/Account.xlsx") as z:
        core = z.read("docProps/core.xml").decode()
        assert {i.date_time for i in z.infolist()} == {(2020, 1, 1, 0, 0, 0)}
    assert re.findall(r"<dcterms:modified[^>]*>([^<]*)<", core) == ["2020-01-01T00:00:00Z"]
