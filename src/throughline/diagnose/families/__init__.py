"""The built-in diagnostic families, one module (or sub-package) each.

Importing a family module registers its diagnostics; :mod:`throughline.diagnose.builtin`
imports them all. Shared pieces: :mod:`throughline.diagnose.toolkit` (Ibis helpers) and
:mod:`.measure` (metrics, wording and findings).
"""

__all__: list[str] = []  # a namespace: import from its modules
