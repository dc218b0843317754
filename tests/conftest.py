"""Shared fixtures: run the CLI like a user, find ../shared when it is there.

The suite runs in parallel (pytest-xdist, ``-n 2``): every test writes only below its own
``tmp_path`` (or a session's ``tmp_path_factory``), servers listen on port 0, and under
xdist each worker gets its own PostgreSQL database (``pytest_configure`` below).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

# pytest-xdist workers start with COLUMNS=80 and LINES=24 in their environment (a plain run
# has neither), and rich fixes a console's width from COLUMNS when the console is made, at
# import: drop them before the CLI's consoles exist, so a test's own COLUMNS applies.
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _var in ("COLUMNS", "LINES"):
        os.environ.pop(_var, None)

from throughline.cli import main  # noqa: E402  (after the environment above is settled)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PG_ENV = "THROUGHLINE_TEST_POSTGRES"
WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, … in a pytest-xdist worker
_PG_KEY = pytest.StashKey[tuple[str, str]]()  # (the server's URL, this worker's database)


def _pg_admin(url: str):
    import ibis  # the postgres backend is a test extra; only loaded when a server is given

    return ibis.connect(url)


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, point each worker at a database of its own on the test server
    (``<database>_gw0_<pid>``, …), so workers never meet each other's tables."""
    url = os.environ.get(PG_ENV)
    if not url or not WORKER:
        return
    base, _, rest = url.rpartition("/")
    name, sep, query = rest.partition("?")
    mine = f"{name}_{WORKER}_{os.getpid()}"  # also apart from a second run on the server
    try:
        admin = _pg_admin(url)
    except Exception:  # server down or driver missing: the tests skip and say why
        return
    try:
        admin.raw_sql(f"CREATE DATABASE {mine}").close()
    finally:
        admin.disconnect()
    config.stash[_PG_KEY] = (url, mine)
    os.environ[PG_ENV] = f"{base}/{mine}{sep}{query}"


def pytest_unconfigure(config: pytest.Config) -> None:
    made = config.stash.get(_PG_KEY, None)
    if made is None:
        return
    url, mine = made
    os.environ[PG_ENV] = url
    admin = _pg_admin(url)
    try:
        admin.raw_sql(f"DROP DATABASE IF EXISTS {mine} WITH (FORCE)").close()
    finally:
        admin.disconnect()


# The longest test files, measured: under pytest-xdist (`--dist loadfile`, pyproject.toml) each
# file runs whole on one worker, so its module fixtures are built once; starting the longest
# first leaves no worker alone with a long file at the end. A file not listed keeps its place.
LONGEST_FIRST = (
    "tests/council/test_model_roles.py",
    "tests/council/test_models_e2e.py",
    "tests/council/test_question_centred.py",
    "tests/test_demo.py",
    "tests/diagnose/e2e/test_report_determinism.py",
    "tests/diagnose/families/test_scenarios.py",
    "tests/ingest/test_one_writer.py",
    "tests/sample/test_signals.py",
    "tests/report/test_layout.py",
    "tests/diagnose/e2e/test_warehouse.py",
    "tests/realworld/test_diagnose_truth.py",
    "tests/council/test_pipeline.py",
    "tests/diagnose/families/test_postgres.py",
    "tests/diagnose/e2e/test_pandas_crosscheck.py",
    "tests/council/test_offline_debate.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not WORKER:  # a plain run keeps pytest's order
        return
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run `throughline ARGS...` in-process and return exit code, stdout and stderr."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        cap = capsys.readouterr()
        return Result(code, cap.out, cap.err)

    return run


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present (a user's fresh clone has none)")
    return SHARED


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"
