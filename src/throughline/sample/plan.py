"""The plan of a sample company: the healthy baseline with the scenario's problem planted.

``build_plan`` draws the healthy company's monthly shape and knobs
(:mod:`throughline.sample.knobs`), lets the scenario's planter
(:mod:`throughline.sample.planters`) change a few of them, and adds the staff and the
evidence a diagnosis should cite. What was drawn goes to ``truth.json``
(``Plan.parameters``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from throughline.sample import vocabulary as V
from throughline.sample.company import Company, Staff, rep_count, staff
from throughline.sample.ids import instance_code, salesforce_ids
from throughline.sample.knobs import Knobs, baseline
from throughline.sample.planters import PLANTERS
from throughline.sample.scenarios import EVIDENCE, Scenario, require_scenario
from throughline.sample.seeding import stream


@dataclass
class Plan:
    """Everything the table generators need: company, knobs, monthly shape, staff."""

    company: Company
    scenario: Scenario
    knobs: Knobs
    volume: np.ndarray  # (M,) share of new-business opportunities created per month
    source_share: np.ndarray  # (M, L) lead-source mix of new pipeline per month
    segment_weight: np.ndarray  # (M, 3) segment mix of new pipeline per month
    activity: np.ndarray  # (M,) activity per rep-day, relative to the first months
    staff: Staff
    parameters: dict[str, object]
    evidence: list[dict[str, object]]


def build_plan(company: Company, scenario_name: str) -> Plan:
    """The company's monthly shape and knobs with the scenario's problem planted."""
    scenario = require_scenario(scenario_name)
    knobs, arrays = baseline(company)
    rng = stream(company.seed, "plant:" + scenario.name)
    params = PLANTERS[scenario.name](company, knobs, arrays, rng)
    if "activity" not in arrays:  # activity follows the pipeline unless planted otherwise
        starts, ends = company.month_bounds()
        per_day = arrays["volume"] / (ends - starts)
        arrays["activity"] = per_day / per_day[:3].mean() * arrays["activity_noise"]
    volume = arrays["volume"] / arrays["volume"].sum()
    source = arrays["source"] / arrays["source"].sum(axis=1, keepdims=True)
    segment = arrays["segment"] / arrays["segment"].sum(axis=1, keepdims=True)
    outbound = np.array([s.motion == "outbound" for s in V.LEAD_SOURCES])
    out_share = float((source[:, outbound].sum(axis=1) * volume).sum())
    n_reps = rep_count(company)
    serials = 62**4 * 3 + np.arange(n_reps) * 37 + company.seed % 997
    users = np.asarray(salesforce_ids("user", instance_code(company.seed), serials)
                       .to_pylist(), dtype=object)
    evidence: list[dict[str, object]] = [
        {"family": f, "signal": s, "tables": list(t), "expect": e}
        for f, s, t, e in EVIDENCE[scenario.name]]
    return Plan(company=company, scenario=scenario, knobs=knobs, volume=volume,
                source_share=source, segment_weight=segment, activity=arrays["activity"],
                staff=staff(company, out_share, users), parameters=params, evidence=evidence)
