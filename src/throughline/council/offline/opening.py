"""Round 1 of the offline debate, written blind: each advisor's answer, the finding that
carries it, a second number, a library passage no one else quotes and the assumption that
would change its mind; the Auditor opens with what the question can be answered from.
"""

from __future__ import annotations

from throughline.council.gather import COVERAGE_ID
from throughline.council.offline import wording as w
from throughline.council.offline.facts import Fact
from throughline.council.offline.positions import Positions
from throughline.council.offline.statements import Said, Seat
from throughline.diagnose.findings import FindingKind
from throughline.diagnose.report import trust
from throughline.record.decision import Move


class Opening(Positions):
    """Round 1: the opening statements."""

    def _r1(self, pid: str, seat: Seat, prev: dict[str, Said], _: str | None) -> Said:
        v, e, p = self.voice, self.e, seat.persona
        key = pid + "r1"
        parts = [v.say("r1.answer", key, role=w.lower_first(p.role), answer=seat.answer)]
        cites: list[str] = []
        claims: list[Fact] = []
        lead = seat.lead
        if lead is None:
            dark = e.dark(p)
            need = "; ".join(dark[0].needs) if dark and dark[0].needs else "data for my lens"
            parts.append(v.say("r1.none", key, need=w.strip_period(need)))
            cites += [f.id for f in dark[:1]]
            return self._said(1, pid, Move.WARN, parts, cites, claims)
        lead_facts = e.facts(lead)
        if not seat.quiet or pid == "contrarian":
            parts.append(v.say("r1.lead", key, stmt=lead.statement, title=lead.title))
            self.quoted_statements.add(lead.id)
            inside = [x for x in lead_facts if x.shown in lead.statement and x.reading]
            claims += (inside or [x for x in lead_facts if x.reading])[:2]
            cites.append(lead.id)
            second = self._mine(pid, bad=True, exclude={x.key for x in lead_facts})
            if pid == "contrarian":  # the other reading's own numbers only
                second = next((x for x in self._runner_proof() if x.finding_id != lead.id),
                              None)
            if second is not None and second.finding_id != lead.id:
                f2 = e.finding(second.finding_id)
                parts.append(v.say("r1.second", key, mine=second.phrase,
                                   title=f2.title if f2 else ""))
                cites.append(second.finding_id)
                claims.append(second)
            strength = self._mine(pid, bad=False, exclude={x.key for x in claims})
            if strength is not None and pid != "contrarian":
                parts.append(v.say("r1.strength", key, mine=strength.phrase,
                                   title=strength.title))
                cites.append(strength.finding_id)
                claims.append(strength)
        else:
            parts.append(v.say("r1.quiet", key))
            good = self._mine(pid, bad=False) or next(
                (x for x in lead_facts if x.reading), None)
            if good is not None:
                parts.append(v.say("r1.strength", key, mine=good.phrase, title=good.title))
                cites.append(good.finding_id)
                claims.append(good)
        psg = self._passage(pid)
        if psg is not None:
            parts.append(v.say("r1.passage", key, passage=psg[1], ptitle=psg[2]))
            cites.append(psg[0])
        else:
            parts.append(v.say("r1.blind", key, hides=p.hides))
        parts.append(v.say("r1.mind", key, assumption=p.assumption.text))
        move = Move.CHALLENGE if pid == "contrarian" else (
            Move.WARN if lead is not None and e.is_problem(lead) else Move.SHARE)
        return self._said(1, pid, move, parts, cites, claims)

    def _r1_auditor(self, pid: str, seat: Seat) -> Said:
        v, e = self.voice, self.e
        key = pid + "r1"
        parts: list[str] = []
        cites: list[str] = []
        claims: list[Fact] = []
        cov = e.finding(COVERAGE_ID)
        missing = [f for f in e.pack.diagnosis.findings if f.kind != FindingKind.measured]
        if cov is not None:  # the coverage counts, said once and tied to the question
            measured = cov.metrics["measured"].value
            total = cov.metrics["findings"].value
            dark = (", and nothing can be computed for "
                    + w.join_names([f"“{f.title}”" for f in missing[:2]])) if missing else ""
            parts.append(v.say("audit.base", key, ask=self.ask, measured=f"{measured:,.0f}",
                               total=f"{total:,.0f}", dark=dark))
            cites.append(cov.id)
        issues = e.pack.data_quality
        if issues:
            done = trust.ACTION_LABELS
            listed = w.join_names([f"“{i.title}” ({done.get(i.action, i.action)})"
                                   for i in issues[:3]])
            parts.append(v.say("audit.dq", key, issues=listed))
            cites += [i.id for i in issues[:3] if e.finding(i.id) is not None]
        subject = next((of.fact for of in self.subject_facts), None)
        top = subject or (self._mine(pid, bad=True) if e.binding_ids else None)
        if top is not None:
            parts.append(v.say("audit.subject" if subject else "audit.strongest", key,
                               mine=top.phrase, title=top.title))
            cites.append(top.finding_id)
            claims.append(top)
        parts.append(v.say("audit.answer", key, answer=seat.answer, ask=self.ask))
        return self._said(1, pid, Move.FACTCHECK, parts, cites, claims)
