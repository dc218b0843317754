"""Replies in the offline debate: from round 2 every statement opens by taking up a named
peer's number — disputed with the speaker's own heavier evidence, extended with a number
pointing the same way, or checked by the Auditor (its base, its test, its interval).
"""

from __future__ import annotations

from throughline.council.gather import COVERAGE_ID
from throughline.council.offline import wording as w
from throughline.council.offline.facts import Fact
from throughline.council.offline.positions import Positions
from throughline.council.offline.statements import Said, capitalised, hash_index, quoted
from throughline.record.decision import Move


class Replies(Positions):
    """Taking up a peer's number, and the Auditor's checks."""

    def _reply(self, pid: str, r: int, prev: dict[str, Said], peer_id: str | None
               ) -> tuple[list[str], list[str], list[Fact], dict[str, object]]:
        """The opening sentence(s) of a statement from round 2: a named peer's number, taken
        up — disputed or extended with the speaker's own evidence."""
        if peer_id is None or peer_id not in prev:
            return [], [], [], {}
        peer = prev[peer_id]
        pool = peer.claims or next(
            (said.claims for rr in range(r - 2, 0, -1)
             if (said := self.rounds.get(rr, {}).get(peer_id)) is not None and said.claims),
            [])
        if not pool:  # a peer with no number at all: answer one who has
            alt = [s for s in prev.values() if s.claims and s.advisor_id != pid]
            if not alt:
                return [], [], [], {}
            peer = alt[hash_index(self.voice.seed + pid + str(r), len(alt))]
            pool = peer.claims
        c = pool[(r + hash_index(pid, 7)) % len(pool)] if r >= 4 else pool[0]
        v = self.voice
        key = f"{pid}r{r}"
        slots = dict(Peer=self.name(peer.advisor_id, True), peer=self.name(peer.advisor_id),
                     claim=quoted(c.phrase), n=f"{c.n:,}" if c.n else "", low=c.low or "",
                     high=c.high or "", title=c.title, test=c.test or "")
        me = self.seats[pid]
        cites = [c.finding_id]
        claims: list[Fact] = []
        parts: list[str] = []
        f = self.e.finding(c.finding_id)
        sibling = None
        if f is not None:
            sibling = next((x for x in self.e.facts(f) if x.key != c.key
                            and x.key not in self.stated and x.polarity == c.polarity
                            and x.shown != c.shown), None)
        if pid == "auditor":
            if c.small:
                parts.append(v.say("audit.check_small", key, **slots))
            elif c.n:
                parts.append(v.say("audit.check", key, **slots))
            else:
                parts.append(v.say("audit.check_plain", key, **slots))
            if c.test:
                parts.append(v.say("audit.check_test", key, **slots))
            if c.low and c.high:
                parts.append(v.say("audit.check_interval", key, **slots))
            claims.append(c)  # the Auditor vouches for it: peers may quote it back
        elif me.side != peer.side:
            if c.small:
                parts.append(v.say("reply.small", key, **slots))
            elif pid == "contrarian":
                if sibling is not None and c.bad_reading and r % 2 == 0:
                    parts.append(v.say("reply.sibling", key, mine=sibling.phrase, **slots))
                else:
                    parts.append(v.say("reply.concede", key, **slots))
            else:
                mine = self._strongest(pid) or self._mine(pid, bad=True)
                if mine is not None and mine.key != c.key and self.e.is_problem(
                        self.e.finding(mine.finding_id)):  # type: ignore[arg-type]
                    parts.append(v.say("reply.counter", key, mine=mine.phrase,
                                       reason=self._why_heavier(mine, c), **slots))
                    cites.append(mine.finding_id)
                    claims.append(mine)
                else:
                    parts.append(v.say("reply.contrarian", key, **slots))
        elif not c.bad_reading and not c.reads_well:
            parts.append(v.say("reply.small" if c.small else "reply.neutral", key, **slots))
        else:
            if c.reads_well:
                parts.append(v.say("reply.strength", key, **slots))
            elif c.low and c.high and c.bad_reading:
                parts.append(v.say("reply.interval", key, **slots))
            elif sibling is not None and c.bad_reading and r % 2 == 1:
                parts.append(v.say("reply.sibling", key, mine=sibling.phrase, **slots))
                claims.append(sibling)
            else:
                mine = self._mine(pid, bad=c.bad_reading, exclude={c.key})
                if mine is not None and mine.bad_reading == c.bad_reading:
                    parts.append(v.say("reply.extend", key, mine=mine.phrase, **slots))
                    cites.append(mine.finding_id)
                    claims.append(mine)
                else:
                    good = self._mine(pid, bad=False, exclude={c.key})
                    if good is not None and c.bad_reading:
                        parts.append(v.say("reply.elsewhere", key, mine=good.phrase,
                                           **slots))
                        cites.append(good.finding_id)
                        claims.append(good)
                    elif sibling is not None:
                        parts.append(v.say("reply.sibling", key, mine=sibling.phrase,
                                           **slots))
                        claims.append(sibling)
                    else:
                        parts.append(v.say("reply.strength" if not c.bad_reading else
                                           "reply.interval" if c.low else "reply.concede",
                                           key, **slots))
        meta: dict[str, object] = {"addressed": [peer.advisor_id], "responds_to": peer.id,
                                   "claim": quoted(c.phrase)}
        return parts, cites, claims, meta

    def _why_heavier(self, mine: Fact, theirs: Fact) -> str:
        """Why the speaker's number outweighs a peer's: a far larger base, the ranking's
        weight behind it, or a problem reading against a context number."""
        e = self.e
        if mine.n and theirs.n and mine.n >= 2 * theirs.n:
            return f"it rests on {mine.n:,} cases, not {theirs.n:,}"
        hyp = e.raises.get(mine.finding_id)
        if hyp is not None and e.strength.get(mine.finding_id, 0.0) > e.strength.get(
                theirs.finding_id, 0.0):
            return f"the ranking counts it as evidence for {self.h(hyp)}, and weighs it above " \
                   f"“{theirs.title}”"
        if theirs.reads_well:
            return "it reads as a failure, where the other reads as something that works"
        if not theirs.bad_reading:
            return "it reads as a failure, where the other is context, not a verdict"
        return f"“{mine.title}” is a problem finding, and “{theirs.title}” is not"

    # -- the Auditor's checks (rounds 2 and 3) ------------------------------------------------

    def _audit_checks(self, pid: str, r: int, prev: dict[str, Said], partner: str | None
                      ) -> Said:
        """The Auditor's statement in rounds 2 and 3: a check of a partner's number, then a
        second check (a position with no number, or the dark functions); round 2 also
        cites the coverage finding."""
        parts, cites, claims, meta = self._reply(pid, r, prev, partner)
        extra = self._second_check(pid, r, prev, meta.get("responds_to"))
        parts += extra[0]
        cites += extra[1]
        if r == 2 and self.e.finding(COVERAGE_ID):
            cites.append(COVERAGE_ID)
        return self._said(r, pid, Move.FACTCHECK, parts, cites, claims, **meta)

    def _second_check(self, pid: str, r: int, prev: dict[str, Said], done: object
                      ) -> tuple[list[str], list[str]]:
        """The Auditor's second check: a position with no number, or the dark functions."""
        v, e = self.voice, self.e
        key = f"{pid}r{r}b"
        parts: list[str] = []
        cites: list[str] = []
        bare = [s for s in prev.values() if s.advisor_id != pid and not s.claims]
        if bare:
            who = self.name(bare[0].advisor_id)
            parts.append(v.say("audit.unnumbered", key, who=who, Who=capitalised(who)))
        dark = [row.function for row in e.pack.diagnosis.legibility if row.vacuum]
        if dark:
            parts.append(v.say("audit.alldark", key, dark=w.join_names(dark)))
        if not parts:
            other = [s for s in prev.values() if s.advisor_id != pid and s.claims
                     and s.id != done]
            if other:
                s = other[hash_index(v.seed + key, len(other))]
                c = s.claims[-1]
                slots = dict(Peer=self.name(s.advisor_id, True), peer=self.name(s.advisor_id),
                             claim=quoted(c.phrase), n=f"{c.n:,}" if c.n else "",
                             title=c.title, test=c.test or "", low=c.low or "",
                             high=c.high or "")
                if c.n:
                    parts.append(v.say("audit.check_small" if c.small else "audit.check", key,
                                       **slots))
                    cites.append(c.finding_id)
        return parts, cites
