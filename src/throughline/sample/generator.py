"""Orchestration: plan the company, generate it chunk by chunk, write every file.

Deals are generated in chunks of ``CHUNK`` new-business opportunities. Each chunk is a
self-contained slice of the company — its deals, their accounts, history, billing, NPS,
onboarding, feature links, feedback and promises — drawn from its own child stream, so
memory stays bounded at any scale and chunk *k* does not depend on the others. Ids are
numbered across chunks in order, so the files are the same bytes on every run.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from throughline.core.errors import UsageError
from throughline.sample import billing, crm, field, messaging, product
from throughline.sample.company import draw_company
from throughline.sample.engineering import pull_requests
from throughline.sample.quirks import Quirks, parse_quirks
from throughline.sample.ids import instance_code, prefixed_ids, salesforce_ids
from throughline.sample.plan import Plan, build_plan
from throughline.sample.scenarios import require_scenario
from throughline.sample.seeding import stream
from throughline.sample.writer import Exports, day_string

CHUNK = 50_000
GENERATOR_VERSION = 1
FILES = (
    "crm/Account.csv", "crm/Opportunity.csv", "crm/OpportunityHistory.csv",
    "billing/subscriptions.csv", "product/nps_responses.csv", "product/time_to_value.csv",
    "product/features.csv", "product/opportunity_features.csv", "product/capabilities.csv",
    "engineering/pull_requests.json", "field/feedback.csv", "field/commitments.csv",
    "field/activities.csv", "field/forecasts.csv", "messaging/website.md", "messaging/deck.md",
    "messaging/email_sequence.md", "messaging/proposal.md", "icp/stated_icp.csv",
    "truth.json", "README.md", "crm/CurrencyType.csv", "crm/Account.xlsx",
)


@dataclass
class SampleResult:
    """What ``generate`` wrote: the folder, each file with its row count, and the truth."""

    out: Path
    files: dict[str, int]
    truth: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"out": str(self.out), "files": self.files, "truth": self.truth}


class Serials:
    """Running counters so ids continue across chunks."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, kind: str, n: int) -> np.ndarray:
        start = self._next.get(kind, 0)
        self._next[kind] = start + n
        return np.arange(start, start + n, dtype=np.int64)


def _quarter_starts(plan: Plan) -> np.ndarray:
    c = plan.company
    first = c.month_starts[0].astype("datetime64[M]").astype(np.int64)
    first -= first % 3
    last = np.datetime64(day_string(c.ref_day), "M").astype(np.int64)
    months = np.arange(first, last + 4, 3)
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _plain(value: Any) -> Any:
    """JSON-ready copies of knob values (numpy → lists, floats rounded)."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (float, np.floating)):
        return round(float(value), 5)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _chunks(total: int) -> list[int]:
    n = max(1, math.ceil(total / CHUNK))
    base, extra = divmod(total, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def generate(scenario: str, seed: int, scale: float, out: Path,
             quirks: str | Sequence[str] | None = None) -> SampleResult:
    """Write a sample company with ``scenario`` planted into ``out``; same args, same bytes.

    ``quirks`` (names, ``"a,b"`` or ``"all"``; see :mod:`throughline.sample.quirks`) writes
    real-world export habits into the files without changing what is planted; truth.json
    then records them under ``quirks``."""
    require_scenario(scenario)
    names = parse_quirks(quirks)
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and 0 < scale <= 1000):
        raise UsageError(f"--scale must be a number above 0 and at most 1000 (got {scale})")
    if seed < 0:
        raise UsageError(f"--seed must be zero or positive (got {seed})")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    company = draw_company(seed, float(scale))
    plan = build_plan(company, scenario)
    out.mkdir(parents=True, exist_ok=True)
    ex = Exports(out)
    q = Quirks(plan, names) if names else None
    try:
        stats = _write_tables(plan, ex, q)
    finally:
        ex.close()
    if q is not None:
        q.finish(out, ex.rows)
    truth = _truth(plan, stats, dict(ex.rows))
    if q is not None:
        truth["quirks"] = q.record()
    ex.json("truth.json", truth, rows=1)
    ex.text("README.md", _readme(plan, names), rows=1)
    for rel in FILES:  # a previous run into the same folder may have left other files
        if rel not in ex.rows and (out / rel).exists():
            (out / rel).unlink()
    files = {rel: ex.rows[rel] for rel in FILES if rel in ex.rows}
    truth["files"] = {k: v for k, v in files.items() if k not in ("truth.json", "README.md")}
    return SampleResult(out=out, files=files, truth=truth)


def _write_tables(plan: Plan, ex: Exports, quirks: Quirks | None = None) -> dict[str, Any]:
    c, k = plan.company, plan.knobs
    omit = set(k.omit)

    def put(rel: str, table: pa.Table) -> None:
        if rel not in omit:
            ex.append(rel, table)

    inst = instance_code(c.seed)
    serials = Serials()
    base = 62**4 * (2 + c.seed % 5)
    cat = product.catalogue(plan)
    quarters = _quarter_starts(plan)
    bookings = np.zeros((len(quarters), 3))
    totals: dict[str, Any] = {"new_business": 0, "upsell": 0, "won": 0, "open": 0,
                              "customers": 0}

    def ids(kind: str, prefix: str, width: int = 7):
        return lambda n: prefixed_ids(prefix, serials.take(kind, n) + 1, width)

    for i, size in enumerate(_chunks(c.new_business_target)):
        def r(part: str, chunk: int = i) -> np.random.Generator:
            return stream(c.seed, part + ":" + plan.scenario.name, chunk)

        nb, accounts = crm.new_business(r("deals"), plan, size)
        ten = billing.tenure(r("tenure"), plan, nb)
        ups = crm.upsells(r("upsells"), plan, nb, ten.live_from, ten.live_to, ten.base_mrr)
        deals = crm.Deals.concat(nb, ups)
        deals = deals.take(np.argsort(deals.created, kind="stable"))
        acc_ids = salesforce_ids("account", inst, base + serials.take("account", len(nb)))
        opp_ids = salesforce_ids("opportunity", inst,
                                 base + serials.take("opportunity", len(deals)))
        churned = ten.customer & np.isfinite(ten.live_to)
        acc_table = crm.account_table(accounts, acc_ids, r("accounts"),
                                      ten.customer & ~churned, churned)
        if quirks is not None:
            quirks.start_chunk(i, accounts)
            acc_table = quirks.accounts(acc_table)
        deal_account = acc_ids.take(pa.array(deals.account))
        deal_names = acc_table.column("Name").combine_chunks().take(pa.array(deals.account))
        reason = crm.loss_reasons(r("reasons"), plan, deals)
        put("crm/Account.csv", acc_table)
        opps = crm.opportunity_table(r("opps"), plan, deals, reason, opp_ids, deal_account,
                                     deal_names)
        put("crm/Opportunity.csv", opps if quirks is None else quirks.opportunities(opps, deals))

        def history_ids(n: int) -> pa.Array:
            return salesforce_ids("history", inst, base + serials.take("history", n))

        hist = crm.history_table(r("history"), plan, deals, opp_ids, history_ids)
        put("crm/OpportunityHistory.csv", hist if quirks is None else quirks.history(hist, deals,
                                                                           opp_ids))
        subs = billing.subscription_table(r("billing"), plan, nb, ten, ups, acc_ids,
                                          ids("subscription", "sub_"))
        put("billing/subscriptions.csv", subs if quirks is None else quirks.subscriptions(subs,
                                                                                acc_ids))
        if "product/nps_responses.csv" not in omit:
            put("product/nps_responses.csv",
                product.nps_table(r("nps"), plan, nb, ten, acc_ids, ids("nps", "nps_")))
        put("product/time_to_value.csv",
            product.time_to_value_table(r("ttv"), plan, nb, ten, acc_ids))
        put("product/opportunity_features.csv",
            product.opportunity_features_table(r("links"), cat, deals, opp_ids))
        if "field/feedback.csv" not in omit:
            put("field/feedback.csv",
                field.feedback_table(r("feedback"), plan, deals, reason, opp_ids,
                                     deal_account, ids("feedback", "fb_")))
        if "field/commitments.csv" not in omit:
            put("field/commitments.csv",
                field.commitments_table(r("commitments"), plan, deals, cat.cap_status,
                                        opp_ids, deal_account, ids("commitment", "c_")))
        won = deals.closed & deals.won
        q = np.searchsorted(quarters, deals.close_day[won], side="right") - 1
        np.add.at(bookings, (q, deals.segment[won]), deals.amount[won])
        totals["new_business"] += len(nb)
        totals["upsell"] += len(ups)
        totals["won"] += int(won.sum())
        totals["open"] += int((~deals.closed).sum())
        totals["customers"] += int(ten.customer.sum())

    if "field/feedback.csv" not in omit:
        put("field/feedback.csv", field.community_table(plan, ids("feedback", "fb_")))
    if "field/activities.csv" not in omit:
        for table in field.activity_tables(plan):
            put("field/activities.csv", table)
    forecasts = field.forecasts_table(plan, bookings, quarters)
    put("field/forecasts.csv", forecasts if quirks is None else quirks.forecasts(forecasts))
    if quirks is not None and quirks.on("currencies"):
        put("crm/CurrencyType.csv", quirks.currency_type())
    put("product/features.csv", product.features_table(plan, cat))
    put("product/capabilities.csv", product.capabilities_table(plan, cat))
    ex.json_array("engineering/pull_requests.json", pull_requests(plan))
    for kind, text in messaging.artifacts(plan, cat.cap_status).items():
        ex.text(f"messaging/{kind}.md", text, rows=1)
    put("icp/stated_icp.csv", messaging.stated_icp_table(plan))
    totals["capabilities_not_ga"] = [cp.cid for cp, s in zip(c.domain.capabilities,
                                                               cat.cap_status) if s != "ga"]
    return totals


def _truth(plan: Plan, stats: dict[str, Any], rows: dict[str, int]) -> dict[str, Any]:
    c, k = plan.company, plan.knobs
    knobs = {f.name: _plain(getattr(k, f.name)) for f in dataclasses.fields(k)}
    return {
        "generator": "throughline.sample",
        "version": GENERATOR_VERSION,
        "scenario": plan.scenario.name,
        "seed": c.seed,
        "scale": c.scale,
        "constraint": plan.scenario.constraint,
        "summary": plan.scenario.summary,
        "reference_date": day_string(c.ref_day),
        "window_start": day_string(c.start_day),
        "months": c.months,
        # the CRM history starts at window_start: deals closing in the first months are
        # the fast-cycle ones, so close-date mixes are biased until about this date
        "warm_up_end": day_string(c.start_day + 120),
        "change_date": day_string(k.ai_rollout_day) if k.ai_rollout_day is not None else None,
        "planted": _plain(plan.parameters),
        "expected_primary_evidence": plan.evidence,
        "company": {
            "name": c.name, "category": c.domain.category, "size_factor": c.size_factor,
            "revealed_icp_segment": (plan.parameters.get("revealed_icp_segment")
                                     or ["smb", "mid_market", "enterprise"][c.home_segment]),
            "reps": len(plan.staff.ids), "outbound_reps": int(plan.staff.outbound.sum()),
            "engineers": len(c.engineers), **_plain(stats),
        },
        "baseline": knobs,
        "files": {k_: v for k_, v in rows.items()},
    }


def _readme(plan: Plan, quirks: tuple[str, ...] = ()) -> str:
    c = plan.company
    flag = f" --quirks {','.join(quirks)}" if quirks else ""
    note = ("\nReal-world export habits were written in (`--quirks`): "
            + ", ".join(quirks) + ". `truth.json` lists them under `quirks`; what was\n"
            "planted is the same as without them.\n") if quirks else ""
    return f"""# Sample company: {c.name}

Synthetic exports of a B2B company selling {c.domain.category}, written by
`throughline sample --scenario {plan.scenario.name} --seed {c.seed} --scale {c.scale:g}{flag}`.
The data runs from {day_string(c.start_day)} to the day before {day_string(c.ref_day)}
(the export date). Nothing here describes a real company.

| folder | what | format |
|---|---|---|
| `crm/` | Account, Opportunity and OpportunityHistory | Salesforce Data Loader CSV (API field names) |
| `billing/` | subscription lines (MRR, start/end) | Throughline canonical CSV |
| `product/` | features, capabilities, deal↔feature links, NPS, time-to-value | canonical CSV |
| `engineering/` | pull requests | `gh pr list --json ...` JSON |
| `field/` | feedback, commitments, daily activity, forecasts | canonical CSV |
| `messaging/` | website, deck, email sequence, proposal | Markdown with front matter |
| `icp/` | each function's stated ICP | canonical CSV |

`truth.json` records what was planted: the scenario, the constraint a diagnosis should
name (null for a healthy company), the drawn parameters and the evidence that should show
it. Load everything except `truth.json` and this file with
`throughline ingest <this folder>`; some scenarios leave files out on purpose.
{note}"""
