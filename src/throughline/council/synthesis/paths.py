"""The future paths: act on the constraint, keep going, the runner-up as root cause, or one
path per option — each milestone an outcome backed by a forecast, a finding or a sentence
an advisor actually said.
"""

from __future__ import annotations

from datetime import date

from throughline.council.frame import LEVER_BY_KEY, join_options
from throughline.council.gather import binding_evidence_ids
from throughline.council.offline import wording as w
from throughline.council.synthesis.options import OptionCase, measure_phrase
from throughline.council.synthesis.state import SynthesisBase
from throughline.diagnose.constraint import SPECS
from throughline.record.decision import Forecast, FuturePath, Milestone


_SERIES_LABELS = {"win_rate": "monthly win rate", "new_deals": "count of new deals",
                  "forecast_overshoot": "gap between forecast and bookings",
                  "pull_share": "pull share of new deals",
                  "unknown_share": "share of deals with no known source",
                  "pr_cycle_hours": "PR cycle time"}


def _series_label(f: Forecast) -> str:
    """The series a forecast is made on, named for a sentence ('partner win rate')."""
    key = f.id.split(".")[1] if f.id.count(".") >= 2 else f.id
    for base, label in (("new_deals_", "count of new {} deals"), ("win_rate_", "{} win rate")):
        if key.startswith(base):
            return label.format(key[len(base):].replace("_", " "))
    return _SERIES_LABELS.get(key, key.replace("_", " "))


def _months_to(f: Forecast, as_of: date) -> int:
    """The forecast's horizon in months after the as-of date."""
    try:
        return int(f.id.rsplit(".m", 1)[1])
    except (IndexError, ValueError):
        return max(1, (f.horizon.year - as_of.year) * 12 + f.horizon.month - as_of.month)


def forecast_milestone(month: int, f: Forecast) -> Milestone:
    """A milestone that says the trend holds, backed by the forecast for that month."""
    return Milestone(month=month, text=f"The trend holds: {w.lower_first(f.statement)}",
                     backing=f.statement,
                     backing_kind="forecast", backing_ref=f.id)


def trend_milestones(by_month: dict[int, Forecast], months: tuple[int, ...]) -> list[Milestone]:
    return [forecast_milestone(m, by_month[m]) for m in months if m in by_month]


class PathsWriter(SynthesisBase):
    """The future paths and their milestones."""

    def future_paths(self) -> list[FuturePath]:
        by_month: dict[int, Forecast] = {}
        for f in self.forecasts:  # the primary series first, then the others fill gaps
            by_month.setdefault(int(f.id.rsplit(".m", 1)[1]), f)
        h = self.binding
        if len(self.cases) >= 2:
            return self._paths_options()
        if self.tied:
            return self._paths_tie(by_month)
        if h is None:
            return self._paths_none(by_month)
        return self._paths_open(h, by_month)

    def _trend_milestone(self, month: int, f: Forecast, key: str) -> Milestone:
        """Keep going: the forecast's series left to its trend (the forecast backs it; the
        milestone does not restate it)."""
        return Milestone(month=month, text=self.say("f.trend", key, label=_series_label(f)),
                         backing=f.statement, backing_kind="forecast", backing_ref=f.id)

    def _paths_open(self, h: str, by_month: dict[int, Forecast]) -> list[FuturePath]:
        """An open question's paths: repair the constraint (outcomes named by what the
        question asks about, else by the constraint's evidence), keep going (the forecasts'
        series left to their trend), and the runner-up as root cause."""
        paths: list[FuturePath] = []
        hs = w.short(h)
        champs = self._champions(h)
        act: list[Milestone] = []
        bind_set = set(self.binding_ids)
        watched = [f"the {m.label}" if not m.label[1:2].isupper() else m.label
                   for m in self.subject_measures()]
        titles = watched + [f"“{self._evidence_title(i)}”" for i in range(3)]
        used: set[str] = set()
        for i, month in enumerate((3, 6, 12)):
            q = self._quote(champs[i:] + champs[:i], [3, 2, 1], bind_set) or \
                self._quote(champs, [5, 4, 3, 2, 1])
            if q is None:
                continue
            title = next((t for t in titles if t not in used), titles[0])
            used.add(title)
            act.append(Milestone(month=month, text=self.say("f.act", "paths", title=title,
                                                            Title=title),
                                 backing=q[0], backing_kind="quote", backing_ref=q[1]))
        top = self.pack.finding(self.binding_ids[0]) if self.binding_ids else None
        if top is not None:
            act.append(Milestone(month=18 if act else 6, text=self.say(
                "f.clear", "paths", h=hs, H=hs[:1].upper() + hs[1:]),
                backing=top.statement, backing_kind="finding", backing_ref=top.id))
        paths.append(FuturePath(id="act", stance="act_on_constraint",
                                title=self.say("f.act_title", "paths", ask=self.ask, h=hs),
                                milestones=act))
        keep = [self._trend_milestone(m, by_month[m], "keep") for m in (3, 6, 12)
                if m in by_month][:2]
        seen, _, passes = w.MASQUERADE[h]
        q = self._quote_containing("the remedy to avoid") or self._quote(["contrarian"], [5, 3, 1])
        if q:
            keep.append(Milestone(month=18, text=self.say(
                "f.wrong", "paths", seen=seen, Seen=seen[:1].upper() + seen[1:], passes=passes),
                backing=q[0], backing_kind="quote", backing_ref=q[1]))
        q = self._quote(["auditor"], [3, 2, 4, 1])
        if q:
            keep.append(Milestone(month=24, text=self.say("f.dark", "paths"), backing=q[0],
                                  backing_kind="quote", backing_ref=q[1]))
        paths.append(FuturePath(id="keep_going", stance="keep_going",
                                title=self.say("f.keep_title", "paths", h=hs,
                                               wrong=self.wrong_remedy()),
                                milestones=keep))
        if self.runner:
            r = w.short(self.runner)
            alt: list[Milestone] = []
            q = self._quote(["contrarian"], [1, 3, 5])
            if q:
                alt.append(Milestone(month=3, text=self.say(
                    "f.runner_done", "paths", runner=r, Runner=r[:1].upper() + r[1:]),
                    backing=q[0], backing_kind="quote", backing_ref=q[1]))
            if top is not None:
                alt.append(Milestone(month=6, text=self.say(
                    "f.runner_still", "paths", h=hs, H=hs[:1].upper() + hs[1:]),
                    backing=top.statement, backing_kind="finding", backing_ref=top.id))
            if 12 in by_month:
                alt.append(self._trend_milestone(12, by_month[12], "runner"))
            if alt:
                paths.append(FuturePath(id="runner_up", stance="other",
                                        title=self.say("f.runner_title", "paths", runner=r,
                                                       h=hs),
                                        milestones=alt))
        return paths

    def _option_forecasts(self, c: OptionCase) -> list[Forecast]:
        keys: list[str] = []
        for k in c.levers:
            lever = LEVER_BY_KEY.get(k)
            if lever is not None:
                keys += [x.replace("@", "_") for x in lever.series]
        if c.channel:
            keys = [k for k in keys if k.endswith("_" + c.channel)] or keys
        return [f for f in self.forecasts if f.id.split(".")[1] in keys]

    def _paths_options(self) -> list[FuturePath]:
        """One path per option (the chosen first) and, when the chosen option does not work
        on the binding constraint, the path that repairs it first. Milestones are outcomes,
        each backed by a forecast, a finding or a sentence an advisor said — not the plan's
        steps again."""
        c = self.choice
        order = ([c] + self._others()) if c is not None else list(self.cases)
        order = [x for x in order if x.stance not in ("refrain", "hold")] or order
        paths: list[FuturePath] = []
        h = self.binding
        top = self.pack.finding(self.binding_ids[0]) if self.binding_ids else None
        for i, x in enumerate(order[:2]):
            ms: list[Milestone] = []
            for f in self._option_forecasts(x)[:1]:
                ms.append(Milestone(month=_months_to(f, self.pack.diagnosis.as_of),
                                    text=f"If the trend holds: {w.lower_first(f.statement)}",
                                    backing=f.statement, backing_kind="forecast",
                                    backing_ref=f.id))
            for side, month, lead in ((x.strengths, 6, "What carries this path"),
                                      (x.weaknesses, 12, "What could stall it")):
                f = self.pack.finding(side[0].finding) if side else None
                if f is not None:
                    ms.append(Milestone(month=month, text=f"{lead}: {measure_phrase(side[0])}.",
                                        backing=f.statement, backing_kind="finding",
                                        backing_ref=f.id))
            if h and x.feeds_binding and top is not None:
                ms.append(Milestone(month=12, text=f"{w.short(h).capitalize()} still binds, "
                                    f"and what {x.label} adds flows into it.",
                                    backing=top.statement, backing_kind="finding",
                                    backing_ref=top.id))
            q = self._quote_containing(x.channel.replace("_", "-") if x.channel else
                                       x.label.split(" ")[-1])
            if q is not None:
                ms.append(Milestone(month=18, text=f"What the panel said about {x.label} "
                                    "meets what actually happened.", backing=q[0],
                                    backing_kind="quote", backing_ref=q[1]))
            ms.sort(key=lambda m: m.month)
            if not ms:
                continue
            title = f"You choose {x.label}" + (
                f" while {w.short(h)} still binds." if h and not x.repairs_binding
                else ", which works on the binding constraint." if x.repairs_binding else ".")
            paths.append(FuturePath(id=f"option_{i + 1}",
                                    stance="act_on_constraint" if x.repairs_binding else "other",
                                    title=title, milestones=ms))
        if h and (c is None or not c.repairs_binding):
            rep: list[Milestone] = []
            champs = self._champions(h)
            q = self._quote(champs, [3, 2, 1], set(self.binding_ids)) or \
                self._quote(champs, [5, 4, 3, 2, 1])
            if q is not None and top is not None:
                rep.append(Milestone(month=3, text=f"“{top.title}” is measured again on new "
                                     "data, and the panel's reading of it is put to the test.",
                                     backing=q[0], backing_kind="quote", backing_ref=q[1]))
            if top is not None:
                rep.append(Milestone(
                    month=6, text=f"The next diagnosis no longer names {w.short(h)} as binding, "
                    f"and the choice between {join_options([x.label for x in self.cases])} "
                    "is made on numbers that can be trusted.",
                    backing=top.statement, backing_kind="finding", backing_ref=top.id))
            if self.runner and self.runner_ids:
                rf = self.pack.finding(self.runner_ids[0])
                if rf is not None:
                    rep.append(Milestone(month=12, text=f"If {w.short(self.runner)} rises in "
                                         "its place, it becomes the next repair.",
                                         backing=rf.statement, backing_kind="finding",
                                         backing_ref=rf.id))
            if rep:
                paths.append(FuturePath(
                    id="repair_first", stance="act_on_constraint" if not paths or
                    paths[0].stance != "act_on_constraint" else "other",
                    title=f"You repair {w.short(h)} first and decide the question after.",
                    milestones=rep))
        return paths

    def _paths_tie(self, by_month: dict[int, Forecast]) -> list[FuturePath]:
        paths: list[FuturePath] = []
        for h in self.tied:
            spec = SPECS[h]
            ids = binding_evidence_ids(self.pack.diagnosis, h)
            top = self.pack.finding(ids[0]) if ids else None
            act: list[Milestone] = []
            q = self._quote(self._champions(h), [3, 2, 1], set(ids)) or \
                self._quote(self._champions(h), [5, 4, 3, 2, 1])
            if q is not None:
                act.append(Milestone(
                    month=3, text=f"Done: {w.lower_first(spec.order_of_operations[0])}",
                    backing=q[0], backing_kind="quote", backing_ref=q[1]))
            if top is not None:
                act.append(Milestone(month=6, text=f"The {w.short(h)} evidence is the one to "
                                     "watch: if it moves and the other does not, the tie is "
                                     "broken.", backing=top.statement, backing_kind="finding",
                                     backing_ref=top.id))
            paths.append(FuturePath(
                id=f"tie_{h}", stance="act_on_constraint" if not paths else "other",
                title=f"You break the tie for {w.short(h)} and "
                      f"{w.lower_first(w.strip_period(spec.order_of_operations[0]))}.",
                milestones=act))
        keep = trend_milestones(by_month, (3, 6, 12))
        if keep:
            paths.append(FuturePath(id="keep_going", stance="keep_going",
                                    title="You keep going as now, with the tie unresolved.",
                                    milestones=keep))
        return paths

    def _paths_none(self, by_month: dict[int, Forecast]) -> list[FuturePath]:
        keep = trend_milestones(by_month, (3, 6, 12))
        measure: list[Milestone] = []
        q = self._quote(["auditor"], [1, 3])
        if q:
            measure.append(Milestone(month=3, text="The missing measures exist and the "
                                     "diagnosis is run again on them.", backing=q[0],
                                     backing_kind="quote", backing_ref=q[1]))
        paths = [FuturePath(id="measure", stance="act_on_constraint",
                            title="You treat the gaps in measurement as the first job and "
                                  "decide only when the data can name a constraint.",
                            milestones=measure)]
        if keep:
            paths.append(FuturePath(id="keep_going", stance="keep_going",
                                    title="You keep going as now.", milestones=keep))
        return paths


__all__ = ["PathsWriter", "forecast_milestone", "trend_milestones"]
