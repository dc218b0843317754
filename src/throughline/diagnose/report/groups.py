"""Metrics that repeat one measure per group (win rate by channel, NPS by persona …),
folded into one table: a row per group, a column per measure.

:func:`group_table` splits a finding's metrics into that table and the metrics that stand
alone; the chart data names the table's dimension and the groups too small to measure.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from throughline.diagnose.findings import Finding
from throughline.diagnose.report import formatting as fmt

LONG_TABLE = 12  # a table longer than this shows its first SHORT_TABLE rows ...
SHORT_TABLE = 8  # ... and folds the rest behind a <details> element
LABEL_GROUP = re.compile(r"^(?P<measure>.+?), (?P<group>.+)$")  # '<measure>, <group>'


@dataclass
class CellView:
    value: str
    interval: str
    n: str


@dataclass
class GroupRow:
    group: str  # the label shown ('Head of CS')
    cells: list[CellView | None]
    raw: str = ""  # the value in the data ('head_of_cs')
    n: int | None = None  # the sample behind the first measure
    sample: str = ""  # 'n = 11' when one n serves every cell of the row
    excluded: str = ""  # 'n = 3, below the minimum of 5' when left out of the ranking


@dataclass
class GroupTable:
    """Metrics that repeat one measure per group (win rate by channel...), as one table:
    a row per group, a column per measure. ``rows[:shown]`` are shown, the rest folded."""

    measures: list[str]
    rows: list[GroupRow]
    shown: int
    dimension: str = ""  # what the rows are ('Buyer persona'), from the chart data
    sample_column: bool = False  # every row's cells share one n: shown once, in 'Sample'
    key: str = ""  # the chart-data column holding the groups ('persona')
    unmeasured: list[tuple[str, int | None]] = field(default_factory=list)  # in the chart
    # data but given no metrics (too few): (value, sample)

    @property
    def hidden(self) -> int:
        return max(0, len(self.rows) - self.shown)


def group_table(f: Finding, currency: str,
                ) -> tuple[GroupTable | None, list[tuple[str, Any]]]:
    """Split the metrics into a group × measure table and the metrics that stand alone.

    A metric belongs to a group when its label reads '<measure>, <group>', or its name ends
    in the name-key of a group labelled so by another metric ('realised_proposal' beside
    'Stated probability, proposal'). Rows are keyed by the end of the metric names (two
    features with the same title stay two rows); a measure needs two groups, the table
    two rows."""
    items = list(f.metrics.items())
    labelled: dict[str, tuple[str, str]] = {}  # key -> (measure, group label)
    for key, m in items:
        hit = LABEL_GROUP.match(m.label or "")
        if hit:
            labelled[key] = (hit.group("measure"), hit.group("group"))
    by_measure: dict[str, list[str]] = {}
    for key, (measure, _) in labelled.items():
        by_measure.setdefault(measure, []).append(key)
    placed: dict[str, tuple[str, str]] = {}  # key -> (measure, row key)
    titles: dict[str, str] = {}  # row key -> group label
    for measure, keys in by_measure.items():
        if len(keys) < 2:
            continue
        names = [f.metrics[k].name for k in keys]
        prefix = os.path.commonprefix(names)
        prefix = prefix[: prefix.rfind("_") + 1]
        if not prefix or any(n == prefix for n in names):
            continue
        for k, n in zip(keys, names, strict=True):
            row = n[len(prefix):]
            if titles.setdefault(row, labelled[k][1]) != labelled[k][1]:
                continue  # one name-key, two labels: not the same group
            placed[k] = (measure, row)
    for key, m in items:  # unlabelled metrics named after a known group
        if key in placed:
            continue
        for row, title in titles.items():
            if m.name.endswith("_" + row) and len(m.name) > len(row) + 1:
                text = (m.label or "").replace(title, "").strip(" ,")
                text = re.sub(r"\s+(from|in|for|of|by)$", "", text)
                placed[key] = (text or fmt.humanize(m.name[: -len(row) - 1]), row)
                break
    per_measure: dict[str, set[str]] = {}
    for measure, row in placed.values():
        per_measure.setdefault(measure, set()).add(row)
    measures = [ms for ms in dict.fromkeys(ms for ms, _ in placed.values())
                if len(per_measure[ms]) >= 2]
    grouped = {k: v for k, v in placed.items() if v[0] in measures}
    row_keys = list(dict.fromkeys(r for _, r in grouped.values()))
    if not measures or len(row_keys) < 2:
        return None, items
    cells: dict[tuple[str, str], CellView] = {}
    first_n: dict[str, int | None] = {}
    for key, (measure, row) in grouped.items():
        m = f.metrics[key]
        cells[(row, measure)] = CellView(value=fmt.metric_value(m, currency),
                                         interval=fmt.metric_interval(m, currency),
                                         n=fmt.sample(m.n))
        if measure == measures[0]:
            first_n[row] = m.n
    rows = [GroupRow(group=fmt.label(titles[r]), raw=titles[r], n=first_n.get(r),
                     cells=[cells.get((r, ms)) for ms in measures])
            for r in row_keys]
    one_n = all(len({c.n for c in r.cells if c is not None}) == 1 for r in rows)
    if one_n:
        for r in rows:
            r.sample = next(c.n for c in r.cells if c is not None)
            r.cells = [None if c is None else CellView(c.value, c.interval, "")
                       for c in r.cells]
    shown = len(rows) if len(rows) <= LONG_TABLE else SHORT_TABLE
    dimension, dim_key, unmeasured = "", "", []
    raw_names = {titles[r] for r in row_keys}
    series = [row for row in f.series or [] if isinstance(row, dict)]
    for key in (series[0] if series else {}):
        values = {str(row.get(key)) for row in series}
        if raw_names <= values:
            dimension, dim_key = fmt.humanize(str(key)), str(key)
            if len(values) == len(series):  # one row per group (not a time series)
                size = next((c for c in _SIZE_COLUMNS if c in series[0]), None)
                unmeasured = [(str(row.get(key)), _int(row.get(size)) if size else None)
                              for row in series if str(row.get(key)) not in raw_names]
            break
    return (GroupTable(measures=measures, rows=rows, shown=shown, dimension=dimension,
                       sample_column=one_n and any(r.sample for r in rows), key=dim_key,
                       unmeasured=unmeasured),
            [(k, m) for k, m in items if k not in grouped])


_SIZE_COLUMNS = ("closed", "n", "starting_accounts", "reached", "accounts", "decided",
                 "answers", "respondents")


def _int(v: object) -> int | None:
    return int(v) if isinstance(v, int | float) and not isinstance(v, bool) else None
