"""What the honesty diagnostics share: references and thresholds, and the check that the
stage history is usable.
"""

from __future__ import annotations

from throughline.diagnose.context import unmeasurable
from throughline.diagnose.registry import DiagnoseContext
from throughline.diagnose.toolkit import filled_counts

FAMILY = "honesty"


ALPHA = 0.01


STAGE_REFERENCE = 0.20


COMMIT_REFERENCE = 0.30


COMMIT_DEFAULT_PROBABILITY = 0.9


LATE_STAGE_PROBABILITY = 70.0


PUSH_REFERENCE_DAYS = 30.0


FORECAST_REFERENCE = 0.25


STALL_REFERENCE = 0.20


STALL_DAYS = 60


MIN_DECIDED = 5  # decided deals a stage needs before it is tested


POSITIVE_MARKERS = (
    "champion", "budget confirmed", "budget approved", "verbal", "great call",
    "great meeting", "great demo", "excited", "promising", "positive", "strong interest",
    "very interested", "loves", "love the", "ready to sign", "ready to buy", "green light",
    "good fit", "on track", "keen", "enthusiastic", "looks good", "going well",
)


HISTORY_NEEDS = ("stage history with each change's stage, date, probability, close date and "
                 "forecast category (Salesforce OpportunityHistory)",
                 "opportunities with their current outcome (closed, won)")


def history_counts(ctx: DiagnoseContext, cols: list[str],
                   also: tuple[str, ...] = ()) -> tuple[int, dict[str, int]]:
    """(rows, filled counts) of stage_history; not measurable when it is empty or one of
    ``cols`` is blank everywhere (``also`` are counted, not required)."""
    hist = ctx.require("stage_history")
    rows, filled = filled_counts(ctx, hist, [*cols, *also])
    if rows == 0:
        raise unmeasurable("the stage history is empty", HISTORY_NEEDS)
    blank = [c for c in cols if filled.get(c, 0) == 0]
    if blank:
        raise unmeasurable("stage_history." + ", stage_history.".join(blank)
                           + " is blank on every row", HISTORY_NEEDS)
    return rows, filled


# The markers are plain words and spaces, so one regular-expression alternation finds any of
# them (one pass over the lower-cased text instead of one per marker).
assert all(m.replace(" ", "").isalpha() for m in POSITIVE_MARKERS)
