"""Where the gather stage's inputs come from in a workspace: the diagnosis (run unless one
is given), the evidence store's monthly series and capability list, and the research
library's search. :func:`~throughline.council.gather.gather` itself reads none of them.
"""

from __future__ import annotations

from typing import Any

from throughline.core.settings import Settings
from throughline.council.forecast import Series, finding_series, store_series
from throughline.council.gather import Capability, EvidencePack, gather
from throughline.council.personas import Persona
from throughline.diagnose import run_diagnose
from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.run import ensure_ingested
from throughline.library import Library
from throughline.record.decision import Intent
from throughline.store.connection import store_session


def gather_workspace(settings: Settings, intent: Intent, personas: list[Persona],
                     diagnosis: Diagnosis | None) -> tuple[EvidencePack, list[Series]]:
    """The evidence pack for ``intent`` and the series its forecasts are fitted on."""
    if diagnosis is None:
        diagnosis = run_diagnose(settings)
    with store_session(settings, read_only=True) as store:
        ensure_ingested(store)
        caps = capabilities(store)
        series = store_series(store, diagnosis.as_of) + finding_series(diagnosis)
    library_docs, search = 0, None
    lib = None
    if settings.library_path.exists():
        lib = Library.open(settings, embedder=None)
        library_docs = len(lib.documents())
        search = lib.search
    try:
        pack = gather(diagnosis, question=intent.question, personas=personas,
                      search=(lambda q, k: search(q, k)) if search else None,
                      capabilities=caps, library_documents=library_docs,
                      intent=intent)
    finally:
        if lib is not None:
            lib.close()
    return pack, series


def capabilities(store: Any) -> list[Capability]:
    """The store's capability list (for the governance check), by name."""
    t = store.table("capabilities")
    if t is None:
        return []
    df = store.con.execute(t.select("name", "status").order_by("name"))
    return [Capability(name=str(n), status=str(s).lower())
            for n, s in zip(df["name"], df["status"], strict=True)]
