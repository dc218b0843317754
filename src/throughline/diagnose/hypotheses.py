"""The hypotheses the binding-constraint scorer ranks: which signals raise each (from the
signal table, :mod:`throughline.diagnose.signals`), which diagnostics carry its primary
evidence, and what to do — and not do — about it when it binds. The prose and the
diagnostics are declared as data in ``hypotheses.yaml`` beside this file."""

from __future__ import annotations

from dataclasses import dataclass

from throughline.core.datafiles import packaged_yaml
from throughline.diagnose.signals import HYPOTHESES, signals_for

PRIMARY_WEIGHT = 1.0
SUPPORT_WEIGHT = 0.5


@dataclass(frozen=True)
class Hypothesis:
    """How one hypothesis reads the signals, and what to do (and not do) about it."""

    primary: tuple[str, ...]
    support: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    order_of_operations: tuple[str, ...] = ()
    wrong_remedies: tuple[str, ...] = ()

    def weight(self, signal: str) -> float | None:
        if signal in self.primary:
            return PRIMARY_WEIGHT
        if signal in self.support:
            return SUPPORT_WEIGHT
        return None


def _load() -> dict[str, dict[str, list[str]]]:
    """``hypotheses.yaml``, checked to declare the hypotheses of the signal table in order."""
    declared = packaged_yaml("throughline.diagnose", "hypotheses.yaml")
    if list(declared) != list(HYPOTHESES):
        raise ValueError("hypotheses.yaml must declare signals.HYPOTHESES, in their order")
    return declared


_DECLARED = _load()

# The diagnostics whose findings carry each hypothesis' primary signals.
PRIMARY_DIAGNOSTICS: dict[str, tuple[str, ...]] = {
    name: tuple(spec["diagnostics"]) for name, spec in _DECLARED.items()}

SPECS: dict[str, Hypothesis] = {
    name: Hypothesis(
        primary=signals_for(name, "primary"),
        support=signals_for(name, "support"),
        requires=signals_for(name, "requires"),
        families=tuple(spec["families"]),
        order_of_operations=tuple(spec["order_of_operations"]),
        wrong_remedies=tuple(spec["wrong_remedies"]),
    )
    for name, spec in _DECLARED.items()}
