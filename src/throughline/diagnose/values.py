"""Plain Python values from what the engine returns (numpy scalars, pandas NA/NaT, NaN,
Timestamps): the one place a query result becomes Python.

Used by the diagnostics (through :mod:`throughline.diagnose.toolkit`) and by the
data-fitness gate.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd


def plain_value(value: Any) -> Any:
    """Plain Python scalars from what a backend returns (numpy, pandas NA, NaN)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    return value


def to_date(value: Any) -> date | None:
    """A value the engine returned (Timestamp, datetime, date, str) as a date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        if pd.isna(value):
            return None
        return pd.Timestamp(value).date()
    except (TypeError, ValueError):
        return None


def records(df: Any) -> list[dict[str, Any]]:
    """A small engine result (a DataFrame) as plain dicts, missing values as None."""
    return [{k: (None if _missing(v) else v) for k, v in row.items()}
            for row in df.to_dict("records")]


def as_int(value: Any) -> int:
    return 0 if value is None else int(value)


def _missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return v != v  # NaN
    return v is pd.NaT
