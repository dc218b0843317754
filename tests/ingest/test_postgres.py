"""Ingest into a warehouse through Ibis (PostgreSQL on loopback; skipped without one)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.ingest.fixtures import write_salesforce

URL = os.environ.get("THROUGHLINE_TEST_POSTGRES")


@pytest.fixture
def pg_url() -> str:
    if not URL:
        pytest.skip("no PostgreSQL server: set THROUGHLINE_TEST_POSTGRES (.ci/run starts one)")
    ibis = pytest.importorskip("ibis")
    try:
        con = ibis.connect(URL)
    except Exception as exc:  # driver missing or server down: skip with the reason
        pytest.skip(f"PostgreSQL not reachable at {URL}: {exc}")
    for t in ("opportunities", "stage_history", "accounts"):
        con.raw_sql(f'DROP TABLE IF EXISTS "{t}"')
    con.disconnect()
    return URL


@pytest.mark.postgres
def test_ingest_into_postgres_is_idempotent(cli, tmp_path: Path, pg_url: str) -> None:
    import ibis

    src = write_salesforce(tmp_path / "sf")
    for _ in range(2):
        r = cli("--workspace", tmp_path / "ws", "--backend", pg_url, "ingest", src)
        assert r.code == 0, r.err
    con = ibis.connect(pg_url)
    try:
        assert con.table("opportunities").count().execute() == 3
        assert con.table("stage_history").count().execute() == 4
        won = con.table("opportunities").filter(lambda t: t.is_won).opportunity_id.execute()
        assert list(won) == ["006A"]
    finally:
        con.disconnect()
