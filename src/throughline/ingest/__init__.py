"""Ingest: a company's exports → the canonical evidence store, all or nothing.

Where things live (``loader.ingest`` runs the steps in this order):

- reading files: ``readers/`` (one module per format, ``encodings`` decides text
  encodings; ``open_file`` picks the reader), ``detect`` (which mapping source a file is;
  the refusal of a file no profile recognises)
- the mapping language: ``mapping`` (the models), ``labels`` (label tables),
  ``mapping_files`` (YAML mappings, built-in ``profiles/*.yaml``, readable errors),
  ``mapping_docs`` (``docs/mapping.md``)
- compiled to SQL: ``transform`` (one typed, checked SELECT per file and source), with
  ``valuemaps`` (case, labels, maps, otherwise, default), ``numbers`` (numbers and
  currencies in text), ``casts`` (text to canonical types) and ``sql`` (quoting)
- staged and checked: ``part`` (a file feeding a table), ``staging`` (the staging database,
  typing and failing rows), ``formats`` (date and number formats decided from the data),
  ``dedup`` (unique keys), ``references`` (enforced references), ``quarantine`` (rejected
  rows with ``--skip-bad-rows``)
- written: ``publish`` (the staging database finalised and published), ``apply`` (merged
  into an existing store in one transaction), ``guard`` (one writer, leftovers)
- ``report``: the load report returned to the caller
"""

from throughline.ingest.loader import ingest
from throughline.ingest.report import LoadReport

__all__ = ["ingest", "LoadReport"]
