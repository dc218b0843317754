"""Benchmark the council's debate on model-backed advisors of fixed latency.

Not a test. Writes (or reuses) a sample company, then runs one council through the real
pipeline (``Council.ask``: frame, gather, cast, debate, claim check, synthesis, run log)
with the model engine the CLI uses (its run-log store included) whose every model is
``FixedLatencyModel(ScriptedModel(responder=FakeAdvisor()), L)``: each request takes L
seconds and nothing leaves the process. It prints

* the debate's wall time (the ``debate`` stage in the run log's stages table; the other
  stages are left out) against the critical path. A round's summary runs beside the next
  round (which reads the previous round's statements in full), so the debate waits for one
  wave of turns per ``concurrency`` advisors per round plus the last round's summary, each
  L long: ``(rounds × ceil(advisors / concurrency) + 1) × L`` — with every advisor in
  flight, ``(rounds + 1) × L`` — and the ratio (target ≤ 1.3), next to the old
  ``2 × rounds × L`` (each summary awaited before the next round);
* the largest prompt of round 1 and of the last round (chars and estimated tokens, from
  the requests in the run log's ``model_calls`` rows: instructions and message text) and
  their ratio (reported: the round part is bounded, the stable part shared);
* the identical prefix of one advisor's prompts across its rounds (instructions, persona,
  question, panel, evidence), which provider prompt caching reuses (target ≥ 1,024 tokens
  at a rough 4 characters a token);
* the pre-run estimate (``ModelAdvisorEngine.plan`` / ``estimate``, the numbers the run
  prints before it starts) for this panel on a few models — what a run costs in calls and
  tokens.

    python bench/council.py [--latency 0.2] [--rounds 5] [--advisors 6] [--concurrency 6]
                            [--workspace DIR] [--scenario honesty --seed 7 --scale 1.0]
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ESTIMATE_MODELS = ("openai:gpt-4o-mini", "anthropic:claude-haiku-4-5", "ollama:qwen2.5:7b")
BENCH_MODEL = "openai-compatible:fixed-latency@http://127.0.0.1:9/v1"  # never called


def build_company(root: Path, scenario: str, seed: int, scale: float) -> Any:
    """The demo's company: sample exports → ingest → starter library (as `throughline demo`)."""
    from throughline.ingest import ingest
    from throughline.library import Library, add_starter
    from throughline.sample import generate
    from throughline.core.settings import load_settings

    exports = root / "exports"
    generate(scenario, seed, scale, exports)
    settings = load_settings(workspace=root / "workspace")
    ingest([exports], settings)
    with Library.open(settings, embedder=None) as library:
        add_starter(library)
    return settings


def run_council(settings: Any, *, latency: float, rounds: int, advisors: int,
                concurrency: int) -> tuple[str, float, list[float], float]:
    """One council run on fixed-latency fakes; returns its run id, wall seconds, each
    round's wall seconds (from the pipeline's progress events) and the debate's CPU seconds
    (process time between the debate's start and end events)."""
    from throughline.council.frame import DEFAULT_QUESTION
    from throughline.council.convene import Council
    from throughline.providers.fakes import FakeAdvisor, FixedLatencyModel, ScriptedModel

    def model(spec: Any) -> FixedLatencyModel:
        return FixedLatencyModel(ScriptedModel(responder=FakeAdvisor(), model_name=spec.name),
                                 latency)

    marks: list[float] = []
    cpu: list[float] = []

    def on_event(event: Any) -> None:
        if event.stage == "debate" and event.kind in ("stage_started", "stage_finished"):
            cpu.append(time.process_time())
        if (event.kind == "stage_started" and event.stage == "debate") or \
                event.kind == "round_finished":
            marks.append(time.perf_counter())

    # the production path: the model engine with its run-log store (every call logged,
    # resumable), only the models are fakes
    council = Council(settings.with_model(BENCH_MODEL), model_factory=model,
                      concurrency=concurrency, on_event=on_event)
    started = time.perf_counter()
    result = council.ask(DEFAULT_QUESTION, rounds=rounds, panel_size=advisors,
                         run_date=date(2026, 11, 21))
    per_round = [b - a for a, b in itertools.pairwise(marks)]
    return result.run_id, time.perf_counter() - started, per_round, cpu[-1] - cpu[0]


def prompt_chars(call: Any) -> int:
    """Characters of prompt text a logged request sent: its instructions and the text of
    its message parts (the run log keeps each request as the model layer saw it)."""
    if "prompt_chars" in call.parameters:  # engines that log their CallInfo
        return int(call.parameters["prompt_chars"])
    total = 0
    for message in (call.request or {}).get("messages", []):
        total += len(message.get("instructions") or "")
        for part in message.get("parts", []):
            content = part.get("content")
            if isinstance(content, str):
                total += len(content)
    return total


def prompt_text(call: Any) -> str:
    """A logged request's instructions and message text, in the order a provider reads
    them (system instructions, then the user message)."""
    instructions, parts = "", []
    for message in (call.request or {}).get("messages", []):
        instructions = instructions or (message.get("instructions") or "")
        for part in message.get("parts", []):
            content = part.get("content")
            if isinstance(content, str):
                parts.append(content)
    return instructions + "\n" + "\n".join(parts)


def shared_prefix(calls: list[Any]) -> int:
    """The shortest, over advisors, of the prefix their prompts share across rounds."""
    by_advisor: dict[str, list[str]] = {}
    for c in calls:
        if c.role == "advisor" and c.advisor_id:
            by_advisor.setdefault(c.advisor_id, []).append(prompt_text(c))
    lengths = [len(os.path.commonprefix(texts)) for texts in by_advisor.values()
               if len(texts) > 1]
    return min(lengths, default=0)


def estimates(log: Any, run_id: str, rounds: int) -> list[tuple[str, Any]]:
    """The engine's pre-run plan and estimate for this run's panel, per model string."""
    from throughline.council.debate import first_round_requests
    from throughline.council.gather import EvidencePack
    from throughline.council.personas import load_catalog
    from throughline.providers import ModelAdvisorEngine, ModelsConfig
    from throughline.providers.fakes import ScriptedModel
    from throughline.record.decision import Advisor

    pack = EvidencePack.model_validate(log.stage_output(run_id, "gather")["pack"])
    catalog, _ = load_catalog(None)
    panel = [Advisor.model_validate(a) for a in log.stage_output(run_id, "cast")["panel"]]
    seats = [(catalog.get(a.id), a.model_copy(update={"model": "offline"})) for a in panel]
    intent = log.get_frame(run_id)
    requests = first_round_requests(run_id=run_id, seats=seats, intent=intent, pack=pack,
                                    rounds=rounds)
    out = []
    for model in ESTIMATE_MODELS:
        engine = ModelAdvisorEngine(ModelsConfig(default=model),
                                    model_factory=lambda spec: ScriptedModel())  # no key
        out.append((model, engine.estimate(engine.plan(requests, rounds))))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--latency", type=float, default=0.2, help="seconds per model request")
    ap.add_argument("--rounds", type=int, default=5, help="debate rounds (1-5)")
    ap.add_argument("--advisors", type=int, default=6, help="panel size (4-7)")
    ap.add_argument("--concurrency", type=int, default=None,
                    help="turns of a round in flight at once (default: --advisors)")
    ap.add_argument("--workspace", type=Path,
                    help="an existing workspace with data (default: a fresh sample company)")
    ap.add_argument("--scenario", default="honesty", help="sample company (as `demo`)")
    ap.add_argument("--seed", type=int, default=7, help="sample company seed (as `demo`)")
    ap.add_argument("--scale", type=float, default=1.0, help="sample company scale")
    args = ap.parse_args(argv)
    concurrency = args.concurrency or args.advisors

    from throughline.providers.budget import estimate_tokens
    from throughline.runlog import RunLog
    from throughline.core.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="bench-council-") as tmp:
        if args.workspace:
            settings = load_settings(workspace=args.workspace)
            where = str(args.workspace)
        else:
            print(f"sample company: {args.scenario}, seed {args.seed}, scale {args.scale:g}",
                  flush=True)
            settings = build_company(Path(tmp), args.scenario, args.seed, args.scale)
            where = "a fresh sample company"
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"machine: {os.cpu_count()} CPUs, load average {load:.2f} (a loaded machine "
              "stretches the CPU share of the wall time)")
        print(f"council: {args.advisors} advisors, {args.rounds} rounds, latency "
              f"L={args.latency:g}s per request, concurrency limit {concurrency} ({where})",
              flush=True)
        run_id, wall, per_round, cpu = run_council(settings, latency=args.latency, rounds=args.rounds,
                                   advisors=args.advisors, concurrency=concurrency)
        with RunLog.open(settings) as log:
            stages = {s.name: s.duration_s or 0.0 for s in log.stages(run_id)}
            calls = log.calls(run_id)
            record = log.get_record(run_id)
            planned = estimates(log, run_id, args.rounds)

    seated = len(record.panel)
    waves = math.ceil(seated / concurrency)
    critical = (args.rounds * waves + 1) * args.latency
    serial = args.rounds * (waves + 1) * args.latency  # each summary awaited before the next
    debate = stages["debate"]
    ratio = debate / critical
    others = sum(v for k, v in stages.items() if k != "debate")
    print(f"\nrun {run_id}: {len(calls)} model calls, {sum(c.role == 'advisor' for c in calls)} "
          f"turns + {sum(c.role == 'summariser' for c in calls)} summaries, "
          f"{len(record.run.failures)} failed; whole run {wall:.2f}s "
          f"(other stages {others:.2f}s)")
    print(f"debate wall time      {debate:.3f}s (run log, stage 'debate'); CPU {cpu:.3f}s "
          f"({cpu / max(1, len(calls)) * 1000:.1f} ms per call)")
    print(f"critical path         {critical:.3f}s = ({args.rounds} rounds × {waves} wave"
          f"{'s' if waves != 1 else ''} of turns + the last summary) × {args.latency:g}s; "
          f"summaries awaited in line would make it {serial:.3f}s")
    print(f"ratio                 {ratio:.3f}  (target ≤ 1.3: {'ok' if ratio <= 1.3 else 'MISSED'})")
    print("rounds closing        " + ", ".join(f"{x:.3f}s" for x in per_round)
          + "  (time between summaries: each closes while the next round runs)")
    print(f"idle-machine bound    {(critical + cpu) / critical:.3f}  (critical path + all of the "
          "debate's CPU, none of it overlapped with waiting; wall time above this bound is "
          "time spent waiting for a CPU)")
    if waves > 1:
        ideal = (args.rounds + 1) * args.latency
        print(f"  (with concurrency ≥ {seated} the critical path would be {ideal:.3f}s; "
              f"this run is {debate / ideal:.2f}× that)")

    def largest(n: int) -> int:
        return max((prompt_chars(c) for c in calls if c.role == "advisor" and c.round == n),
                   default=0)

    first, last = largest(1), largest(args.rounds)
    print(f"largest prompt, round 1          {first:>7,} chars ≈ {estimate_tokens(' ' * first):>6,} "
          "tokens")
    print(f"largest prompt, round {args.rounds}          {last:>7,} chars ≈ "
          f"{estimate_tokens(' ' * last):>6,} tokens")
    growth = last / first if first else float("nan")
    print(f"round {args.rounds} / round 1          {growth:.3f}  (the round part is bounded; "
          "peers' statements are shown in full)")
    prefix = shared_prefix(calls)
    verdict = "ok" if prefix // 4 >= 1024 else "MISSED"
    print(f"shared prompt prefix  {prefix:,} chars ≈ {prefix // 4:,} tokens across an "
          f"advisor's rounds (target ≥ 1,024 tokens: {verdict})")
    total_chars = sum(prompt_chars(c) for c in calls)
    print(f"prompt text sent in the run {total_chars:,} chars ≈ "
          f"{estimate_tokens(' ' * total_chars):,} tokens over {len(calls)} calls")
    print(f"\npre-run estimate for this panel ({seated} advisors, {args.rounds} rounds; "
          "ModelAdvisorEngine.plan/estimate):")
    for model, est in planned:
        roles = ", ".join(f"{n} {role}" for role, n in est.by_role.items())
        print(f"  {model:<28} {est.calls} calls ({roles}): {est.tokens_in:,} prompt tokens, "
              f"≤ {est.tokens_out:,} output tokens; "
              + ("cost unknown" if est.cost_usd is None else f"${est.cost_usd:.4f}"))
    return 0 if ratio <= 1.3 and (args.rounds < 2 or prefix // 4 >= 1024) else 1


if __name__ == "__main__":
    sys.exit(main())
