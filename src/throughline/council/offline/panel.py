"""The offline engine: advisors that argue from their own evidence, and answer each other.

Deterministic: the same evidence pack, panel and question give the same statements (the
same bytes). Every number a statement carries is a finding's own statement, a metric shown
through the diagnose formatters, or a passage quoted verbatim, and the finding or passage
is cited — so the claim check traces all of them.

**Who argues what.** Each advisor argues an *answer to the user's question* (the options by
name when the question has them): the advisors whose lens reads the binding constraint, or
whose own functions look healthy, argue to repair the constraint first; the Contrarian
argues the runner-up (or the option the evidence already favours); with no binding
constraint, the panel argues for measuring before betting. Conviction is belief in the
answer the advisor argues for: it rises only when a statement on the same side moved it,
falls only when a statement on the other side did, and every change names that statement.

**What each round asks** (composed for the whole panel at once, in seat order, so each
sentence form can be rationed — see :mod:`.grammar`):

1. *Opening, blind*: the answer; the finding that carries it (a problem is quoted as proof,
   a healthy number only as a strength); a second number; a library passage no one else
   quotes; the assumption that would change the advisor's mind.
2. *The premise*: a reply to a named peer's opening that quotes its number; what the
   question takes for granted (its options by name); what the store says about an option;
   the remedy the binding constraint makes wrong.
3. *Evidence*: a reply to a peer's number; the advisor's strongest number with its n, its id,
   its test and interval, and what it does not show. The Auditor checks two peers' numbers
   and names the position that rests on none.
4. *Assumptions*: the lens's own assumption tested against its metric (holds, fails or
   untestable, and what that does to the answer), then the peer assumption it finds most
   dangerous, tied to the number where it shows.
5. *The hidden story*: a peer's number taken up; one of the persona's images tied to a
   number; what the story protects and hides, the masquerade or the better story; one
   systemic change; the final answer.

From round 2 every statement opens by answering a named peer's specific number
(``responds_to`` / ``claim`` on the reply); who answers whom rotates each round.
"""

from __future__ import annotations

from throughline.council.gather import EvidencePack
from throughline.council.offline.composer import Debate
from throughline.council.offline.evidence import PanelEvidence
from throughline.council.personas import Persona
from throughline.core.seams import CallInfo, RoundSpec, TurnReply, TurnRequest
from throughline.record.decision import Advisor, Intent, Statement

ENGINE_NAME = "offline"
MODEL_NAME = "offline-templates-v2"
REASON = "No model is configured: the deterministic offline engine speaks from the evidence."


def _call(role: str) -> CallInfo:
    return CallInfo(role=role, engine=ENGINE_NAME, model=MODEL_NAME, reason=REASON)


class OfflineEngine(PanelEvidence):
    """Implements :class:`~throughline.core.seams.AdvisorEngine` without a model."""

    name = ENGINE_NAME

    def __init__(self, pack: EvidencePack, personas: dict[str, Persona]) -> None:
        super().__init__(pack, personas)
        self._debates: dict[str, Debate] = {}

    # -- the seam -----------------------------------------------------------------------------

    def debate(self, intent: Intent) -> Debate:
        key = f"{intent.question}\x1f{intent.decision_type}\x1f{'|'.join(intent.options)}"
        if key not in self._debates:
            self._debates[key] = Debate(self, intent)
        return self._debates[key]

    async def turn(self, request: TurnRequest) -> tuple[TurnReply, CallInfo]:
        said = self.debate(request.intent).statement(request.round.number,
                                                     request.advisor.id, request)
        reply = TurnReply(move=said.move, text=said.text, addressed=said.addressed,
                          cites=list(dict.fromkeys(said.cites)),
                          conviction=round(said.conviction, 2),
                          conviction_cause=said.cause, responds_to=said.responds_to,
                          claim=said.claim)
        return reply, _call("advisor")

    async def summarize(self, round_: RoundSpec, statements: list[Statement],
                        panel: list[Advisor], intent: Intent) -> tuple[str, CallInfo]:
        return self.debate(intent).summary(round_, statements, panel), _call("summariser")

    # -- for tests and the synthesis ----------------------------------------------------------

    def side_of(self, advisor_id: str, intent: Intent) -> str:
        """Which side of the verdict the advisor argues: 'for' or 'against'."""
        return self.debate(intent).seats[advisor_id].side
