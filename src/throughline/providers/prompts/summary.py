"""A round's minutes: the summariser's instructions and prompt (the question, the panel,
then the round's statements in full)."""

from __future__ import annotations

from throughline.core.seams import RoundSpec
from throughline.providers.prompts.blocks import statement_block
from throughline.providers.prompts.fencing import DATA_RULES, fence
from throughline.providers.prompts.prompt import Prompt, PromptLimits
from throughline.record.decision import Advisor, Intent, Statement

__all__ = ["SUMMARY_INSTRUCTIONS", "summary_prompt"]

SUMMARY_INSTRUCTIONS = """\
You keep the minutes of an advisory panel debating a question a B2B company's leadership
has asked about its go-to-market. The minutes are read by the next rounds' advisors and by
the person who writes the decision record, so they must be exact about who said what.

Write the minutes of one round in plain prose:
- Name each advisor by name (as in the panel list), never by id, and give their position on
  the user's question in a clause, with the number and evidence id it rests on.
- Say who took up whose claim, and whether they disputed or extended it.
- Say where the panel agrees, where it splits, and what is still unresolved.
- Note each change of conviction with the statement that caused it.
- Add no fact, number or opinion of your own; quote numbers as the advisors wrote them.
- At most about {words} words. Reply with the minutes only."""


def summary_prompt(
    round_: RoundSpec,
    statements: list[Statement],
    panel: list[Advisor],
    intent: Intent,
    limits: PromptLimits,
) -> Prompt:
    words = max(40, limits.summary_chars // 7)
    instructions = SUMMARY_INSTRUCTIONS.format(words=words) + "\n\n" + DATA_RULES
    names = {a.id: a.name for a in panel}
    head = [
        "The question, as the user asked it:",
        fence("question", intent.question),
        "",
        "The panel:",
        *(f"- {a.id}: {a.name}, {a.role}" for a in panel),
        "",
        "",
    ]
    stable = "\n".join(head)
    parts = [
        f"Round {round_.number}: {round_.title}",
        f"Purpose of the round: {round_.purpose}",
        "",
        f"The statements of round {round_.number}, in full:",
        *(statement_block(s, limits.statement_chars, names) for s in statements),
        "",
        f"Write the minutes of round {round_.number}.",
    ]
    return Prompt(instructions, stable + "\n".join(parts), prefix=len(stable))
