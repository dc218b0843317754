"""Recovery of planted problems: sample company → ingest → diagnose, over many seeds.

The recovery test and ``bench/recovery.py`` both call :func:`run_many`. Each case writes a
sample company with one problem planted (``generate``), loads it with the same
``ingest`` the CLI runs and diagnoses it with ``run_diagnose``; the outcome records the
constraint the ranking names (``None``: "none found") beside the one that was planted.
Reports are not rendered: the ranking is all the comparison needs. ``quirks`` writes
real-world export habits into every sample (``throughline sample --quirks``); what is
planted, and so what a correct diagnosis names, stays the same.

Cases run in ``jobs`` worker processes (``spawn``, so a parent that already holds DuckDB
connections and their threads is never forked); each worker keeps its imports warm across
the cases it is given.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from throughline.core.settings import Settings, load_settings
from throughline.diagnose import run_diagnose
from throughline.diagnose.invariants import truth_violations
from throughline.diagnose.signals import HYPOTHESES
from throughline.ingest import ingest
from throughline.sample.generator import generate
from throughline.sample.quirks import parse_quirks
from throughline.sample.scenarios import SCENARIOS
from throughline.store.connection import store_session

NONE_FOUND = "none found"


@dataclass(frozen=True)
class Outcome:
    """What diagnose named for one sample company."""

    scenario: str
    seed: int
    scale: float
    planted: str  # the hypothesis planted, or NONE_FOUND for the healthy company
    named: str  # the binding constraint diagnose named, or NONE_FOUND
    runner_up: str | None
    margin: float
    scores: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0  # wall time of generate + ingest + diagnose
    cpu_seconds: float = 0.0  # CPU time of the process meanwhile (all its threads)
    quirks: tuple[str, ...] = ()  # export habits written into the sample
    not_measurable: tuple[str, ...] = ()  # hypotheses the ranking marked not measurable
    blocked: tuple[str, ...] = ()  # hypotheses the data-fitness gate kept from binding
    tied: tuple[str, ...] = ()  # hypotheses reported as a tie (binding is then none)
    raised_by: dict[str, tuple[str, ...]] = field(default_factory=dict)  # signals per hypothesis
    violations: tuple[str, ...] = ()  # broken truth invariants (diagnose/invariants.py)

    @property
    def hit(self) -> bool:
        return self.named == self.planted

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "hit": self.hit}


def planted(scenario: str) -> str:
    """The label a correct diagnosis names for ``scenario``."""
    return SCENARIOS[scenario].constraint or NONE_FOUND


def _scratch_root() -> Path:
    """Scratch space for the cases: memory-backed when the machine has it (many small
    DuckDB files are written and thrown away)."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return shm
    return Path(tempfile.gettempdir())


def run_one(scenario: str, seed: int, scale: float, *, root: Path | None = None,
            duckdb_threads: int | None = None, quirks: str | Sequence[str] = ()) -> Outcome:
    """Generate, ingest and diagnose one sample company; nothing is left on disk."""
    started, cpu = time.perf_counter(), time.process_time()
    work = Path(tempfile.mkdtemp(prefix=f"tl-recovery-{scenario}-{seed}-",
                                 dir=root or _scratch_root()))
    try:
        exports, workspace = work / "exports", work / "workspace"
        names = parse_quirks(quirks)
        generate(scenario, seed, scale, exports, quirks=names)
        settings = load_settings(workspace=workspace).model_copy(
            update={"workspace": workspace, "backend": None,
                    "duckdb_threads": duckdb_threads})
        ingest([exports], settings)
        diagnosis = run_diagnose(settings)
        ranking = diagnosis.ranking
        violations = tuple(truth_violations(
            diagnosis, currencies_in_deals=_deal_currencies(settings)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Outcome(
        scenario=scenario, seed=seed, scale=scale, planted=planted(scenario),
        named=ranking.binding or NONE_FOUND, runner_up=ranking.runner_up,
        margin=ranking.margin, scores={s.name: s.score for s in ranking.scores},
        seconds=round(time.perf_counter() - started, 3),
        cpu_seconds=round(time.process_time() - cpu, 3),
        quirks=names,
        not_measurable=tuple(s.name for s in ranking.scores
                             if not getattr(s, "measurable", True)),
        blocked=tuple(getattr(ranking, "blocked", {}) or ()),
        tied=tuple(getattr(ranking, "tied", []) or ()),
        raised_by={s.name: tuple(sorted({c.signal for c in s.raised_by}))
                   for s in ranking.scores if s.raised_by},
        violations=violations,
    )


def _deal_currencies(settings: Settings) -> int:
    """Distinct currency codes on the stored deals (a blank code is the reporting one)."""
    with store_session(settings) as store:
        deals = store.table("opportunities")
        if deals is None or "currency" not in deals.columns:
            return 0
        return int(deals.currency.nunique().execute())


def _run_case(args: tuple[str, int, float, int | None, tuple[str, ...]]) -> Outcome:
    scenario, seed, scale, threads, quirks = args
    return run_one(scenario, seed, scale, duckdb_threads=threads, quirks=quirks)


def run_many(
    cases: Iterable[tuple[str, int]],
    scale: float,
    *,
    jobs: int = 1,
    on_outcome: Callable[[Outcome], None] | None = None,
    quirks: str | Sequence[str] = (),
) -> list[Outcome]:
    """Run every (scenario, seed) case; outcomes in the order of ``cases``, each sample
    written with ``quirks`` (names or ``"all"``, as ``throughline sample --quirks``).

    With ``jobs`` > 1 the cases run in that many worker processes, and each worker's
    DuckDB uses one thread so the workers do not fight over the cores.
    """
    todo = [(s, int(seed)) for s, seed in cases]
    for s, _ in todo:
        if s not in SCENARIOS:
            raise ValueError(f"unknown scenario {s!r}")
    names = parse_quirks(quirks)
    say = on_outcome or (lambda _o: None)
    if jobs <= 1 or len(todo) <= 1:
        out = []
        for s, seed in todo:
            out.append(run_one(s, seed, scale, quirks=names))
            say(out[-1])
        return out
    args = [(s, seed, scale, 1, names) for s, seed in todo]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes=min(jobs, len(todo))) as pool:
        out = []
        for outcome in pool.imap(_run_case, args, chunksize=1):
            out.append(outcome)
            say(outcome)
    return out


def interleaved(scenarios: Sequence[str], seeds: Sequence[int]) -> list[tuple[str, int]]:
    """Cases ordered seed by seed (every scenario for seed 1, then seed 2, ...), so a
    partial run still covers every scenario."""
    return [(s, seed) for seed in seeds for s in scenarios]


# -- summaries --------------------------------------------------------------------------


def hits(outcomes: Iterable[Outcome]) -> dict[str, tuple[int, int]]:
    """Per scenario: (cases where the planted constraint was named, cases)."""
    tally: dict[str, list[int]] = {}
    for o in outcomes:
        t = tally.setdefault(o.scenario, [0, 0])
        t[0] += int(o.hit)
        t[1] += 1
    return {s: (h, n) for s, (h, n) in tally.items()}


def confusion(outcomes: Iterable[Outcome]) -> dict[str, Counter[str]]:
    """planted label → Counter of named labels."""
    table: dict[str, Counter[str]] = {}
    for o in outcomes:
        table.setdefault(o.planted, Counter())[o.named] += 1
    return table


def misses(outcomes: Iterable[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if not o.hit]


def describe(o: Outcome) -> str:
    """One line on an outcome: what was named, the top scores."""
    top = sorted(o.scores.items(), key=lambda kv: -kv[1])[:3]
    scores = ", ".join(f"{k} {v:.2f}" for k, v in top)
    return (f"{o.scenario} seed {o.seed}: planted {o.planted}, named {o.named} "
            f"(margin {o.margin:.2f}; {scores})")


def summary(outcomes: Sequence[Outcome]) -> str:
    """Per-scenario hit counts and every miss, for assertion messages and logs."""
    lines = [f"{s}: {h}/{n}" for s, (h, n) in hits(outcomes).items()]
    wrong = misses(outcomes)
    if wrong:
        lines.append("misses:")
        lines += ["  " + describe(o) for o in wrong]
    return "\n".join(lines)


def format_confusion(outcomes: Sequence[Outcome]) -> str:
    """The confusion matrix (planted rows × named columns) and per-scenario recall."""
    labels = [*HYPOTHESES, NONE_FOUND]
    table = confusion(outcomes)
    rows = [lab for lab in labels if lab in table]
    named = Counter(o.named for o in outcomes)
    cols = [lab for lab in labels if named[lab] or lab in table]
    short = {lab: lab.replace("measurement_vacuum", "meas_vacuum") for lab in labels}
    width = max(len("planted \\ named"), *(len(short[r]) for r in rows))
    colw = [max(5, len(short[c])) for c in cols]
    head = "planted \\ named".ljust(width) + " " + " ".join(
        short[c].rjust(w) for c, w in zip(cols, colw)) + "  recall"
    out = [head, "-" * len(head)]
    for r in rows:
        n = sum(table[r].values())
        cells = " ".join(str(table[r][c] or ".").rjust(w) for c, w in zip(cols, colw))
        out.append(f"{short[r].ljust(width)} {cells}  {table[r][r] / n:6.1%}")
    out.append("")
    for s, (h, n) in hits(outcomes).items():
        out.append(f"{s:<20} {h:>3}/{n:<3} recall {h / n:6.1%}")
    return "\n".join(out)
