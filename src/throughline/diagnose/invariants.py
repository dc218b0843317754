"""What must hold for any diagnosis to be stated: checked on every sample the recovery
tests and benchmark diagnose, and usable on a user's own data.

* no rate or share outside [0, 1] (expansion, growth and change rates are unbounded);
* several currencies in the deals are never summed: the gate either converted them or
  excluded all but one, and said so (a ``dq.currency.*`` issue);
* no binding constraint (or tie) resting on a finding the gate marked unfit, and none on a
  hypothesis it blocked.
"""

from __future__ import annotations

from throughline.diagnose.diagnosis import Diagnosis

RATE_WORDS = ("rate", "share")
# shares of something that can exceed its base: expansion MRR over starting MRR can pass 100%
NOT_RATES = ("slope", "change", "growth", "per_year", "gap", "divergence", "trend", "delta",
             "diff", "lift", "effect", "expansion")


def truth_violations(d: Diagnosis, *, currencies_in_deals: int | None = None) -> list[str]:
    """Every broken invariant, as a sentence; empty when the diagnosis can be stated.

    ``currencies_in_deals`` is how many distinct currency codes the stored deals carry, if
    the caller knows it (the diagnosis alone cannot tell a one-currency store from one
    whose other currencies were never read)."""
    out: list[str] = []
    for f in d.findings:
        for name, m in f.metrics.items():
            if m.value is None or m.unit not in ("ratio", "probability"):
                continue
            if any(w in name for w in RATE_WORDS) and not any(w in name for w in NOT_RATES):
                if not 0.0 <= m.value <= 1.0:
                    out.append(f"{f.id}: {name} = {m.value} is outside [0, 1]")
    if currencies_in_deals is not None and currencies_in_deals > 1 and not any(
            i.id.startswith("dq.currency") for i in d.data_quality):
        out.append(f"{currencies_in_deals} currencies in the deals and no currency correction")
    unfit = {i.id for i in d.data_quality if i.action == "unfit"}
    r = d.ranking
    named = [r.binding] if r.binding else list(r.tied)
    ids = {f.id: f for f in d.findings}
    for h in named:
        if h in r.blocked:
            out.append(f"{h} is named but blocked: {r.blocked[h]}")
        score = next((s for s in r.scores if s.name == h), None)
        for c in score.raised_by if score else []:
            f = ids.get(c.finding_id)
            if c.value > 0 and f is not None and set(f.quality) & unfit:
                out.append(f"{h} rests on {f.id}, whose input was marked unfit")
    return out
