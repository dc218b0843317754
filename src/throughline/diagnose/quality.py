"""Types of the data-fitness gate: what the data could not be trusted for, and what was done.

The gate (``throughline.diagnose.fitness``) inspects the store before any diagnostic runs.
Each problem it finds is one :class:`DataQualityIssue`. An issue either

* ``corrected`` — the gate hands the diagnostics a corrected view of the table (bulk-loaded
  history rows excluded, amounts in other currencies converted or excluded, roll-up
  forecast owners dropped, closed deals without a close date dated from their last stage
  change) and says so; or
* ``unfit`` — the input cannot carry the diagnostics named in ``affects``: they return
  *not measurable* with the issue's statement as the reason, and no hypothesis may be named
  binding on their evidence; or
* ``warning`` — nothing was changed, but the reader must know (stale data, tiny samples).

Reports and records list these first: "What we could not trust, and what we did about it".
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Action = Literal["corrected", "unfit", "warning"]


class DataQualityIssue(BaseModel):
    id: str = Field(description="Stable id: 'dq.<check>[.<table>]' (same data -> same id).")
    check: str = Field(description="Which check raised it, e.g. 'bulk_timestamps'.")
    action: Action
    table: str | None = None
    columns: list[str] = Field(default_factory=list)
    title: str = Field(description="Short, plain: 'Stage history bulk-loaded'.")
    statement: str = Field(description="One sentence with the numbers: what was seen.")
    remedy: str = Field(description="What Throughline did about it, or what would fix it.")
    rows_affected: int | None = None
    rows_total: int | None = None
    affects: list[str] = Field(
        default_factory=list,
        description="Diagnostic ids (or family names) whose input this issue touches.",
    )
    details: dict[str, object] = Field(
        default_factory=dict, description="Small structured facts (e.g. {'EUR': 12, 'USD': 40})."
    )
