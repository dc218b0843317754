"""Roll-up owners in forecasts: a manager whose forecast is the sum of the team's (as
hierarchical forecasting exports have) would be added on top of the team and double the
forecast.

Definition. A *submission* is (period_start, submitted_at, category). The engine pivots the
forecasts into one amount per owner and submission (a small aggregate: owners ×
submissions). Owner A is a **roll-up** when one fixed set of at least two other owners —
its team — adds up to A's figure, within ``TOLERANCE`` (0.5%) of it, in at least
``CONSISTENCY`` (80%) of the submissions A takes part in, and in at least two of them when
A takes part in two or more. With a single submission, the team can only be told apart as
"all the other owners". A team is the same people from one submission to the next, so a
coincidence (one rep's round figure equal to two others' in some quarter) does not make a
manager.

How the team is found: for A, a bounded least-squares fit of A's amounts over the
submissions as a combination (weights in [0, 1]) of the other owners' amounts, weights
rounded to 0/1, then checked submission by submission. With fewer submissions than other
owners that fit is not unique, and only "all the other owners" is tried (a limitation:
several managers over teams need at least as many submissions as owners). Owners are
tried from the smallest
total up, and an owner found to be a roll-up leaves the pool the next ones are fitted from
(so a VP over managers is fitted from the reps, and has one team). Roll-up owners' rows are
dropped; only the leaf level is counted.
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir
import numpy as np

from throughline.core.format import plural
from throughline.diagnose.fitness.base import Gate, n
from throughline.diagnose.quality import DataQualityIssue

TOLERANCE = 0.005
CONSISTENCY = 0.8
MAX_OWNERS = 400
MAX_SUBMISSIONS = 2000


def pivot(f: ir.Table) -> ir.Table:
    """One amount per owner and submission (the forecasts, aggregated in the engine)."""
    base = f.filter(f.amount.notnull() & f.owner.notnull() & f.period_start.notnull())
    return base.group_by(
        owner=base.owner,
        period=base.period_start.cast("string"),
        submitted=base.submitted_at.cast("string").fill_null(""),
        cat=base.category.cast("string").strip().lower().fill_null(""),
    ).aggregate(amount=base.amount.sum())


def find_rollups(cells: list[dict[str, Any]]) -> dict[str, tuple[int, int, list[str]]]:
    """owner → (submissions matched, submissions with ≥ 2 others, the team) for each
    roll-up owner, from the pivot's rows."""
    owners = sorted({str(r["owner"]) for r in cells})
    subs = sorted({(str(r["period"]), str(r["submitted"]), str(r["cat"])) for r in cells})
    if len(owners) < 3 or len(owners) > MAX_OWNERS or len(subs) > MAX_SUBMISSIONS:
        return {}
    oi = {o: i for i, o in enumerate(owners)}
    si = {s: i for i, s in enumerate(subs)}
    amount = np.zeros((len(subs), len(owners)))
    present = np.zeros((len(subs), len(owners)), dtype=bool)
    for r in cells:  # the pivot's cells (owners × submissions), not the forecast rows
        i, j = si[(str(r["period"]), str(r["submitted"]), str(r["cat"]))], oi[str(r["owner"])]
        amount[i, j] = float(r["amount"] or 0.0)
        present[i, j] = True
    from scipy.optimize import lsq_linear

    found: dict[str, tuple[int, int, list[str]]] = {}
    pool = np.ones(len(owners), dtype=bool)
    for j in np.argsort(amount.sum(axis=0), kind="stable"):
        rows = present[:, j] & ((present & pool).sum(axis=1) - (present[:, j] & pool[j]) >= 2)
        groups = int(rows.sum())
        if groups == 0:
            continue
        a = amount[rows, j]
        others = pool.copy()
        others[j] = False
        idx = np.flatnonzero(others)
        x = amount[np.ix_(rows, idx)]
        if groups < len(idx):  # fewer submissions than owners: the fit is not unique,
            # so only "all the other owners" (present beside A every time) is tried
            team = idx[present[np.ix_(rows, idx)].all(axis=0)]
        else:
            w = lsq_linear(x, a, bounds=(0.0, 1.0)).x
            team = idx[w > 0.5]
        if len(team) < 2:
            continue
        total = amount[np.ix_(rows, team)].sum(axis=1)
        ok = np.abs(total - a) <= TOLERANCE * np.abs(a)
        matched = int(ok.sum())
        if matched >= CONSISTENCY * groups and matched >= min(2, groups):
            found[owners[j]] = (matched, groups, [owners[t] for t in team])
            pool[j] = False
    return found


def check(gate: Gate) -> None:
    f = gate.view("forecasts")
    if f is None:
        return
    found = find_rollups(gate.rows(pivot(f)))
    if not found:
        return
    rollups = sorted(found)
    stats = gate.row(f.aggregate(rows=f.count(), dropped=f.owner.isin(rollups).sum(),
                                 owners=f.owner.nunique()))
    rows, dropped, owners = n(stats["rows"]), n(stats["dropped"]), n(stats["owners"])
    who = "; ".join(f"'{o}' = {plural(len(found[o][2]), 'other owner')} in "
                    f"{found[o][0]} of {plural(found[o][1], 'submission')}" for o in rollups)
    gate.views["forecasts"] = f.filter(f.owner.isnull() | ~f.owner.isin(rollups))
    gate.add(DataQualityIssue(
        id="dq.forecast_rollups.forecasts", check="forecast_rollups", action="corrected",
        table="forecasts", columns=["owner", "amount"],
        title="Forecast roll-ups dropped",
        statement=(f"{plural(len(rollups), 'forecast owner')} submit the sum of the same "
                   f"other owners' forecasts, period after period ({who}): they are "
                   "roll-ups of their team's figures, which adding them would count twice."),
        remedy=(f"Their {plural(dropped, 'row')} are dropped and only the leaf level "
                f"({plural(owners - len(rollups), 'owner')}) is compared with bookings."),
        rows_affected=dropped, rows_total=rows, affects=["honesty.forecast_accuracy"],
        details={"owners": rollups, "teams": {o: found[o][2] for o in rollups}}))
