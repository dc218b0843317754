"""The decision record: what a council run decided, and the documents it renders to.

* ``decision.py`` — the record's data model: :class:`DecisionRecord` and its parts (intent,
  forecasts, action plan, future paths, panel, rounds, claim check, sources, run facts).
* ``render/`` — the HTML, Markdown and JSON renderers (``render_record``, ``write_record``).
"""

from throughline.record.decision import DecisionRecord

__all__ = ["DecisionRecord"]
