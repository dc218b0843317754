"""The lock files install what pyproject.toml asks for (CI runs `scripts/lock.py check` too)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(root: Path):
    spec = importlib.util.spec_from_file_location("lockcheck", root / "scripts" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_locks_agree_with_pyproject() -> None:
    assert _load(ROOT).problems() == []


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for name in ("pyproject.toml", "scripts/lock.py", "requirements/build.in",
                 "requirements/base.lock", "requirements/test.lock"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_a_new_dependency_not_in_the_lock_is_reported(copy: Path) -> None:
    py = copy / "pyproject.toml"
    py.write_text(py.read_text().replace('"psutil>=5.9",', '"psutil>=5.9",\n    "tabulate>=0.9",'))
    found = _load(copy).problems()
    assert any("tabulate is not pinned" in p for p in found)
    assert any("resolved from other dependencies" in p for p in found)


def test_a_pin_outside_the_range_is_reported(copy: Path) -> None:
    py = copy / "pyproject.toml"
    py.write_text(py.read_text().replace('"psutil>=5.9"', '"psutil>=99"'))
    found = _load(copy).problems()
    assert any(p.startswith("requirements/base.lock: psutil==") and "psutil>=99" in p
               for p in found)
