"""The canonical evidence model: every table Throughline reads, in one typed place.

``schema`` holds the models and ``SCHEMA`` (the tables, declared as data in
``tables.yaml``); ``docs`` writes ``docs/data-model.md`` and the example files from it.
"""

from throughline.evidence.schema import SCHEMA, Column, ColumnType, Reference, Table, table

__all__ = ["SCHEMA", "Column", "ColumnType", "Reference", "Table", "table"]
