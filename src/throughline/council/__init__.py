"""The council: a question convened into a decision record.

The stages, in the order :meth:`convene.Council._run` runs them:

- ``frame.py``: the question → an Intent (decision type, options as noun phrases, horizon);
  ``levers.py``: the declared mapping from option terms to the families and metrics they move.
- ``gather.py``: the evidence pack (findings, ranking, data-quality and coverage findings,
  cards); ``option_evidence.py``: what bears on each option; ``gather_sources.py``: the
  diagnosis, store series, capabilities and library search of a workspace.
- ``personas.py`` (catalog in ``personas/``) and ``cast.py``: the panel seated for the question.
- ``debate.py``: the rounds run (turns concurrently, summaries beside the next round);
  ``debate_log.py``: turns saved as they end, a budget stop; ``offline/``: the advisors
  with no model.
- ``synthesis/``: the record's sections, by rules or by a synthesiser model; ``forecast.py``:
  the forecasts; ``claimcheck/``: every number checked; ``governance.py`` (``policy/``): the
  policy checks.
- ``convene.py``: :class:`~.convene.Council` and :func:`~.convene.ask`, the stage runner;
  ``run_state.py`` (what a run carries), ``run_engines.py`` (the model engine and the
  framer's and synthesiser's calls), ``assemble.py`` (the record, its run facts, a degraded
  run).
"""

__all__: list[str] = []  # a namespace: import from its modules
