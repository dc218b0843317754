"""Sample companies: realistic exports with one planted go-to-market problem.

``generate(scenario, seed, scale, out)`` writes Salesforce-style CRM exports, billing,
product, engineering (``gh pr list`` JSON), field and messaging files, plus
``truth.json`` naming what was planted. Same arguments → the same bytes.

Modules, in the order the data flows: ``company`` (who, when, how big), ``scenarios``
(the healthy baseline and each planted problem), ``crm``, ``billing``, ``product``,
``engineering``, ``field``, ``messaging`` (the tables), ``writer`` and ``ids`` (files and
identifiers), ``generator`` (chunked orchestration).
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
