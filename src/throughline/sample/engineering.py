"""Engineering: pull requests as ``gh pr list --json ...`` would print them.

Each PR has an author, a first review (pickup), an approval and a merge (or a close, or
it is still open at the export date). Cycle time is log-normal around about a day. In the
measurement-vacuum scenario an AI tooling rollout (date in truth.json) cuts cycle time
and lifts throughput from that day on — a step change a diagnostic can find, sitting
beside GTM data that cannot show anything. The PR count grows with the square root of
scale (engineering teams do not grow with deal volume) and is capped at 50,000.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from throughline.sample import vocabulary as V
from throughline.sample.plan import Plan
from throughline.sample.seeding import stream
from throughline.sample.writer import iso_z

MAX_PRS = 50_000
REPO_WEIGHT = (0.6, 0.25, 0.15)


def pull_requests(plan: Plan) -> Iterator[dict[str, Any]]:
    """The PR list, newest first (as ``gh pr list`` prints it), one PR at a time."""
    c, k = plan.company, plan.knobs
    rng = stream(c.seed, "engineering:" + plan.scenario.name)
    n = int(np.clip(round(rng.uniform(2500, 4000) * max(c.scale, 0.01) ** 0.5
                          * c.size_factor), 150, MAX_PRS))
    days = np.arange(c.start_day, c.ref_day)
    weekday = ((days + 3) % 7) < 5
    w = np.where(weekday, 1.0, 0.06) * np.linspace(1.0, 1.25, len(days))
    rollout = k.ai_rollout_day
    if rollout is not None:
        w = np.where(days >= rollout, w * (1 + k.throughput_gain), w)
    created = np.sort(rng.choice(days, size=n, p=w / w.sum())
                      + (8 + rng.random(n) * 11) / 24)
    median_h = rng.uniform(20, 34)
    hours = median_h * np.exp(rng.normal(0, 0.9, n))
    if rollout is not None:
        hours = np.where(created >= rollout, hours * (1 - k.cycle_time_drop), hours)
    cycle = np.maximum(hours, 0.3) / 24
    pickup = cycle * rng.uniform(0.08, 0.5, n)
    outcome = rng.random(n)  # < 0.9 merged, else closed unmerged
    done = created + cycle
    ref = float(c.ref_day)
    is_open = done >= ref
    merged = ~is_open & (outcome < 0.9)
    closed = ~is_open & ~merged
    n_eng = len(c.engineers)
    author = rng.integers(0, n_eng, n)
    # reviewers are other engineers: offsets from the author in 1..n-1, distinct
    first_offset = 1 + rng.integers(0, n_eng - 1, n)
    second_offset = 1 + (first_offset + rng.integers(0, n_eng - 2, n)) % (n_eng - 1)
    reviewer = (author + first_offset) % n_eng
    second = (author + second_offset) % n_eng
    n_reviews = np.where(rng.random(n) < 0.35, 1, np.where(rng.random(n) < 0.7, 2, 3))
    repo = rng.choice(len(c.domain.repo_names), size=n, p=REPO_WEIGHT)
    number = np.zeros(n, dtype=np.int64)
    for r in range(len(c.domain.repo_names)):
        idx = np.flatnonzero(repo == r)
        number[idx] = int(rng.integers(40, 900)) + np.arange(len(idx))
    verb = rng.integers(0, len(V.PR_VERBS), n)
    obj = rng.integers(0, len(V.PR_OBJECTS), n)
    area = rng.integers(0, len(c.domain.areas), n)
    adds = np.round(80 * np.exp(rng.normal(0, 1.1, n))).astype(np.int64) + 1
    dels = np.round(adds * rng.uniform(0.05, 0.8, n)).astype(np.int64)
    first_review = created + pickup
    approve = np.maximum(done - cycle * rng.uniform(0.02, 0.2, n), first_review)
    mid = first_review + (approve - first_review) * rng.uniform(0.3, 0.7, n)
    t_created, t_done = iso_z(created), iso_z(done)
    t_first, t_mid, t_approve = iso_z(first_review), iso_z(mid), iso_z(approve)
    org = c.org
    # plain Python lists: element access in the loop below is several times faster
    (repo, number, verb, obj, area, adds, dels, author, reviewer, second, n_reviews, merged,
     closed, is_open, first_review, mid, approve) = (
        a.tolist() for a in (repo, number, verb, obj, area, adds, dels, author, reviewer,
                             second, n_reviews, merged, closed, is_open, first_review, mid,
                             approve))
    for i in range(n - 1, -1, -1):
        repo_name = c.domain.repo_names[repo[i]]
        reviews: list[dict[str, Any]] = []
        if first_review[i] < ref:
            first_state = "APPROVED" if n_reviews[i] == 1 else (
                "CHANGES_REQUESTED" if verb[i] % 3 == 0 else "COMMENTED")
            reviews.append({"author": {"login": c.engineers[reviewer[i]]},
                            "submittedAt": t_first[i], "state": first_state})
            if n_reviews[i] == 3 and mid[i] < ref:
                reviews.append({"author": {"login": c.engineers[second[i]]},
                                "submittedAt": t_mid[i], "state": "COMMENTED"})
            if n_reviews[i] >= 2 and approve[i] < ref and not closed[i]:
                reviews.append({"author": {"login": c.engineers[reviewer[i]]},
                                "submittedAt": t_approve[i], "state": "APPROVED"})
        state = "MERGED" if merged[i] else ("CLOSED" if closed[i] else "OPEN")
        yield {
            "number": number[i],
            "title": f"{V.PR_VERBS[verb[i]]} {V.PR_OBJECTS[obj[i]]} in "
                     f"{c.domain.areas[area[i]]}",
            "author": {"login": c.engineers[author[i]]},
            "state": state,
            "createdAt": t_created[i],
            "mergedAt": t_done[i] if merged[i] else None,
            "closedAt": t_done[i] if not is_open[i] else None,
            "additions": adds[i],
            "deletions": dels[i],
            "url": f"https://github.com/{org}/{repo_name}/pull/{number[i]}",
            "reviews": reviews,
        }
