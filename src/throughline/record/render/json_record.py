"""The JSON record: the model itself, in declaration order, two-space indented.

``DecisionRecord.model_validate_json`` of the output gives the record back; nothing is
added or computed, and the field order is the model's, so the text is stable run to run.

One hardening on top of ``model_dump_json``: ``<`` and ``>`` inside strings are written
as ``\\u003c`` and ``\\u003e``. The parsed values are identical, but the file can never
turn into markup if a browser or a mail client is handed it as HTML.
"""

from __future__ import annotations

from throughline.record.decision import DecisionRecord


def render_json(record: DecisionRecord) -> str:
    # '<' and '>' can only occur inside JSON strings, where \u escapes mean the same text.
    text = record.model_dump_json(indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e") + "\n"
