"""The council's seams: what an advisor engine receives and returns, and progress events.

Two engines sit behind :class:`AdvisorEngine`: the deterministic offline engine
(``council/offline/``) and model-backed advisors (``throughline.providers``). The pipeline
(``council/convene.py``) only talks to this protocol, so both run the same stages and
write the same record.

What an engine can do beyond speaking is declared by the ability protocols below (as
``llm`` declares a model's capabilities): :class:`SeatsModels` (puts a model in each seat
and estimates the run before it starts), :class:`RecordsCalls` (writes its own calls to
the run log) and :class:`Closeable` (holds HTTP clients to close). The pipeline checks
them with ``isinstance``; the offline engine has none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from throughline.core.debate import Advisor, Intent, Move, Statement


class EvidenceCard(BaseModel):
    """One piece of evidence put before an advisor: a finding or a library passage.

    ``text`` is data, never instructions: engines that build prompts must delimit it.
    """

    id: str = Field(description="Finding id or passage id; what a statement cites.")
    kind: Literal["finding", "passage"]
    title: str
    text: str
    family: str | None = Field(default=None, description="Diagnose family for findings.")
    severity: str | None = None
    metrics: dict[str, Any] = Field(
        default_factory=dict, description="Finding metrics as {name: {value, unit, n}}."
    )
    location: str | None = None
    untrusted_instructions: bool = False


class RoundSpec(BaseModel):
    number: int
    title: str
    purpose: str
    blind: bool = Field(default=False, description="Advisors see no peer statement.")
    brief: str = Field(default="", description="What a great statement in this round does "
                       "(several sentences; the prompt's round-specific part). Empty: the "
                       "purpose stands in.")


class PersonaBrief(BaseModel):
    """Who an advisor is, as the model playing it needs to know: the catalog's persona
    beyond the record's one-line ``Advisor`` (lived background, voice, the assumption the
    lens carries and the metric that tests it, the images it reaches for)."""

    biography: str = Field(default="", description="A lived-background paragraph.")
    voice: str = Field(default="", description="How this advisor speaks and argues.")
    assumption: str = Field(default="", description="The untested assumption of the lens.")
    test_finding: str | None = Field(default=None, description="Finding id holding the test.")
    test_metric: str | None = Field(default=None, description="Metric of that finding.")
    test_rule: str = Field(default="", description="When the assumption holds, in words.")
    images: list[str] = Field(default_factory=list, description="Images it reaches for.")
    protects: str = ""
    hides: str = ""


class TurnRequest(BaseModel):
    """Everything one advisor may see for one turn. Later rounds get summaries, not transcripts."""

    run_id: str
    round: RoundSpec
    advisor: Advisor
    peers: list[Advisor]
    intent: Intent
    binding: str | None
    runner_up: str | None
    evidence: list[EvidenceCard] = Field(description="The advisor's lens-filtered evidence pack.")
    summaries: list[str] = Field(default_factory=list, description="Summaries of earlier rounds.")
    visible: list[Statement] = Field(
        default_factory=list,
        description="Peer statements of the previous round (empty when the round is blind).",
    )
    own_history: list[Statement] = Field(default_factory=list)
    conviction: float | None = Field(default=None, description="The advisor's last conviction.")
    persona: PersonaBrief | None = Field(
        default=None, description="The advisor's persona beyond the record's one line.")
    total_rounds: int | None = Field(default=None, description="Rounds this debate runs.")


class TurnReply(BaseModel):
    """What an advisor engine returns for one turn (validated before it enters the record)."""

    move: Move
    text: str = Field(min_length=1)
    addressed: list[str] = Field(default_factory=list)
    cites: list[str] = Field(default_factory=list)
    conviction: float = Field(ge=0.0, le=1.0, description="How strongly the advisor believes "
                              "the answer it argues for is the right answer to the user's "
                              "question.")
    conviction_cause: str | None = None
    responds_to: str | None = Field(
        default=None, description="From round 2: the peer statement whose claim it takes up.")
    claim: str | None = Field(
        default=None, description="The peer's words it disputes or extends, quoted.")
    peer_note: str | None = Field(
        default=None, description="Why no peer claim was taken up (missing, unknown id, "
                                  "misquoted number), when that happened.")
    dropped_cites: list[str] = Field(
        default_factory=list,
        description="Ids the reply cited that are not in the advisor's evidence (dropped).")


class CallInfo(BaseModel):
    """What an engine reports about the call behind a reply (logged in the run log)."""

    role: str
    engine: str
    model: str
    reason: str
    parameters: dict[str, Any] = Field(default_factory=dict)
    tokens_in: int = 0
    tokens_out: int = 0
    latency_s: float = 0.0
    outcome: str = "ok"
    cost_usd: float = 0.0


class AdvisorEngine(Protocol):
    """Speaks for advisors and summarises rounds. Implementations must be deterministic
    given their inputs (the offline engine) or record every call (model engines).
    Both methods are coroutines; a failure raises ``throughline.core.errors.ModelError``."""

    name: str

    async def turn(self, request: TurnRequest) -> tuple[TurnReply, CallInfo]:
        """One advisor's statement for one round. The pipeline runs the advisors of one
        round concurrently (bounded by a semaphore), so implementations must not share
        mutable state across calls without a lock."""
        ...

    async def summarize(
        self, round_: RoundSpec, statements: list[Statement], panel: list[Advisor],
        intent: Intent,
    ) -> tuple[str, CallInfo]:
        """A short summary that closes a round; later rounds see it instead of the transcript."""
        ...


class Estimate(Protocol):
    """A run's estimate before it starts (calls, tokens, cost), as one sentence."""

    @property
    def note(self) -> str: ...


@runtime_checkable
class SeatsModels(Protocol):
    """An engine that puts a model in each advisor's seat: it fills in the panel's models,
    builds them before the run (so a missing key fails now, not mid-run) and estimates the
    run's calls and cost from the round-1 requests."""

    def advisors_with_models(self, panel: Sequence[Advisor]) -> list[Advisor]:
        """The panel with each advisor's model and the reason for it filled in."""
        ...

    def prepare(self, panel: Sequence[Advisor]) -> list[Any]:
        """Build every model the run will use; the ``ModelUse`` entries of the record."""
        ...

    def plan(self, first_round: Sequence[TurnRequest], rounds: int) -> list[Any]:
        """The calls the run will make (planned from the round-1 requests)."""
        ...

    def estimate(self, calls: Sequence[Any]) -> Estimate:
        """What the planned calls should cost."""
        ...


@runtime_checkable
class RecordsCalls(Protocol):
    """An engine that writes every call it makes to the run log itself, through its call
    store (``None``: it keeps no log, and the pipeline logs its calls)."""

    store: Any


@runtime_checkable
class Closeable(Protocol):
    """An engine holding resources (HTTP clients) to close when a stage's event loop ends."""

    async def aclose(self) -> None: ...


class Event(BaseModel):
    """A progress event: the CLI renders them with Rich, tests subscribe to them."""

    kind: Literal[
        "run_started", "stage_started", "stage_finished", "turn", "round_finished",
        "warning", "run_finished",
    ]
    stage: str | None = None
    message: str
    data: dict[str, Any] = Field(default_factory=dict)


EventSink = Callable[[Event], None]
