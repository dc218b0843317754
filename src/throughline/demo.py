"""The demo job, offline and with no API key: a sample company → ingest → diagnose →
starter research library → the council on the default question → an HTML decision record.

Each step is the same library call the CLI commands make; the demo only chains them in
a fresh workspace under ``out``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from throughline.ingest import LoadReport, ingest
from throughline.settings import Settings

DEFAULT_SCENARIO = "honesty"
DEFAULT_SEED = 7


class DemoResult(BaseModel):
    out: Path
    exports: Path
    workspace: Path
    scenario: str
    seed: int
    load: LoadReport
    report_path: Path | None = None
    binding: str | None = None
    runner_up: str | None = None
    record_path: Path | None = None
    run_id: str | None = None
    claims_verified: int | None = None
    claims_total: int | None = None
    seconds: float | None = None


def run_demo(
    settings: Settings,
    out: Path,
    *,
    scenario: str = DEFAULT_SCENARIO,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    question: str | None = None,
    on_event: Callable[[str], None] | None = None,
) -> DemoResult:
    import time

    from throughline.council.frame import DEFAULT_QUESTION
    from throughline.council.pipeline import ask
    from throughline.diagnose import run_diagnose
    from throughline.diagnose.report import write_report
    from throughline.library import Library, add_starter
    from throughline.sample import generate

    t0 = time.perf_counter()
    say = on_event or (lambda _m: None)
    out = out.resolve()
    exports = out / "exports"
    workspace = out / "workspace"
    for folder in (exports, workspace):
        if folder.exists():
            shutil.rmtree(folder)
    say(f"writing a sample company ({scenario}, seed {seed})")
    generate(scenario, seed, scale, exports)
    ws_settings = settings.model_copy(update={"workspace": workspace, "backend": None})
    say("ingesting the exports")
    load = ingest([exports], ws_settings, on_event=say)
    result = DemoResult(out=out, exports=exports, workspace=workspace, scenario=scenario,
                        seed=seed, load=load)
    say("diagnosing")
    diagnosis = run_diagnose(ws_settings)
    result.report_path = write_report(diagnosis, out / "diagnosis.html", "html")
    result.binding = diagnosis.ranking.binding
    result.runner_up = diagnosis.ranking.runner_up
    say("adding the starter research library")
    with Library.open(ws_settings, embedder=None) as library:
        add_starter(library)
    say("convening the council ("
        + (f"model {ws_settings.models.default or ws_settings.models.advisor}"
           if ws_settings.uses_models else "offline engine") + ")")
    asked = ask(ws_settings, question or DEFAULT_QUESTION, out=out / "record.html",
                diagnosis=diagnosis,
                on_event=lambda e: say(e.message) if e.kind == "stage_finished" else None)
    result.record_path = asked.path
    result.run_id = asked.run_id
    cc = asked.record.claim_check
    result.claims_verified, result.claims_total = cc.verified, cc.total
    result.seconds = round(time.perf_counter() - t0, 2)
    return result
