"""Diagnose: registered diagnostics → findings → the binding GTM constraint.

The Python API::

    from throughline.diagnose import run_diagnose
    from throughline.core.settings import load_settings

    diagnosis = run_diagnose(load_settings())   # the same engine the CLI runs
"""

from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.run import DiagnoseEvent, DiagnosticFailed, diagnose, run_diagnose
from throughline.diagnose.registry import DiagnoseOptions

__all__ = [
    "DiagnoseEvent",
    "DiagnoseOptions",
    "Diagnosis",
    "DiagnosticFailed",
    "diagnose",
    "run_diagnose",
]
