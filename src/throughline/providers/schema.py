"""The structured reply an advisor model must give, and the checks beyond its JSON schema.

:class:`StatementDraft` is what the model fills in (its field descriptions go to the model
in the tool/JSON schema). :class:`TurnCheck` holds what one request allows — the evidence
ids in the pack, the peer ids, the statements visible to the advisor and its previous
conviction — :meth:`TurnCheck.normalise` makes the fixes that need no repair (citations of
ids outside the pack are dropped and remembered), and :meth:`TurnCheck.problems` lists what
is wrong with a draft, phrased so the model can fix it in its one repair attempt.

**Taking up a peer's claim.** From round 2 a statement names the peer statement it takes up
(``responds_to``) and quotes the words it disputes or extends (``claim``). The instructions
and the schema ask for it; the check is forgiving where a model is loose and strict where
it would mislead a reader: a peer named by id or name is mapped to that peer's statement,
and the peer is added to ``addressed``; an id that was not shown is dropped; a quote whose
numbers the peer never wrote is sent back once for repair and, if still wrong, dropped.
Nothing about the peer claim fails a turn: what was missing or dropped is said in
``TurnReply.peer_note``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from throughline.core.seams import TurnReply, TurnRequest
from throughline.providers.prompts import RANKING_ID
from throughline.record.decision import Move

CONVICTION_STEP = 0.05
"""A change of conviction larger than this needs a cause (a statement id)."""


class StatementDraft(BaseModel):
    """One advisor statement for one round."""

    model_config = ConfigDict(extra="forbid")

    move: Move = Field(description="WARN, SHARE, REFRAME, FACTCHECK or CHALLENGE.")
    text: str = Field(min_length=1, description="The statement, plain prose.")
    addressed: list[str] = Field(
        default_factory=list, description="Ids of the advisors this statement responds to."
    )
    cites: list[str] = Field(
        default_factory=list, description="Ids of the evidence cards the statement relies on."
    )
    responds_to: str | None = Field(
        default=None,
        description="From round 2: the id of the peer statement whose specific claim this "
        "statement takes up (for example r1.revops); null in round 1.",
    )
    claim: str | None = Field(
        default=None,
        description="From round 2: the words of that peer statement you dispute or extend, "
        "quoted exactly, with its number; null in round 1.",
    )
    conviction: float = Field(
        ge=0.0, le=1.0,
        description="0 to 1: how strongly you believe the answer you argue for is the right "
        "answer to the user's question.",
    )
    conviction_cause: str | None = Field(
        default=None,
        description="Id of the statement that changed your conviction by more than 0.05; "
        "null if it did not change.",
    )


@dataclass
class TurnCheck:
    """What a reply to one request may contain. One per call (no shared state)."""

    evidence_ids: list[str]
    peer_ids: list[str]
    peer_names: dict[str, str]
    cause_ids: list[str]
    prior: float | None
    max_chars: int
    last_problems: list[str] = field(default_factory=list)
    cause_dropped: bool = False
    dropped_cites: list[str] = field(default_factory=list)
    peer_statements: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Statement id -> (advisor id, text) of the peer statements shown (none when blind)."""
    attempt: int = 0
    peer_note: str | None = None

    @classmethod
    def for_request(cls, request: TurnRequest, *, max_chars: int, blind: bool) -> TurnCheck:
        me = request.advisor.id
        peers = [p for p in request.peers if p.id != me]
        visible = [] if blind else [s for s in request.visible if s.advisor_id != me]
        return cls(
            # a blind round shows the evidence, not the diagnosis' ranking
            evidence_ids=[c.id for c in request.evidence
                          if not (blind and c.id == RANKING_ID)],
            peer_ids=[p.id for p in peers],
            peer_names={p.name.strip().lower(): p.id for p in peers},
            cause_ids=[s.id for s in visible if not s.failed],
            prior=request.conviction,
            max_chars=max_chars,
            peer_statements={s.id: (s.advisor_id, s.text) for s in visible if not s.failed},
        )

    def normalise(self, draft: StatementDraft) -> StatementDraft:
        """Forgiving fixes that need no repair: peers named instead of id'd, duplicates, and
        citations of ids outside the evidence pack — dropped, and kept in ``dropped_cites``
        for the statement's flag and the run log (a loose citation costs no repair and
        never fails a turn)."""
        addressed = []
        for ref in draft.addressed:
            ref = self.peer_names.get(ref.strip().lower(), ref.strip())
            if ref not in addressed:
                addressed.append(ref)
        cited = [c for c in dict.fromkeys(c.strip() for c in draft.cites) if c]
        known = set(self.evidence_ids)
        cites = [c for c in cited if c in known]
        self.dropped_cites = [c for c in cited if c not in known]
        cause = (draft.conviction_cause or "").strip() or None
        self.attempt += 1
        responds_to, claim = self._peer_claim(draft)
        if responds_to is not None:
            peer = self.peer_statements[responds_to][0]
            if peer not in addressed:
                addressed.append(peer)
        return draft.model_copy(
            update={"addressed": addressed, "cites": cites, "conviction_cause": cause,
                    "responds_to": responds_to, "claim": claim}
        )

    def _peer_claim(self, draft: StatementDraft) -> tuple[str | None, str | None]:
        """The peer statement taken up and the quote, as far as they can be trusted."""
        self.peer_note = None
        if not self.peer_statements:  # round 1, or nobody spoke: nothing to take up
            return None, None
        ref = (draft.responds_to or "").strip()
        claim = " ".join((draft.claim or "").split()).strip("\"'“”‘’ ") or None
        if not ref:
            self.peer_note = "took up no peer's claim"
            return None, None
        sid = self._statement_id(ref)
        if sid is None:
            self.peer_note = f"responds_to {ref!r} is not a statement it was shown; dropped"
            return None, None
        if claim is not None and self.attempt > 1 and self._misquoted(sid, claim):
            self.peer_note = (f"the claim quoted numbers {sid} does not contain "
                              f"({', '.join(self._misquoted(sid, claim))}); the quote was dropped")
            claim = None
        return sid, claim

    def _statement_id(self, ref: str) -> str | None:
        if ref in self.peer_statements:
            return ref
        advisor = self.peer_names.get(ref.lower(), ref)
        return next((sid for sid, (a, _) in self.peer_statements.items() if a == advisor), None)

    def _misquoted(self, sid: str, claim: str) -> list[str]:
        """Numbers in ``claim`` that the statement ``sid`` does not contain."""
        said = set(_numbers(self.peer_statements[sid][1]))
        return [n for n in _numbers(claim) if n not in said]

    def changed(self, draft: StatementDraft) -> bool:
        return self.prior is not None and abs(draft.conviction - self.prior) > CONVICTION_STEP

    def problems(self, draft: StatementDraft) -> tuple[list[str], list[str]]:
        """``(problems, cause_problems)``; both empty when the draft is acceptable."""
        problems: list[str] = []
        unknown = [c for c in draft.cites if c not in self.evidence_ids]
        if unknown:  # normalise() drops these; a draft that skipped it is told
            problems.append(
                f"cites holds ids that are not in your evidence pack: {_ids(unknown)}; "
                f"cite only these ids: {_ids(self.evidence_ids) or '(none: leave cites empty)'}"
            )
        strangers = [a for a in draft.addressed if a not in self.peer_ids]
        if strangers:
            problems.append(
                f"addressed holds ids that are not your peers: {_ids(strangers)}; "
                f"use only: {_ids(self.peer_ids) or '(none: leave addressed empty)'}"
            )
        if draft.responds_to in self.peer_statements and draft.claim:
            wrong = self._misquoted(draft.responds_to, draft.claim)
            if wrong:  # only on the first attempt: normalise() drops a second misquote
                problems.append(
                    f"claim quotes {', '.join(wrong)}, which statement {draft.responds_to} does "
                    "not contain; quote that statement's own words and number exactly"
                )
        if len(draft.text) > self.max_chars:
            problems.append(f"text is {len(draft.text)} characters; keep it under {self.max_chars}")
        cause_problems: list[str] = []
        prior = self.prior
        if prior is not None and abs(draft.conviction - prior) > CONVICTION_STEP:
            move = f"conviction moved from {prior:.2f} to {draft.conviction:.2f}"
            if draft.conviction_cause is None:
                cause_problems.append(
                    f"{move} but conviction_cause is empty: name the statement that moved you "
                    f"({_ids(self.cause_ids) or 'no statement is visible this round'}), or keep "
                    f"your conviction at {prior:.2f}"
                )
            elif draft.conviction_cause not in self.cause_ids:
                cause_problems.append(
                    f"{move} and conviction_cause {draft.conviction_cause!r} is not a statement "
                    f"you were shown; use one of {_ids(self.cause_ids) or '(none)'}, or keep "
                    f"your conviction at {prior:.2f}"
                )
        elif draft.conviction_cause is not None and draft.conviction_cause not in self.cause_ids:
            cause_problems.append(
                f"conviction_cause {draft.conviction_cause!r} is not a statement you were shown; "
                "set it to null"
            )
        return problems, cause_problems

    def to_reply(self, draft: StatementDraft) -> TurnReply:
        return TurnReply.model_validate(
            {**draft.model_dump(), "dropped_cites": list(self.dropped_cites),
             "peer_note": self.peer_note}
        )


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _numbers(text: str) -> list[str]:
    """The numbers written in ``text``, separators removed ('1,969' -> '1969')."""
    return [m.group().replace(",", "").rstrip(".") for m in _NUMBER.finditer(text)]


def _ids(ids: list[str], limit: int = 40) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f", … ({len(ids) - limit} more)" if len(ids) > limit else "")
