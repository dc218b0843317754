"""Stated vs revealed ICP: who we could convince against who we serve.

Cohorts (d1 = as-of, d0 = d1 − 12 months):

* **won cohort** — accounts with a won deal closed by as-of (without opportunities: every
  billed account);
* **mature** — won accounts first billed on or before d0 (old enough to judge);
* **revealed cohort** — who the company serves well, read through two lenses:

  - *retention* ("retain or expand"): mature accounts still billed at d1 with MRR(d1) ≥
    MRR(d0), among the mature accounts;
  - *advocacy* ("would refer"): the won accounts that answered NPS up to as-of, each with
    its own NPS (promoter answers − detractor answers, over its answers: the account is
    the unit, and all its answers count) and its promoter share. It reaches the accounts
    won in the last 12 months, whose retention cannot be judged yet — annual contracts
    show no churn before their first renewal — so a recent shift in who is won is visible
    in it long before it is in retention. Without NPS answers only the retention lens is
    used.

Per attribute (segment, industry, size_band, region from ``accounts``; persona and channel
from the first won deal) we compare each value's share of the won accounts a lens can
judge with its share of the revealed cohort (Jensen–Shannon divergence, base 2) — both
from the same accounts, so the comparison shows who is kept, not when they were won (a
won mix that moved since is drift, below) — and test whether being revealed depends on
the attribute (chi-square, Cramér's V; values too small for the chi-square approximation
are pooled — Cochran's rule — and a sparse 2×2 gets Fisher's exact test).

Each lens has a test of whether the attribute matters — chi-square of revealed vs not
among mature accounts (retention), one-way ANOVA of the accounts' own NPS (advocacy;
values with fewer than five accounts pooled) — and a rate: the revealed rate
(retention), the mean of the accounts' own NPS (advocacy; promoters − detractors, so it
moves twice as far as a share when accounts flip from promoter to detractor).

Signals (``gated_strength``: 0 unless p < 0.01 and the effect is positive, then
min(1, effect / reference)); Bonferroni over every attribute × lens (or pair × lens)
tested:

* ``icp_divergence`` — max over attributes and lenses of gated_strength(JS, 0.05, p_chi ×
  k) with k tests, JS between the won shares and the revealed shares. JS = 0.05 bits is
  about two equal halves of the won cohort, one retaining three times as often as the
  other.
* ``icp_drift`` — for each attribute and lens whose test is significant (p_chi × tests <
  0.05, Bonferroni over the attribute × lens tests: a revealed ICP has to be established
  before wins can drift from it), the ICP-fit values are those whose rate is at least the
  overall rate; effect = share of wins in fit values before the last 12 months − share
  in the last 12 months, two-proportion z-test; max of gated_strength(effect, 0.20, p ×
  k).
* ``stated_vs_revealed`` — per function, attribute in ``stated_icp`` and lens: rate outside
  the stated values − inside them (stated values serve worse); retention: two-proportion
  test (the 2×2 chi-square, Fisher's exact when its expected counts are too small),
  reference 0.20; advocacy: Student's t-test of the accounts' own NPS with the variance
  pooled over both sides (under "no difference" they share one: a handful of accounts
  that happen to agree cannot claim a tiny variance), no verdict with fewer than five
  accounts on a side, reference 0.40 NPS (a fifth of the accounts flipped from promoter
  to detractor — the same 0.20 as a share); max of gated_strength(effect, reference, p × m)
  over the m pair × lens tests. Counter-signal ``healthy_icp_alignment`` = 1 when no test
  shows a significant gap (p ≥ 0.05) and the revealed top value (retention) is in every
  stated set.

``icp.network_concentration`` warns (no signal) when wins concentrate in warm-intro /
founder-network sources: the won cohort then maps a network, not a market.

Where is what: ``cohorts`` (the won, mature and revealed cohorts, the two lenses,
divergence), ``fit`` (``icp.won_vs_retained``), ``drift`` (``icp.drift``), ``stated``
(``icp.stated_vs_revealed``), ``network`` (``icp.network_concentration``).
"""

from throughline.diagnose.families.icp import drift, fit, network, stated  # noqa: F401  (registration)
from throughline.diagnose.families.icp.cohorts import MIN_GROUP

__all__ = ["MIN_GROUP"]
