"""Rounds 2 to 5 of the offline debate, each opened by a reply to a named peer's number.

2. *The premise*: what the question takes for granted (its options by name), what the store
   says about an option, the remedy the binding constraint makes wrong.
3. *Evidence*: the advisor's strongest number with its n, id, test and interval, and what it
   does not show.
4. *Assumptions*: the lens's own assumption tested against its metric, then the peer
   assumption it finds most dangerous.
5. *The hidden story*: an image tied to a number; what the story protects and hides, the
   masquerade or the better story; one systemic change; the final answer.
"""

from __future__ import annotations

import re

from throughline.council.gather import RANKING_ID
from throughline.council.offline import wording as w
from throughline.council.offline.facts import Fact, OptionFact
from throughline.council.offline.replies import Replies
from throughline.council.offline.statements import (
    AGAINST,
    FOR,
    Said,
    Seat,
    capitalised,
    hash_index,
    quoted,
    quoted_option,
)
from throughline.diagnose.constraint import SPECS
from throughline.record.decision import Move

PREMISES: dict[str, list[str]] = {
    "hire": ["that capacity is what is missing",
             "that new people will be as productive as the ones already here",
             "that the pipeline can absorb more sellers",
             "that the current motion is worth scaling"],
    "invest": ["that spending is what is missing",
               "that the money will land where the constraint is",
               "that the return on the last spend is known",
               "that more input turns into more revenue"],
    "price": ["that price is what buyers are reacting to",
              "that deals lost on price are lost because of price",
              "that the deals we lost would have closed at another price"],
    "pivot": ["that the current motion has failed rather than gone unmeasured",
              "that a new market will not inherit the old problems",
              "that what stalls here would not stall there"],
    "prioritise": ["that the list already includes the constraint",
                   "that the order matters less than the choice",
                   "that both items can be judged by the same number"],
    "diagnose": ["that the constraint sits where the pain shows",
                 "that the number that missed is the number that binds",
                 "that one constraint explains the quarter"],
    "other": ["that the problem is where it hurts most",
              "that the organisation chart is the lever",
              "that the change can be judged within the quarter"],
}


class LaterRounds(Replies):
    """Rounds 2 to 5 (the Auditor's rounds 2 and 3 are in :mod:`.replies`)."""

    # -- round 2 ------------------------------------------------------------------------------

    def _option_fact(self, pid: str) -> OptionFact | None:
        """A number on one of the options (alternating options by seat), from the
        advisor's own lens first; on the question's own words when it names no options."""
        fams = set(self.e.personas[pid].weighs.families)
        if self.options:
            i = self.order.index(pid)
            ordered = self.options[i % len(self.options):] + self.options[:i % len(self.options)]
            pools = [self.option_facts[o] for o in ordered]
        else:
            pools = [self.subject_facts]
        for pool in pools:
            own = [of for of in pool if (f := self.e.finding(of.fact.finding_id)) is not None
                   and f.family in fams]
            for group in (own, pool):
                for of in group:
                    if of.fact.key not in self.stated:
                        return of
        return None

    def _rank_words(self, of: OptionFact) -> str:
        f = self.e.finding(of.fact.finding_id)
        title = (f.title if f else "").lower()
        group = ("channels" if "channel" in title else "segments" if "segment" in title
                 else "groups")
        base = f"n = {of.fact.n}" if of.fact.n else ""
        rank = {"best": f"the best reading of all the {group}",
                "worst": f"the worst of all the {group}"}.get(of.rank or "", "")
        return ", ".join(x for x in (base, rank) if x) or "as measured"

    def _r2(self, pid: str, seat: Seat, prev: dict[str, Said], partner: str | None) -> Said:
        v, e = self.voice, self.e
        key = pid + "r2"
        parts, cites, claims, meta = self._reply(pid, 2, prev, partner)
        if pid == "contrarian":
            parts.append(v.say("r2.contrarian", key, h=self.h(e.binding)))
            rank = e.finding(RANKING_ID)
            if rank is not None:
                cites.append(RANKING_ID)
        if len(self.options) >= 2:
            qs = [quoted_option(o) for o in self.options]
            parts.append(v.say("r2.premise.options", key, opts=w.join_names(qs),
                               opts_or=" or ".join(qs)))
        else:
            prem = PREMISES.get(self.intent.decision_type, PREMISES["other"])
            i = (self.order.index(pid) + hash_index(v.seed, len(prem))) % len(prem)
            parts.append(v.say("r2.premise.open", key, premise=prem[i], ask=self.ask))
        of = self._option_fact(pid)
        if of is not None:
            opt = quoted_option(of.option)
            slots = dict(opt=opt, Opt=opt, mine=of.fact.phrase, rank=self._rank_words(of))
            if of.rank or of.fact.n:
                parts.append(v.say("r2.option", key, **slots))
            else:
                parts.append(v.say("r2.option_plain", key, **slots))
            cites.append(of.fact.finding_id)
            claims.append(of.fact)
        chosen = of.option if of is not None and self.options else None
        if pid != "contrarian":
            if e.binding is not None:
                spec = SPECS[e.binding]
                rem = [x for x in spec.wrong_remedies if x not in self.remedies_used]
                if rem:
                    wrong = rem[hash_index(v.seed + pid, len(rem))]
                    self.remedies_used.add(wrong)
                    parts.append(v.say("r2.binds", key, h=self.h(e.binding), wrong=wrong))
            elif e.tied:
                parts.append(v.say("r2.tie", key,
                                   names=w.join_names([self.h(t) for t in e.tied])))
                cites.append(RANKING_ID)
            else:
                parts.append(v.say("r2.nobind", key))
                cites.append(RANKING_ID)
        move = Move.CHALLENGE if seat.side == AGAINST else Move.REFRAME
        said = self._said(2, pid, move, parts, cites, claims, **meta)
        said.option = chosen
        return said

    # -- round 3 ------------------------------------------------------------------------------

    def _r3(self, pid: str, seat: Seat, prev: dict[str, Said], partner: str | None) -> Said:
        v, e = self.voice, self.e
        key = pid + "r3"
        parts, cites, claims, meta = self._reply(pid, 3, prev, partner)
        if pid == "contrarian":
            runner = self._runner_proof()
            proof = next((x for x in runner if x.key not in self.stated),
                         runner[0] if runner else None)
            if proof is None:
                parts.append(v.say("r3.noproof", key, runner=self.h(e.runner)))
                return self._said(3, pid, Move.CHALLENGE, parts, cites, claims, **meta)
        else:
            proof = self._mine(pid, bad=False if seat.quiet else True,
                               exclude={c.key for c in claims})
        if proof is None:
            dark = e.dark(seat.persona)
            if dark and dark[0].needs:
                parts.append(v.say("r3.need", key, need=w.strip_period("; ".join(dark[0].needs))))
                cites.append(dark[0].id)
            return self._said(3, pid, Move.WARN, parts, cites, claims, **meta)
        f = e.finding(proof.finding_id)
        if proof.n:
            parts.append(v.say("r3.proof", key, mine=proof.phrase, n=f"{proof.n:,}",
                               id=proof.finding_id))
        else:
            parts.append(v.say("r3.proof_nobase", key, mine=proof.phrase, id=proof.finding_id))
        cites.append(proof.finding_id)
        claims.append(proof)
        if proof.test and proof.low and proof.high:
            parts.append(v.say("r3.tested", key, test=proof.test, low=proof.low,
                               high=proof.high))
        caveat = next((c for c in (f.caveats if f else []) if not re.search(r"\d", c)), None)
        if caveat:
            parts.append(v.say("r3.limit", key, caveat=w.lower_first(caveat)))
        else:
            parts.append(v.say("r3.limit_generic", key, title=proof.title))
        if pid == "contrarian":
            parts.append(v.say("r3.contrarian", key, runner=self.h(e.runner)))
        move = Move.CHALLENGE if pid == "contrarian" else (
            Move.WARN if proof.bad_reading and proof.problem else Move.SHARE)
        return self._said(3, pid, move, parts, cites, claims, **meta)

    # -- round 4 ------------------------------------------------------------------------------

    def _r4(self, pid: str, seat: Seat, prev: dict[str, Said], partner: str | None) -> Said:
        v, e, p = self.voice, self.e, seat.persona
        key = pid + "r4"
        parts: list[str] = []
        cites: list[str] = []
        claims: list[Fact] = []
        holds, f, fact = e.assumption_fact(p)
        parts.append(v.say("audit.assume" if pid == "auditor" else "r4.own", key,
                           assumption=p.assumption.text))
        failed = False
        if holds is None or fact is None or f is None:
            why = (f"“{f.title}” could not be computed" if f is not None
                   else "no finding measures it")
            parts.append(v.say("r4.unknown", key, why=why))
            if f is not None:
                cites.append(f.id)
        else:
            slots = dict(mine=fact.phrase, Mine=capitalised(fact.phrase), title=f.title,
                         meaning=p.assumption.meaning)
            parts.append(v.say("r4.holds" if holds else "r4.fails", key, **slots))
            cites.append(f.id)
            claims.append(fact)
            if not holds and pid != "auditor":
                binds = (e.binding is not None and seat.side == FOR
                         and f.id in e.binding_ids and e.strength.get(f.id, 0.0) >= 0.3)
                if binds:
                    parts.append(v.say("r4.fails_binds", key, h=self.h(e.binding)))
                else:
                    failed = True
                    short = (f"{self.h(e.runner)} first" if pid == "contrarian" and e.runner
                             else seat.answer)
                    parts.append(v.say("r4.fails_weakens", key, answer=short))
        # the peer assumption it finds most dangerous, tied to that peer's number
        peer_id = partner if partner in prev else None
        meta: dict[str, object] = {}
        if peer_id is not None:
            peer = prev[peer_id]
            pp = e.personas[peer_id]
            pool = peer.claims or next(
                (said.claims for rr in range(3, 0, -1)
                 if (said := self.rounds.get(rr, {}).get(peer_id)) is not None
                 and said.claims), [])
            c = pool[0] if pool else None
            if c is not None:
                parts.append(v.say("r4.danger", key, Peer=self.name(peer_id, True),
                                   peer=self.name(peer_id), passumption=pp.assumption.text,
                                   claim=quoted(c.phrase)))
                cites.append(c.finding_id)
                meta = {"addressed": [peer_id], "responds_to": peer.id,
                        "claim": quoted(c.phrase)}
                ph, pf, pfact = e.assumption_fact(pp)
                if ph is not None and pf is not None and pfact is not None:
                    parts.append(v.say("r4.danger_holds" if ph else "r4.danger_fails", key,
                                       pfact=pfact.phrase, ptitle=pf.title,
                                       peer=self.name(peer_id)))
                    cites.append(pf.id)
                elif ph is None and pf is not None and pf.needs:
                    parts.append(v.say("r4.settle", key,
                                       settle=w.strip_period("; ".join(pf.needs))))
            else:
                rp, rc, rcl, meta = self._reply(pid, 4, prev, peer_id)
                parts += rp
                cites += rc
                claims += rcl
        move = (Move.FACTCHECK if pid == "auditor" else Move.CHALLENGE if pid == "contrarian"
                else Move.WARN if holds is False else Move.SHARE)
        said = self._said(4, pid, move, parts, cites, claims, **meta)
        said.assumption_failed = failed
        return said

    # -- round 5 ------------------------------------------------------------------------------

    def _r5(self, pid: str, seat: Seat, prev: dict[str, Said], partner: str | None) -> Said:
        v, e, p = self.voice, self.e, seat.persona
        key = pid + "r5"
        parts, cites, claims, meta = self._reply(pid, 5, prev, partner)
        if parts:  # a take-up, not a second dispute: one sentence naming the peer's number
            peer = prev[str(meta["addressed"][0])]  # type: ignore[index]
            c = str(meta["claim"])
            parts = [v.say("r5.takeup", key, Peer=self.name(peer.advisor_id, True),
                           peer=self.name(peer.advisor_id), claim=c)]
            claims = []
            cites = cites[:1]
        images = [i for i in [p.metaphor, *p.images] if i.strip()]
        image = images[hash_index(v.seed + pid + "img", len(images))] if images else p.metaphor
        own = self._own_number(pid)
        if own is not None:
            parts.append(v.say("r5.image", key, image=image, mine=own.phrase))
            cites.append(own.finding_id)
            claims.append(own)
        h = e.runner if (pid == "contrarian" and e.runner) else e.binding
        i = self.order.index(pid)
        if h is None:
            parts.append(v.say("r5.protects", key, protects=p.protects, hides=p.hides))
            cites.append(RANKING_ID)
        else:
            slot = (i + hash_index(v.seed, 3)) % 3 if pid != "contrarian" else 1
            if slot == 0:
                parts.append(v.say("r5.protects", key, protects=p.protects, hides=p.hides))
            elif slot == 1:
                masq = w.masquerade_sentence(h)
                parts.append(v.say("r5.masq", key, masq=w.lower_first(masq), Masq=masq))
            else:
                parts.append(v.say("r5.better", key, better=w.BETTER_STORY[h]))
            steps = [s for s in SPECS[h].order_of_operations if s not in self.changes_used]
            if steps:
                step = steps[hash_index(v.seed + pid + "change", len(steps))]
                self.changes_used.add(step)
                parts.append(v.say("r5.change", key, change=w.lower_first(step)))
            ids = e.runner_ids if (pid == "contrarian" and h == e.runner) else e.binding_ids
            if ids:
                cites.append(ids[0])
        parts.append(v.say("r5.final", key, answer=seat.answer))
        return self._said(5, pid, Move.REFRAME, parts, cites, claims, **meta)
