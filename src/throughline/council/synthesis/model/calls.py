"""The synthesiser's calls: every section asked wave by wave (each told the sections accepted
before it), a failed or refused section left to the rules, and the accepted ones applied to
the record in a fixed order so citation numbers do not depend on which call ended first.
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from throughline.core.errors import ModelError
from throughline.core.seams import CallInfo
from throughline.core.synthesis_sections import INSTRUCTIONS, SECTIONS, Section
from throughline.council.synthesis.model.checks import problems_of
from throughline.council.synthesis.model.convert import convert
from throughline.council.synthesis.model.prompt import SynthesisInputs, section_prompt, stable_head
from throughline.council.synthesis.model.schemas import SCHEMAS, TITLES, WAVES
from throughline.providers.errors import BudgetExceeded
from throughline.record.decision import DecisionRecord

if TYPE_CHECKING:
    from throughline.providers import ModelAdvisorEngine

@dataclass
class SectionsOutcome:
    written: dict[Section, Any] = field(default_factory=dict)
    """Accepted drafts by section (schema objects)."""
    calls: dict[Section, CallInfo] = field(default_factory=dict)
    failures: dict[Section, str] = field(default_factory=dict)


async def synthesise_sections(engine: ModelAdvisorEngine, inputs: SynthesisInputs
                              ) -> SectionsOutcome:
    """Ask the synthesiser for every section, wave by wave (see the module docstring).
    Never raises for a failed section: it is left to the rules and said in ``failures``."""
    head = stable_head(inputs)
    outcome = SectionsOutcome()
    converted: dict[Section, Any] = {}  # accepted sections as the record holds them
    stopped: str | None = None

    async def one(section: Section) -> None:
        prompt, prefix = section_prompt(section, inputs, head, converted)
        schema = SCHEMAS[section]

        def validate(value: Any) -> list[str]:
            return problems_of(section, value, inputs, converted)

        value, call = await engine.ask("synthesiser", schema, INSTRUCTIONS, prompt,
                                       validate=validate, prefix=prefix,
                                       extra={"section": section})
        outcome.written[section] = value
        outcome.calls[section] = call

    for wave in WAVES:
        if stopped:
            for section in wave:
                outcome.failures[section] = stopped
            continue
        results = await asyncio.gather(*(one(s) for s in wave), return_exceptions=True)
        for section, res in zip(wave, results, strict=True):
            if isinstance(res, BudgetExceeded):
                stopped = f"the run's budget is spent ({res})"
                outcome.failures[section] = stopped
                if res.call is not None:
                    outcome.calls[section] = res.call
            elif isinstance(res, ModelError):
                outcome.failures[section] = str(res)
                call = getattr(res, "call", None)
                if call is not None:
                    outcome.calls[section] = call
            elif isinstance(res, BaseException):
                raise res
        for section in wave:  # what the next wave is told: the sections accepted so far
            if section in outcome.written:
                scratch = copy.copy(inputs.syn.book)
                scratch.items = list(scratch.items)
                converted[section] = convert(section, outcome.written[section], inputs,
                                             scratch, converted)
    return outcome


def apply_sections(record: DecisionRecord, inputs: SynthesisInputs,
                   outcome: SectionsOutcome) -> list[str]:
    """Put the accepted sections into ``record`` in section order (citations numbered in
    that order), refresh its citations and sources, set ``run.model_sections``; returns
    the failure lines for ``run.failures``."""
    written: dict[Section, Any] = {}
    for section in SECTIONS:
        if section in outcome.written:
            written[section] = convert(section, outcome.written[section], inputs,
                                       inputs.syn.book, written)
            setattr(record, section, written[section])
    record.citations = list(inputs.syn.book.items)
    record.sources = inputs.syn.sources()
    record.run.model_sections = [s for s in SECTIONS if s in written]
    return [f"synthesiser ({TITLES[s]}): {outcome.failures[s]} (the rule-based "
            f"{TITLES[s]} {'are' if s in ('future_paths', 'risks') else 'is'} kept)"
            for s in SECTIONS if s in outcome.failures]


def ordered_calls(outcome: SectionsOutcome) -> list[CallInfo]:
    return [outcome.calls[s] for s in SECTIONS if s in outcome.calls]


__all__ = ["SectionsOutcome", "apply_sections", "ordered_calls", "synthesise_sections"]
