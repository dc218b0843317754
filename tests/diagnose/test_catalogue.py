"""The built-in diagnostics' declarations are data (``catalogue.yaml``): every entry is
registered by a family module, every built-in has an entry, and a declaration given twice
(catalogue and keywords) or not at all fails at registration."""

from __future__ import annotations

import pytest

import throughline.diagnose.builtin  # noqa: F401  (registers the built-in families)
from throughline.diagnose.registry import CATALOGUE, diagnostic, diagnostics


def test_every_catalogue_entry_is_a_registered_built_in_and_back() -> None:
    built_in = {d.id for d in diagnostics()
                if d.fn.__module__.startswith("throughline.diagnose.families.")}
    assert built_in == set(CATALOGUE)
    for d in diagnostics():
        if d.id in CATALOGUE:
            entry = CATALOGUE[d.id]
            assert (d.title, d.short_title, d.needs, d.optional, d.signals) == (
                entry.title, entry.short_title, entry.needs, entry.optional, entry.signals)


def test_a_catalogued_id_takes_no_declaring_keywords() -> None:
    with pytest.raises(ValueError, match="declared in catalogue.yaml"):
        diagnostic(id="post_sale.nps", title="Net Promoter Score")


def test_an_id_outside_the_catalogue_needs_a_title() -> None:
    with pytest.raises(ValueError, match="has no title"):
        diagnostic(id="plugin.untitled", needs=("opportunities",))
