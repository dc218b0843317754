"""What the post-sale diagnostics share: the dimensions they cut by, the minimum group
size, and the check that subscriptions are usable.
"""

from __future__ import annotations

from throughline.diagnose.registry import DiagnoseContext

FAMILY = "post_sale"


DIMENSIONS = ("channel", "segment", "persona", "motion")


DIMENSION_WORDS = {"channel": "acquisition channel", "segment": "segment",
                   "persona": "buyer persona", "motion": "sales motion"}


MIN_GROUP = 5  # accounts a group needs before it is named as highest or lowest


SURVIVAL_HORIZON_DAYS = 365


ALPHA_WORDS = 0.05  # "statistically significant" in statements


SUBS_NEEDS = (
    "billing subscriptions (account, MRR, start and end dates) reaching back at least 12 "
    "months before the as-of date",
    "won opportunities with channel, persona and motion, and accounts with segment, to cut "
    "it by how customers were acquired",
)


def require_subscriptions(ctx: DiagnoseContext) -> None:
    """Not measurable unless subscriptions hold rows with account, MRR and start date."""
    ctx.require("subscriptions", columns=("account_id", "mrr", "start_date"), needs=SUBS_NEEDS)
