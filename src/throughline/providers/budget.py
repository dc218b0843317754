"""Budgets: a dated price table, a pre-run estimate, and the per-run token/cost limit.

**Prices.** :data:`PRICE_TABLE` is small on purpose: the models the README suggests, in USD
per million tokens, as listed by the providers on :data:`PRICES_AS_OF` (cross-checked against
the ``genai-prices`` data that ships with Pydantic AI). ``settings.models.prices`` adds or
overrides entries. Local models (Ollama, loopback servers) cost 0. A model with no known
price gets *no* cost estimate — the estimate says so (``unpriced``) rather than guessing,
and a cost limit cannot be enforced for it (:class:`Budget` refuses to start).

**Estimate.** ``calls × prompt-size estimate × price``: :func:`estimate_run` adds up
:class:`PlannedCall` rows (role, model, prompt tokens, output tokens, count). Token counts
are estimated as ``ceil(chars / 4)``.

**Limit.** :class:`Budget` reserves the estimated prompt tokens plus ``max_output_tokens``
before every request and settles to the real usage after it, so concurrent turns cannot
jointly overshoot: when a reservation would pass ``max_tokens`` or ``max_cost_usd`` the
request is not sent and :class:`~throughline.providers.errors.BudgetExceeded` is raised — and
raised again for every later request (the run is over; in-flight calls finish).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from throughline.core.errors import ConfigError
from throughline.core.model_config import ModelPrice
from throughline.providers.errors import BudgetExceeded
from throughline.core.model_spec import ModelSpec, parse_model

PRICES_AS_OF = date(2026, 11, 21)
PRICE_TABLE: dict[str, ModelPrice] = {
    "openai:gpt-4o-mini": ModelPrice(input_per_mtok=0.15, output_per_mtok=0.60),
    "openai:gpt-4o": ModelPrice(input_per_mtok=2.50, output_per_mtok=10.00),
    "openai:gpt-4.1-mini": ModelPrice(input_per_mtok=0.40, output_per_mtok=1.60),
    "openai:gpt-4.1-nano": ModelPrice(input_per_mtok=0.10, output_per_mtok=0.40),
    "openai:gpt-5-mini": ModelPrice(input_per_mtok=0.25, output_per_mtok=2.00),
    "openai:gpt-5-nano": ModelPrice(input_per_mtok=0.05, output_per_mtok=0.40),
    "anthropic:claude-haiku-4-5": ModelPrice(input_per_mtok=1.00, output_per_mtok=5.00),
    "anthropic:claude-sonnet-4-5": ModelPrice(input_per_mtok=3.00, output_per_mtok=15.00),
    "anthropic:claude-sonnet-4-6": ModelPrice(input_per_mtok=3.00, output_per_mtok=15.00),
    "anthropic:claude-opus-4-5": ModelPrice(input_per_mtok=5.00, output_per_mtok=25.00),
}
LOCAL_PRICE = ModelPrice(input_per_mtok=0.0, output_per_mtok=0.0)


def estimate_tokens(text: str) -> int:
    """A provider-neutral token estimate: about four characters per token."""
    return math.ceil(len(text) / 4)


@dataclass(frozen=True)
class PriceTable:
    prices: Mapping[str, ModelPrice] = field(default_factory=lambda: dict(PRICE_TABLE))
    as_of: date = PRICES_AS_OF

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, ModelPrice]) -> PriceTable:
        merged = dict(PRICE_TABLE)
        merged.update({str(parse_model(k)): v for k, v in overrides.items()})
        return cls(prices=merged)

    def price(self, model: str | ModelSpec) -> ModelPrice | None:
        spec = parse_model(model) if isinstance(model, str) else model
        key = str(spec)
        if key in self.prices:
            return self.prices[key]
        if spec.is_local:
            return LOCAL_PRICE
        return None

    def cost(self, model: str | ModelSpec, tokens_in: int, tokens_out: int) -> float | None:
        p = self.price(model)
        if p is None:
            return None
        return (tokens_in * p.input_per_mtok + tokens_out * p.output_per_mtok) / 1_000_000


@dataclass(frozen=True)
class PlannedCall:
    role: str
    model: str
    prompt_tokens: int
    output_tokens: int
    count: int = 1


@dataclass(frozen=True)
class RunEstimate:
    calls: int
    tokens_in: int
    tokens_out: int
    cost_usd: float | None
    unpriced: list[str]
    prices_as_of: date
    by_role: dict[str, int]

    @property
    def note(self) -> str:
        head = (
            f"about {self.calls} calls, {self.tokens_in:,} prompt tokens and up to "
            f"{self.tokens_out:,} output tokens"
        )
        if self.cost_usd is None:
            return (
                f"{head}; cost not estimated: no price known for "
                f"{', '.join(self.unpriced)} (add one under settings.models.prices)"
            )
        if self.cost_usd == 0 and not self.unpriced:
            return f"{head}; no per-token cost (local models)"
        tail = f" (prices as of {self.prices_as_of.isoformat()})"
        if self.unpriced:
            tail += f"; not counted, no price known: {', '.join(self.unpriced)}"
        return f"{head}; about ${self.cost_usd:.4f}{tail}"


def estimate_run(calls: Iterable[PlannedCall], prices: PriceTable | None = None) -> RunEstimate:
    """Add up planned calls; cost is ``None`` when no planned model has a known price."""
    prices = prices or PriceTable()
    n = tin = tout = 0
    cost = 0.0
    priced_any = False
    unpriced: list[str] = []
    by_role: dict[str, int] = {}
    for c in calls:
        n += c.count
        tin += c.prompt_tokens * c.count
        tout += c.output_tokens * c.count
        by_role[c.role] = by_role.get(c.role, 0) + c.count
        one = prices.cost(c.model, c.prompt_tokens, c.output_tokens)
        if one is None:
            if c.model not in unpriced:
                unpriced.append(c.model)
        else:
            priced_any = True
            cost += one * c.count
    return RunEstimate(
        calls=n,
        tokens_in=tin,
        tokens_out=tout,
        cost_usd=cost if priced_any else None,
        unpriced=unpriced,
        prices_as_of=prices.as_of,
        by_role=by_role,
    )


@dataclass
class Reservation:
    model: str
    tokens: int
    cost: float


class Budget:
    """Token and cost limits for one run. Single event loop: reserve/settle never await."""

    def __init__(
        self,
        *,
        max_tokens: int | None = None,
        max_cost_usd: float | None = None,
        prices: PriceTable | None = None,
        max_output_tokens: int = 700,
    ) -> None:
        self.max_tokens = max_tokens
        self.max_cost_usd = max_cost_usd
        self.prices = prices or PriceTable()
        self.max_output_tokens = max_output_tokens
        self.tokens_used = 0
        self.cost_used = 0.0
        self._reserved_tokens = 0
        self._reserved_cost = 0.0
        self.exceeded: tuple[str, str] | None = None
        """(limit, message) once the budget is reached; every later reserve() raises."""

    def __repr__(self) -> str:
        return (
            f"Budget(tokens={self.tokens_used}/{self.max_tokens}, "
            f"cost={self.cost_used:.4f}/{self.max_cost_usd})"
        )

    def check_models(self, models: Iterable[str]) -> None:
        """A cost limit needs a price for every model the run uses."""
        if self.max_cost_usd is None:
            return
        unpriced = sorted({m for m in models if self.prices.price(m) is None})
        if unpriced:
            raise ConfigError(
                f"cannot enforce max_cost_usd_per_run: no price known for {', '.join(unpriced)}",
                hint="add the price under settings.models.prices, or limit tokens instead "
                "(THROUGHLINE_MAX_TOKENS_PER_RUN)",
            )

    def reserve(
        self, model: str, prompt_tokens: int, max_output_tokens: int | None = None
    ) -> Reservation:
        """Hold prompt tokens plus the request's output cap (``max_output_tokens``, else the
        run's) until :meth:`settle`; raise :class:`BudgetExceeded` instead of sending."""
        if self.exceeded is not None:
            raise self._error(*self.exceeded)
        out = self.max_output_tokens if max_output_tokens is None else max_output_tokens
        tokens = prompt_tokens + out
        cost = self.prices.cost(model, prompt_tokens, out) or 0.0
        for name, limit, projected, said in (
            ("max_tokens", self.max_tokens, self.tokens_used + self._reserved_tokens + tokens,
             "{projected:,} tokens, over its budget of {limit:,}"),
            ("max_cost_usd", self.max_cost_usd, self.cost_used + self._reserved_cost + cost,
             "${projected:.4f}, over its budget of ${limit:.4f}"),
        ):
            if limit is not None and projected > limit:
                self._stop(name, "the next call would bring the run to about "
                           + said.format(projected=projected, limit=limit))
        self._reserved_tokens += tokens
        self._reserved_cost += cost
        return Reservation(model, tokens, cost)

    def settle(self, reservation: Reservation, tokens_in: int, tokens_out: int) -> float:
        """Replace a reservation by what was really used; return the call's cost (0 if unpriced)."""
        self.release(reservation)
        cost = self.prices.cost(reservation.model, tokens_in, tokens_out) or 0.0
        self.tokens_used += tokens_in + tokens_out
        self.cost_used += cost
        return cost

    def release(self, reservation: Reservation) -> None:
        self._reserved_tokens -= reservation.tokens
        self._reserved_cost -= reservation.cost
        reservation.tokens, reservation.cost = 0, 0.0

    def _stop(self, limit: str, why: str) -> None:
        self.exceeded = (limit, f"run budget reached: {why}; stopping with a partial record")
        raise self._error(*self.exceeded)

    def _error(self, limit: str, message: str) -> BudgetExceeded:
        return BudgetExceeded(
            message, limit=limit, tokens_used=self.tokens_used, cost_used_usd=self.cost_used
        )
