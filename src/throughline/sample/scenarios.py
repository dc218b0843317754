"""The scenarios: a healthy baseline and one planted go-to-market problem each.

What each scenario plants (``SCENARIOS``: the hypothesis a correct diagnosis names) and the
evidence a diagnosis should cite for it (``EVIDENCE``, written to ``truth.json``), both
declared as data in ``scenarios.yaml`` beside this file. How a problem is planted lives in
:mod:`throughline.sample.planters`; the healthy company they change in
:mod:`throughline.sample.knobs`; the two are put together in :mod:`throughline.sample.plan`.
"""

from __future__ import annotations

from dataclasses import dataclass

from throughline.core.datafiles import packaged_yaml
from throughline.core.errors import UsageError


@dataclass(frozen=True)
class Scenario:
    name: str
    constraint: str | None  # hypothesis name used by diagnose (None: healthy)
    summary: str


_DECLARED = packaged_yaml("throughline.sample", "scenarios.yaml")

SCENARIOS: dict[str, Scenario] = {
    name: Scenario(name, spec["constraint"], spec["summary"]) for name, spec in _DECLARED.items()}

# per scenario: (family, signal, tables, what it shows) for each piece of evidence
EVIDENCE: dict[str, list[tuple[str, str, tuple[str, ...], str]]] = {
    name: [(e["family"], e["signal"], tuple(e["tables"]), e["shows"]) for e in spec["evidence"]]
    for name, spec in _DECLARED.items()}


def scenario_names() -> list[str]:
    return list(SCENARIOS)


def require_scenario(name: str) -> Scenario:
    if name not in SCENARIOS:
        raise UsageError(f"unknown scenario {name!r}",
                         hint="choose one of: " + ", ".join(SCENARIOS) + " (or 'list')")
    return SCENARIOS[name]
