"""``docs/mapping.md``, written from the mapping model.

Every key comes from the Pydantic models in ``throughline.ingest.mapping`` (their field
descriptions), the order of the steps from ``STEPS`` below, the built-in label tables
from ``profiles/labels.yaml``. Each worked example below is a complete mapping with its
input files and the rows it stores; ``tests/ingest/test_mapping_language.py`` ingests
every one through the CLI and compares, so the document cannot drift from the code.
``python -m throughline.ingest.mapping_docs`` rewrites it, with the data model and the
example files (``throughline.evidence.docs``); a test fails when any is stale.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from throughline.evidence import docs as evidence_docs
from throughline.ingest.labels import builtin_label_groups
from throughline.ingest.mapping import (
    ColumnSpec,
    Keep,
    Lookup,
    Mapping,
    Source,
)
from throughline.ingest.mapping_files import allowed_keys


# The steps applied to one value, in order (docs/mapping.md is written from this list).
STEPS: tuple[tuple[str, str], ...] = (
    ("from / path / constant",
     "read the source column (the first non-blank of a list), a nested JSON path, or a "
     "constant. The text is trimmed; an empty cell is *blank*. An `optional` column that "
     "is absent from the file gives NULL for every row, and no later step runs: NULL "
     "means \"not recorded in this export\" (a blank cell in a present column is not the "
     "same thing)."),
    ("regex", "keep group 1 of the regular expression (or rewrite with `replace`); no "
              "match gives blank."),
    ("lookup", "replace the value by a column of another source, matched on a key."),
    ("lower / upper", "change the case."),
    ("labels + map",
     "translate labels: the named label tables first, then `map` (whose entries win). "
     "Keys match case-, accent- and space-insensitively (\"gestion  DIRECTA\" matches "
     "\"Gestión directa\"). The key `\"\"` gives the value of blank cells."),
    ("otherwise / default",
     "a non-blank value that no key matched becomes `otherwise` (`keep`: the value "
     "itself; `{keep: lower}`: lower-cased with inner spaces collapsed; or a constant). "
     "Without `otherwise` it becomes `default` when given, else stays as it is. A blank "
     "value becomes the `\"\"` entry of the map, else `default`."),
    ("bands", "a number becomes the label of the first band whose upper bound it does "
              "not exceed."),
    ("format / number_format",
     "dates: the strptime format(s); numbers: which of `,` and `.` is the decimal "
     "separator (decided from the whole column when not given)."),
    ("multiply", "scale a number."),
    ("type and checks",
     "cast to the column's canonical type and check it (required, ≥ 0, range, allowed "
     "values); a failure names file, row, column, value and what was expected."),
)


@dataclass(frozen=True)
class Example:
    """A worked example: a mapping, its input files, and what the store holds after."""

    title: str
    text: str
    mapping: str
    files: dict[str, str]
    query: str  # SQL over the store
    rows: list[tuple[object, ...]]
    columns: list[str] = field(default_factory=list)  # headers of the result table


def _accounts(columns: str, files: str = "accounts.csv") -> str:
    return (f"name: example\nsources:\n  - name: accounts\n    table: accounts\n"
            f"    files: [\"{files}\"]\n    columns:\n{columns}")


def _deals(columns: str) -> str:
    return ("name: example\nsources:\n  - name: deals\n    table: opportunities\n"
            "    files: [\"deals.csv\"]\n    columns:\n      opportunity_id: Deal\n"
            "      stage: {constant: Open}\n      is_closed: {constant: false}\n"
            f"      is_won: {{constant: false}}\n{columns}")


EXAMPLES: tuple[Example, ...] = (
    Example(
        "Rename, and the first non-blank of several columns",
        "A plain string is the source column. A list under `from` takes, row by row, the "
        "first column that is not blank.",
        _accounts("      account_id: Account ID\n"
                  "      name: {from: [Legal Name, Account Name]}\n"),
        {"accounts.csv": "Account ID,Legal Name,Account Name\nA1,,Acme\nA2,Beta GmbH,Beta\n"},
        "SELECT account_id, name FROM accounts ORDER BY 1",
        [("A1", "Acme"), ("A2", "Beta GmbH")],
    ),
    Example(
        "A constant",
        "`constant` (or `const`) gives every row the same value; `default` alone does too.",
        _accounts("      account_id: Account ID\n      region: {constant: EMEA}\n"
                  "      segment: {default: smb}\n"),
        {"accounts.csv": "Account ID\nA1\nA2\n"},
        "SELECT account_id, region, segment FROM accounts ORDER BY 1",
        [("A1", "EMEA", "smb"), ("A2", "EMEA", "smb")],
    ),
    Example(
        "Regular expressions",
        "`regex` keeps capture group 1; with `replace` the value is rewritten (`\\1`, "
        "`\\2` are the groups). A value the regex does not match becomes blank.",
        _accounts("      account_id: {from: Ref, regex: '^ACC-([0-9]+)'}\n"
                  "      region: {from: Office, regex: '^(.*), (.*)$', "
                  "replace: '\\2 / \\1'}\n"),
        {"accounts.csv": "Ref,Office\nACC-0042 (old),\"Lyon, France\"\nACC-7,Remote\n"},
        "SELECT account_id, region FROM accounts ORDER BY 1",
        [("0042", "France / Lyon"), ("7", None)],
    ),
    Example(
        "A lookup in another file",
        "A source with `table: null` is read only to look values up. Here the sector code "
        "of each account is replaced by the sector's name.",
        "name: example\nsources:\n  - name: accounts\n    table: accounts\n"
        "    files: [\"accounts.csv\"]\n    columns:\n      account_id: Account\n"
        "      industry: {from: Sector, lookup: {source: sectors, key: code, value: label}}\n"
        "  - name: sectors\n    table: null\n    files: [\"sectors.csv\"]\n",
        {"accounts.csv": "Account,Sector\nA1,FIN\nA2,HLT\nA3,\n",
         "sectors.csv": "code,label\nFIN,fintech\nHLT,health\n"},
        "SELECT account_id, industry FROM accounts ORDER BY 1",
        [("A1", "fintech"), ("A2", "health"), ("A3", None)],
    ),
    Example(
        "A value map with a default",
        "`map` translates labels (case-, accent- and space-insensitively). The key `\"\"` "
        "is the value of blank cells; `default` is the value of every other label the map "
        "does not list.",
        _accounts("      account_id: Account ID\n"
                  "      segment: {from: Tier, map: {\"\": unknown, Strategic: enterprise},"
                  " default: smb}\n"),
        {"accounts.csv": "Account ID,Tier\nA1,STRATEGIC\nA2,Growth\nA3,\n"},
        "SELECT account_id, segment FROM accounts ORDER BY 1",
        [("A1", "enterprise"), ("A2", "smb"), ("A3", "unknown")],
    ),
    Example(
        "Lead sources: the built-in label tables, unmapped labels kept",
        "`labels: channel` and `labels: motion` use the tables below (the salesforce and "
        "hubspot profiles do exactly this). `otherwise: {keep: lower}` keeps a label the "
        "table does not know as its own channel; `otherwise: unknown` gives it the motion "
        "`unknown`. The load report lists the labels kept this way.",
        _deals("      lead_source: {from: LeadSource}\n"
               "      channel: {from: LeadSource, labels: channel, "
               "otherwise: {keep: lower}}\n"
               "      motion: {from: LeadSource, labels: motion, otherwise: unknown}\n"),
        {"deals.csv": "Deal,LeadSource\nD1,Socios\nD2,gestion  DIRECTA\nD3,G2 Review\n"
                      "D4,\nD5,Otro\n"},
        "SELECT opportunity_id, lead_source, channel, motion FROM opportunities ORDER BY 1",
        [("D1", "Socios", "partner", "partner"),
         ("D2", "gestion  DIRECTA", "outbound", "outbound"),
         ("D3", "G2 Review", "g2 review", "unknown"),
         ("D4", None, "unknown", "unknown"),
         ("D5", "Otro", "unknown", "unknown")],
    ),
    Example(
        "Your own label table",
        "A mapping may declare label tables under `labels:` (value → the labels meaning it; "
        "`\"\"` is a blank cell) and use them like the built-in ones; `map` entries on the "
        "column still win.",
        "name: example\nlabels:\n  tier:\n    enterprise: [Strategic, Key Account]\n"
        "    mid_market: [Growth]\n    unknown: [\"\", n/a]\nsources:\n"
        "  - name: accounts\n    table: accounts\n    files: [\"accounts.csv\"]\n"
        "    columns:\n      account_id: Account ID\n"
        "      segment: {from: Tier, labels: tier, map: {Growth: smb}, otherwise: keep}\n",
        {"accounts.csv": "Account ID,Tier\nA1,key account\nA2,Growth\nA3,\nA4,Partner Led\n"},
        "SELECT account_id, segment FROM accounts ORDER BY 1",
        [("A1", "enterprise"), ("A2", "smb"), ("A3", "unknown"), ("A4", "Partner Led")],
    ),
    Example(
        "Numeric bands",
        "`bands` turns a number into the label of the first band whose upper bound it does "
        "not exceed.",
        _accounts("      account_id: Account ID\n      employees: Employees\n"
                  "      size_band: {from: Employees, bands: [[50, small], [500, medium], "
                  "[1.0e12, large]]}\n"),
        {"accounts.csv": "Account ID,Employees\nA1,12\nA2,\"1,200\"\nA3,500\n"},
        "SELECT account_id, employees, size_band FROM accounts ORDER BY 1",
        [("A1", 12, "small"), ("A2", 1200, "large"), ("A3", 500, "medium")],
    ),
    Example(
        "Dates in a given format",
        "`format` gives the strptime format(s); without it ISO dates are read and other "
        "formats are detected from the column (ambiguous day/month is refused).",
        _accounts("      account_id: Account ID\n"
                  "      created_at: {from: Created, format: \"%d/%m/%Y\"}\n"),
        {"accounts.csv": "Account ID,Created\nA1,03/04/2025\nA2,28/02/2025\n"},
        "SELECT account_id, CAST(created_at AS VARCHAR) FROM accounts ORDER BY 1",
        [("A1", "2025-04-03"), ("A2", "2025-02-28")],
    ),
    Example(
        "Number formats",
        "`number_format: \"1.234,56\"` reads `.` as the thousands separator and `,` as the "
        "decimal point. Currency signs and codes, spaces between digit groups and "
        "accounting parentheses are understood either way. Without `number_format` the "
        "column's values decide; a column whose values all read both ways (`€1.200` is "
        "1.2 or 1200) is refused, naming the row.",
        _accounts("      account_id: Account ID\n"
                  "      annual_revenue: {from: Revenue, number_format: \"1.234,56\"}\n"),
        {"accounts.csv": "Account ID,Revenue\nA1,\"1.200.000,50\"\nA2,€ 950.000\n"
                         "A3,1.200\n"},
        "SELECT account_id, annual_revenue FROM accounts ORDER BY 1",
        [("A1", 1200000.5), ("A2", 950000.0), ("A3", 1200.0)],
    ),
    Example(
        "Scaling a number",
        "`multiply` scales a number after it is read (revenue in millions, a 0–1 "
        "probability as percent).",
        _accounts("      account_id: Account ID\n"
                  "      annual_revenue: {from: Revenue (M), multiply: 1000000}\n"),
        {"accounts.csv": "Account ID,Revenue (M)\nA1,2.5\nA2,0.75\n"},
        "SELECT account_id, annual_revenue FROM accounts ORDER BY 1",
        [("A1", 2500000.0), ("A2", 750000.0)],
    ),
    Example(
        "An optional column",
        "`optional: true` lets a file lack the column: every row is then NULL — *not "
        "recorded in this export*, which the diagnostics report as not measurable — and "
        "`map`, `default` and `otherwise` do not apply.",
        _deals("      lead_source: {from: LeadSource, optional: true}\n"
               "      channel: {from: LeadSource, optional: true, labels: channel, "
               "otherwise: {keep: lower}}\n"),
        {"deals.csv": "Deal,Amount\nD1,100\n"},
        "SELECT opportunity_id, lead_source, channel FROM opportunities",
        [("D1", None, None)],
    ),
    Example(
        "Currencies",
        "A column named `currency` is upper-cased and must be an ISO 4217 code. When it is "
        "blank or absent, a currency the amount's text names is used (`€`, `£`, `R$`, "
        "`USD 5`…; a bare `$` names none).",
        _deals("      amount: {from: Amount}\n      currency: {from: Currency, "
               "optional: true}\n"),
        {"deals.csv": "Deal,Amount,Currency\nD1,1200,usd\nD2,\"1.200,50 €\",\n"
                      "D3,$90,\n"},
        "SELECT opportunity_id, amount, currency FROM opportunities ORDER BY 1",
        [("D1", 1200.0, "USD"), ("D2", 1200.5, "EUR"), ("D3", 90.0, None)],
    ),
    Example(
        "Nested JSON",
        "`path` reads inside JSON records: `author.login`, or a list with `[]` reduced by "
        "`aggregate` (min, max, count, first).",
        "name: example\nsources:\n  - name: prs\n    table: pull_requests\n"
        "    files: [\"prs.json\"]\n    columns:\n      pr_id: {from: number}\n"
        "      created_at: createdAt\n      author: {path: author.login}\n"
        "      first_review_at: {path: \"reviews[].submittedAt\", aggregate: min}\n",
        {"prs.json": '[{"number": 7, "createdAt": "2025-02-01T09:00:00Z", '
                     '"author": {"login": "dev1"}, "reviews": ['
                     '{"submittedAt": "2025-02-01T15:00:00Z"}, '
                     '{"submittedAt": "2025-02-01T12:00:00Z"}]}]'},
        "SELECT pr_id, author, CAST(first_review_at AS VARCHAR) FROM pull_requests",
        [("7", "dev1", "2025-02-01 12:00:00")],
    ),
)


def _keys_table(model: type[BaseModel], skip: tuple[str, ...] = ()) -> list[str]:
    out = ["| key | description |", "|---|---|"]
    for name, f in model.model_fields.items():
        if f.exclude or name in skip:
            continue
        key = f.alias or name
        out.append(f"| `{key}` | {(f.description or '').replace('|', '/')} |")
    return out


def _cell(value: object) -> str:
    if value is None:
        return "NULL"
    return str(value).replace("|", "\\|")


def _example(n: int, ex: Example) -> list[str]:
    out = [f"### {n}. {ex.title}", "", ex.text, "", "```yaml", ex.mapping.rstrip(), "```", ""]
    for name, content in ex.files.items():
        out += [f"`{name}`:", "", "```", content.rstrip(), "```", ""]
    out += [f"Stored (`{ex.query}`):", ""]
    width = len(ex.rows[0]) if ex.rows else 0
    head = ex.columns or _columns(ex.query, width)
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * width)
    for row in ex.rows:
        out.append("| " + " | ".join(_cell(v) for v in row) + " |")
    out.append("")
    return out


def _columns(query: str, width: int) -> list[str]:
    select = query.split("SELECT", 1)[1].split(" FROM ", 1)[0]
    names = []
    for part in select.split(", "):
        part = part.strip()
        if part.startswith("CAST("):
            part = part[5:].split(" AS ")[0]
        names.append(part)
    return names if len(names) == width else [f"c{i}" for i in range(width)]


def render_mapping_markdown() -> str:
    out = [
        "# Writing a mapping",
        "",
        "Generated from the mapping model (`src/throughline/ingest/mapping.py`) by "
        "`python -m throughline.ingest.mapping_docs`; do not edit by hand. Every worked example "
        "below is ingested by the test suite and must store exactly the rows shown.",
        "",
        "A mapping is a YAML file that tells `throughline ingest --profile MAPPING.yaml` how "
        "to read exports no built-in profile knows. The built-in profiles "
        "(`src/throughline/ingest/profiles/*.yaml`) are mappings too. The target tables and "
        "columns are the canonical ones of [the data model](data-model.md).",
        "",
        "```yaml",
        "name: my-crm",
        "sources:",
        "  - name: deals                 # one kind of file",
        "    table: opportunities        # the canonical table it fills",
        "    files: [\"deals*.csv\"]       # recognised by name and/or headers",
        "    columns:                    # target column: how to fill it",
        "      opportunity_id: Deal ID   # a source column",
        "      stage: Stage",
        "      is_won: {from: Stage, map: {Won: true}, default: false}",
        "      is_closed: {from: Stage, map: {Won: true, Lost: true}, default: false}",
        "```",
        "",
        "Mappings are checked strictly before any file is read: an unknown key is an error "
        "that lists the keys allowed at that place, and every error names the mapping "
        "file, the source and the **target** column (and the regex, for a bad one). A "
        "value that cannot be typed is reported with file, row, source column, value, what "
        "was expected and which target column it fills; nothing is loaded.",
        "",
        "## Keys",
        "",
        "### Top level",
        "",
        *_keys_table(Mapping),
        "",
        "### A source (an entry of `sources:`)",
        "",
        *_keys_table(Source),
        "",
        "### A column (an entry of `columns:`)",
        "",
        "`target: Source Column` is short for `target: {from: Source Column}`.",
        "",
        *_keys_table(ColumnSpec),
        "",
        f"`lookup:` takes {', '.join(f'`{k}`' for k in allowed_keys(Lookup))}: "
        + "; ".join(f"`{k}`: {(f.description or '')}" for k, f in Lookup.model_fields.items())
        + f" `otherwise:` takes `keep`, `{{keep: …}}` "
        f"({(Keep.model_fields['keep'].description or '')}) or a constant.",
        "",
        "## The order of the steps",
        "",
        "Each value of a column goes through these steps, in this order; a step whose key "
        "is not given is skipped.",
        "",
    ]
    for i, (name, text) in enumerate(STEPS, 1):
        out.append(f"{i}. **{name}** — {text}")
    out += [
        "",
        "So `map` sees the value after `regex`, `lookup` and `lower`; `bands` and "
        "`multiply` see the number after the map; the checks see the typed value.",
        "",
        "## Constants",
        "",
        "`{constant: VALUE}` (also spelt `const`) fills every row with VALUE, whatever the "
        "file holds; `{default: VALUE}` with no source does the same. With a source, "
        "`default` only fills blanks (and unmapped labels when there is a `map`).",
        "",
        "## Built-in label tables",
        "",
        "Used with `labels: channel` / `labels: motion` (the salesforce and hubspot "
        "profiles use them for LeadSource / Original Source). Labels match case-, accent- "
        "and space-insensitively; `\"\"` is a blank cell. They cover common English, "
        "Spanish, Portuguese, French, German and Italian labels; a label not listed is "
        "never guessed.",
        "",
    ]
    for table, groups in builtin_label_groups().items():
        out += [f"### `{table}`", "", "| value | labels |", "|---|---|"]
        for value, labels in groups.items():
            shown = ", ".join(f"`{x}`" if x else '`""` (blank)' for x in labels)
            out.append(f"| `{value}` | {shown} |")
        out.append("")
    out += ["## Worked examples", ""]
    for n, ex in enumerate(EXAMPLES, 1):
        out += _example(n, ex)
    return "\n".join(out).rstrip() + "\n"


def write_all(root: Path) -> list[Path]:
    """Write every generated document under ``root``: ``docs/data-model.md`` and the example
    files (``evidence.docs``) and ``docs/mapping.md``; the paths written."""
    written = evidence_docs.write_all(root)
    mapping = root / "docs" / "mapping.md"
    mapping.write_text(render_mapping_markdown(), encoding="utf-8")
    return [written[0], mapping, *written[1:]]


if __name__ == "__main__":
    for p in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()):
        print(p)
