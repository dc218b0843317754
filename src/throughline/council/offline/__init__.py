"""The offline engine: deterministic advisors that argue from the evidence, with no model.

Where things live:

- ``panel.py``: :class:`OfflineEngine`, the :class:`~throughline.core.seams.AdvisorEngine`
  without a model (turns and round summaries); its docstring says who argues what.
- ``evidence.py``: :class:`PanelEvidence`, the evidence pack as the panel reads it (lenses,
  which finding raises which hypothesis, where each advisor's conviction settles).
- ``facts.py``: a finding's numbers made quotable, and which way each cuts.
- ``statements.py``: a composed statement (``Said``), a seat, the two sides, quoting helpers.
- ``positions.py``: one debate's state and plan: lead findings, answers, numbers to state.
- ``opening.py`` (round 1), ``replies.py`` (taking up a peer's number; the Auditor's
  checks), ``rounds.py`` (rounds 2 to 5), ``summaries.py`` (round summaries).
- ``composer.py``: :class:`Debate`, the rounds composed in seat order, and conviction.
- ``grammar.py`` (``Voice``: which sentence form is used) with the forms in ``forms/``;
  ``phrasing.py`` (the synthesis' sentence forms) and ``wording.py`` (fixed wording).
"""

__all__: list[str] = []  # a namespace: import from its modules
