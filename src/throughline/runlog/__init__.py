"""The run log: what every council run did, in SQLite, so it can be inspected, resumed,
replayed and exported.

:class:`RunLog` (``log``) is the API: the pipeline writes through it, ``throughline runs``
reads through it. Behind it: ``migrations`` (the schema as named migrations, applied by
:mod:`throughline.core.sqlite`), ``runs`` (run ids resolved, run summaries), ``tables``
(statements, claims and forecasts written and read), ``calls`` (model calls, one row per
attempt), ``records`` (the Pydantic models it returns). Run ids and request keys come from
:mod:`throughline.core.ids`; :mod:`throughline.core.redact` keeps secrets out of the file.
"""

from __future__ import annotations

from throughline.core.ids import canonical_json, new_run_id, request_key
from throughline.runlog.log import RunLog
from throughline.runlog.migrations import MIGRATIONS, Migration, migrate
from throughline.runlog.records import (
    STAGES,
    CallRecord,
    CallsSummary,
    ClaimCounts,
    ModelUsage,
    RunDetail,
    RunStatus,
    RunSummary,
    StageInfo,
    StoredForecast,
)
from throughline.core.redact import REDACTED, redact, redact_text

__all__ = [
    "MIGRATIONS", "REDACTED", "STAGES", "CallRecord", "CallsSummary", "ClaimCounts",
    "Migration", "ModelUsage", "RunDetail", "RunLog", "RunStatus", "RunSummary", "StageInfo",
    "StoredForecast", "canonical_json", "migrate", "new_run_id", "redact", "redact_text",
    "request_key",
]
