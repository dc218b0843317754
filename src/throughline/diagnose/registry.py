"""The diagnostic seam: a registry of diagnostics with stable ids.

Built-ins register through the same ``diagnostic`` decorator a plugin would use::

    @diagnostic(id="post_sale.retention", title="Revenue and logo retention",
                needs=("subscriptions",), signals=())
    def retention(ctx: DiagnoseContext) -> list[Finding]: ...

The id gives the family (``post_sale``). A diagnostic that raises
:class:`~throughline.core.errors.NotMeasurable` (``ctx.require`` and
``unmeasurable(...)`` build it) answers with one ``not_measurable`` finding: the message
is its reason, the exception's ``needs`` (else the declared ``needs_text``, else its hint)
what would make it measurable, and its title the declared ``short_title`` (else the
title). ``signals`` declares every signal the
diagnostic's findings may carry: each must be in the signal table
(:mod:`throughline.diagnose.signals`) — a typo fails at registration — and a finding
carrying an undeclared one fails the run. A diagnostic whose required tables are missing
is not called: the runner returns one ``not_measurable`` finding naming what would make
it measurable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from throughline.core.errors import NotMeasurable
from throughline.diagnose.context import DiagnoseContext, DiagnoseOptions
from throughline.diagnose.findings import Finding, not_measurable
from throughline.diagnose.signals import SIGNALS

__all__ = ["DiagnoseContext", "DiagnoseOptions", "Diagnostic", "DiagnosticFn", "diagnostic",
           "diagnostics"]


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
    signals: tuple[str, ...] | None = None  # None: not declared (not checked)
    short_title: str | None = None  # the title of its own not-measurable answers

    def run(self, ctx: DiagnoseContext) -> list[Finding]:
        missing = [t for t in self.needs if not ctx.has(t)]
        if missing:
            return [
                not_measurable(
                    diagnostic=self.id, family=self.family, title=self.title,
                    missing=missing, needs=list(self.needs_text) or [f"table {t}" for t in missing],
                )
            ]
        outer, ctx.current = ctx.current, self
        try:
            produced = self.fn(ctx)
        except NotMeasurable as exc:
            needs = list(getattr(exc, "needs", None) or self.needs_text
                         or ([exc.hint] if exc.hint else []))
            return [not_measurable(diagnostic=self.id, family=self.family,
                                   title=self.short_title or self.title, missing=[],
                                   needs=needs, reason=exc.message)]
        finally:
            ctx.current = outer
        if self.signals is not None and isinstance(produced, list):
            for f in produced:
                undeclared = sorted(set(getattr(f, "signals", {})) - set(self.signals))
                if undeclared:
                    raise ValueError(f"finding {f.id} carries signals its diagnostic does not "
                                     f"declare: {', '.join(undeclared)}")
        return produced


_REGISTRY: dict[str, Diagnostic] = {}


def diagnostic(
    *,
    id: str,
    title: str,
    short_title: str | None = None,
    needs: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    needs_text: tuple[str, ...] = (),
    signals: tuple[str, ...] = (),
) -> Callable[[DiagnosticFn], DiagnosticFn]:
    """Declare and register a diagnostic: its id (``<family>.<name>``), title, the tables it
    needs (``needs``; ``needs_text`` says in words what would make it measurable) and every
    signal its findings may carry (each must be in the signal table). ``short_title``
    (default: the title) titles the not-measurable finding when the diagnostic itself
    raises ``unmeasurable(...)``."""
    unknown = [s for s in signals if s not in SIGNALS]
    if unknown:
        raise ValueError(f"diagnostic {id} declares signals the signal table does not know: "
                         f"{', '.join(map(str, unknown))} (see throughline.diagnose.signals)")

    def deco(fn: DiagnosticFn) -> DiagnosticFn:
        if id in _REGISTRY:
            raise ValueError(f"diagnostic id registered twice: {id}")
        _REGISTRY[id] = Diagnostic(id, id.split(".", 1)[0], title, needs, optional, needs_text,
                                   fn, tuple(str(s) for s in signals), short_title)
        return fn

    return deco


def diagnostics() -> list[Diagnostic]:
    """All registered diagnostics in a stable order (by id). The built-in families are
    registered by :mod:`throughline.diagnose.builtin`, which the engine imports."""
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]
