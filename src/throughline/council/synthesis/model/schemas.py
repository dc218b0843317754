"""What the synthesiser must return, section by section: the schemas (extra fields
forbidden), what each section must do (:data:`BRIEFS`, the section's part of the prompt),
the limits its checks hold it to, and the order the calls run in (:data:`WAVES`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from throughline.core.synthesis_sections import SECTIONS, Section

WAVES: tuple[tuple[Section, ...], ...] = (
    ("verdict",), ("action_plan", "deeper_story", "risks"), ("future_paths",))
TITLES: dict[Section, str] = {s: s.replace("_", " ") for s in SECTIONS}
"""Each section as a sentence names it ('action plan')."""

MAX_VERDICT_CHARS = 1_400
MAX_STORY_CHARS = 1_800
MAX_STEP_CHARS = 500
MAX_LINE_CHARS = 300
WRONG_IF = "What would have to be true for this verdict to be wrong?"


# -- the schemas ---------------------------------------------------------------------------

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VerdictSection(_Strict):
    verdict: str = Field(description="The verdict: the answer to the question first (the "
                         "option chosen, as the question names it, or the missing evidence "
                         "that would decide and how to get it), then the numbers that decide "
                         "it, the case against, and the first step. Plain sentences.")


class StepDraft(_Strict):
    days: int = Field(ge=0, le=1_200, description="Days after the run date it is due.")
    who: str = Field(description="Who does it: a role, e.g. 'VP Sales' or 'RevOps'.")
    what: str = Field(description="What they do, in one or two sentences.")
    opening_words: str = Field(description="The exact words to open the conversation with.")
    condition: str | None = Field(default=None, description="For a conditional step, 'If …'; "
                                  "null for an unconditional one.")
    cites: list[str] = Field(default_factory=list, description="Evidence ids it rests on.")


class ActionPlanSection(_Strict):
    steps: list[StepDraft] = Field(min_length=2, max_length=8,
                                   description="The steps in the order they are due.")


class MilestoneDraft(_Strict):
    month: int = Field(ge=1, le=36, description="Months after the data's end.")
    text: str = Field(description="The outcome reached by then (an outcome, not a step).")
    backing_kind: Literal["quote", "forecast", "finding"]
    backing_ref: str = Field(description="The statement id (quote), forecast id or finding "
                             "id that backs the milestone.")
    quote: str | None = Field(default=None, description="For a quote: the words of that "
                              "statement, exactly as written; null otherwise.")


class PathDraft(_Strict):
    title: str = Field(description="'You choose … and …': the path in one sentence.")
    stance: Literal["act_on_constraint", "keep_going", "other"]
    milestones: list[MilestoneDraft] = Field(min_length=1, max_length=5)


class FuturePathsSection(_Strict):
    paths: list[PathDraft] = Field(min_length=1, max_length=4)


class QuoteDraft(_Strict):
    statement_id: str = Field(description="The id of the statement quoted (e.g. r5.auditor).")
    words: str = Field(description="The words quoted or the image used, exactly as written.")


class DeeperStorySection(_Strict):
    story: str = Field(description="The story under the argument, in plain prose.")
    quotes: list[QuoteDraft] = Field(default_factory=list, description="Every quote or image "
                                     "the story attributes to an advisor, with its statement.")


class RiskDraft(_Strict):
    text: str
    raised_by: str | None = Field(default=None, description="Advisor id, if one raised it.")
    cites: list[str] = Field(default_factory=list, description="Evidence ids it rests on.")


class RisksSection(_Strict):
    risks: list[RiskDraft] = Field(min_length=1, max_length=8)


SCHEMAS: dict[Section, type[BaseModel]] = {
    "verdict": VerdictSection, "action_plan": ActionPlanSection,
    "future_paths": FuturePathsSection, "deeper_story": DeeperStorySection,
    "risks": RisksSection,
}

BRIEFS: dict[Section, str] = {
    "verdict": (
        f"The verdict, at most {MAX_VERDICT_CHARS} characters. Open with the answer: the "
        "option the evidence favours, as the question names it — or, if it cannot decide, "
        "which missing evidence would and how to get it. Then the two or three numbers that "
        "decide it, the strongest case against, and the first step."),
    "action_plan": (
        "The action plan: two to eight dated steps that carry out the verdict, first repair "
        "first. Each has a who, a what, the days after the run date it is due, and the exact "
        "opening words the owner says to start it — words a person would say in a meeting, "
        "not a summary. A step that only applies if something happens has a condition "
        "('If …'). Cite the evidence ids a step rests on. No step is due after the question's "
        "horizon plus three months."),
    "future_paths": (
        "The future paths: two to four ways the next months could go — one per option the "
        "question names, and, if the verdict puts a repair first, the path that makes it. "
        "Each path is one sentence ('You choose … and …') with one to five milestones in "
        "months after the data's end. A milestone is an outcome the leader would see, never "
        "a step of the action plan again, and it is backed by a forecast of this run "
        "(backing_kind forecast, its id), a finding (its id), or a quote (backing_kind "
        "quote, the statement id, and the statement's words copied exactly in quote)."),
    "deeper_story": (
        f"The deeper story, at most {MAX_STORY_CHARS} characters: the story under the "
        "argument — what the company's current story protects and hides, which problem is "
        "masquerading as another, and the better story. Build it from what the advisors "
        "actually said: quote them (in double quotes, naming who said it) and use an image "
        "only if an advisor used it in a statement below. List every quote or image you "
        "attribute in quotes, with the statement id and the words exactly as written."),
    "risks": (
        "The risks: two to eight of the strongest cases against the verdict. The first "
        f"opens with the question \"{WRONG_IF}\", answers it, and names the evidence that "
        "would show it. Each risk says what would have to happen and what would show it; "
        "set raised_by to the advisor id who raised it in the debate, if one did, and cite "
        "the evidence ids it rests on."),
}


__all__ = ["BRIEFS", "MAX_LINE_CHARS", "MAX_STEP_CHARS", "MAX_STORY_CHARS", "MAX_VERDICT_CHARS",
           "SCHEMAS", "TITLES", "WAVES", "WRONG_IF", "ActionPlanSection",
           "DeeperStorySection", "FuturePathsSection", "MilestoneDraft", "PathDraft",
           "QuoteDraft", "RiskDraft", "RisksSection", "StepDraft", "VerdictSection"]
