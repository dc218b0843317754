"""The persona catalog: built-in advisors (YAML) plus an optional user panel file.

A persona is an :class:`~throughline.record.decision.Advisor` plus what the offline engine and
casting need: the families it weighs, the hypotheses it champions, the decision types it
suits, the untested assumption of its lens (with the finding metric that tests it), and the
metaphor it brings to the last round.

What a model playing the persona is told comes from :meth:`Persona.brief`: the lived
``biography`` paragraph (``background`` stays the one line the record shows), the ``voice``,
the assumption with its test, and the ``images`` (the ``metaphor`` first). User panel files
may leave the richer fields out; the prompt then says less.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from throughline.core.seams import PersonaBrief
from throughline.core.errors import InputError
from throughline.record.decision import Advisor, DecisionType


class Weighs(BaseModel):
    families: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    query: str = ""


class Assumption(BaseModel):
    text: str
    finding: str = Field(description="Finding id whose metric tests the assumption.")
    metric: str
    op: Literal["<=", ">=", "<", ">"]
    value: float
    meaning: str

    def holds(self, observed: float) -> bool:
        return {
            "<=": observed <= self.value, ">=": observed >= self.value,
            "<": observed < self.value, ">": observed > self.value,
        }[self.op]


class Persona(BaseModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: str
    role: str
    lens: str
    background: str
    always_seated: bool = False
    weighs: Weighs = Field(default_factory=Weighs)
    champions: list[str] = Field(default_factory=list)
    decision_types: list[DecisionType] = Field(default_factory=list)
    assumption: Assumption
    metaphor: str
    protects: str
    hides: str
    biography: str = Field(default="", description="A lived-background paragraph (prompt).")
    voice: str = Field(default="", description="How the advisor speaks and argues (prompt).")
    images: list[str] = Field(default_factory=list,
                              description="Images it reaches for besides its metaphor.")

    def brief(self) -> PersonaBrief:
        """The persona as the prompt presents it (whitespace of YAML folding collapsed)."""
        a = self.assumption
        op = {"<=": "at most", ">=": "at least", "<": "below", ">": "above"}[a.op]
        return PersonaBrief(
            biography=_one_line(self.biography or self.background), voice=_one_line(self.voice),
            assumption=_one_line(a.text), test_finding=a.finding, test_metric=a.metric,
            test_rule=f"{a.metric} {op} {a.value:g}: {a.meaning}",
            images=list(dict.fromkeys(_one_line(i) for i in [self.metaphor, *self.images]
                                      if i.strip())),
            protects=_one_line(self.protects), hides=_one_line(self.hides),
        )

    def advisor(self, *, model: str = "offline", model_reason: str = "",
                cast_reason: str = "") -> Advisor:
        return Advisor(
            id=self.id, name=self.name, role=self.role, lens=self.lens,
            background=" ".join(self.background.split()),
            weighs=list(self.weighs.families), always_seated=self.always_seated,
            model=model, model_reason=model_reason, cast_reason=cast_reason,
        )


def _one_line(text: str) -> str:
    return " ".join(text.split())


class Catalog(BaseModel):
    advisors: list[Persona]

    def get(self, persona_id: str) -> Persona:
        for p in self.advisors:
            if p.id == persona_id:
                return p
        raise KeyError(persona_id)


def _parse(text: str, source: str) -> Catalog:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise InputError(
            "the panel file is not valid YAML",
            file=source, line=None if line is None else line + 1,
            expected="a YAML mapping with an 'advisors:' list",
        ) from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("advisors"), list):
        raise InputError("the panel file has no 'advisors:' list", file=source,
                         expected="a YAML mapping with an 'advisors:' list")
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"]
        where = ".".join(str(p) for p in loc)
        index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
        who = ""
        if index is not None and index < len(raw["advisors"]):
            entry = raw["advisors"][index]
            if isinstance(entry, dict) and entry.get("id"):
                who = f" (advisor '{entry['id']}')"
        raise InputError(
            f"the panel file has an invalid advisor{who}: {err['msg']}",
            file=source, column=where,
            expected="each advisor: id, name, role, lens, background, assumption "
                     "{text, finding, metric, op, value, meaning}, metaphor, protects, hides",
        ) from exc


def builtin_catalog() -> Catalog:
    text = resources.files("throughline.council").joinpath("personas/catalog.yaml").read_text(
        encoding="utf-8")
    return _parse(text, "builtin:personas/catalog.yaml")


def load_catalog(panel: Path | None = None) -> tuple[Catalog, list[str]]:
    """The built-in catalog merged with a user panel file; returns it and the user's ids.

    A user advisor with a built-in id replaces it; new ids are added. The user's ids are
    returned so casting can seat them first (a panel file says who the user wants).
    """
    catalog = builtin_catalog()
    if panel is None:
        return catalog, []
    path = Path(panel)
    if not path.is_file():
        raise InputError("the panel file does not exist", file=str(path),
                         expected="a YAML file with an 'advisors:' list")
    user = _parse(path.read_text(encoding="utf-8"), str(path))
    ids = [p.id for p in user.advisors]
    if len(set(ids)) != len(ids):
        raise InputError("the panel file names the same advisor id twice", file=str(path),
                         expected="unique advisor ids")
    merged = {p.id: p for p in catalog.advisors}
    for p in user.advisors:
        merged[p.id] = p
    return Catalog(advisors=list(merged.values())), ids
