"""What bears on each option of the question: the measures the declared mapping
(``council.levers.LEVERS``) names for it — by channel when the option is a channel (a
partner program: partner win rate, deal size, retention, NPS and survival, each against
the other channels) — what is missing and how to get it, and a library search per option.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from typing import Literal

from pydantic import BaseModel, Field

from throughline.council.levers import LEVER_BY_KEY, lever_value, metric_label, metric_name
from throughline.diagnose.families.measure import show
from throughline.diagnose.findings import Finding, FindingKind, Metric
from throughline.library.records import Passage
from throughline.record.decision import Intent, OptionFrame

OPTION_PASSAGES = 3
MIN_PEER_N = 10  # a channel compared with its peers needs this many deals/answers/accounts

SearchFn = Callable[[str, int], list[Passage]]

Side = Literal["better", "worse", "level", "unknown"]

# metrics where a lower value is the better one
_LOWER_BETTER = ("logo_churn", "median_cycle_days", "median_ttv_days", "forecast_gap",
                 "failed_share", "weighted_gap", "pushed_share", "share_not_sold_in_time",
                 "decide_build_ratio", "unsigned_share", "median_cycle_hours", "unknown_share",
                 "gtm_illegible_share", "unbacked_share", "largest_share", "gap", "js_")


class OptionMeasure(BaseModel):
    """One metric an option moves, as measured: its value as statements print it, its
    sample size, and — for a channel — how it compares with the other channels (those with
    at least ``MIN_PEER_N`` in their sample)."""

    finding: str
    metric: str
    label: str
    value: float
    unit: str
    n: int | None = None
    shown: str = Field(description="The value as the finding prints it, e.g. '12.7%'.")
    side: Side = Field(default="unknown",
                       description="Better or worse than the median of its peers.")
    peer_median: str | None = Field(default=None, description="The peers' median, shown.")
    rank: int | None = Field(default=None, description="1 = best of the peers.")
    peers: int = 0
    peer_noun: str = Field(default="channel", description="What the peers are: channel, segment.")
    lower_is_better: bool = False

    @property
    def small(self) -> bool:
        return self.n is not None and self.n < MIN_PEER_N


class OptionEvidence(BaseModel):
    """What bears on one option of the question."""

    label: str
    levers: list[str] = Field(default_factory=list)
    channel: str | None = None
    finding_ids: list[str] = Field(default_factory=list)
    measures: list[OptionMeasure] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list,
                               description="Metrics the mapping names that were not measured.")
    needs: list[str] = Field(default_factory=list,
                             description="What to export so the missing metrics exist.")
    passages: list[Passage] = Field(default_factory=list)

    def measure(self, kind: str) -> OptionMeasure | None:
        """The first measure whose metric starts with ``kind`` ('win_rate', 'nps_')."""
        for m in self.measures:
            if m.metric.startswith(kind):
                return m
        return None


def _lower_is_better(metric: str) -> bool:
    return metric.startswith(_LOWER_BETTER)


def _peer_values(f: Finding, name: str, channel: str | None) -> list[tuple[str, float, int]]:
    """The same metric for the other channels of a by-channel finding: (metric, value, n),
    those with a sample of at least ``MIN_PEER_N``."""
    if not channel or not name.endswith("_" + channel):
        return []
    prefix = name[: -len(channel)]
    out = []
    for key, m in f.metrics.items():
        if key.startswith(prefix) and len(key) > len(prefix) and m.value is not None \
                and (m.n or 0) >= MIN_PEER_N and key[len(prefix):] != "unknown":
            out.append((key, float(m.value), int(m.n or 0)))
    return out


def option_measure(f: Finding, name: str, label: str, channel: str | None,
                   ) -> OptionMeasure | None:
    m = f.metrics.get(name)
    if m is None or m.value is None:
        return None
    lower = _lower_is_better(name)
    peers = _peer_values(f, name, channel)
    side: Side = "unknown"
    median_shown = None
    rank = None
    if len(peers) >= 3 and (m.n or 0) >= MIN_PEER_N:
        values = [v for _, v, _ in peers]
        med = statistics.median(values)
        value = float(m.value)
        gap = (med - value) if lower else (value - med)
        scale = max(abs(med), 1e-9)
        side = "level" if abs(gap) / scale < 0.05 else ("better" if gap > 0 else "worse")
        median_shown = show(Metric(name=name, value=med, unit=m.unit))
        ordered = sorted(values, reverse=not lower)
        rank = ordered.index(value) + 1 if value in ordered else None
    return OptionMeasure(finding=f.id, metric=name, label=label, value=float(m.value),
                         unit=m.unit, n=m.n, shown=show(m), side=side,
                         peer_median=median_shown, rank=rank, peers=len(peers),
                         peer_noun="segment" if "segment" in f.id else "channel",
                         lower_is_better=lower)


def frame_evidence(frame: OptionFrame, findings: list[Finding], search: SearchFn | None,
                   unfit: Iterable[str] = (),
                   searched: dict[str, list[Passage]] | None = None) -> OptionEvidence:
    """What bears on one option (or on an open question's subject): the measured metrics
    the declared mapping names (by channel when the option is one), the findings they come
    from, what is missing and how to get it, and the passages a library search returns."""
    by_id = {f.id: f for f in findings}
    unfit_ids = set(unfit)
    searched = {} if searched is None else searched
    levers = [LEVER_BY_KEY[k] for k in frame.levers if k in LEVER_BY_KEY]
    ev = OptionEvidence(label=frame.label, levers=[lv.key for lv in levers],
                        channel=frame.channel)
    for lv in levers:
        value = lever_value(lv, frame.words or frame.label)
        if "{channel}" in " ".join(r.metric for r in lv.metrics) and value is None:
            value = frame.channel
        for ref in lv.metrics:
            if "{channel}" in ref.metric and value is None:
                continue
            name = metric_name(ref, value)
            label = metric_label(ref, value)
            f = by_id.get(ref.finding)
            measured = (f is not None and f.kind == FindingKind.measured
                        and f.id not in unfit_ids)
            got = option_measure(f, name, label, value) if (
                measured and f is not None) else None
            if got is None:
                if label not in ev.missing:
                    ev.missing.append(label)
                continue
            if all(x.metric != got.metric or x.finding != got.finding
                   for x in ev.measures):
                ev.measures.append(got)
            if got.finding not in ev.finding_ids:
                ev.finding_ids.append(got.finding)
        if ev.missing and lv.needs and lv.needs not in ev.needs:
            ev.needs.append(lv.needs)
    if search is not None and levers:
        query = " ".join([frame.words or frame.label] + [lv.query for lv in levers[:1]])
        if query not in searched:
            searched[query] = search(query, OPTION_PASSAGES)
        ev.passages = list(searched[query])
    return ev


def option_evidence(intent: Intent, findings: list[Finding], search: SearchFn | None,
                    unfit: Iterable[str] = ()) -> list[OptionEvidence]:
    """Per option of the framed question, :func:`frame_evidence`."""
    searched: dict[str, list[Passage]] = {}
    unfit = list(unfit)
    return [frame_evidence(frame, findings, search, unfit, searched)
            for frame in intent.option_frames]
