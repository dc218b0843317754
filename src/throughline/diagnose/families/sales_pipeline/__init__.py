"""Pipeline mechanics: win rate, sales cycle, deal size, velocity; stage conversion and time
in stage; overall, by channel and by feature cohort.

Definitions (deals closed in the 12 months ending at the as-of date; open = not closed, or
closed after as-of, and created on or before it):

* **win rate (won / closed)** = won deals / closed deals (lost + won), Wilson interval.
* **median sales cycle** = median days created_date → close_date of won deals.
* **average deal size** = mean amount of won deals (interval from Σx, Σx²).
* **pipeline velocity** = open deals × win rate × average deal size ÷ median cycle days
  (currency per day).
* **stage conversion** (from ``stage_history``) = of deals that reached stage S and have
  since been decided, the share that went on to a later stage or were won. Stages are
  ordered by the probability the CRM gives them, else by when deals enter them; the
  labels of closed deals' stages are terminal and not shown. **Time in stage** = median
  days from entering a stage to the next recorded change. By channel: the channel whose
  conversion falls furthest below its stage's, with a chi-square test across channels at
  that stage.
* **feature cohort** = deals linked to a feature in ``opportunity_features``; its win rate
  is compared with the other closed deals (two-proportion z-test).

These findings are descriptive and carry no binding-constraint signals.

Where is what: ``mechanics`` (win rate, cycle, deal size and velocity of a set of deals;
the opportunities check), ``velocity`` (``pipeline.velocity``), ``features``
(``pipeline.feature_cohorts``), ``stages`` (``pipeline.stages``: stage order, reach,
conversion, time in stage).
"""

from throughline.diagnose.families.sales_pipeline import features, stages, velocity  # noqa: F401  (registration)
from throughline.diagnose.families.sales_pipeline.mechanics import MIN_GROUP

__all__ = ["MIN_GROUP"]
