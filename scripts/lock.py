"""Keep the lock files and pyproject.toml in step.

    python scripts/lock.py check     # offline: exit 1 if pyproject.toml and the locks disagree
    python scripts/lock.py refresh   # re-resolve both locks with uv (needs PyPI)

``requirements/base.lock`` pins what ``pip install .`` needs (plus the build backend, so
the editable install builds without fetching anything unpinned); ``requirements/test.lock``
adds the ``test`` extra. Both carry sha256 hashes and are installed with
``pip install --require-hashes``. ``check`` fails when a dependency of pyproject.toml has no
pin in a lock, when a pin does not satisfy the dependency's range, or when the lock was
resolved from a different dependency list (its header records a digest of that list).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
REQ = ROOT / "requirements"
LOCKS = {"base.lock": (), "test.lock": ("test",)}
BUILD_IN = REQ / "build.in"
DIGEST = re.compile(r"^# inputs-sha256: ([0-9a-f]{64})$", re.M)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)


def requirements(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    lines += [x.strip() for x in BUILD_IN.read_text().splitlines() if x.strip() and not x.startswith("#")]
    return [Requirement(x) for x in lines]


def digest(extras: tuple[str, ...]) -> str:
    text = "\n".join(sorted(str(r) for r in requirements(extras)))
    return hashlib.sha256(text.encode()).hexdigest()


def pins(lock: Path) -> dict[str, str]:
    return {canonicalize_name(n): v for n, v in PIN.findall(lock.read_text())}


def problems() -> list[str]:
    out: list[str] = []
    for name, extras in LOCKS.items():
        lock = REQ / name
        if not lock.exists():
            out.append(f"{lock.relative_to(ROOT)} is missing; run `python scripts/lock.py refresh`")
            continue
        text = lock.read_text()
        found = DIGEST.search(text)
        if not found or found.group(1) != digest(extras):
            out.append(f"{lock.relative_to(ROOT)} was resolved from other dependencies than "
                       "pyproject.toml lists now; run `python scripts/lock.py refresh`")
        pinned = pins(lock)
        for req in requirements(extras):
            if req.marker is not None and not req.marker.evaluate():
                continue
            version = pinned.get(canonicalize_name(req.name))
            if version is None:
                out.append(f"{lock.relative_to(ROOT)}: {req.name} is not pinned")
            elif not req.specifier.contains(version, prereleases=True):
                out.append(f"{lock.relative_to(ROOT)}: {req.name}=={version} does not satisfy "
                           f"{req}")
    return out


def refresh() -> None:
    for name, extras in LOCKS.items():
        lock = REQ / name
        cmd = ["uv", "pip", "compile", "pyproject.toml", str(BUILD_IN.relative_to(ROOT)),
               "--universal", "--python-version", "3.11", "--generate-hashes", "--quiet",
               "--no-header", "-o", str(lock.relative_to(ROOT))]
        for extra in extras:
            cmd += ["--extra", extra]
        subprocess.run(cmd, cwd=ROOT, check=True)
        body = lock.read_text()
        header = (
            "# Locked dependencies: install with `pip install --require-hashes -r "
            f"requirements/{name}`.\n"
            "# Refresh with `python scripts/lock.py refresh` (uv); CI runs `check`.\n"
            f"# inputs-sha256: {digest(extras)}\n"
        )
        lock.write_text(header + body)


def main(argv: list[str]) -> int:
    if argv[1:] == ["check"]:
        found = problems()
        for line in found:
            print(line, file=sys.stderr)
        if not found:
            print("locks agree with pyproject.toml")
        return 1 if found else 0
    if argv[1:] == ["refresh"]:
        refresh()
        return main([argv[0], "check"])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
