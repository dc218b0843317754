"""The demo job, offline and with no API key: a sample company → ingest → diagnose →
starter research library → the council on the default question → an HTML decision record.

Each step is the same library call the CLI commands make; the demo only chains them. The
exports and the two documents go under ``out``; the evidence store, the library and the run
log are the **workspace's** (the global ``--workspace``, ``THROUGHLINE_HOME`` or
``./.throughline``), so ``demo`` followed by ``ask``, ``diagnose`` or ``runs list`` just
works. The run log is never wiped: a rerun adds a run. A workspace that already holds
someone's own data is never overwritten unless the caller passes ``fresh=True``.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from throughline.council.frame import DEFAULT_QUESTION
from throughline.council.convene import ask
from throughline.diagnose import run_diagnose
from throughline.diagnose.report import write_report
from throughline.core.errors import UsageError
from throughline.ingest import LoadReport, ingest
from throughline.library import Library, add_starter
from throughline.sample import generate
from throughline.core.settings import Settings

DEFAULT_SCENARIO = "honesty"
DEFAULT_SEED = 7
MARKER = "demo.json"  # in the workspace: which sample company its store holds
SAMPLE_MARKER = "truth.json"  # in the exports folder: written by the sample generator


class DemoResult(BaseModel):
    """What the demo did: where its files went, the load, the diagnosis and the run."""

    out: Path
    exports: Path
    workspace: Path
    scenario: str
    seed: int
    load: LoadReport
    replaced: str | None = None
    report_path: Path | None = None
    binding: str | None = None
    tied: list[str] = []
    runner_up: str | None = None
    record_path: Path | None = None
    run_id: str | None = None
    runs_in_log: int | None = None
    claims_verified: int | None = None
    claims_total: int | None = None
    seconds: float | None = None


def _prepare_workspace(settings: Settings, company: dict[str, object], fresh: bool
                       ) -> str | None:
    """Make the workspace's store ready for the demo company; return what was replaced.

    Never touches the run log. A store that holds data the demo did not put there is only
    replaced with ``fresh``; a store holding another demo company is replaced (and said).
    """
    workspace = settings.workspace
    marker = workspace / MARKER
    store = settings.store_path
    previous = json.loads(marker.read_text()) if marker.exists() else None
    replaced: str | None = None
    if settings.backend is not None and not settings.is_embedded and not fresh:
        raise UsageError(
            "the demo writes a sample company into the store; it will not write into the "
            f"warehouse at {settings.backend_url.split('://')[0]}://…",
            hint="run the demo on the default DuckDB store (omit --backend)")
    if store.exists() and previous is None and not fresh:
        raise UsageError(
            f"the workspace {workspace} already holds ingested data that is not the demo's",
            hint="pass --fresh to replace its store and library (the run log is kept), or "
                 "--workspace DIR to run the demo elsewhere")
    if fresh or (previous is not None and previous != company):
        if store.exists() and previous is not None and previous != company:
            replaced = f"{previous.get('scenario')} (seed {previous.get('seed')})"
        elif store.exists():
            replaced = "the workspace's store and library (--fresh)"
        for path in (store, Path(str(store) + ".wal"), settings.library_path):
            if path.exists():
                path.unlink()
    return replaced


def run_demo(
    settings: Settings,
    out: Path,
    *,
    scenario: str = DEFAULT_SCENARIO,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    question: str | None = None,
    fresh: bool = False,
    started: float | None = None,
    on_event: Callable[[str], None] | None = None,
) -> DemoResult:
    """Run the demo into ``settings.workspace``; ``started`` is a ``time.perf_counter()``
    reading taken when the command began, so the reported time is the wall time a user saw.
    """
    t0 = started if started is not None else time.perf_counter()
    say = on_event or (lambda _m: None)
    out = out.resolve()
    exports = out / "exports"
    company: dict[str, object] = {"scenario": scenario, "seed": seed, "scale": scale}
    if exports.exists() and any(exports.iterdir()) and not (exports / SAMPLE_MARKER).exists():
        raise UsageError(f"{exports} exists and is not a sample company's exports",
                         hint="pass another --out folder")
    replaced = _prepare_workspace(settings, company, fresh)
    if exports.exists():
        shutil.rmtree(exports)
    say(f"writing a sample company ({scenario}, seed {seed})")
    generate(scenario, seed, scale, exports)
    say("ingesting the exports")
    load = ingest([exports], settings, on_event=say)
    settings.workspace.mkdir(parents=True, exist_ok=True)
    (settings.workspace / MARKER).write_text(json.dumps(company, sort_keys=True))
    result = DemoResult(out=out, exports=exports, workspace=settings.workspace,
                        scenario=scenario, seed=seed, load=load, replaced=replaced)
    say("diagnosing")
    diagnosis = run_diagnose(settings)
    result.report_path = write_report(diagnosis, out / "diagnosis.html", "html")
    result.binding = diagnosis.ranking.binding
    result.tied = list(diagnosis.ranking.tied)
    result.runner_up = diagnosis.ranking.runner_up
    say("adding the starter research library")
    with Library.open(settings, embedder=None) as library:
        add_starter(library)
    say("convening the council ("
        + (f"model {settings.models.default or settings.models.advisor}"
           if settings.uses_models else "offline engine") + ")")
    asked = ask(settings, question or DEFAULT_QUESTION, out=out / "record.html",
                diagnosis=diagnosis,
                on_event=lambda e: say(e.message) if e.kind == "stage_finished" else None)
    result.record_path = asked.path
    result.run_id = asked.run_id
    cc = asked.record.claim_check
    result.claims_verified, result.claims_total = cc.verified, cc.total
    result.seconds = round(time.perf_counter() - t0, 1)
    return result
