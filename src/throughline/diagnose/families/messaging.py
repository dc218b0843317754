"""Messaging coherence: do the website, deck, email sequence and proposal tell one story?

Messaging artifacts are a handful of documents, so their text is processed in Python
(deterministically; no model). Rows come from the engine with one ``SELECT``.

Text model
----------
* **Units** — Markdown is stripped to text, split into sentences (``. ! ?`` and line
  breaks: headings and bullets are sentences too).
* **Tokens** — lower-cased words and numbers; a light plural fold (``reports`` →
  ``report``, ``companies`` → ``company``). *Content tokens* drop a fixed English
  stop-word list.
* **Claims** (key phrases) — RAKE-style candidates: maximal runs of two to five content
  tokens not broken by a stop word or punctuation ("close the books in 2 days" →
  ``close book``, ``2 day``). An artifact kind *states* a claim when the claim is one of
  its own phrases or its tokens appear in order inside one of its sentences' content
  tokens (so "two days" is found in "two days instead of ten"). A claim is *shared* when
  two or more kinds state it, *single-artifact* when only one does.
* **Similarity** — TF-IDF over content unigrams and bigrams, one document per artifact
  kind (several emails of one sequence are one document): sublinear tf (1 + ln tf),
  smooth idf ln((1 + N) / (1 + df)) + 1, L2-normalised; cosine for each pair. This is
  scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` weighting, written in numpy
  (scikit-learn is not a dependency; thirty lines do not justify adding it).

Signals
-------
``messaging_incoherence`` — artifact kinds that are *orphaned*: they share fewer than two
claims with every other kind (or, for an artifact stating fewer than two claims, fewer
than all of them). One shared two-word phrase is routinely coincidence ("month end",
"finance team"); two distinct shared claims is the smallest evidence that two artifacts
carry one message. Signal = one-sided 95% Wilson lower bound of the orphaned share,
treating each kind as one observation of how the company messages: two orphans out of
two is weak evidence (0.42), four out of four clear (0.60). Pairwise cosine similarity is
reported beside it for readers.

``messaging_unbacked_claims`` — capabilities named in the artifacts (the capability's
name matched as a whole phrase, or its id). Signal = one-sided 95% Wilson lower bound of
the share of (artifact kind, capability) mentions whose capability is not GA.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import ibis.expr.types as ir
import numpy as np

from throughline.diagnose import stats
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import count, counted, finding, metric, pct
from throughline.diagnose.findings import Finding, Severity, Significance
from throughline.diagnose.registry import diagnostic
from throughline.diagnose.toolkit import evidence, rows

FAMILY = "messaging"
MIN_SHARED = 2  # distinct shared claims that tie two artifacts to one message
MAX_ARTIFACTS = 500
MAX_CHARS = 200_000
MESSAGING_NEEDS = ("messaging artifacts (website, deck, email sequence, proposal) as text, "
                   "at least two kinds",)
CLAIMS_NEEDS = MESSAGING_NEEDS + ("a capabilities list with GA / beta / roadmap status",)

STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each either else
even ever every few for from further get gets got had has have having he her here hers him
his how i if in into is it its itself just let like may me might more most much must my
no nor not now of off on once only or other our ours out over own per please same she
should so some such than that the their theirs them then there these they this those
through to too under until up upon us very via was we well were what when where which
while who whom why will with within without would yet you your yours hi hello thanks
thank regards best dear re fw fwd
""".split())

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


# -- text --------------------------------------------------------------------------------


def strip_markdown(text: str) -> str:
    """Markdown to plain text: links keep their words, markup characters go."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"(?m)^\s{0,3}(#{1,6}|[-*+>]|\d+[.)])\s+", "", text)
    text = re.sub(r"[*_`~|]+", " ", text)
    return text


def sentences(text: str) -> list[str]:
    parts = _SENTENCE_END.split(strip_markdown(text))
    return [p.strip() for p in parts if p and p.strip()]


def fold(word: str) -> str:
    """A light plural fold so 'reports' and 'report' count as one term."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Lower-cased, folded words and numbers (stop words kept)."""
    return [fold(w.replace("'", "")) for w in _WORD.findall(text.lower().replace("-", " "))]


def content(tokens_: Sequence[str]) -> list[str]:
    return [t for t in tokens_ if t not in STOP_WORDS]


def terms(sentence: str) -> list[str]:
    """TF-IDF terms of a sentence: content unigrams and bigrams of adjacent content words."""
    toks = content(tokens(sentence))
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:])]


def key_phrases(sentence: str) -> list[str]:
    """RAKE-style claims: runs of 2–5 content tokens unbroken by stop words."""
    out: list[str] = []
    for chunk in re.split(r"[,;:()\[\]\"“”]|\s[-–—]\s", sentence):
        run: list[str] = []
        for tok in tokens(chunk) + [""]:
            if tok and tok not in STOP_WORDS:
                run.append(tok)
                continue
            if 2 <= len(run) <= 5:
                out.append(" ".join(run))
            elif len(run) > 5:
                out.extend(" ".join(run[i:i + 5]) for i in range(0, len(run) - 4))
            run = []
    return out


# -- TF-IDF ------------------------------------------------------------------------------


def tfidf_matrix(docs: Sequence[Sequence[str]]) -> np.ndarray:
    """Rows: L2-normalised TF-IDF vectors (sublinear tf, smooth idf) of term lists."""
    vocab = sorted({t for d in docs for t in d})
    index = {t: i for i, t in enumerate(vocab)}
    tf = np.zeros((len(docs), len(vocab)))
    for r, d in enumerate(docs):
        for term, c in Counter(d).items():
            tf[r, index[term]] = 1.0 + math.log(c)
    df = (tf > 0).sum(axis=0)
    idf = np.log((1 + len(docs)) / (1 + df)) + 1.0
    m = tf * idf
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


def cosine_matrix(docs: Sequence[Sequence[str]]) -> np.ndarray:
    m = tfidf_matrix(docs)
    return m @ m.T


def mean_pairwise(sim: np.ndarray) -> float:
    k = sim.shape[0]
    if k < 2:
        return 0.0
    iu = np.triu_indices(k, 1)
    return float(sim[iu].mean())


@dataclass
class Coherence:
    kinds: list[str]
    similarity: np.ndarray
    mean_similarity: float
    claims: dict[str, list[str]] = field(default_factory=dict)  # claim → kinds stating it
    shared_pairs: dict[tuple[str, str], int] = field(default_factory=dict)

    def own_claims(self, kind: str) -> int:
        return sum(1 for kinds in self.claims.values() if kind in kinds)

    @property
    def orphans(self) -> list[str]:
        """Kinds tied to no other kind: every pair shares fewer than ``MIN_SHARED`` claims
        (or fewer than the smaller artifact states, when one states fewer than that)."""
        def tied(a: str, b: str) -> bool:
            need = min(MIN_SHARED, self.own_claims(a), self.own_claims(b))
            return need > 0 and self.shared_pairs.get(_pair(a, b), 0) >= need

        return [a for a in self.kinds if not any(tied(a, b) for b in self.kinds if b != a)]

    @property
    def orphan_share(self) -> float:
        return len(self.orphans) / len(self.kinds) if self.kinds else 0.0

    @property
    def signal(self) -> float:
        """One-sided 95% Wilson lower bound of the orphaned share of artifact kinds."""
        return stats.wilson_lower(len(self.orphans), len(self.kinds))


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _contains(seq: Sequence[str], phrase: Sequence[str]) -> bool:
    k = len(phrase)
    return any(list(seq[i:i + k]) == list(phrase) for i in range(len(seq) - k + 1))


def coherence(docs: dict[str, str]) -> Coherence:
    """Pairwise similarity and claims for documents keyed by artifact kind."""
    kinds = sorted(docs)
    units = {k: sentences(docs[k]) for k in kinds}
    sim = cosine_matrix([[t for s in units[k] for t in terms(s)] for k in kinds])
    streams = {k: [content(tokens(s)) for s in units[k]] for k in kinds}
    own: dict[str, set[str]] = {k: {p for s in units[k] for p in key_phrases(s)}
                                for k in kinds}
    claims: dict[str, list[str]] = {}
    for phrase in sorted(set().union(*own.values())):
        toks = phrase.split(" ")
        claims[phrase] = [k for k in kinds if phrase in own[k]
                          or any(_contains(seq, toks) for seq in streams[k])]
    shared_pairs: dict[tuple[str, str], int] = {}
    for i, a in enumerate(kinds):
        for b in kinds[i + 1:]:
            shared_pairs[(a, b)] = sum(1 for ks in claims.values() if a in ks and b in ks)
    return Coherence(kinds=kinds, similarity=sim, mean_similarity=mean_pairwise(sim),
                     claims=claims, shared_pairs=shared_pairs)


# -- diagnostics -------------------------------------------------------------------------


def _artifacts(ctx: DiagnoseContext) -> tuple[dict[str, str], int, ir.Table]:
    """Artifact text joined per kind (lower-cased kind), the row count and the query."""
    t = ctx.require("messaging_artifacts")
    expr = t.filter(t.text.notnull()).select("artifact_id", "kind", "text").order_by(
        "artifact_id").limit(MAX_ARTIFACTS)
    by_kind: dict[str, list[str]] = {}
    found = rows(ctx, expr)
    for r in found:
        kind = str(r["kind"] or "other").strip().lower() or "other"
        by_kind.setdefault(kind, []).append(str(r["text"])[:MAX_CHARS])
    return {k: "\n".join(v) for k, v in by_kind.items()}, len(found), expr


@diagnostic(id="messaging.coherence", needs_text=MESSAGING_NEEDS)
def messaging_coherence(ctx: DiagnoseContext) -> list[Finding]:
    title = ctx.declared.title  # the declared title
    docs, n_artifacts, text_expr = _artifacts(ctx)
    docs = {k: v for k, v in docs.items() if content(tokens(v))}
    if len(docs) < 2:
        raise unmeasurable("fewer than two kinds of messaging artifact with text", MESSAGING_NEEDS)
    c = coherence(docs)
    kinds = c.kinds
    pairs = [(kinds[i], kinds[j], float(c.similarity[i, j]))
             for i in range(len(kinds)) for j in range(i + 1, len(kinds))]
    weakest = min(pairs, key=lambda p: (p[2], p[0], p[1]))
    shared = [k for k, v in c.claims.items() if len(v) >= 2]
    single = [k for k, v in c.claims.items() if len(v) == 1]
    everywhere = [k for k, v in c.claims.items() if len(v) == len(kinds)]
    orphans = c.orphans
    n_claims = len(c.claims)
    shared_share = len(shared) / n_claims if n_claims else None
    metrics = [
        metric("orphaned_share", c.orphan_share, "ratio", n=len(kinds),
               label=f"Artifact kinds sharing fewer than {MIN_SHARED} claims with any other"),
        metric("orphaned_kinds", len(orphans), "count", n=len(kinds)),
        metric("artifact_kinds", len(kinds), "count"),
        metric("mean_similarity", c.mean_similarity, "statistic", n=len(pairs),
               label="Mean pairwise TF-IDF cosine"),
        metric("weakest_pair_similarity", weakest[2], "statistic"),
        metric("claims", n_claims, "count", label="Distinct key phrases (claims)"),
        metric("shared_claims", len(shared), "count", n=n_claims,
               label="Claims stated in two or more artifact kinds"),
        metric("single_artifact_claims", len(single), "count", n=n_claims),
        metric("claims_in_every_artifact", len(everywhere), "count", n=n_claims),
        metric("shared_claim_share", shared_share, "ratio", n=n_claims),
    ]
    statement = (f"{count(len(orphans))} of {count(len(kinds))} artifact kinds share fewer "
                 f"than {MIN_SHARED} claims with any other"
                 + (f" ({', '.join(orphans)})" if orphans else "")
                 + f"; {count(len(shared))} of {count(n_claims)} claims "
                 f"({pct(shared_share or 0.0)}) appear in more than one artifact, "
                 f"{count(len(everywhere))} in all of them, and the mean pairwise "
                 f"similarity is {num2(c.mean_similarity)}.")
    severity = (Severity.problem if c.signal >= 0.5 else
                Severity.watch if orphans else Severity.info)
    series: list[dict[str, object]] = [
        {"pair": f"{a} vs {b}", "similarity": round(sim, 4),
         "shared_claims": c.shared_pairs.get((a, b), 0)} for a, b, sim in pairs]
    return [finding(
        ctx, slug="pairwise", title=title,
        statement=statement, metrics=metrics, n=None, severity=severity,
        comparison=f"claims and TF-IDF similarity between artifact kinds; weakest pair: "
                   f"{weakest[0]} vs {weakest[1]}",
        evidence=[evidence(ctx, "messaging_artifacts", text_expr, n_artifacts,
                           "artifacts with text, grouped by kind")],
        caveats=["Claims are key phrases matched after normalisation; paraphrases with no "
                 "shared words count as different claims.",
                 "With few artifact kinds the signal is weak by construction: each kind "
                 "counts as one observation."],
        signals={"messaging_incoherence": c.signal},
        series=series,
    ), _claims_finding(ctx, c, text_expr, n_artifacts)]


def _claims_finding(ctx: DiagnoseContext, c: Coherence, text_expr: ir.Table,
                    n_artifacts: int) -> Finding:
    """Which claims travel and which stay in one artifact (a table for the reader)."""
    ranked = sorted(c.claims.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    single: dict[str, int] = {k: 0 for k in c.kinds}
    for kinds in c.claims.values():
        if len(kinds) == 1:
            single[kinds[0]] += 1
    most = max(c.kinds, key=lambda k: (single[k], k))
    metrics = [metric(f"single_artifact_claims_{k}", single[k], "count",
                      label=f"Claims only the {k} makes") for k in c.kinds]
    widest = ranked[0] if ranked else None
    statement = (f"The {most} makes {counted(single[most], 'claim')} no other artifact "
                 "makes")
    if widest and len(widest[1]) >= 2:
        metrics.append(metric("widest_claim_kinds", len(widest[1]), "count",
                              n=len(c.kinds)))
        statement += (f"; the most widely shared claim, '{widest[0]}', appears in "
                      f"{count(len(widest[1]))} of {count(len(c.kinds))} artifact kinds")
    series: list[dict[str, object]] = [
        {"claim": k, "artifacts": ", ".join(v), "kinds": len(v)} for k, v in ranked[:60]]
    return finding(
        ctx, slug="claims",
        title="Claims that travel and claims that stay in one artifact",
        statement=statement + ".", metrics=metrics, n=None,
        comparison="key phrases stated per artifact kind",
        evidence=[evidence(ctx, "messaging_artifacts", text_expr, n_artifacts,
                           "artifacts with text, grouped by kind")],
        series=series)


def num2(v: float) -> str:
    """Similarities with two decimals (the metrics hold the unrounded values)."""
    return f"{v:.2f}"


def _capability_patterns(caps: list[dict[str, object]]) -> list[tuple[str, str, str, str]]:
    """(capability id, name, status, token pattern) for each capability."""
    out = []
    for c in caps:
        cid = str(c["capability_id"] or "").strip()
        name = str(c["name"] or "").strip()
        status = str(c["status"] or "").strip().lower() or "none"
        out.append((cid, name, status, " ".join(tokens(name))))
    return out


def _mentions(text: str, pattern: str, cid: str) -> list[str]:
    """Sentences of ``text`` naming the capability (whole-phrase match on tokens)."""
    found = []
    for s in sentences(text):
        joined = " " + " ".join(tokens(s)) + " "
        if (pattern and f" {pattern} " in joined) or (cid and cid.lower() in s.lower()):
            found.append(s)
    return found


@diagnostic(id="messaging.unbacked_claims", needs_text=CLAIMS_NEEDS)
def unbacked_claims(ctx: DiagnoseContext) -> list[Finding]:
    title = ctx.declared.title  # the declared title
    docs, n_artifacts, text_expr = _artifacts(ctx)
    capt = ctx.require("capabilities")
    cap_expr = capt.select("capability_id", "name", "status").order_by("capability_id")
    caps = _capability_patterns(rows(ctx, cap_expr))
    if not docs or not caps:
        raise unmeasurable("no messaging text or no capabilities to match", list(MESSAGING_NEEDS))
    mentions: list[dict[str, object]] = []
    for kind in sorted(docs):
        for cid, name, status, pattern in caps:
            hits = _mentions(docs[kind], pattern, cid)
            if hits:
                mentions.append({"artifact": kind, "capability": cid or name, "name": name,
                                 "status": status, "sentences": len(hits),
                                 "example": hits[0][:200]})
    n = len(mentions)
    unbacked = [m for m in mentions if m["status"] != "ga"]
    k = len(unbacked)
    share, lo, hi = (k / n, *stats.wilson_interval(k, n)) if n else (None, None, None)
    signal = stats.wilson_lower(k, n)
    claims_unbacked = sum(int(m["sentences"]) for m in unbacked)  # type: ignore[call-overload]
    metrics = [
        metric("capability_mentions", n, "count",
               label="(artifact kind, capability) pairs named in messaging"),
        metric("unbacked_mentions", k, "count", n=n, label="Naming a capability not GA"),
        metric("unbacked_share", share, "ratio", n=n, low=lo, high=hi),
        metric("unbacked_sentences", claims_unbacked, "count",
               label="Sentences naming a capability not GA"),
    ]
    if n == 0:
        statement = "No messaging artifact names a capability from the capabilities list."
    else:
        names = sorted({str(m["name"] or m["capability"]) for m in unbacked})
        statement = (f"{count(k)} of {count(n)} capability mentions across the artifacts "
                     f"({pct(share or 0.0)}) name a capability that is not GA"
                     + (": " + ", ".join(f"'{x}'" for x in names) if names else "") + ".")
    severity = (Severity.problem if signal >= 0.5 else
                Severity.watch if k else Severity.info)
    return [finding(
        ctx, slug="capabilities", title=title,
        statement=statement, metrics=metrics, n=n, severity=severity,
        comparison="capabilities named in messaging vs their status in the capabilities list",
        significance=Significance(test="Wilson score interval", interval=(lo, hi), n=n)
        if n and lo is not None and hi is not None else None,
        evidence=[evidence(ctx, "messaging_artifacts", text_expr, n_artifacts,
                           "artifacts with text, grouped by kind"),
                  evidence(ctx, "capabilities", cap_expr, len(caps), "all capabilities")],
        caveats=[f"Matched by capability name or id over {count(n_artifacts)} artifact(s); "
                 "a capability described in other words is missed."],
        signals={"messaging_unbacked_claims": signal},
        series=mentions or None,
    )]
