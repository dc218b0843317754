"""The data-fitness gate: what the data could not be trusted for, and what was done.

Runs once per diagnose, after the store is opened and before any diagnostic. It inspects
the stored tables with a few aggregate queries (pushed to the engine; only their small
results reach Python) and returns a :class:`Fitness`:

* ``issues`` — typed :class:`~throughline.diagnose.quality.DataQualityIssue` s, each
  ``corrected``, ``unfit`` or ``warning`` (see ``quality.py``);
* ``views`` — corrected tables that :meth:`DiagnoseContext.table` hands every diagnostic
  instead of the stored ones, so one correction fixes all of them at once;
* ``as_of`` and ``as_of_source`` — the as-of date and how it was chosen;
* ``reporting_currency`` — the one currency every amount is in (None: never named).

Checks (one module each): ``columns`` (absent inputs, bulk-created deals, small samples),
``history`` (bulk-loaded stage history), ``currency`` (never add two currencies),
``forecasts`` (roll-up owners), ``dates`` (closed deals without close dates, closed before
created, as-of, staleness). The README lists every check id.
"""

from throughline.diagnose.fitness.runner import Fitness, inspect, resolve_as_of

__all__ = ["Fitness", "inspect", "resolve_as_of"]
