"""The canonical evidence model: every table Throughline reads, in one typed place."""

from throughline.evidence.schema import SCHEMA, Column, ColumnType, Reference, Table, table

__all__ = ["SCHEMA", "Column", "ColumnType", "Reference", "Table", "table"]
