"""Numbers written in text, read in SQL: separators ("1,234.56" or "1.234,56"), currency
signs and codes, signs and accounting parentheses; and the currency an amount's text names."""

from __future__ import annotations

from throughline.evidence.schema import Column
from throughline.ingest.mapping import ColumnSpec
from throughline.ingest.sql import sql_str

# Numbers. A value is read by the separators its column uses: "1,234.56" (',' groups
# thousands, '.' is the decimal point) or "1.234,56". Each value may carry a currency sign
# or ISO code before or after it, a sign or accounting parentheses ("(1,200.00)" is
# negative), and spaces, no-break spaces or apostrophes between digit groups. A value
# whose reading depends on the convention ("1.200": 1.2 or 1200) is not guessed: without
# ``number_format`` the column's other values decide (``detect_number_formats``), and when
# none tells, the value is refused naming row and value.
_SP = "\\s\\x{a0}\\x{202f}"  # RE2: spaces, no-break space, narrow no-break space
CURRENCY_TOKEN = ("(?:US\\$|CA\\$|AU\\$|MX\\$|NZ\\$|HK\\$|R\\$|C\\$|A\\$|S\\$|S/\\.?|\\$|€|£|¥"
                  "|₹|[A-Z]{3})")
NUMBER_SHAPE = (f"\\(?[{_SP}]*[-+]?[{_SP}]*(?:{CURRENCY_TOKEN}[{_SP}]*)?[-+]?[{_SP}]*"
                f"[0-9](?:[0-9.,'{_SP}]*[0-9])?(?:[{_SP}]*{CURRENCY_TOKEN})?[{_SP}]*\\)?")
US_DIGITS = "[0-9]+(?:\\.[0-9]+)?|[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\\.[0-9]+)?"
EU_DIGITS = "[0-9]+(?:,[0-9]+)?|[1-9][0-9]{0,2}(?:\\.[0-9]{3})+(?:,[0-9]+)?"
DOT_AMBIGUOUS = "[1-9][0-9]{0,2}\\.[0-9]{3}"  # 1.2 with "1,234.56", 1200 with "1.234,56"
US, EU = "1,234.56", "1.234,56"
# currency named in an amount's text (ISO code, or a sign that names one currency)
CURRENCY_SIGNS = {"€": "EUR", "£": "GBP", "₹": "INR", "R$": "BRL", "US$": "USD",
                  "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "MX$": "MXN",
                  "NZ$": "NZD", "HK$": "HKD", "S$": "SGD", "S/": "PEN", "S/.": "PEN"}
# the amount column whose text may name the currency, per table with a currency column
AMOUNT_COLUMNS = {"opportunities": "amount", "subscriptions": "mrr", "forecasts": "amount"}


def digits_sql(v: str) -> str:
    return f"regexp_replace({v}, '[^0-9.,]', '', 'g')"


def shape_sql(v: str) -> str:
    return f"regexp_full_match({v}, {sql_str(NUMBER_SHAPE)})"


def number_slow(v: str, mode: str | None) -> str:
    """The number in the trimmed text ``v`` (NULL when it is not one, or is ambiguous
    without a ``mode``); ``mode`` is US, EU or None (decide: ambiguous values are NULL)."""
    g = digits_sql(v)
    sign = f"(CASE WHEN prefix({v}, '(') OR contains({v}, '-') THEN -1.0 ELSE 1.0 END)"
    if mode == EU:
        ok = f"regexp_full_match({g}, {sql_str(EU_DIGITS)})"
        val = f"TRY_CAST(replace(replace({g}, '.', ''), ',', '.') AS DOUBLE)"
    else:
        ok = f"regexp_full_match({g}, {sql_str(US_DIGITS)})"
        val = f"TRY_CAST(replace({g}, ',', '') AS DOUBLE)"
        if mode is None:
            ok += f" AND NOT regexp_full_match({g}, {sql_str(DOT_AMBIGUOUS)})"
    return f"(CASE WHEN {shape_sql(v)} AND {ok} THEN {sign} * {val} END)"


def number_fast(x: str, mode: str | None) -> str:
    """A plain cast of ``x`` where it reads the same number as ``number_slow``.

    The cast reads "1.200" as 1.2: with "1.234,56" it only takes values without a '.';
    while the convention is undecided the typed layer refuses the 1.2 again
    (``typed_expression``: only a value that is not whole needs looking at).
    """
    cast = f"TRY_CAST({x} AS DOUBLE)"
    if mode == EU:
        return f"(CASE WHEN NOT contains({x}, '.') THEN {cast} END)"
    return cast


def number_ambiguous(v: str) -> str:
    """Whether the trimmed text ``v`` reads differently with "1,234.56" and "1.234,56"."""
    return f"({shape_sql(v)} AND regexp_full_match({digits_sql(v)}, {sql_str(DOT_AMBIGUOUS)}))"


def currency_in_text(v: str) -> str:
    """The ISO code an amount's text names ('€1.200' → EUR, 'USD 5' → USD); NULL for a
    bare '$' or '¥' (several currencies use them) and for plain numbers."""
    signs = sorted(CURRENCY_SIGNS, key=len, reverse=True)
    alts = "|".join(re_escape(s) for s in signs) + "|[A-Z]{3}"
    token = f"regexp_extract({v}, {sql_str('(' + alts + ')')}, 1)"
    whens = " ".join(f"WHEN {sql_str(s)} THEN {sql_str(c)}" for s, c in CURRENCY_SIGNS.items())
    return (f"(CASE WHEN {v} IS NOT NULL AND TRY_CAST({v} AS DOUBLE) IS NULL THEN "
            f"(CASE {token} {whens} WHEN '' THEN NULL ELSE {token} END) END)")


def re_escape(text: str) -> str:
    return "".join("\\" + ch if ch in "\\.^$|?*+()[]{}/" else ch for ch in text)


def number_parse(v: str, mode: str | None) -> str:
    """The number in the trimmed text ``v`` (a column reference): a plain cast, else the
    separator-aware reading."""
    return (f"COALESCE({number_fast(v, mode)}, "
            f"CASE WHEN {v} IS NOT NULL THEN {number_slow(v, mode)} END)")


def number_mode(spec: ColumnSpec, detected: list[str]) -> str | None:
    """The separators of a number column: the mapping's, the detected ones, or None."""
    if spec.number_format:
        return spec.number_format
    return detected[0] if detected and detected[0] in (US, EU) else None


def number_expected(col: Column, spec: ColumnSpec, mode: str | None) -> tuple[str, str]:
    """What a number check expects: (any bad value, an ambiguous value)."""
    what = "a number" if spec.bands else col.type.expected
    if mode is not None:
        return f"{what} written like {mode} (number_format)", ""
    return (f"{what} written like 1,234.56 or 1234.56 (for 1.234,56 set "
            f"number_format: \"{EU}\" on {col.name} in a mapping)",
            f"an unambiguous number: '.' and three digits is a decimal point (1,234.56) "
            f"or a thousands separator (1.234,56) and no other value in the column tells "
            f"which — set number_format: \"{EU}\" or \"{US}\" on {col.name} in a "
            f"mapping")
