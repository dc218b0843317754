"""Render the canonical evidence model as documentation and example files.

``python -m throughline.evidence.docs`` rewrites ``docs/data-model.md`` and
``examples/canonical/*.csv``; a test fails when any is out of date. ``docs/mapping.md`` is
written from the mapping model, a layer above (``python -m throughline.ingest.mapping_docs``
rewrites it together with these).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from throughline.evidence.schema import SCHEMA, Table, scalar_text

FAMILY_NAMES = {
    "post_sale": "post-sale truth (churn, GRR, NRR, expansion, NPS, time-to-value, survival)",
    "icp": "stated vs revealed ICP",
    "honesty": "honesty layer",
    "pipeline": "pipeline mechanics",
    "push_pull": "push vs pull",
    "channels": "channel stability",
    "attribution": "attribution coverage",
    "handoff": "handoff velocity and inventory",
    "legibility": "engineering legibility and the legibility map",
    "feedback": "feedback loops",
    "promises": "promise ledger",
    "messaging": "messaging coherence",
}


def example_csv(table: Table) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.column_names)
    writer.writerow([scalar_text(c.example) for c in table.columns])
    return buf.getvalue()


def render_markdown() -> str:
    out = [
        "# The canonical evidence model",
        "",
        "Generated from `src/throughline/evidence/tables.yaml` (read by `schema.py`) by "
        "`python -m throughline.evidence.docs`; do not edit by hand.",
        "",
        "Every importer (Salesforce, HubSpot, GitHub, canonical files, YAML mappings) writes "
        "these tables; every diagnostic reads them. Any table may be missing: a diagnostic "
        "whose tables are absent reports *not measurable* and names the data it needs. Keys "
        "are unique; ingesting a row whose key exists replaces it. Dates are ISO "
        "(`YYYY-MM-DD`); other formats need `format:` in a mapping when day and month are "
        "ambiguous. Booleans accept true/false, yes/no, 1/0. Ratios are fractions.",
        "",
        "| table | key | used by |",
        "|---|---|---|",
    ]
    for t in SCHEMA.values():
        out.append(f"| [`{t.name}`](#{t.name}) | {', '.join(t.key)} | "
                   f"{', '.join(t.used_by)} |")
    for t in SCHEMA.values():
        out += ["", f"## {t.name}", "", t.description, ""]
        out.append(f"- **Key:** {', '.join(t.key)}")
        for ref in t.references:
            kind = "enforced at ingest" if ref.enforced else "reported by diagnose"
            out.append(f"- **References:** {', '.join(ref.columns)} → {ref.table}."
                       f"{', '.join(ref.target_columns)} ({kind})")
        out.append("- **Used by:** " + "; ".join(FAMILY_NAMES.get(u, u) for u in t.used_by))
        out.append(f"- **Example file:** [`examples/canonical/{t.name}.csv`]"
                   f"(../examples/canonical/{t.name}.csv)")
        out += ["", "| column | type | required | rules | description | example |",
                "|---|---|---|---|---|---|"]
        for c in t.columns:
            rules = []
            if c.non_negative:
                rules.append("≥ 0")
            if c.range:
                rules.append(f"{c.range[0]:g}–{c.range[1]:g}")
            if c.allowed:
                rules.append("one of " + ", ".join(c.allowed))
            out.append(f"| `{c.name}` | {c.type.value} | {'yes' if c.required else ''} | "
                       f"{'; '.join(rules)} | {c.description} | "
                       f"{scalar_text(c.example)} |")
    return "\n".join(out) + "\n"


def write_all(root: Path) -> list[Path]:
    """Write ``docs/data-model.md`` and the example files under ``root``; the paths."""
    written = [root / "docs" / "data-model.md"]
    written[0].parent.mkdir(parents=True, exist_ok=True)
    written[0].write_text(render_markdown(), encoding="utf-8")
    ex = root / "examples" / "canonical"
    ex.mkdir(parents=True, exist_ok=True)
    for t in SCHEMA.values():
        path = ex / f"{t.name}.csv"
        path.write_text(example_csv(t), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    for p in write_all(root):
        print(p)
