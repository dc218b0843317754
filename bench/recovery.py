"""Recovery of planted problems over many seeds: the confusion matrix of `diagnose`.

Not a test (tests/diagnose/e2e/test_recovery.py runs 10 seeds in CI, at the same scale).
For every scenario and seed it writes the sample company, ingests it and diagnoses it,
then prints the confusion matrix — planted constraint (rows, "none found" for the healthy
company) against the constraint diagnose named (columns) — per-scenario recall and every
miss with its top scores.

    python bench/recovery.py [--seeds 50] [--first-seed 1] [--scale 0.5] [--jobs 2]
                             [--scenario NAME ...] [--quirks LIST|all] [--json FILE]

``--quirks`` writes real-world export habits into every sample (as ``throughline sample
--quirks``); the planted constraint, and so the expected diagnosis, is unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from throughline.sample.recovery import (
    describe,
    format_confusion,
    interleaved,
    misses,
    run_many,
)
from throughline.sample.quirks import parse_quirks
from throughline.sample.scenarios import scenario_names

# The scale the CI recovery test runs at (about a thousand opportunities for an average
# company; see tests/diagnose/e2e/test_recovery.py for why not smaller).
DEFAULT_SCALE = 0.5


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=50, help="seeds per scenario (default 50)")
    ap.add_argument("--first-seed", type=int, default=1, help="first seed (default 1)")
    ap.add_argument("--scale", type=float, default=DEFAULT_SCALE,
                    help=f"sample company scale (default {DEFAULT_SCALE})")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="worker processes (default: one per core)")
    ap.add_argument("--scenario", action="append", choices=scenario_names(),
                    help="only this scenario (repeatable; default all)")
    ap.add_argument("--quirks", default="",
                    help="export habits to write in: comma-separated names or 'all' "
                    "(see throughline sample --quirks list)")
    ap.add_argument("--json", type=Path, help="also write every outcome to this file")
    ap.add_argument("--quiet", action="store_true", help="no line per case")
    args = ap.parse_args(argv)

    scenarios = args.scenario or scenario_names()
    quirks = parse_quirks(args.quirks)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    cases = interleaved(scenarios, list(seeds))
    print(f"{len(scenarios)} scenarios × {args.seeds} seeds (from {args.first_seed}) at scale "
          f"{args.scale:g}, {args.jobs} jobs"
          + (f", quirks {','.join(quirks)}" if quirks else ""), flush=True)
    done = [0]

    def progress(o) -> None:  # type: ignore[no-untyped-def]
        done[0] += 1
        if not args.quiet:
            mark = "ok  " if o.hit else "MISS"
            print(f"[{done[0]:>4}/{len(cases)}] {mark} {describe(o)} "
                  f"[{o.seconds:.1f}s, {o.cpu_seconds:.1f} CPU-s]",
                  flush=True)

    started = time.perf_counter()
    outcomes = run_many(cases, args.scale, jobs=args.jobs, on_outcome=progress,
                        quirks=quirks)
    elapsed = time.perf_counter() - started
    print()
    print(format_confusion(outcomes))
    wrong = misses(outcomes)
    if wrong:
        print(f"\n{len(wrong)} misses:")
        for o in wrong:
            print("  " + describe(o))
    cpu = sum(o.cpu_seconds for o in outcomes)
    print(f"\n{len(outcomes)} cases in {elapsed:.1f}s wall with {args.jobs} jobs; "
          f"{cpu:.1f} CPU-seconds in the workers ({cpu / max(1, len(outcomes)):.2f} per case)")
    if args.json:
        args.json.write_text(json.dumps([o.to_dict() for o in outcomes], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
