"""Tables declared as data: a YAML file shipped inside a package, read at import.

The evidence tables, the signal table, the hypotheses' prose and the sample company's
product domains live in such files; each module that owns one loads it with
:func:`packaged_yaml` and validates it into its own types.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml


def packaged_yaml(package: str, name: str) -> Any:
    """The YAML file ``name`` beside the modules of ``package``, parsed (with the C loader
    where PyYAML has it)."""
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
