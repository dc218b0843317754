"""Messaging artifacts (website, deck, email sequence, proposal) and each function's ICP.

A coherent company repeats the same three core claims in every artifact and names only
capabilities that are generally available. The messaging scenario gives each artifact
its own lead claims, lets the deck and the proposal sell beta and roadmap capabilities as
if they were shipping, and leaves the website a year stale — the incoherence a claims
comparison should find. Stated ICPs follow the plan: in the positioning scenario sales,
marketing, product and the executive team name the segment the company is drifting to,
and customer success names the one that actually retains.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from throughline.sample import vocabulary as V
from throughline.sample.plan import Plan
from throughline.sample.seeding import stream
from throughline.sample.writer import day_string

KINDS = ("website", "deck", "email_sequence", "proposal")
TITLES = {"website": "Home page", "deck": "Sales deck", "email_sequence": "Outbound sequence",
          "proposal": "Proposal template"}
SEGMENT_LABEL = {"smb": "small teams", "mid_market": "mid-sized companies",
                 "enterprise": "large organisations"}
SEGMENT_BANDS = {"smb": ("1-50", "51-200"), "mid_market": ("201-1000",),
                 "enterprise": ("1001-5000", "5000+")}
CHANNEL_OF_FUNCTION = {"sales": "outbound", "marketing": "website", "product": "product",
                       "customer_success": "referral", "executive": "partner"}


def _claims_for(plan: Plan, rng: np.random.Generator) -> dict[str, list[V.Claim]]:
    claims = plan.company.domain.claims
    core = [claims[i] for i in sorted(rng.choice(5, 3, replace=False).tolist())]
    if plan.knobs.coherent_messaging:
        return {k: core for k in KINDS}
    # one lead claim each, overlapping as little as possible; the deck and the proposal
    # lead with the autonomous-product claim (the last in each domain's bank)
    order = rng.permutation(5).tolist()
    return {"website": [claims[order[0]], claims[order[1]]],
            "deck": [claims[5], claims[order[2]]],
            "email_sequence": [claims[order[3]], claims[order[4]]],
            "proposal": [claims[5], claims[order[1]], claims[order[4]]]}


def _capabilities_for(plan: Plan, status: list[str], rng: np.random.Generator
                      ) -> dict[str, list[V.Capability]]:
    caps = plan.company.domain.capabilities
    ga = [cp for cp, s in zip(caps, status) if s == "ga"]
    not_ga = [cp for cp, s in zip(caps, status) if s != "ga"]
    pick_ga = [ga[i] for i in sorted(rng.choice(len(ga), min(6, len(ga)),
                                                replace=False).tolist())] if ga else []
    out = {k: pick_ga for k in KINDS}
    if not plan.knobs.coherent_messaging and not_ga:
        out["deck"] = pick_ga[:4] + not_ga[:3]
        out["proposal"] = pick_ga[:3] + not_ga[:2]
        out["email_sequence"] = pick_ga[2:5] + not_ga[-1:]
    return out


def _website(name: str, domain: V.Domain, claims: list[V.Claim], caps: list[V.Capability],
             who: str) -> str:
    lines = [f"# {claims[0].key.capitalize()} with {name}", "",
             f"{name} is {domain.category} software for {domain.buyer}, built for {who}.",
             "", "## Why teams switch", ""]
    lines += [f"- **{c.key.capitalize()}.** {c.sentence}" for c in claims]
    lines += ["", "## What is in the box", ""]
    lines += [f"- {cp.name}: {cp.description}" for cp in caps]
    lines += ["", "Book a demo and see it with your own data."]
    return "\n".join(lines)


def _deck(name: str, domain: V.Domain, claims: list[V.Claim], caps: list[V.Capability],
          who: str) -> str:
    lines = [f"# {name}: {domain.category}", "", "## Slide 1 — The problem", "",
             (f"{domain.buyer.capitalize()} lose hours to tools that do not talk to each "
              "other."), "", "## Slide 2 — What changes with us", ""]
    lines += [f"- {c.sentence}" for c in claims]
    lines += ["", "## Slide 3 — Included today", ""]
    lines += [f"- {cp.name}" for cp in caps]
    lines += ["", "## Slide 4 — Who it is for", "", f"Built for {who}.", "",
              "## Slide 5 — Next step", "", "A two-week pilot with one team."]
    return "\n".join(lines)


def _emails(name: str, domain: V.Domain, claims: list[V.Claim], caps: list[V.Capability],
            who: str) -> str:
    lines = [f"# {name} outbound sequence", ""]
    for i, c in enumerate(claims, start=1):
        lines += [f"## Email {i} — {c.key}", "",
                  (f"Hi {{first_name}}, most {who} we speak to ask the same thing. "
                   f"{c.sentence}"), ""]
    names = ", ".join(cp.name for cp in caps[:3])
    lines += [f"## Email {len(claims) + 1} — last note", "",
              f"Worth fifteen minutes? Teams start with {names}.", ""]
    return "\n".join(lines).rstrip()


def _proposal(name: str, domain: V.Domain, claims: list[V.Claim], caps: list[V.Capability],
              who: str) -> str:
    lines = [f"# Proposal: {name} for {{customer}}", "", "## Executive summary", ""]
    lines += [c.sentence for c in claims]
    lines += ["", "## Scope and capabilities included", ""]
    lines += [f"- {cp.name} — {cp.description}" for cp in caps]
    lines += ["", "## Commercials", "",
              "Annual subscription, billed yearly; onboarding included.", "",
              "## Why us", "", f"We work with {who} like you every day."]
    return "\n".join(lines)


BUILDERS = {"website": _website, "deck": _deck, "email_sequence": _emails,
            "proposal": _proposal}


def artifacts(plan: Plan, cap_status: list[str]) -> dict[str, str]:
    """Markdown (front matter + text) per artifact kind."""
    c = plan.company
    rng = stream(c.seed, "messaging:" + plan.scenario.name)
    claims = _claims_for(plan, rng)
    caps = _capabilities_for(plan, cap_status, rng)
    who = SEGMENT_LABEL[V.SEGMENTS[plan.knobs.stated_segment.get("marketing",
                                                                 c.home_segment)]]
    out = {}
    for kind in KINDS:
        age = int(rng.integers(5, 60)) if plan.knobs.coherent_messaging else (
            int(rng.integers(330, 420)) if kind == "website" else int(rng.integers(5, 120)))
        body = BUILDERS[kind](c.name, c.domain, claims[kind], caps[kind], who)
        front = (f"---\nkind: {kind}\ntitle: {c.name} {TITLES[kind].lower()}\n"
                 f"updated_at: {day_string(c.ref_day - age)}\n---\n\n")
        out[kind] = front + body + "\n"
    return out


def stated_icp_table(plan: Plan) -> pa.Table:
    """One row per (function, attribute, value): what each function says it targets."""
    c, k = plan.company, plan.knobs
    rng = stream(c.seed, "icp:" + plan.scenario.name)
    rows: list[tuple[str, str, str, float]] = []
    for function in k.stated_functions:
        seg = k.stated_segment.get(function, c.home_segment)
        seg_name = V.SEGMENTS[seg]
        rows.append((function, "segment", seg_name, 1.0))
        if rng.random() < 0.4:
            near = 1 if seg != 1 else int(rng.choice([0, 2]))
            rows.append((function, "segment", V.SEGMENTS[near], 0.4))
        top = np.argsort(-c.industry_by_segment[seg], kind="stable")[:2]
        rows.append((function, "industry", V.INDUSTRIES[int(top[0])], 1.0))
        rows.append((function, "industry", V.INDUSTRIES[int(top[1])], 0.6))
        for band in SEGMENT_BANDS[seg_name]:
            rows.append((function, "size_band", band, 1.0))
        persona = int(np.argmax(np.asarray(V.SEGMENT_PERSONA)[seg]))
        rows.append((function, "persona", V.PERSONAS[persona], 1.0))
        rows.append((function, "region", "United States", 1.0))
        rows.append((function, "region", "United Kingdom", 0.5))
        rows.append((function, "channel", CHANNEL_OF_FUNCTION[function], 0.7))
    cols = list(zip(*rows))
    return pa.table({
        "function": pa.array(list(cols[0]), type=pa.string()),
        "attribute": pa.array(list(cols[1]), type=pa.string()),
        "value": pa.array(list(cols[2]), type=pa.string()),
        "weight": pa.array(list(cols[3]), type=pa.float64()),
    })
