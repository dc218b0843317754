"""Synthesize: the record's sections from the debate, the findings and the forecasts.

Made by rules (:class:`Synthesis`, one module per section), or by a synthesiser model that
starts from the rules' draft and falls back to it (:mod:`.model`).

Where each piece lives:

* ``rules.py`` — :class:`Synthesis`, composed of the section writers below;
* ``state.py`` — what every section reads and the helpers they share (the question's lens,
  the option chosen, an advisor's own sentence to quote);
* ``head.py`` — title, tie, data trust, omitted forecasts, the as-of note;
* ``verdict.py`` · ``plan.py`` (action plan) · ``paths.py`` (future paths and milestones) ·
  ``story.py`` (deeper story) · ``evidence.py`` (evidence, panel, what the record cannot
  see, sources) · ``risks.py``;
* ``options.py`` — the question's options weighed against the evidence;
* ``forecast_plan.py`` — which forecasts the record makes (:func:`plan_forecasts`);
* ``citations.py`` — :class:`CitationBook`, evidence numbered on first use;
* ``model/`` — the synthesiser on a model, section by section, each section checked.
"""

from __future__ import annotations

from throughline.council.synthesis.citations import CitationBook
from throughline.council.synthesis.forecast_plan import (
    ForecastPlan,
    forecast_horizons,
    option_series,
    plan_forecasts,
)
from throughline.council.synthesis.head import as_of_note
from throughline.council.synthesis.rules import Synthesis

__all__ = ["CitationBook", "ForecastPlan", "Synthesis", "as_of_note", "forecast_horizons",
           "option_series", "plan_forecasts"]
