"""Sample companies: realistic exports with one planted go-to-market problem.

``generate(scenario, seed, scale, out)`` writes Salesforce-style CRM exports, billing,
product, engineering (``gh pr list`` JSON), field and messaging files, plus
``truth.json`` naming what was planted. Same arguments → the same bytes.

Modules, in the order the data flows: ``company`` (who, when, how big), ``scenarios``
(what each scenario plants and the evidence it leaves), ``knobs`` (the healthy company's
behaviour and monthly shape), ``planters`` (each problem written into it), ``plan`` (the
two put together: ``build_plan``), ``crm``, ``billing``, ``product``, ``engineering``,
``field``, ``messaging`` (the tables; ``vocabulary`` holds their names and labels),
``quirks/`` (real-world export habits, ``--quirks``), ``writer`` and ``ids`` (files and
identifiers), ``seeding`` (the random streams), ``generator`` (chunked orchestration).
``recovery`` runs sample → ingest → diagnose over many seeds (the recovery test and
bench).
"""

from __future__ import annotations

from throughline.sample.generator import SampleResult, generate
from throughline.sample.scenarios import SCENARIOS, Scenario, scenario_names


def list_scenarios() -> list[dict[str, str | None]]:
    """Each scenario with the constraint it plants and a one-line summary."""
    return [{"name": s.name, "constraint": s.constraint, "summary": s.summary}
            for s in SCENARIOS.values()]


__all__ = ["SCENARIOS", "SampleResult", "Scenario", "generate", "list_scenarios",
           "scenario_names"]
