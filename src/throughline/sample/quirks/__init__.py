"""Real-world habits written into a sample company's exports (``--quirks``).

Each quirk changes how the exports *look*, never what was planted: the company, its
deals and the planted problem are drawn exactly as without quirks (every quirk draws
from its own random stream, so the base streams are untouched), and each change keeps
the truth recoverable by someone who reads the export the way its source system meant
it — a Spanish label means the same channel as the English one it replaces, an amount
in EUR converts back at the org's ``CurrencyType`` rate, bulk-loaded history rows sit
beside the genuine ones, a manager's forecast row is the sum of the team's.

The shapes follow the real exports: Salesforce Data Loader CSVs (``CurrencyIsoCode``,
``CurrencyType.csv`` with ``Id,IsoCode,ConversionRate,DecimalPlaces,IsActive,
IsCorporate``; ``OpportunityHistory`` rows stamped with one migration instant), Excel's
"Save as CSV" (Windows-1252, CRLF line ends), hierarchical forecast exports.

``missing-leadsource`` removes channel evidence (the LeadSource column is gone), so it is
not part of ``all``: on a scenario whose evidence is the channel mix, the truth is then
"not measurable".

The :class:`Quirks` object is driven by the generator chunk by chunk (``start_chunk``,
then the table hooks); all of it is vectorised over the chunk's rows.

Modules: ``catalogue`` (the quirks by name, ``--quirks`` parsed), ``vocabulary`` (the labels,
rates, names and shares they write), ``apply`` (:class:`Quirks`, the table hooks), ``files``
(the Windows re-encoding and the Excel workbook, written after the CSVs).
"""

from __future__ import annotations

from throughline.sample.quirks.apply import Quirks
from throughline.sample.quirks.catalogue import (
    QUIRKS,
    Quirk,
    list_quirks,
    parse_quirks,
    quirk_names,
)
from throughline.sample.quirks.vocabulary import CORPORATE, LOCALIZED, RATES, UNUSUAL

__all__ = ["CORPORATE", "LOCALIZED", "QUIRKS", "RATES", "UNUSUAL", "Quirk", "Quirks",
           "list_quirks", "parse_quirks", "quirk_names"]
