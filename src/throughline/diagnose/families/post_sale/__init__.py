"""Post-sale truth: retention, expansion, NPS, time-to-value and survival by how customers
were acquired.

Definitions (ChartMogul / Baremetrics style), over the 12 months ending at the as-of date
d1 (d0 = d1 − 12 months), with MRR at a date as in :mod:`throughline.diagnose.toolkit`:

* per account: start = MRR(d0), end = MRR(d1); an account with start > 0 is in the
  *starting cohort*. churned = start when end = 0; contraction = start − end when
  0 < end < start; expansion = end − start when end > start; reactivation = end when
  start = 0, end > 0 and the account was billed before d0 (new otherwise).
* gross MRR churn = (churned + contraction) / starting MRR; **GRR** = 1 − gross churn;
  **NRR** = (starting + expansion + reactivation − contraction − churned) / starting MRR;
  **logo churn** = starting accounts with end = 0 / starting accounts; **expansion rate**
  = expansion / starting MRR. Intervals: Wilson for logo churn, delta-method for the MRR
  ratios (from per-group sums the engine returns, see ``stats.ratio_of_sums_interval``).
* **NPS** = % promoters (9–10) − % detractors (0–6) over all answers up to as-of, with a
  normal-approximation interval (``stats.nps_interval``).
* **Time-to-value** = median days signed_at → first_value_at among accounts that reached
  first value by as-of; those that have not are reported as a censored count.
* **Survival**: per account, first billed day → last billed day (event) or → as-of
  (censored, still billed); Kaplan–Meier by acquisition channel (lifelines) and a
  multivariate log-rank test of whether channels differ; 12-month survival with its CI.

Segments: acquisition channel, motion and persona of the account's first won deal;
segment from the account (else the deal). These findings carry no binding-constraint
signals: the ICP family turns the same post-sale truth into ``icp_*`` signals.

Where is what: ``common`` (dimensions, shared constants, the subscriptions check),
``retention`` (``post_sale.retention``: NRR, GRR, logo churn, expansion), ``nps``
(``post_sale.nps``), ``time_to_value`` (``post_sale.time_to_value``), ``survival``
(``post_sale.survival``: Kaplan–Meier, log-rank).
"""

from throughline.diagnose.families.post_sale import nps, retention, survival, time_to_value  # noqa: F401  (registration)
from throughline.diagnose.families.post_sale.common import MIN_GROUP

__all__ = ["MIN_GROUP"]
