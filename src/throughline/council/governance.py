"""The governance envelope: a typed policy every run is checked against.

The default policy ships as ``council/policy/default.yaml``. A user overrides it with
``<workspace>/policy.yaml`` or an explicit file; the user's file is merged over the
default key by key (lists replace lists), then validated. Unknown keys are errors, so a
typo cannot silently switch a rule off.

Rules (one :class:`~throughline.record.decision.PolicyCheck` per enabled rule):

* ``numeric_claims_traced`` — the share of numeric claims (numbers, percentages, currency)
  the claim check verified is at least ``min_verified_share`` (per engine via
  ``by_engine``). No numeric claims → passes.
* ``contradicted_claims_max`` — at most ``max`` contradicted claims.
* ``citations_resolve`` — every citation claim ([n], evidence ids, cites) is verified.
* ``no_unverified_capability_promises`` — no statement or synthesis text (action steps
  included) names a capability whose status is not GA in promising language. A sentence
  promises when it holds a commitment phrase ("we will deliver"), or a promise phrase
  ("includes", "supports") and no status phrase ("on the roadmap", "in beta"); a phrase
  preceded within three words by a negation ("does not include") does not count.
* ``budget`` — tokens (in + out), cost and model calls of the run within the limits.
* ``turns_answered`` — at most ``max_failed_share`` of the advisors' turns failed (a turn
  fails when its model call fails for good); a run past it is *degraded*.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from throughline.council.claimcheck import record_texts
from throughline.core.errors import ConfigError, InputError
from throughline.record.decision import DecisionRecord, PolicyCheck, RunFacts

DEFAULT_POLICY = "policy/default.yaml"
WORKSPACE_POLICY = "policy.yaml"


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True


class NumericClaimsRule(_Rule):
    min_verified_share: float = Field(default=1.0, ge=0.0, le=1.0)
    by_engine: dict[str, float] = Field(
        default_factory=dict, description="Engine name → minimum share, overriding the above.")

    def minimum(self, engine: str) -> float:
        return self.by_engine.get(engine, self.min_verified_share)


class ContradictedClaimsRule(_Rule):
    max: int = Field(default=0, ge=0)


class CitationsRule(_Rule):
    pass


class CapabilityPromisesRule(_Rule):
    commitment_phrases: list[str] = Field(default_factory=list)
    promise_phrases: list[str] = Field(default_factory=list)
    status_phrases: list[str] = Field(default_factory=list)
    negations: list[str] = Field(default_factory=list)


class BudgetRule(_Rule):
    max_tokens: int | None = Field(default=None, ge=0)
    max_cost_usd: float | None = Field(default=None, ge=0.0)
    max_calls: int | None = Field(default=None, ge=0)


class TurnsAnsweredRule(_Rule):
    max_failed_share: float = Field(default=1 / 3, ge=0.0, le=1.0)


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    numeric_claims_traced: NumericClaimsRule = Field(default_factory=NumericClaimsRule)
    contradicted_claims_max: ContradictedClaimsRule = Field(
        default_factory=ContradictedClaimsRule)
    citations_resolve: CitationsRule = Field(default_factory=CitationsRule)
    no_unverified_capability_promises: CapabilityPromisesRule = Field(
        default_factory=CapabilityPromisesRule)
    budget: BudgetRule = Field(default_factory=BudgetRule)
    turns_answered: TurnsAnsweredRule = Field(default_factory=TurnsAnsweredRule)


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    name: str = "default"
    rules: Rules = Field(default_factory=Rules)
    source: str = Field(default="builtin:" + DEFAULT_POLICY,
                        description="Where the policy came from (set by the loader).")


DESCRIPTIONS = {
    "numeric_claims_traced": "Every numeric claim is traced to a finding metric, forecast "
                             "or library passage.",
    "contradicted_claims_max": "No number contradicts the metric its sentence names.",
    "citations_resolve": "Every citation and evidence id resolves to real evidence.",
    "no_unverified_capability_promises": "No statement or action step promises a capability "
                                         "that is not generally available.",
    "budget": "The run stays within its token, cost and call limits.",
    "turns_answered": "At most a third of the advisors' turns failed.",
}


# -- loading ----------------------------------------------------------------------------


def _read_yaml(text: str, source: str) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        raise InputError("the policy file is not valid YAML", file=source, line=line,
                         expected="a YAML mapping with a 'rules:' section") from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: a policy file must be a YAML mapping "
                          f"(got {type(raw).__name__})",
                          hint="start the file with 'rules:' and the rules to change")
    return raw


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _validate(raw: dict[str, Any], source: str) -> Policy:
    if "source" in raw:
        raise ConfigError(f"{source}: key 'source' is set by the loader, not the file")
    try:
        return Policy.model_validate({**raw, "source": source})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            msg = ("unknown key" if err["type"] == "extra_forbidden" else err["msg"])
            got = "" if err["type"] == "extra_forbidden" else f" (got {err['input']!r})"
            problems.append(f"key '{key}': {msg}{got}")
        raise ConfigError(
            f"{source}: invalid policy: " + "; ".join(problems),
            hint="see the default policy (council/policy/default.yaml) for the keys and "
                 "their types",
        ) from exc


def default_policy_text() -> str:
    return resources.files("throughline.council").joinpath(DEFAULT_POLICY).read_text(
        encoding="utf-8")


def load_policy(path: str | Path | None = None, *, workspace: str | Path | None = None,
                ) -> Policy:
    """The policy for a run: the default, with the user's file merged over it.

    ``path`` (an explicit file, which must exist) wins over ``<workspace>/policy.yaml``
    (used when present). Raises ``InputError`` for a missing file or broken YAML and
    ``ConfigError`` naming the file and key for invalid values or unknown keys.
    """
    default_source = "builtin:" + DEFAULT_POLICY
    base = _read_yaml(default_policy_text(), default_source)
    user_path: Path | None = None
    if path is not None:
        user_path = Path(path)
        if not user_path.is_file():
            raise InputError("the policy file does not exist", file=str(user_path),
                             expected="a YAML file with a 'rules:' section")
    elif workspace is not None and (Path(workspace) / WORKSPACE_POLICY).is_file():
        user_path = Path(workspace) / WORKSPACE_POLICY
    if user_path is None:
        return _validate(base, default_source)
    source = str(user_path)
    try:
        text = user_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"the policy file cannot be read: {exc}", file=source) from exc
    user = _read_yaml(text, source)
    return _validate(_merge(base, user), source)


# -- checking ---------------------------------------------------------------------------

Capability = tuple[str, str]  # (name, status: ga / beta / roadmap / none)


def check_policy(policy: Policy, record: DecisionRecord,
                 capabilities: Iterable[Capability] = ()) -> list[PolicyCheck]:
    """One check per enabled rule, in the policy's order. Reads the record's claim check
    (so run it first) and its run facts."""
    rules = policy.rules
    checks: list[PolicyCheck] = []
    if rules.numeric_claims_traced.enabled:
        checks.append(_numeric(rules.numeric_claims_traced, record))
    if rules.contradicted_claims_max.enabled:
        checks.append(_contradicted(rules.contradicted_claims_max, record))
    if rules.citations_resolve.enabled:
        checks.append(_citations(record))
    if rules.no_unverified_capability_promises.enabled:
        checks.append(_promises(rules.no_unverified_capability_promises, record,
                                list(capabilities)))
    if rules.budget.enabled:
        checks.append(check_budget(rules.budget, record.run))
    if rules.turns_answered.enabled:
        checks.append(_turns(rules.turns_answered, record))
    return checks


def _turns(rule: TurnsAnsweredRule, record: DecisionRecord) -> PolicyCheck:
    turns = [s for r in record.rounds for s in r.statements]
    failed = [s.id for s in turns if s.failed]
    if not turns:
        return _check("turns_answered", True, "no turns were taken")
    share = len(failed) / len(turns)
    passed = share <= rule.max_failed_share + 1e-12
    detail = (f"{len(failed)} of {len(turns)} turns failed ({share:.0%}; at most "
              f"{rule.max_failed_share:.0%})")
    if failed:
        detail += ": " + _listed(failed)
    return _check("turns_answered", passed, detail + ("" if passed else "; the run is degraded"))


def _check(rule: str, passed: bool, detail: str) -> PolicyCheck:
    return PolicyCheck(rule=rule, description=DESCRIPTIONS[rule], passed=passed, detail=detail)


def _numeric(rule: NumericClaimsRule, record: DecisionRecord) -> PolicyCheck:
    numeric = [c for c in record.claim_check.claims if c.kind != "citation"]
    minimum = rule.minimum(record.run.engine)
    if not numeric:
        return _check("numeric_claims_traced", True, "no numeric claims in the record")
    verified = sum(c.status == "verified" for c in numeric)
    share = verified / len(numeric)
    passed = share >= minimum - 1e-12
    detail = (f"{verified} of {len(numeric)} numeric claims verified ({share:.1%}; "
              f"minimum {minimum:.1%})")
    if not passed:
        failing = [c.id for c in numeric if c.status != "verified"]
        detail += "; not verified: " + _listed(failing)
    return _check("numeric_claims_traced", passed, detail)


def _contradicted(rule: ContradictedClaimsRule, record: DecisionRecord) -> PolicyCheck:
    bad = [c for c in record.claim_check.claims if c.status == "contradicted"]
    detail = f"{len(bad)} contradicted claim(s) (maximum {rule.max})"
    if bad:
        detail += ": " + _listed([f"{c.id} (evidence: {c.expected})" for c in bad])
    return _check("contradicted_claims_max", len(bad) <= rule.max, detail)


def _citations(record: DecisionRecord) -> PolicyCheck:
    cites = [c for c in record.claim_check.claims if c.kind == "citation"]
    bad = [c for c in cites if c.status != "verified"]
    detail = f"{len(cites) - len(bad)} of {len(cites)} citations resolve"
    if bad:
        detail += "; unresolved: " + _listed([f"{c.id} ({c.text})" for c in bad])
    return _check("citations_resolve", not bad, detail)


def _listed(items: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def check_budget(rule: BudgetRule, run: RunFacts) -> PolicyCheck:
    """The budget rule against the run facts (also usable mid-run with partial facts)."""
    over = budget_overrun(rule, calls=run.calls, tokens=run.tokens_in + run.tokens_out,
                          cost_usd=run.cost_usd)
    tokens = run.tokens_in + run.tokens_out
    used = f"{run.calls} calls, {tokens:,} tokens, ${run.cost_usd:.4f}"
    limits = ", ".join(
        f"{label} {'no limit' if v is None else fmt(v)}"
        for label, v, fmt in (("calls", rule.max_calls, lambda x: f"{x:,}"),
                              ("tokens", rule.max_tokens, lambda x: f"{x:,}"),
                              ("cost", rule.max_cost_usd, lambda x: f"${x:.2f}")))
    detail = f"used {used} (limits: {limits})"
    if over:
        detail = f"over budget: {over}; " + detail
    return _check("budget", over is None, detail)


def budget_overrun(rule: BudgetRule, *, calls: int, tokens: int, cost_usd: float,
                   ) -> str | None:
    """Which limit the usage so far exceeds, or None (for a pipeline that stops early)."""
    over = []
    if rule.max_calls is not None and calls > rule.max_calls:
        over.append(f"{calls:,} calls > {rule.max_calls:,}")
    if rule.max_tokens is not None and tokens > rule.max_tokens:
        over.append(f"{tokens:,} tokens > {rule.max_tokens:,}")
    if rule.max_cost_usd is not None and cost_usd > rule.max_cost_usd + 1e-12:
        over.append(f"${cost_usd:.4f} > ${rule.max_cost_usd:.2f}")
    return "; ".join(over) if over else None


# -- capability promises ----------------------------------------------------------------


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in phrase.lower().split()]
    return re.compile(r"(?<![\w'])" + r"\s+".join(words) + r"(?![\w'])")


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _normalise(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'").lower()


def promise_in(sentence: str, rule: CapabilityPromisesRule) -> str | None:
    """The promising phrase of a sentence (already known to name a non-GA capability)."""
    s = _normalise(sentence)
    negations = [_phrase_pattern(n) for n in rule.negations]

    def unnegated(phrase: str) -> bool:
        for m in _phrase_pattern(phrase).finditer(s):
            before = " ".join(s[:m.start()].split()[-3:])
            if not any(n.search(before) for n in negations):
                return True
        return False

    for phrase in rule.commitment_phrases:
        if unnegated(phrase):
            return phrase
    if any(_phrase_pattern(p).search(s) for p in rule.status_phrases):
        return None
    for phrase in rule.promise_phrases:
        if unnegated(phrase):
            return phrase
    return None


def find_capability_promises(
    rule: CapabilityPromisesRule, texts: Iterable[tuple[str, str]],
    capabilities: Iterable[Capability],
) -> list[tuple[str, str, str, str]]:
    """``(location, capability, status, phrase)`` for each sentence promising a non-GA
    capability."""
    not_ga = [(name, (status or "none").strip().lower())
              for name, status in capabilities
              if name and name.strip() and (status or "").strip().lower() != "ga"]
    patterns = [(name, status, _phrase_pattern(name)) for name, status in not_ga]
    found: list[tuple[str, str, str, str]] = []
    for location, text in texts:
        for sentence in _sentences(text):
            s = _normalise(sentence)
            for name, status, pattern in patterns:
                if not pattern.search(s):
                    continue
                phrase = promise_in(sentence, rule)
                if phrase is not None:
                    found.append((location, name, status, phrase))
    return found


def _promises(rule: CapabilityPromisesRule, record: DecisionRecord,
              capabilities: list[Capability]) -> PolicyCheck:
    if not capabilities:
        return _check("no_unverified_capability_promises", True,
                      "no capabilities table: no capability's status is known, nothing to "
                      "check against")
    not_ga = sum((status or "").strip().lower() != "ga" for _, status in capabilities)
    texts = [(loc, text) for loc, text, _ in record_texts(record)]
    found = find_capability_promises(rule, texts, capabilities)
    if not found:
        return _check("no_unverified_capability_promises", True,
                      f"{len(texts)} texts read; none promises any of the {not_ga} "
                      f"capabilities that are not GA")
    detail = "promised but not GA: " + _listed(
        [f"{loc} promises '{name}' ({status}: \"{phrase}\")"
         for loc, name, status, phrase in found])
    return _check("no_unverified_capability_promises", False, detail)
