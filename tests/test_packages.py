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


def test_the_error_tree_drawn_in_core_errors_is_the_real_one() -> None:
    """httpx draws its exception tree in its docstring; ours must match the classes."""
    import re

    from throughline.core import errors

    for name in PACKAGES:  # every module that may define a subclass is imported
        for info in pkgutil.iter_modules(importlib.import_module(name).__path__, name + "."):
            importlib.import_module(info.name)

    def drawn_under(cls: type) -> list[tuple[int, str]]:
        return [(depth + 1, sub.__name__) for depth, sub in _walk(cls, 0)]

    def _walk(cls: type, depth: int) -> list[tuple[int, type]]:
        out: list[tuple[int, type]] = []
        for sub in sorted(cls.__subclasses__(), key=lambda c: c.__name__):
            out.append((depth, sub))
            out.extend(_walk(sub, depth + 1))
        return out

    doc = errors.__doc__ or ""
    lines = [ln for ln in doc.splitlines() if re.search(r"[├└]── ", ln)]
    drawn = [((ln.index("── ") - 4) // 4 + 1, ln.split("── ", 1)[1].split()[0]) for ln in lines]
    assert drawn == drawn_under(errors.ThroughlineError)
