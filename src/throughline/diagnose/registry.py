"""The diagnostic seam: a registry of diagnostics with stable ids.

Built-ins register through the same ``register`` call a plugin would use::

    @register("post_sale.retention", family="post_sale", needs=("subscriptions",))
    def retention(ctx: DiagnoseContext) -> list[Finding]: ...

A diagnostic whose required tables are missing is not called: the runner returns one
``not_measurable`` finding naming what would make it measurable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import ibis

from throughline.diagnose.findings import Finding, not_measurable
from throughline.store import EvidenceStore


@dataclass
class DiagnoseOptions:
    """User-supplied context: the as-of date, a step-change date (e.g. AI tooling rollout)."""

    as_of: date | None = None
    change_date: date | None = None
    inventory_days: int = 45
    min_n: int = 30


@dataclass
class DiagnoseContext:
    store: EvidenceStore
    options: DiagnoseOptions = field(default_factory=DiagnoseOptions)
    _as_of: date | None = None

    def table(self, name: str) -> ibis.Table | None:
        return self.store.table(name)

    def has(self, *names: str) -> bool:
        present = self.store.tables()
        return all(n in present for n in names)

    def execute(self, expr: Any) -> Any:
        """Run an Ibis expression on the store's backend."""
        return self.store.con.execute(expr)

    def sql(self, expr: Any) -> str:
        """The SQL the backend runs for an expression (kept as evidence)."""
        return str(ibis.to_sql(expr, dialect=self.store.backend_name))


DiagnosticFn = Callable[[DiagnoseContext], list[Finding]]


@dataclass(frozen=True)
class Diagnostic:
    id: str
    family: str
    title: str
    needs: tuple[str, ...]
    optional: tuple[str, ...]
    needs_text: tuple[str, ...]
    fn: DiagnosticFn

    def run(self, ctx: DiagnoseContext) -> list[Finding]:
        missing = [t for t in self.needs if not ctx.has(t)]
        if missing:
            return [
                not_measurable(
                    diagnostic=self.id, family=self.family, title=self.title,
                    missing=missing, needs=list(self.needs_text) or [f"table {t}" for t in missing],
                )
            ]
        return self.fn(ctx)


_REGISTRY: dict[str, Diagnostic] = {}


def register(
    id: str,
    *,
    family: str,
    title: str,
    needs: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    needs_text: tuple[str, ...] = (),
) -> Callable[[DiagnosticFn], DiagnosticFn]:
    """Register a diagnostic under a stable id."""

    def deco(fn: DiagnosticFn) -> DiagnosticFn:
        if id in _REGISTRY:
            raise ValueError(f"diagnostic id registered twice: {id}")
        _REGISTRY[id] = Diagnostic(id, family, title, needs, optional, needs_text, fn)
        return fn

    return deco


def diagnostics() -> list[Diagnostic]:
    """All registered diagnostics in a stable order (by id)."""
    from throughline.diagnose import families  # noqa: F401  (registers the built-ins)

    return [_REGISTRY[k] for k in sorted(_REGISTRY)]
