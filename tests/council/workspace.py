"""A small sample company ingested and diagnosed once per test session, for council tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from throughline.diagnose import run_diagnose
from throughline.diagnose.diagnosis import Diagnosis
from throughline.ingest import ingest
from throughline.library import Library, add_starter
from throughline.sample import generate
from throughline.core.settings import Settings, load_settings

SCENARIO = "honesty"
SEED = 11
SCALE = 0.5


@dataclass
class Company:
    settings: Settings
    diagnosis: Diagnosis
    exports: Path


def build_company(root: Path, *, scenario: str = SCENARIO, seed: int = SEED,
                  scale: float = SCALE, library: bool = True) -> Company:
    exports = root / "exports"
    generate(scenario, seed, scale, exports)
    settings = load_settings(workspace=root / "ws")
    ingest([exports], settings)
    if library:
        with Library.open(settings, embedder=None) as lib:
            add_starter(lib)
    return Company(settings=settings, diagnosis=run_diagnose(settings), exports=exports)


@pytest.fixture(scope="session")
def company(tmp_path_factory: pytest.TempPathFactory) -> Company:
    return build_company(tmp_path_factory.mktemp("council-company"))
