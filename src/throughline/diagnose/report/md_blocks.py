"""Markdown pieces both documents draw: the diagnosis report and the decision record.

Text from the data is untrusted and goes through :func:`throughline.core.text.md_inline`;
the data-quality table reads :class:`~throughline.diagnose.report.trust.IssueLine`, the
shape every face shows an issue in.
"""

from __future__ import annotations

from collections.abc import Sequence

from throughline.core.text import md_inline
from throughline.diagnose.report.trust import IssueLine


def issue_table(issues: Sequence[IssueLine]) -> list[str]:
    """'What we could not trust': one row per data-quality issue, then a blank line; a
    sentence when the gate found nothing."""
    if not issues:
        return ["_The data-fitness gate found nothing to correct or distrust._", ""]
    out = ["| Issue | What we saw | What we did | Rows |", "|---|---|---|--:|"]
    for i in issues:
        out.append(f"| **{md_inline(i.title)}** | {md_inline(i.statement)} | "
                   f"**{md_inline(i.action_label)}:** {md_inline(i.remedy)} | "
                   f"{md_inline(i.rows) or '—'} |")
    out.append("")
    return out


def section(out: list[str], heading: str, content: object, empty: str) -> bool:
    """Open a section: ``heading`` ('## …' or '### …', as written) and a blank line; when
    ``content`` is empty, the italic ``empty`` note as well. True when content follows."""
    out += [heading, ""]
    if content:
        return True
    out += [f"_{empty}_", ""]
    return False


def markdown_document(lines: list[str]) -> str:
    """The lines as one document: runs of blank lines collapsed to one, no blank lines at
    either end, one final newline."""
    out: list[str] = []
    for line in lines:
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return "\n".join(out).strip() + "\n"


__all__ = ["issue_table", "markdown_document", "section"]
