"""Every package says what it exports (httpx's ``test_all_imports_are_exported``, per package).

A package's ``__all__`` is its public face: each name in it must resolve, none twice, and every
public name the package's ``__init__`` binds (other than its own sub-modules) must be listed, so a
reader of ``__init__`` sees the whole interface and nothing leaks by accident.
"""

from __future__ import annotations

import importlib
import pkgutil
import types

import pytest

import throughline


def _packages() -> list[str]:
    names = ["throughline"]
    for info in pkgutil.walk_packages(throughline.__path__, "throughline."):
        if info.ispkg:
            names.append(info.name)
    return sorted(names)


PACKAGES = _packages()


def test_the_walk_finds_the_packages() -> None:
    assert {"throughline.core", "throughline.diagnose", "throughline.providers",
            "throughline.council", "throughline.record"} <= set(PACKAGES)


@pytest.mark.parametrize("name", PACKAGES)
def test_package_declares_all(name: str) -> None:
    package = importlib.import_module(name)
    exported = getattr(package, "__all__", None)
    assert isinstance(exported, (list, tuple)), f"{name} has no __all__"
    assert len(exported) == len(set(exported)), f"{name}.__all__ names something twice"
    for item in exported:
        assert hasattr(package, item), f"{name}.__all__ names {item!r}, which it does not have"


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_is_exported(name: str) -> None:
    package = importlib.import_module(name)
    exported = set(getattr(package, "__all__", ()))
    bound = {
        key for key, value in vars(package).items()
        if not key.startswith("_")
        and not isinstance(value, types.ModuleType)
        and str(getattr(value, "__module__", "")).startswith(name)
    }
    assert bound <= exported, f"{name} binds public names missing from __all__: {sorted(bound - exported)}"
