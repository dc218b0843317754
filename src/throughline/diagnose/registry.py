"""The diagnostic seam: a registry of diagnostics with stable ids.

Built-ins register through the same ``diagnostic`` decorator a plugin would use::

    @diagnostic(id="post_sale.retention", needs_text=SUBS_NEEDS)
    def retention(ctx: DiagnoseContext) -> list[Finding]: ...

A built-in's declaration — title, short title, the tables it needs and may use, the
signals it may carry — is data, one entry per id in ``catalogue.yaml`` beside this file,
read and checked on import (:data:`CATALOGUE`); a plugin whose id is not there declares
the same fields as keywords (``title=...``, ``needs=...``, ``signals=...``). The id gives
the family (``post_sale``). A diagnostic that raises
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

from throughline.core.datafiles import packaged_yaml
from throughline.core.errors import NotMeasurable
from throughline.diagnose.context import DiagnoseContext, DiagnoseOptions
from throughline.diagnose.findings import Finding, not_measurable
from throughline.diagnose.signals import SIGNALS

__all__ = ["CATALOGUE", "Declaration", "DiagnoseContext", "DiagnoseOptions", "Diagnostic",
           "DiagnosticFn", "diagnostic", "diagnostics"]


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


@dataclass(frozen=True)
class Declaration:
    """What a diagnostic declares besides its code: one entry of ``catalogue.yaml``."""

    title: str
    short_title: str | None = None
    needs: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()


def _load_catalogue() -> dict[str, Declaration]:
    """The built-in declarations in ``catalogue.yaml``, checked: known fields of the right
    types, a title, and signals the signal table knows."""
    catalogue: dict[str, Declaration] = {}
    for id, fields in packaged_yaml("throughline.diagnose", "catalogue.yaml").items():
        unknown_fields = set(fields) - set(Declaration.__dataclass_fields__)
        if unknown_fields or not isinstance(fields.get("title"), str):
            raise ValueError(f"catalogue.yaml: {id} needs a title and knows no "
                             f"{', '.join(sorted(unknown_fields)) or 'other field'}")
        lists = {k: tuple(fields.get(k, ())) for k in ("needs", "optional", "signals")}
        if not all(isinstance(x, str) for v in lists.values() for x in v):
            raise ValueError(f"catalogue.yaml: {id}: needs, optional and signals list names")
        unknown = [s for s in lists["signals"] if s not in SIGNALS]
        if unknown:
            raise ValueError(f"catalogue.yaml: {id} declares signals the signal table does not "
                             f"know: {', '.join(unknown)} (see throughline.diagnose.signals)")
        catalogue[id] = Declaration(fields["title"], fields.get("short_title"), **lists)
    return catalogue


CATALOGUE: dict[str, Declaration] = _load_catalogue()

_REGISTRY: dict[str, Diagnostic] = {}


def diagnostic(
    *,
    id: str,
    needs_text: tuple[str, ...] = (),
    title: str | None = None,
    short_title: str | None = None,
    needs: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    signals: tuple[str, ...] = (),
) -> Callable[[DiagnosticFn], DiagnosticFn]:
    """Declare and register a diagnostic: its id (``<family>.<name>``), ``needs_text`` (what
    would make it measurable, in words) and its declaration — from ``catalogue.yaml`` for a
    built-in, else the keywords: title, the tables it needs, and every signal its findings
    may carry (each must be in the signal table). ``short_title`` (default: the title)
    titles the not-measurable finding when the diagnostic itself raises
    ``unmeasurable(...)``."""
    if id in CATALOGUE:
        if title is not None or short_title is not None or needs or optional or signals:
            raise ValueError(f"diagnostic {id} is declared in catalogue.yaml, not in keywords")
        declared = CATALOGUE[id]
    elif title is None:
        raise ValueError(f"diagnostic {id} has no title (and no entry in catalogue.yaml)")
    else:
        declared = Declaration(title, short_title, needs, optional,
                               tuple(str(s) for s in signals))
    unknown = [s for s in declared.signals if s not in SIGNALS]
    if unknown:
        raise ValueError(f"diagnostic {id} declares signals the signal table does not know: "
                         f"{', '.join(unknown)} (see throughline.diagnose.signals)")

    def deco(fn: DiagnosticFn) -> DiagnosticFn:
        if id in _REGISTRY:
            raise ValueError(f"diagnostic id registered twice: {id}")
        _REGISTRY[id] = Diagnostic(id, id.split(".", 1)[0], declared.title, declared.needs,
                                   declared.optional, needs_text, fn, declared.signals,
                                   declared.short_title)
        return fn

    return deco


def diagnostics() -> list[Diagnostic]:
    """All registered diagnostics in a stable order (by id). The built-in families are
    registered by :mod:`throughline.diagnose.builtin`, which the engine imports."""
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]
