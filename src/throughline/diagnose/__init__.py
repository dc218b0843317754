"""Diagnose: registered diagnostics → findings → the binding GTM constraint.

The Python API::

    from throughline.diagnose import run_diagnose
    from throughline.core.settings import load_settings

    diagnosis = run_diagnose(load_settings())   # the same engine the CLI runs

Where is what:

* ``run``        — the engine: gate, every diagnostic in id order, ranking, the Diagnosis;
* ``fitness/``   — the data-fitness gate (what the data cannot be trusted for; corrected
  views; the as-of date);
* ``registry``   — ``@diagnostic`` (id, title, needs, signals) and the registered list;
  ``builtin`` imports the built-in ``families/`` (one module or package per family);
* ``context``    — ``DiagnoseContext`` (tables, ``require``, memoized execution) and
  ``DiagnoseOptions``;
* ``toolkit/``   — the Ibis helpers diagnostics are built with; ``values`` turns engine
  results into Python values; ``families/measure`` words metrics and builds findings;
* ``signals``    — the signal table (which signal pushes which hypothesis);
  ``hypotheses`` — the hypotheses' specs; ``constraint`` — the binding-constraint scorer;
  ``ranking`` — its result types;
* ``findings``, ``quality``, ``diagnosis`` — the result types; ``stats`` — the tests and
  intervals; ``invariants`` — truths every diagnosis must keep;
* ``report/`` and ``scorecard`` — the diagnosis report and the alignment scorecard.
"""

from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.registry import DiagnoseOptions
from throughline.diagnose.run import DiagnoseEvent, DiagnosticFailed, diagnose, run_diagnose

__all__ = [
    "DiagnoseEvent",
    "DiagnoseOptions",
    "Diagnosis",
    "DiagnosticFailed",
    "diagnose",
    "run_diagnose",
]
