"""The same diagnostics on PostgreSQL give the same findings as on DuckDB.

Runs only when ``THROUGHLINE_TEST_POSTGRES`` holds a server URL
(e.g. ``postgres://postgres@127.0.0.1:5432/postgres``); a scratch database is created and
dropped around the test.
"""

from __future__ import annotations

import math
import os
import uuid

import ibis
import pytest

from tests.diagnose.families.synth import AS_OF, load, synthetic_frames
from tests.diagnose.families.tiny import context
from throughline.diagnose.registry import diagnostics
from throughline.store import EvidenceStore

URL = os.environ.get("THROUGHLINE_TEST_POSTGRES")
FAMILIES = {"post_sale", "icp", "honesty", "pipeline", "push_pull", "channels", "attribution"}

needs_server = [pytest.mark.postgres,
                pytest.mark.skipif(not URL, reason="THROUGHLINE_TEST_POSTGRES is not set")]


@pytest.fixture
def pg_con():
    assert URL
    admin = ibis.connect(URL)
    name = f"tl_families_a_{uuid.uuid4().hex[:8]}"
    admin.raw_sql(f"CREATE DATABASE {name}").close()
    base = URL.rsplit("/", 1)[0]
    con = ibis.connect(f"{base}/{name}")
    try:
        yield con
    finally:
        con.disconnect()
        admin.raw_sql(f"DROP DATABASE {name}").close()
        admin.disconnect()


def run_all(store: EvidenceStore):
    ctx = context(store, AS_OF)
    return [f for d in diagnostics() if d.family in FAMILIES for f in d.run(ctx)]


def close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)


@needs_server[0]
@needs_server[1]
def test_postgres_matches_duckdb(pg_con):
    frames = synthetic_frames(5, ("honesty", "positioning"))
    duck = ibis.duckdb.connect()
    load(duck, frames)
    load(pg_con, frames)
    on_duck = run_all(EvidenceStore(duck, "duckdb://:memory:"))
    on_pg = run_all(EvidenceStore(pg_con, URL))
    assert [f.id for f in on_pg] == [f.id for f in on_duck]
    for a, b in zip(on_duck, on_pg, strict=True):
        assert a.kind == b.kind, a.id
        assert a.metrics.keys() == b.metrics.keys(), a.id
        for k in a.metrics:
            assert close(a.metrics[k].value, b.metrics[k].value), (a.id, k)
            assert a.metrics[k].n == b.metrics[k].n, (a.id, k)
        assert a.signals.keys() == b.signals.keys(), a.id
        for k in a.signals:
            assert close(a.signals[k], b.signals[k]), (a.id, k)
        assert a.statement == b.statement, a.id
        assert all("FILTER" in e.query or e.query for e in b.evidence)


class NamedStore(EvidenceStore):
    """A DuckDB store that says it is another backend, so the diagnostics build the
    expressions they would build there (the queries still run on DuckDB)."""

    def __init__(self, store: EvidenceStore, name: str) -> None:
        super().__init__(store.con, store.url)
        self._name = name

    @property
    def backend_name(self) -> str:
        return self._name


@pytest.mark.parametrize("backend,dialects", [("postgres", ("postgres", "snowflake")),
                                              ("trino", ("trino", "bigquery"))])
def test_every_query_compiles_for_other_backends(backend, dialects, monkeypatch):
    """Without a server: every expression the diagnostics execute, built as they would build
    it for ``backend``, compiles for each dialect (the queries still run on DuckDB)."""
    from tests.diagnose.families.synth import synthetic_store
    from throughline.diagnose.registry import DiagnoseContext

    compiled: list[str] = []
    original = DiagnoseContext.execute

    def execute(self, expr):  # type: ignore[no-untyped-def]
        compiled.extend(str(ibis.to_sql(expr, dialect=d)) for d in dialects)
        return original(self, expr)

    monkeypatch.setattr(DiagnoseContext, "execute", execute)
    store = NamedStore(synthetic_store(7, ("honesty",)), backend)
    ctx = context(store, AS_OF)
    for d in diagnostics():
        if d.family in FAMILIES:
            for f in d.run(ctx):
                assert all(e.query for e in f.evidence)
    assert len(compiled) > 100
