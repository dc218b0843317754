"""The baseline company: who it is, when its history runs, how big it is, who sells.

Everything here depends on the seed and scale only — not on the scenario — so the same
seed gives the same company in every scenario and a planted problem is the only
difference between, say, ``healthy`` and ``honesty`` for seed 7.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from throughline.sample import vocabulary as V
from throughline.sample.seeding import dirichlet_around, stream

REFERENCE_ANCHOR = np.datetime64("2025-04-01", "D")
OPPORTUNITIES_PER_SCALE = 2_000
EXPANSION_SHARE = 0.1  # expected share of all opportunities that are upsells


@dataclass(frozen=True)
class Company:
    """Scenario-independent facts about the sample company."""

    seed: int
    scale: float
    name: str
    org: str
    domain: V.Domain
    reference_date: np.datetime64  # the export date: data runs up to the day before
    month_starts: np.ndarray  # datetime64[D]; month_starts[-1] is the month holding the date
    size_factor: float
    new_business_target: int
    home_segment: int  # the segment this company serves best
    segment_base: np.ndarray  # (3,) share of new pipeline per segment
    industry_by_segment: np.ndarray  # (3, len(INDUSTRIES)) industry mix within a segment
    source_base: np.ndarray  # (len(LEAD_SOURCES),) baseline lead-source mix
    engineers: tuple[str, ...]

    @property
    def months(self) -> int:
        """Number of calendar months in the window (the last one is partial)."""
        return len(self.month_starts)

    @property
    def start(self) -> np.datetime64:
        return self.month_starts[0]

    @property
    def ref_day(self) -> int:
        """The reference date as days since 1970-01-01."""
        return int(self.reference_date.astype("datetime64[D]").astype(np.int64))

    @property
    def start_day(self) -> int:
        return int(self.month_starts[0].astype(np.int64))

    def month_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(first day, day after the last day) of each month as day numbers; the last
        month ends at the reference date."""
        starts = self.month_starts.astype(np.int64)
        ends = np.append(starts[1:], self.ref_day)
        return starts, ends


def draw_company(seed: int, scale: float) -> Company:
    """Draw the baseline company for a seed: dates, size, segments, channel mix, staff."""
    rng = stream(seed, "company")
    domain = V.DOMAINS[int(rng.integers(len(V.DOMAINS)))]
    name = V.VENDOR_NAMES[int(rng.integers(len(V.VENDOR_NAMES)))]
    org = name.lower().replace(" ", "")
    # reference date: a fixed anchor plus up to ~8 months, never on the 1st of a month
    ref = REFERENCE_ANCHOR + np.timedelta64(int(rng.integers(0, 240)), "D")
    first_of_month = ref.astype("datetime64[M]").astype("datetime64[D]")
    if (ref - first_of_month).astype(int) < 6:
        ref = first_of_month + np.timedelta64(6 + int(rng.integers(0, 10)), "D")
    full_months = int(rng.integers(24, 31))
    current = ref.astype("datetime64[M]")
    month_starts = (current - np.arange(full_months, -1, -1)).astype("datetime64[D]")

    size_factor = round(float(rng.uniform(0.7, 1.3)), 4)
    total = OPPORTUNITIES_PER_SCALE * scale * size_factor
    new_business = max(40, round(total * (1 - EXPANSION_SHARE)))

    home = int(rng.choice(3, p=[0.3, 0.45, 0.25]))
    seg = np.full(3, 0.0)
    seg[home] = rng.uniform(0.45, 0.6)
    others = [s for s in range(3) if s != home]
    split = rng.uniform(0.35, 0.65)
    seg[others[0]] = (1 - seg[home]) * split
    seg[others[1]] = (1 - seg[home]) * (1 - split)

    ind = rng.dirichlet(np.full(len(V.INDUSTRIES), 0.9), size=3)
    ind = 0.8 * ind + 0.2 / len(V.INDUSTRIES)

    base_share = np.array([s.share for s in V.LEAD_SOURCES])
    source_base = dirichlet_around(rng, base_share / base_share.sum(), 90.0)
    # keep the healthy baseline's unknown share small whatever the draw
    unknown = np.array([V.OTHER_SOURCE, V.BLANK_SOURCE])
    source_base[unknown] = base_share[unknown] * rng.uniform(0.6, 1.2)
    source_base /= source_base.sum()

    n_eng = int(np.clip(round(14 * max(scale, 0.05) ** 0.35 * size_factor), 6, 120))
    logins = [f"{V.FIRST_NAMES[i % len(V.FIRST_NAMES)]}-{V.LAST_INITIALS[(i * 7) % 21]}"
              + (str(i // len(V.FIRST_NAMES)) if i >= len(V.FIRST_NAMES) else "")
              for i in rng.permutation(max(n_eng, 1) * 3)[:n_eng].tolist()]
    return Company(
        seed=seed, scale=scale, name=name, org=org, domain=domain, reference_date=ref,
        month_starts=month_starts, size_factor=size_factor, new_business_target=new_business,
        home_segment=home, segment_base=seg, industry_by_segment=ind,
        source_base=source_base, engineers=tuple(logins),
    )


@dataclass(frozen=True)
class Staff:
    """Sales reps: Salesforce user ids and the motion each one works."""

    ids: np.ndarray  # str, OwnerId values ("005...")
    outbound: np.ndarray  # bool per rep


def staff(company: Company, outbound_share: float, user_ids: np.ndarray) -> Staff:
    """Size the sales team to the pipeline: about eight new deals per rep per month."""
    n = len(user_ids)
    n_out = int(np.clip(round(n * outbound_share), 2, n - 2))
    outbound = np.zeros(n, dtype=bool)
    outbound[:n_out] = True
    return Staff(ids=user_ids, outbound=outbound)


def rep_count(company: Company) -> int:
    per_month = company.new_business_target / (1 - EXPANSION_SHARE) / company.months
    return int(np.clip(round(per_month / 8.0), 6, 2_000))
