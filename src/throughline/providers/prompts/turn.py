"""An advisor's turn: standing instructions (who it is, how the debate runs, what a good
statement does, the reply format), then the stable head (question, framing, panel,
evidence) and the round's part (brief, diagnosis from round 2, history, conviction)."""

from __future__ import annotations

from throughline.core.rounds import ROUNDS
from throughline.core.seams import PersonaBrief, RoundSpec, TurnRequest
from throughline.diagnose.ranking import HYPOTHESES
from throughline.providers.prompts.blocks import (
    evidence_block,
    evidence_blocks,
    intent_text,
    statement_block,
)
from throughline.providers.prompts.fencing import DATA_RULES, clip, fence
from throughline.providers.prompts.prompt import EvidenceCache, Prompt, PromptLimits
from throughline.record.decision import Advisor, Move, Statement

__all__ = ["CRAFT", "MOVES", "RANKING_ID", "is_blind", "turn_instructions", "turn_prompt"]

RANKING_ID = "constraint.ranking"
"""The diagnosis' verdict as a finding (``council.gather.RANKING_ID``): shown from round 2."""

MOVES: dict[Move, str] = {
    Move.WARN: "flag a risk or a consequence others are missing",
    Move.SHARE: "add evidence or a view of your own",
    Move.REFRAME: "change how the question or the constraint is framed",
    Move.FACTCHECK: "check a claim against the evidence",
    Move.CHALLENGE: "dispute a named peer's statement",
}

CRAFT = """\
What a statement worth reading does:
- It answers the question the user asked, in the question's own terms. Name the option you
  favour as the question names it, or say which missing evidence would decide between the
  options and how to get it. A diagnosis is a means to that answer, not the answer.
- It argues from the evidence in this prompt. Every number comes from an evidence card,
  written as the card writes it, followed by the card's id in square brackets, for example
  "win rate is 10.6% [pipeline.velocity.overall]". Numbers that no card holds are struck
  out by the claim check, and so is your credibility.
- It reads numbers honestly: a healthy number is good news, not proof of a problem; a
  small n is a small n; a difference that is not significant is not a finding.
- It moves the argument. From round 2, take up one named peer's specific claim: quote the
  number or words you dispute or extend, and say why. Agreeing is fine when you add
  something; restating yourself or the panel is not.
- It sounds like you: your history, your voice, your lens. Plain sentences and no
  preamble; do not restate the question, summarise the debate or thank anyone; no stock
  phrases, and never open two of your statements the same way."""



def is_blind(round_: RoundSpec) -> bool:
    return round_.blind or round_.number == 1


def _words(limits: PromptLimits) -> int:
    return max(40, limits.statement_chars // 7)


def turn_instructions(request: TurnRequest, limits: PromptLimits) -> str:
    """The advisor's standing instructions: the same in every round (no round number,
    conviction or peer statement in them), so they open a cacheable prefix."""
    a = request.advisor
    moves = "\n".join(f"  - {m.value}: {why}" for m, why in MOVES.items())
    total = request.total_rounds
    length = f"{total} rounds" if total else "up to five rounds"
    panel = len(_panel(request))
    arc = [f"  {r.number}. {r.title}: {r.purpose}" + (" Written blind." if r.blind else "")
           for r in ROUNDS[: total or len(ROUNDS)]]
    return "\n".join(
        [
            (
                f"You are {a.name}, {a.role}, one of {panel} advisors on a panel convened to "
                "answer a question that a B2B company's leadership has asked about its "
                f"go-to-market. The debate runs {length}; each round's brief comes at the "
                "end of the prompt."
            ),
            f"Your id on the panel: {a.id}",
            "",
            "Who you are:",
            *_persona_lines(a, request.persona),
            "",
            "How the debate runs:",
            *arc,
            "",
            CRAFT,
            f"- It is short: at most about {_words(limits)} words.",
            "",
            DATA_RULES,
            "",
            "Answer with exactly one structured statement:",
            "- move: one of",
            moves,
            (
                f"- text: your statement in plain prose, at most about {_words(limits)} words, "
                "with evidence ids in square brackets after the numbers they support."
            ),
            "- cites: ids of the evidence cards you rely on; only ids shown in this prompt.",
            "- addressed: ids of the advisors you respond to; only ids from the panel list.",
            (
                "- responds_to: from round 2, the id of the peer statement whose claim you take "
                "up (ids like r1.revops are shown on each statement); null in round 1."
            ),
            (
                "- claim: from round 2, the words of that statement you dispute or extend, "
                "quoted exactly as written, with its number; null in round 1."
            ),
            (
                "- conviction: a number from 0 to 1: how strongly you believe that the answer "
                "you argue for is the right answer to the user's question. It is confidence in "
                "your own answer, not agreement with the diagnosis or with the panel: an "
                "advisor arguing against the majority can hold high conviction. Move it only "
                "when an argument moves you."
            ),
            (
                "- conviction_cause: the id of the statement that moved your conviction by "
                "more than 0.05; null if it did not move. The round's brief tells you your "
                "last conviction."
            ),
        ]
    )


def _persona_lines(a: Advisor, p: PersonaBrief | None) -> list[str]:
    lines = [p.biography if p and p.biography else a.background, f"What you weigh: {a.lens}"]
    if p is None:
        return lines
    if p.voice:
        lines.append(f"How you speak: {p.voice}")
    if p.assumption:
        test = ""
        if p.test_finding and p.test_metric:
            test = (f" The number that tests it is {p.test_metric} in finding "
                    f"{p.test_finding}; it holds if {p.test_rule}.")
        lines.append(f"The assumption you carry: {p.assumption}.{test} Until it is tested, "
                     "treat it as a belief, not a fact.")
    if p.images:
        lines.append("Images you reach for: " + "; ".join(p.images) + ". Use one only when "
                     "it makes a point clearer than a number can, and never the same one twice.")
    if p.protects and p.hides:
        lines.append(f"Left unchecked, your lens protects {p.protects} and hides {p.hides}.")
    return lines


def turn_prompt(request: TurnRequest, limits: PromptLimits, *,
                cache: EvidenceCache | None = None) -> Prompt:
    """An advisor's turn: the stable head (question, framing, panel, evidence), then the
    round's part. ``cache`` (one per run: card ids name the same cards within it) keeps the
    rendered evidence between rounds."""
    instructions = turn_instructions(request, limits)
    held = [c for c in request.evidence if c.id == RANKING_ID]
    cards = [c for c in request.evidence if c.id != RANKING_ID]
    head = [
        "The question, as the user asked it:",
        fence("question", request.intent.question),
        "",
        "How the question was framed:",
        fence("intent", intent_text(request.intent)),
        "",
        "The panel (address peers by id, call them by name):",
        *(_panel_line(p, request.advisor) for p in _panel(request)),
        "",
        (
            f"Your evidence ({len(cards)} cards: the company's findings, then passages from the "
            "research library; cite by id):"
        ),
        *(evidence_blocks(cards, limits, cache) or ["(no evidence)"]),
        "",
        "",
    ]
    stable = "\n".join(head)
    r = request.round
    blind = is_blind(r)
    last = " (the last round)" if r.number == request.total_rounds else ""
    part = [f"Round {r.number}: {r.title}{last}",
            f"What a great statement in this round does: {r.brief or r.purpose}"]
    if blind:
        part.append(
            "This round is blind: you do not see the other advisors' statements or the "
            "diagnosis' ranking. Give your own, independent reading of the evidence."
        )
    else:
        part += ["", _diagnosis_line(request),
                 *(evidence_block(c, limits) for c in held)]
    visible = [] if blind else [s for s in request.visible if s.advisor_id != request.advisor.id]
    names = {p.id: p.name for p in _panel(request)}
    part += _history(request, visible, names, limits, len(instructions) + len(stable))
    part += ["", _conviction_line(request)]
    shown = [s.id for s in visible if not s.failed]
    if shown:
        part.append(
            "Take up one peer's specific claim: set responds_to to the id of their statement "
            f"({', '.join(shown)}), quote the words you dispute or extend in claim (with its "
            "number), and address that peer."
        )
    part += ["", f"Now give your statement for round {r.number}."]
    return Prompt(instructions, stable + "\n".join(part), prefix=len(stable))


def _panel(request: TurnRequest) -> list[Advisor]:
    """The advisor first, then its peers (a request's peers may or may not include it)."""
    return [request.advisor, *(p for p in request.peers if p.id != request.advisor.id)]


def _diagnosis_line(request: TurnRequest) -> str:
    def label(h: str | None) -> str:
        return HYPOTHESES.get(h, h) if h else "none"

    if request.binding:
        return (f"The diagnosis, shown from round 2: the binding constraint is "
                f"{label(request.binding)}; the runner-up is {label(request.runner_up)}. "
                "Weigh it as evidence, not as the answer to the question.")
    return ("The diagnosis, shown from round 2: no constraint binds clearly"
            + (f"; the closest is {label(request.runner_up)}." if request.runner_up else ".")
            + " Weigh it as evidence, not as the answer to the question.")


def _conviction_line(request: TurnRequest) -> str:
    if request.conviction is None:
        return "This is your first conviction; leave conviction_cause null."
    return (f"Your conviction after your last turn was {request.conviction:.2f}. If it moves "
            "by more than 0.05, set conviction_cause to the id of the statement (shown in this "
            "prompt) that moved you; if no statement moved you, keep your conviction.")


def _history(request: TurnRequest, visible: list[Statement], names: dict[str, str],
             limits: PromptLimits, stable: int) -> list[str]:
    """Earlier summaries (within a budget, newest first), the previous round's statements
    in full, and the advisor's own last statement."""
    budget = max(limits.min_history_chars, int(limits.history_ratio * stable))
    kept: list[str] = []
    left = budget
    for number in range(len(request.summaries), 0, -1):  # newest first
        room = min(limits.summary_chars, left - _BLOCK_OVERHEAD)
        if room < 120:
            break
        block = fence("summary", clip(request.summaries[number - 1], room), round=number)
        kept.insert(0, block)
        left -= len(block)
    out: list[str] = []
    if request.summaries:
        out += ["", "Summaries of the earlier rounds:"]
        dropped = len(request.summaries) - len(kept)
        if dropped:
            out.append(f"(the summaries of rounds 1-{dropped} are left out for length)")
        out += kept
    if visible:
        out += ["", f"The statements of round {visible[0].round}, in full:",
                *(statement_block(s, limits.statement_chars, names) for s in visible)]
    if request.own_history:
        out += ["", "Your own previous statement:",
                statement_block(request.own_history[-1], limits.statement_chars, names)]
    return out


_BLOCK_OVERHEAD = 140
"""Room for a data block's tags and attributes when sharing out the history budget."""


def _panel_line(peer: Advisor, me: Advisor) -> str:
    you = " (you)" if peer.id == me.id else ""
    return f"- {peer.id}{you}: {peer.name}, {peer.role}. Weighs: {peer.lens}"
