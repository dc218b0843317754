"""The claim check: every number and citation in the record, matched to the evidence.

Pure and deterministic: the same texts and evidence give the same claims in the same
order. The pipeline calls :func:`build_evidence_index` once per run, then
:func:`check_text` per statement (or :func:`check_record` on the finished record). Reading
numbers and citations out of a text is :mod:`.numbers`; the rest of the package indexes
the evidence and matches each claim to it.

What is a claim
---------------
* **Numbers** written with digits: plain (``1,162``, ``0.37``, ``2.2x``), percentages and
  percentage points (``41.7%``, ``42 percent``, ``18.1 percentage points``, ``4 pp``) and
  currency (``$42.4k``, ``€1.2M``, ``42,419 USD``; statements print money without a
  symbol, so a plain ``42,419`` matches a currency metric too). ``k``/``M``/``bn`` and
  ``thousand``/``million``/``billion`` scale the value; the sign is read but numbers are
  compared by magnitude ("falling by 1.2 points" matches a slope of -0.012).
* **Citations**: ``[3]``, ``[2, 5]``, ``[2–4]`` (each number must be in the record's
  citation list), evidence ids written in the text (finding ids such as
  ``pipeline.velocity.overall``, library passage ids, forecast ids) and the ids a
  statement lists in ``cites``. An id-shaped token whose first part is a diagnose family
  but that names no finding is an unsupported citation.

What is not a claim
-------------------
* Dates and times: ``2026-05-08``, ``May 8, 2026``, ``8 May``, ``March 2026``,
  ``Q3 2026``, ``FY26``, ``H1``, ``10:30``; a bare four-digit integer from 1900 to 2100 is a
  year (the formatters print counts of 1,000 and more with a separator).
* Structural numbers: a number right after ``round``, ``month``, ``week``, ``day``,
  ``step``, ``phase``, ``stage``, ``option``, ``path``, ``milestone``, ``section``, ``top``
  … (``Round 4``, ``by month 6``, ``the top 3``), ordinals (``3rd``), ``#2``, list markers
  (``1.``), numbers glued to letters or underscores (``Q3``, ``v2``, ``f_104``, ``r4``),
  numbers inside single-quoted or back-ticked labels of up to six words (``'1-50'``,
  ``'E-invoicing: v2'``; a longer quoted span is a quotation and its numbers are claims),
  inside evidence ids, URLs and citation brackets.
* **Horizons**: a time span that frames a plan or a window rather than reporting a
  measurement — a span of days / weeks / months / quarters / years / hours whose
  preceding word is ``in``, ``within``, ``next``, ``every``, ``each``, ``after``, ``first``,
  ``last``, ``past``, ``previous``, ``coming`` or ``following`` (``in 90 days``, ``within 14
  days``, ``the last 12 months``), and hyphenated spans (``a 30-day pilot``). A measured
  duration keeps its claim: ``a median of 46 days``, ``closed 19.8 days after``, ``over 24
  months``.
* Statistical conventions: ``95% confidence``/``interval``/``CI`` and ``p < 0.05``.

What a number can match
-----------------------
A finding offers each metric's value, its interval ends (``low``/``high``) and its sample
size ``n``; numbers written in its metric labels ("fewer than 2 claims"), title,
comparison, significance test, caveats and needs; its binding-constraint signals and its
significance statistics. A forecast offers its probability, current value and threshold;
a passage every number in its text (a passage cited only by ``[n]`` offers its excerpt).

Units: ``ratio``/``probability`` values are fractions and match percentages (×100, also
as percentage points); ``percent`` values match written as percentages or bare;
currency matches currency or bare numbers; every unit matches a bare number. A number
followed by a time word only matches metrics of that duration unit, counts or
statistics ("46 hours" never matches a days metric). Rounding: a number matches when it
equals the evidence rounded to the precision written — half a unit of its last written
digit, scaled by ``k``/``M`` (``42%`` and ``41.7%`` match 0.4167, ``$42.4k`` and ``42,419``
match 42,419.3, ``46 days`` matches 45.6; ``40%`` does not match 0.4167).

Order (first tier with a match wins): 1. the cited findings (``cites``, ``[n]`` that
point to findings, finding ids in the text), 2. cited forecasts, 3. cited passages, 4. all
other findings, 5. other forecasts, 6. other passages. In tiers 4–6 the number's clause
(or failing that its sentence) must share a word with what it matches — the metric's
name or label, the finding's title, a forecast's statement, the passage's words around
the number — so an uncited number cannot verify against a coincidence among hundreds of
metrics. Within a tier the match prefers evidence named right next to the number, the
sample size of the metric just stated ("41.7% of 103"), the evidence that explains the
most numbers of the sentence, the metric the clause names, a point value, the closest.

Status: **verified** (matched; ``matched`` is ``<finding id>#<metric>``, a finding id for
its prose, a passage id or a forecast id), **contradicted** (unmatched, and the clause
names exactly one metric of a cited finding with a compatible unit — ``expected`` is
what the evidence says; a clause with projection language such as "will", "could",
"target", or a threshold after "above"/"at least"/"<", is never contradicted: a
projection or a threshold is not a measurement), **unsupported** (anything else,
including a citation number missing from the record and an unknown evidence id).

Unfit data
----------
A number is never **verified** on evidence the data-fitness gate marked unfit: a finding
whose ``quality`` ids name an issue with action ``unfit`` (the index learns them from the
diagnosis' data-quality list), or a metric of a *not measurable* finding (its prose — the
data it needs — stays quotable). Such a claim is **unsupported** with ``unfit`` set and a
note naming the issue: it rests on data we could not trust.

Where each piece lives: ``numbers.py`` reads numbers and citations out of a text;
``words.py`` the words around them; ``index.py`` the evidence index and what a number can
match; ``match.py`` one text's claims matched (:func:`check_text`); ``record.py`` a whole
record's texts and totals.
"""

from __future__ import annotations

from throughline.council.claimcheck.index import EvidenceIndex, Reading, build_evidence_index
from throughline.council.claimcheck.match import check_text
from throughline.council.claimcheck.numbers import (
    IdMention,
    NumberMention,
    extract_ids,
    extract_numbers,
)
from throughline.council.claimcheck.record import (
    TextItem,
    asked_phrases,
    check_record,
    check_record_texts,
    record_texts,
    summarise,
)

__all__ = [
    "EvidenceIndex", "IdMention", "NumberMention", "Reading", "TextItem", "asked_phrases",
    "build_evidence_index", "check_record", "check_record_texts", "check_text",
    "extract_ids", "extract_numbers", "record_texts", "summarise",
]
