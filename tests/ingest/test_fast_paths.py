"""The fast paths of ingest keep the exact results of the plain ones.

Typing skips work the common case does not need (trimming, number cleaning, ICU time-zone
conversion) and a first ingest publishes the staging file as the store instead of copying
it; these tests pin the results those shortcuts must not change.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from tests.ingest.fixtures import (
    ACC_HEADER,
    ACC_ROWS,
    HIST_HEADER,
    OPP_HEADER,
    OPP_ROWS,
    query,
)
from throughline.evidence import SCHEMA


def _write(folder: Path, name: str, header: str, rows: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


STAMPS = [  # text as exported → UTC wall-clock time
    ("2025-01-14T10:22:31.000+0000", dt.datetime(2025, 1, 14, 10, 22, 31)),
    ("2025-01-14T10:22:31-0500", dt.datetime(2025, 1, 14, 15, 22, 31)),
    ("2025-01-14 10:22:31", dt.datetime(2025, 1, 14, 10, 22, 31)),
    ("2025-01-14T23:30:00+01:00", dt.datetime(2025, 1, 14, 22, 30)),
    ("2025-01-14", dt.datetime(2025, 1, 14)),
    ("2025-01-14T10:00:00Z", dt.datetime(2025, 1, 14, 10)),
    ("2025-01-14 10:22:31.123456", dt.datetime(2025, 1, 14, 10, 22, 31, 123456)),
    (" 2025-01-14 08:00:00-02:00 ", dt.datetime(2025, 1, 14, 10)),
    ("\u00a02025-01-15\u00a0", dt.datetime(2025, 1, 15)),
    ("2025-01-14T10:22:31+00:00", dt.datetime(2025, 1, 14, 10, 22, 31)),  # zero offsets: cast
    ("2025-01-14 23:59:59.5+0000", dt.datetime(2025, 1, 14, 23, 59, 59, 500000)),
    ("2025-01-14T10:00:00+0100", dt.datetime(2025, 1, 14, 9)),
]


def test_timestamps_with_and_without_offsets_interleaved(cli, tmp_path: Path) -> None:
    """Offsets are applied, naive times are UTC, in any mix within one vector of rows."""
    folder = tmp_path / "sf"
    _write(folder, "Opportunity.csv", OPP_HEADER, OPP_ROWS)
    rows, expected = [], {}
    for i in range(3000):  # several DuckDB vectors, every kind next to every other
        text, want = STAMPS[i % len(STAMPS)]
        hid = f"008X{i:05d}"
        rows.append(f'{hid},006A,Prospecting,1,2025-02-28,10,Pipeline,"{text}"')
        expected[hid] = want
    _write(folder, "OpportunityHistory.csv", HIST_HEADER, rows)
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", folder)
    assert r.code == 0, r.err
    got = dict(query(ws, "SELECT history_id, changed_at FROM stage_history"))
    assert got == expected


def test_a_named_time_zone_does_not_shift_the_rows_after_it(cli, tmp_path: Path) -> None:
    """Naive times are read as UTC whatever the rows before them say.

    (DuckDB's ICU cast can carry a named zone over to the next values of a vector, which is
    one more reason naive times take the plain TIMESTAMP cast.)
    """
    folder = tmp_path / "sf"
    _write(folder, "Opportunity.csv", OPP_HEADER, OPP_ROWS)
    _write(folder, "OpportunityHistory.csv", HIST_HEADER, [
        "008A,006A,Prospecting,1,2025-02-28,10,Pipeline,2025-01-14 10:00:00 America/New_York",
        "008B,006A,Prospecting,1,2025-02-28,10,Pipeline,2025-01-14 10:22:31",
        "008C,006A,Prospecting,1,2025-02-28,10,Pipeline,2025-01-14",
    ])
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", folder)
    assert r.code == 0, r.err
    assert query(ws, "SELECT history_id, changed_at FROM stage_history ORDER BY 1") == [
        ("008A", dt.datetime(2025, 1, 14, 15)), ("008B", dt.datetime(2025, 1, 14, 10, 22, 31)),
        ("008C", dt.datetime(2025, 1, 14))]


def test_date_columns_take_the_utc_date(cli, tmp_path: Path) -> None:
    folder = tmp_path / "sf"
    rows = [r.replace("2025-01-14T10:22:31.000+0000", "2025-01-14T23:30:00-0500")
            for r in OPP_ROWS]
    _write(folder, "Opportunity.csv", OPP_HEADER, rows)
    ws = tmp_path / "ws"
    assert cli("--workspace", ws, "ingest", folder).code == 0
    assert query(ws, "SELECT created_date FROM opportunities WHERE opportunity_id = '006A'") \
        == [(dt.date(2025, 1, 15),)]


@pytest.mark.parametrize(("text", "amount"), [
    ("1200", 1200.0), ('"1,200.50"', 1200.5), ('"$3,000"', 3000.0), ("€12", 12.0),
    (" 42 ", 42.0), ("\u00a07\u00a0", 7.0), ("1e3", 1000.0), ("-0", 0.0), ("", None),
    ("+5", 5.0),
])
def test_amounts(cli, tmp_path: Path, text: str, amount: float | None) -> None:
    folder = tmp_path / "sf"
    _write(folder, "Opportunity.csv", OPP_HEADER,
           [f"006Z,001A,Zed,Proposal,{text},60,Pipeline,2025-06-30,2025-03-05,Web,false,false"])
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", folder)
    assert r.code == 0, r.err
    assert query(ws, "SELECT amount FROM opportunities") == [(amount,)]


def test_text_is_trimmed_and_blank_is_null(cli, tmp_path: Path) -> None:
    folder = tmp_path / "sf"
    _write(folder, "Opportunity.csv", OPP_HEADER, [
        "006Z,001A, Zed ,Proposal,1,60,Pipeline,2025-06-30,2025-03-05, Webinar ,TRUE, no ",
        "006Y,001A,\u3000Déjà vu\u00a0,Proposal,1,60,,2025-06-30,2025-03-05,,1,0",
        "006X,001A,\tTab\t,Proposal,1,60,  ,2025-06-30,2025-03-05,web,Yes,F",
    ])
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", folder)
    assert r.code == 0, r.err
    assert query(ws, "SELECT opportunity_id, name, forecast_category, lead_source, channel, "
                     "is_closed, is_won FROM opportunities ORDER BY 1") == [
        ("006X", "\tTab\t", None, "web", "website", True, False),
        ("006Y", "Déjà vu", None, None, "unknown", True, False),
        ("006Z", "Zed", "Pipeline", "Webinar", "events", True, False),
    ]


def test_first_ingest_store_holds_exactly_the_canonical_tables(cli, tmp_path: Path) -> None:
    folder = tmp_path / "sf"
    _write(folder, "Opportunity.csv", OPP_HEADER, OPP_ROWS)
    _write(folder, "Account.csv", ACC_HEADER, ACC_ROWS)
    ws = tmp_path / "ws"
    assert cli("--workspace", ws, "ingest", folder).code == 0
    tables = {r[0] for r in query(ws, "SELECT table_name FROM duckdb_tables()")}
    assert tables == {"accounts", "opportunities", "_quarantine", "_ingests"}
    for table in ("accounts", "opportunities"):
        cols = query(ws, "SELECT column_name, data_type FROM duckdb_columns() "
                         f"WHERE table_name = '{table}' ORDER BY column_index")
        assert cols == [(c.name, c.type.sql) for c in SCHEMA[table].columns]
    assert not (ws / "evidence.duckdb.wal").exists()
    assert not [p for p in ws.iterdir() if p.name.startswith("throughline-ingest-")]
    assert query(ws, "SELECT rows_loaded FROM _ingests") == [(5,)]


def test_an_ingest_started_while_another_validates_is_refused_as_busy(
        cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two ingests never interleave: the second is told the workspace is busy (exit 2) and
    changes nothing; the first publishes its rows; the second then succeeds."""
    import throughline.ingest.publish as publish

    first, second = tmp_path / "a", tmp_path / "b"
    _write(first, "Opportunity.csv", OPP_HEADER, OPP_ROWS)
    _write(second, "Opportunity.csv", OPP_HEADER,
           [r.replace("006", "007", 1) for r in OPP_ROWS])
    ws = tmp_path / "ws"
    real = publish.publish_new_store
    seen: list[tuple[int, str]] = []

    def racing(stage: Path, store: Path) -> bool:
        monkeypatch.setattr(publish, "publish_new_store", real)
        other = cli("--workspace", ws, "ingest", second)  # as another process would
        seen.append((other.code, other.err))
        assert not store.exists()
        return real(stage, store)

    monkeypatch.setattr(publish, "publish_new_store", racing)
    r = cli("--workspace", ws, "--json", "ingest", first)
    assert r.code == 0, r.err
    assert seen and seen[0][0] == 2 and "another ingest is writing" in seen[0][1]
    assert query(ws, "SELECT count(*) FROM opportunities") == [(3,)]
    assert cli("--workspace", ws, "ingest", second).code == 0
    assert query(ws, "SELECT count(*) FROM opportunities") == [(6,)]
    assert query(ws, "SELECT count(*) FROM _ingests") == [(2,)]


def test_skip_bad_rows_across_files_duplicates_and_dangling(cli, tmp_path: Path) -> None:
    folder = tmp_path / "sf"
    _write(folder, "Opportunity.csv", OPP_HEADER, OPP_ROWS)
    _write(folder, "Opportunity_2.csv", OPP_HEADER, [
        OPP_ROWS[0],  # 006A again: a duplicate key across the two files
        "006D,001A,New,Proposal,5,60,Pipeline,2025-06-30,2025-03-05,,false,false",
        "006E,001A,Bad,Proposal,-5,60,Pipeline,2025-06-30,2025-03-05,,false,false",
    ])
    _write(folder, "OpportunityHistory.csv", HIST_HEADER, [
        "008A,006A,Prospecting,12000,2025-02-28,10,Pipeline,2025-01-14",
        "008Z,006NOPE,Prospecting,1,2025-01-01,10,Pipeline,2025-01-01",
    ])
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "--json", "ingest", folder, "--skip-bad-rows")
    assert r.code == 0, r.err
    report = json.loads(r.out)
    assert report["rejected"] == 3
    assert query(ws, "SELECT opportunity_id FROM opportunities ORDER BY 1") == [
        ("006A",), ("006B",), ("006C",), ("006D",)]
    assert query(ws, "SELECT history_id FROM stage_history") == [("008A",)]
    reasons = query(ws, "SELECT file, row, table_name, reason FROM _quarantine ORDER BY 3, 4")
    assert [(Path(f).name, row, t) for f, row, t, _ in reasons] == [
        ("Opportunity_2.csv", 1, "opportunities"), ("Opportunity_2.csv", 3, "opportunities"),
        ("OpportunityHistory.csv", 2, "stage_history")]
    assert "duplicate" in reasons[0][3] and "negative" in reasons[1][3]
    assert "missing parent" in reasons[2][3]
    tables = {r[0] for r in query(ws, "SELECT table_name FROM duckdb_tables()")}
    assert not [t for t in tables if t.startswith(("stg_", "tbl_"))]


@pytest.mark.parametrize("sort_rows", [0, 10**9])  # DuckDB's aggregate, then sorted hashes
def test_duplicate_keys_found_either_way(cli, tmp_path: Path, sort_rows: int,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import throughline.ingest.dedup as dedup

    monkeypatch.setattr(dedup, "HASH_SORT_ROWS", sort_rows)
    folder = tmp_path / "sf"
    _write(folder, "Opportunity.csv", OPP_HEADER, [*OPP_ROWS, OPP_ROWS[1]])
    r = cli("--workspace", tmp_path / "ws", "ingest", folder)
    assert r.code == 2 and "duplicate key opportunity_id=006B appears 2 times" in r.err
    assert "rows 2, 4" in r.err
    _write(folder, "Opportunity.csv", OPP_HEADER, OPP_ROWS)
    assert cli("--workspace", tmp_path / "ws", "ingest", folder).code == 0


def _dated(folder: Path, dates: list[str]) -> None:
    _write(folder, "Opportunity.csv", OPP_HEADER, [
        f"006{i:05d},001A,N,Proposal,1,60,Pipeline,{d},2025-03-05,,false,false"
        for i, d in enumerate(dates)])


def test_date_format_decided_by_the_whole_column(cli, tmp_path: Path) -> None:
    """The first rows read both ways; a later row settles it (day first)."""
    dates = ["03/04/2025"] * 2500 + ["25/04/2025"] * 3
    _dated(tmp_path / "in", dates)
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", tmp_path / "in")
    assert r.code == 0, r.err
    assert query(ws, "SELECT close_date, count(*) FROM opportunities GROUP BY 1 ORDER BY 1") == [
        (dt.date(2025, 4, 3), 2500), (dt.date(2025, 4, 25), 3)]


def test_date_format_mixed_column_takes_the_best_fit(cli, tmp_path: Path) -> None:
    dates = ["31.01.2025"] * 2500 + ["01/31/2025"] * 2
    _dated(tmp_path / "in", dates)
    r = cli("--workspace", tmp_path / "ws", "ingest", tmp_path / "in")
    assert r.code == 2
    message = " ".join(r.err.split())
    assert "in the format %d.%m.%Y" in message and "01/31/2025" in message
    assert "2 rows in all" in message


def test_ambiguous_dates_late_in_the_file(cli, tmp_path: Path) -> None:
    dates = ["2025-01-01"] * 2500 + ["03/04/2025", "05/06/2025"]
    _dated(tmp_path / "in", dates)
    r = cli("--workspace", tmp_path / "ws", "ingest", tmp_path / "in")
    assert r.code == 2
    assert "not a valid date" in " ".join(r.err.split())


@pytest.mark.parametrize("text", [
    'a;b\r\n"x;1";2\r\n3;"y ""q"""\r\n',
    "id,note\n1,plain\n2,\"two\nlines\"\n",
    "a\tb\tb\n1\t\t3\n",
    "junk line\nid,v\n1,2\n",
    "a,b\n" + "1,2\n" * 30000 + '"late,quote",3\n',  # a quote only after the sniffed sample
])
def test_sniffed_once_reads_like_auto_detection(tmp_path: Path, text: str) -> None:
    """The spelled-out dialect gives the rows (or the error) the auto-detecting read gives."""
    from throughline.ingest.readers import open_file

    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    con = duckdb.connect()
    opened = open_file(con, path, workdir=tmp_path, view_name="v")

    def rows(relation: str) -> object:
        try:
            return con.execute(f"SELECT * FROM {relation}").fetchall()
        except duckdb.Error as exc:
            return type(exc).__name__

    auto = rows(f"read_csv('{path}', header=true, all_varchar=true)")
    assert rows(opened.relation) == auto
