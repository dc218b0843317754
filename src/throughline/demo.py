"""The demo job: a sample company → ingest → diagnose → report, offline, no API key.

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


def run_demo(
    settings: Settings,
    out: Path,
    *,
    scenario: str = DEFAULT_SCENARIO,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    on_event: Callable[[str], None] | None = None,
) -> DemoResult:
    from throughline.sample import generate

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
    try:
        from throughline.diagnose import run_diagnose
        from throughline.diagnose.report import write_report
    except ImportError:  # diagnose not built yet in this checkout
        return result
    say("diagnosing")
    diagnosis = run_diagnose(ws_settings)
    result.report_path = write_report(diagnosis, out / "diagnosis.html", "html")
    result.binding = diagnosis.ranking.binding
    result.runner_up = diagnosis.ranking.runner_up
    return result
