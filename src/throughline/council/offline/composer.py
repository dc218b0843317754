"""The offline debate composed: round by round, the whole panel at once in seat order (so
each sentence form can be rationed, see :mod:`.grammar`), who answers whom, and each
advisor's conviction — which rises only when a statement on its side moved it, falls only
when one on the other side did, and names that statement.
"""

from __future__ import annotations

from throughline.council.offline.opening import Opening
from throughline.council.offline.rounds import LaterRounds
from throughline.council.offline.statements import AGAINST, FOR, Said, Seat, clamp, hash_index
from throughline.council.offline.summaries import Summaries
from throughline.core.seams import TurnRequest
from throughline.record.decision import Move


class Debate(Opening, LaterRounds, Summaries):
    """The whole offline debate for one question, composed round by round in seat order."""

    def statement(self, number: int, aid: str, req: TurnRequest | None = None) -> Said:
        for r in range(1, number + 1):
            if r not in self.rounds:
                self.rounds[r] = self._compose(r)
        said = self.rounds[number].get(aid)
        if said is None:  # an advisor outside the cast (should not happen): speak plainly
            said = Said(id=f"r{number}.{aid}", round=number, advisor_id=aid, move=Move.SHARE,
                        text="I have nothing to add from my lens.", cites=[], addressed=[],
                        side=FOR)
        return said

    def _compose(self, r: int) -> dict[str, Said]:
        prev = self.rounds.get(r - 1, {})
        out: dict[str, Said] = {}
        partners = self._partners(r)
        for pid in self.order:
            seat = self.seats[pid]
            said = self._write(r, pid, seat, prev, partners.get(pid))
            self._conviction(said, seat, prev)
            out[pid] = said
        return out

    def _partners(self, r: int) -> dict[str, str]:
        """Who answers whom this round: a rotation (everyone answers one peer, everyone is
        answered once), a different step each round."""
        n = len(self.order)
        if n < 2 or r == 1:
            return {}
        steps = list(range(1, n))
        k = steps[(hash_index(self.voice.seed + "rot", len(steps)) + r) % len(steps)]
        return {pid: self.order[(i + k) % n] for i, pid in enumerate(self.order)}

    def _write(self, r: int, pid: str, seat: Seat, prev: dict[str, Said],
               partner: str | None) -> Said:
        """One advisor's statement in round ``r`` (a round past the fifth is argued like the
        third); the Auditor has its own statements in rounds 1 to 3."""
        number = r if r in (1, 2, 3, 4, 5) else 3
        if pid == "auditor" and number == 1:
            return self._r1_auditor(pid, seat)
        if pid == "auditor" and number in (2, 3):
            return self._audit_checks(pid, number, prev, partner)
        builder = {1: self._r1, 2: self._r2, 3: self._r3, 4: self._r4, 5: self._r5}[number]
        return builder(pid, seat, prev, partner)

    # -- conviction ---------------------------------------------------------------------------

    def _conviction(self, said: Said, seat: Seat, prev: dict[str, Said]) -> None:
        """Belief in the advisor's own answer. Round 1 starts from its own evidence; rounds 2
        and 3 move halfway toward where the evidence settles it; in round 4 an assumption
        that failed (and does not itself confirm the answer) costs a little, and the
        Contrarian keeps giving ground; round 5 holds. A rise names a statement on the same
        side, a fall one on the other side."""
        t = seat.target
        own = [s for r in sorted(self.rounds) for s in [self.rounds[r].get(said.advisor_id)]
               if s is not None]
        if said.round == 1 or not own:
            said.conviction = round(0.5 + (t - 0.5) * (0.3 if seat.side == AGAINST else 0.6), 2)
            return
        last = own[-1].conviction
        new = last
        if said.round in (2, 3) or (said.round == 4 and seat.side == AGAINST):
            new = last + (t - last) * 0.5
        if said.round == 4 and said.assumption_failed:
            new = min(new, last - 0.04)
        new = round(clamp(new, 0.05, 0.95), 2)
        if abs(new - last) < 0.01:
            said.conviction = last
            return
        cause = self._cause(said, seat, prev, rising=new > last)
        if cause is None:
            said.conviction = last
            return
        said.conviction, said.cause = new, cause

    def _cause(self, said: Said, seat: Seat, prev: dict[str, Said], *, rising: bool
               ) -> str | None:
        want = seat.side if rising else (AGAINST if seat.side == FOR else FOR)
        pool = [s for s in prev.values() if s.advisor_id != said.advisor_id and s.side == want]
        if not pool:
            return None
        # the statement that took this advisor up, then the one it took up, then the one
        # citing the strongest evidence for its side
        for s in pool:
            if said.advisor_id in s.addressed:
                return s.id
        for s in pool:
            if s.id == said.responds_to:
                return s.id
        ids = self.e.runner_ids if want == AGAINST else self.e.binding_ids
        for fid in ids:
            for s in pool:
                if fid in s.cites:
                    return s.id
        return pool[0].id
