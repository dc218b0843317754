"""Recovery of planted problems: every scenario over ten seeds, end to end.

For each scenario and seed the sample company is generated, ingested and diagnosed (the
same calls the CLI makes; no report is rendered). The planted constraint must be named
first in at least 9 of 10 seeds, and "none found" for the healthy company in at least 9
of 10. ``bench/recovery.py`` runs the same over 50 seeds and prints the confusion matrix.

The cases run in two worker processes. Scale 0.5 (about a thousand opportunities and a
couple of hundred customers for an average company) is the smallest scale tried at which
every planted problem is a statistically honest finding in 9 of 10 seeds. At 0.3 the
positioning scenario is named in only 7 of 10: with ~80 customers, too few are old enough
to judge their retention or have answered NPS for its tests to clear their
Bonferroni-corrected thresholds, and the diagnosis rightly says "none found" rather than
guess.
"""

from __future__ import annotations

import os
import time

import pytest

from throughline.sample.recovery import hits, interleaved, run_many, summary
from throughline.sample.scenarios import scenario_names

SEEDS = range(1, 11)
SCALE = 0.5
REQUIRED = 9  # of 10
JOBS = max(1, min(2, os.cpu_count() or 1))


@pytest.mark.slow
def test_planted_constraint_is_named_first() -> None:
    started = time.perf_counter()
    outcomes = run_many(interleaved(scenario_names(), list(SEEDS)), SCALE, jobs=JOBS)
    elapsed = time.perf_counter() - started
    cpu = sum(o.cpu_seconds for o in outcomes)
    report = (f"recovery over seeds {SEEDS.start}-{SEEDS.stop - 1} at scale {SCALE}: "
              f"{elapsed:.0f}s wall, {cpu:.0f} CPU-s in {JOBS} workers\n" + summary(outcomes))
    print(report)
    tally = hits(outcomes)
    assert set(tally) == set(scenario_names())
    assert all(n == len(SEEDS) for _, n in tally.values()), report
    short = {s: h for s, (h, _) in tally.items() if h < REQUIRED}
    assert not short, f"below {REQUIRED}/{len(SEEDS)}: {short}\n{report}"
