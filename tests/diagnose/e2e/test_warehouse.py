"""Warehouse proof: the whole diagnose runs unchanged on PostgreSQL and agrees with DuckDB.

One sample company is ingested twice — into the embedded DuckDB store and into a scratch
PostgreSQL database (created and dropped around the test, so it never meets the ingest
test's tables) — and every registered diagnostic runs on both through Ibis. Findings
(ids, kinds, metric values and sample sizes, signals, statements), the legibility map and
the ranking must agree.

Runs when ``THROUGHLINE_TEST_POSTGRES`` holds a server URL (``.ci/run`` starts one with
``.ci/postgres``); skips with the reason otherwise.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from throughline.core.settings import Settings, load_settings
from throughline.diagnose import Diagnosis, run_diagnose
from throughline.diagnose.registry import diagnostics
from throughline.ingest import ingest
from throughline.sample import generate

URL = os.environ.get("THROUGHLINE_TEST_POSTGRES")
SCENARIO, SEED, SCALE = "honesty", 5, 0.3
REL, ABS = 1e-6, 1e-6

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A scratch database on the test server: its URL, dropped afterwards."""
    if not URL:
        pytest.skip("no PostgreSQL server: set THROUGHLINE_TEST_POSTGRES to a server URL "
                    "(.ci/run starts one with .ci/postgres)")
    ibis = pytest.importorskip("ibis")
    try:
        admin = ibis.connect(URL)
    except Exception as exc:  # driver missing or server down: skip with the reason
        pytest.skip(f"PostgreSQL not reachable at {URL}: {type(exc).__name__}: {exc}")
    name = f"tl_diagnose_{uuid.uuid4().hex[:10]}"
    admin.raw_sql(f"CREATE DATABASE {name}").close()
    try:
        yield f"{URL.rsplit('/', 1)[0]}/{name}"
    finally:
        admin.raw_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)").close()
        admin.disconnect()


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports")
    generate(SCENARIO, SEED, SCALE, out)
    return out


def _diagnose(exports: Path, workspace: Path, backend: str | None) -> Diagnosis:
    settings: Settings = load_settings(workspace=workspace).model_copy(
        update={"workspace": workspace, "backend": backend})
    ingest([exports], settings)
    return run_diagnose(settings)


@pytest.fixture(scope="module")
def both(exports: Path, pg_url: str,
         tmp_path_factory: pytest.TempPathFactory) -> tuple[Diagnosis, Diagnosis]:
    duck = _diagnose(exports, tmp_path_factory.mktemp("duck"), None)
    pg = _diagnose(exports, tmp_path_factory.mktemp("pg"), pg_url)
    return duck, pg


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=REL, abs_tol=ABS)


def test_every_diagnostic_ran_on_postgres(both: tuple[Diagnosis, Diagnosis]) -> None:
    duck, pg = both
    assert duck.backend == "duckdb" and pg.backend == "postgres"
    assert pg.tables == duck.tables
    ran = {f.diagnostic for f in pg.findings}
    assert ran == {d.id for d in diagnostics()}
    assert len(ran) >= 34
    # the sample company's tables are all there, so nothing is for want of data
    assert [f.id for f in pg.findings if f.kind.value == "not_measurable"] == \
        [f.id for f in duck.findings if f.kind.value == "not_measurable"]


def test_findings_match_duckdb(both: tuple[Diagnosis, Diagnosis]) -> None:
    duck, pg = both
    assert pg.as_of == duck.as_of
    assert [f.id for f in pg.findings] == [f.id for f in duck.findings]
    problems: list[str] = []
    for a, b in zip(duck.findings, pg.findings, strict=True):
        if a.kind != b.kind:
            problems.append(f"{a.id}: kind {a.kind} vs {b.kind}")
            continue
        if a.metrics.keys() != b.metrics.keys():
            problems.append(f"{a.id}: metrics {sorted(a.metrics)} vs {sorted(b.metrics)}")
            continue
        for k, m in a.metrics.items():
            n = b.metrics[k]
            if not (close(m.value, n.value) and m.n == n.n and close(m.low, n.low)
                    and close(m.high, n.high)):
                problems.append(f"{a.id}.{k}: {m.value} (n {m.n}, {m.low}..{m.high}) vs "
                                f"{n.value} (n {n.n}, {n.low}..{n.high})")
        if a.signals.keys() != b.signals.keys() or not all(
                close(v, b.signals[k]) for k, v in a.signals.items()):
            problems.append(f"{a.id}: signals {a.signals} vs {b.signals}")
        if a.statement != b.statement:
            problems.append(f"{a.id}: statement\n  {a.statement}\n  {b.statement}")
        if (a.significance is None) != (b.significance is None) or (
                a.significance and b.significance
                and not close(a.significance.p_value, b.significance.p_value)):
            problems.append(f"{a.id}: significance {a.significance} vs {b.significance}")
        if [e.row_count for e in a.evidence] != [e.row_count for e in b.evidence]:
            problems.append(f"{a.id}: evidence row counts differ")
        if not all(e.query for e in b.evidence):
            problems.append(f"{a.id}: evidence without query text on postgres")
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems)


def test_ranking_and_map_match_duckdb(both: tuple[Diagnosis, Diagnosis]) -> None:
    duck, pg = both
    assert pg.ranking.binding == duck.ranking.binding == "honesty"  # what was planted
    assert pg.ranking.runner_up == duck.ranking.runner_up
    assert [s.name for s in pg.ranking.scores] == [s.name for s in duck.ranking.scores]
    for a, b in zip(duck.ranking.scores, pg.ranking.scores, strict=True):
        assert close(a.score, b.score), (a.name, a.score, b.score)
    assert pg.legibility == duck.legibility
    assert pg.cannot_see == duck.cannot_see
