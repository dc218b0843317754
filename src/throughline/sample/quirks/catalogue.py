"""The quirks by name, and ``--quirks`` parsed: ``"a,b"``, ``"all"`` or ``"list"``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from throughline.core.errors import UsageError


@dataclass(frozen=True)
class Quirk:
    name: str
    summary: str
    keeps_evidence: bool = True  # part of ``all``


QUIRKS: dict[str, Quirk] = {q.name: q for q in (
    Quirk("localized-labels", "LeadSource in Spanish or Portuguese on about 30% of deals "
          "('Socios', 'Sitio web', 'Indicação'), same channel as the English label"),
    Quirk("unusual-labels", "English LeadSource labels outside the picklist ('G2 Review', "
          "'Website Chat', 'Podcast', 'Community') on a few inbound deals"),
    Quirk("currencies", "CurrencyIsoCode on opportunities and billing lines: UK deals in "
          "GBP, euro-country deals in EUR, a few in MXN; crm/CurrencyType.csv has the rates"),
    Quirk("cp1252", "every CSV saved as Excel does (Windows-1252, CRLF), with accented "
          "account names ('Telefónica', 'Compañía Café')"),
    Quirk("bulk-history", "a CRM migration: OpportunityHistory rows recreated for many older "
          "deals, all stamped with one timestamp"),
    Quirk("rollup-forecasts", "forecasts with the team's rows beside each manager's, whose "
          "figure is their sum"),
    Quirk("lost-without-close-date", "a third of closed-lost deals with a blank CloseDate "
          "(IsClosed true, IsWon false)"),
    Quirk("closed-before-created", "a handful of won deals imported later, so CloseDate "
          "precedes CreatedDate"),
    Quirk("xlsx", "the Account export as an Excel workbook (crm/Account.xlsx) instead of "
          "CSV"),
    Quirk("missing-leadsource", "no LeadSource column in the Opportunity export (removes "
          "channel evidence: not part of 'all')", keeps_evidence=False),
)}


def quirk_names() -> list[str]:
    return list(QUIRKS)


def list_quirks() -> list[dict[str, object]]:
    return [{"name": q.name, "in_all": q.keeps_evidence, "summary": q.summary}
            for q in QUIRKS.values()]


def parse_quirks(spec: str | Iterable[str] | None) -> tuple[str, ...]:
    """Quirk names from ``"a,b"``, ``"all"`` (every quirk that keeps the planted evidence)
    or a list of names; returned once each, in the catalogue's order."""
    if spec is None:
        return ()
    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    wanted: set[str] = set()
    for raw in parts:
        name = str(raw).strip()
        if not name:
            continue
        if name == "all":
            wanted |= {q.name for q in QUIRKS.values() if q.keeps_evidence}
        elif name in QUIRKS:
            wanted.add(name)
        else:
            raise UsageError(f"unknown quirk {name!r}",
                             hint="choose from: " + ", ".join(QUIRKS)
                             + ", or 'all' (see --quirks list)")
    return tuple(q for q in QUIRKS if q in wanted)
