"""The JSON report: ``Diagnosis.model_dump(mode="json")`` plus a ``report`` block.

The diagnosis fields stay at the top level, so ``Diagnosis.model_validate`` of the
document without ``report`` gives the diagnosis back. ``report`` holds the metadata and
the headline a consumer wants without re-deriving it (binding label, counts).
"""

from __future__ import annotations

import json
from typing import Any

from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.report.view import ReportMeta, build_view


def report_document(diagnosis: Diagnosis, meta: ReportMeta | None = None) -> dict[str, Any]:
    meta = meta or ReportMeta()
    view = build_view(diagnosis, meta)
    doc: dict[str, Any] = diagnosis.model_dump(mode="json")
    doc["report"] = {
        **meta.model_dump(mode="json"),
        "binding": diagnosis.ranking.binding,
        "binding_label": view.verdict.short,
        "runner_up": diagnosis.ranking.runner_up,
        "tied": list(diagnosis.ranking.tied),
        "tie_line": view.verdict.tie_line,
        "blocked": view.verdict.blocked,
        "as_of_line": view.trust.as_of_line if view.trust else "",
        "currency_line": view.trust.currency_line if view.trust else "",
        "data_quality": view.trust.counts if view.trust else {},
        "counts": view.counts,
        "counts_line": view.counts_line,
        "scorecard": [c.capability.model_dump(mode="json") for c in view.scorecard],
        "exclusions": {f.id: f.exclusions for fam in view.families for f in fam.findings
                       if f.exclusions},
        "finding_ids": view.finding_ids,
    }
    return doc


def render_json(diagnosis: Diagnosis, meta: ReportMeta | None = None) -> str:
    return json.dumps(report_document(diagnosis, meta), indent=2, ensure_ascii=False) + "\n"
