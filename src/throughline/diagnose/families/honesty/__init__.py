"""The honesty layer: do stages, commits, close dates, forecasts and notes mean what they say?

Signals (strength 0..1; ``gated_strength(effect, reference, p)`` is 0 unless p < 0.01 and
the effect points the symptom's way, then min(1, effect / reference)):

* ``stage_optimism`` — per open-pipeline stage S: realised = deals that ever reached S and
  are now closed, share won; stated = mean CRM probability of S. Effect = n-weighted mean
  of (stated − realised) over stages; p = smallest one-sided exact binomial p (realised <
  stated) × number of stages (Bonferroni); reference 0.20 (twenty points of optimism).
  Counter-signal ``healthy_stage_calibration`` = 1 − min(1, |effect| / 0.20) when no stage
  is significantly optimistic (p ≥ 0.05) and at least ``min_n`` deals are decided.
* ``commit_slippage`` — deals flagged commit (forecast category), or late-stage (stated
  probability ≥ 70%) when the CRM records no forecast category, that are decided or past
  their committed close date. Failed = lost, or closed (or still open) in a later quarter
  than the close date they had when first flagged. Effect = failed share − (1 − stated
  probability at flagging; 0.9 for commits without a probability); p = one-sided exact
  binomial; reference 0.30.
* ``close_date_pushes`` — pushes = successive ``stage_history.close_date`` values that
  increase. Effect = mean days from the first close date the CRM held to the actual close
  date of closed deals; p = one-sided t-test that the mean exceeds 0 (an honest close date
  is unbiased); reference 30 days. Pushes per deal are reported beside it.
* ``forecast_optimism`` — per completed forecast period: forecast (each owner's latest
  submission before the period ends, commit category when there is one, summed) against
  won amount closed in the period. Effect = geometric mean of forecast / actual − 1;
  p = one-sided t-test on the log ratios (≥ 3 periods); reference 0.25.
* ``positive_notes_stall`` — deals whose next-step notes use positive language vs the other
  deals: stalled = lost, or open with no change for 60 days or past its close date.
  Effect = stall rate(positive) − stall rate(others); p = two-proportion z-test; reference
  0.20.

Where is what: ``common`` (references, the stage-history check), ``optimism``
(``honesty.stage_optimism``), ``slippage`` (``honesty.commit_slippage``,
``honesty.close_date_pushes``), ``forecast`` (``honesty.forecast_accuracy``), ``notes``
(``honesty.positive_notes_stall``).
"""

from throughline.diagnose.families.honesty import forecast, notes, optimism, slippage  # noqa: F401  (registration)

__all__: list[str] = []  # registration only: import from its modules
