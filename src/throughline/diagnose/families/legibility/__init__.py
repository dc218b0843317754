"""Engineering legibility and the legibility map: who can see their own work in the data.

Diagnostics
-----------
``legibility.pr_cycle_time``
    Merged pull requests (merged ≥ created). Cycle time = created → merged, in hours,
    split LinearB-style into pickup (created → first review) and review (first review →
    merged) for PRs whose first review falls inside that span. Medians with approximate
    95% order-statistic intervals (medians of the parts need not add up to the median of
    the whole). Trend: OLS slope of the weekly median cycle time (week of merge) over
    weeks, with its p-value (needs three or more weeks).

``legibility.pr_throughput``
    PRs merged per week over the weeks spanned (weeks with none count as zero) and the
    OLS slope of the weekly count.

``legibility.pr_step_change``
    Cycle time of PRs created before vs on/after ``options.change_date`` (e.g. an AI
    tooling rollout): medians per side and a Mann–Whitney U test computed in the engine
    from mid-ranks (window ``RANK`` + tie-group sizes), normal approximation with tie and
    continuity corrections; effect size = rank-biserial correlation (negative = faster
    after the change).

``legibility.map``
    For each function — engineering, product, marketing, sales, customer success — which
    metrics of the catalogue below the store lets us compute *at all*: the tables are
    present and the columns each metric needs hold at least one non-blank value (counted
    in the engine). A function with none is a **measurement vacuum**. The finding's
    ``series`` carries the map in the shape the engine reads
    (``{"function", "metrics", "missing"}``).

    Signals (a census of what is measurable, so no sampling interval applies):

    * ``gtm_illegible`` = the share of each non-engineering function's catalogue the data
      cannot compute, averaged over the four functions. A vacuum counts 1; a sales team
      whose CRM supports 3 of its 7 metrics counts 4/7. (Counting only total vacuums
      would call a function with one metric of seven as legible as a fully instrumented
      one, and would move in steps of a quarter.)
    * ``engineering_legible`` = computable engineering metrics / 4 (the same census for
      engineering, read the other way round).

    The measurement-vacuum hypothesis needs both: legible engineering beside dark GTM.

Where is what: ``pull_requests`` (``legibility.pr_cycle_time``,
``legibility.pr_throughput``, ``legibility.pr_step_change``), ``function_map``
(``legibility.map``: what each function can measure).
"""

from throughline.diagnose.families.legibility import function_map, pull_requests  # noqa: F401  (registration)

__all__: list[str] = []  # registration only: import from its modules
