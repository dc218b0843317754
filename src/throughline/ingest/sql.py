"""SQL text for DuckDB: string literals and quoted identifiers, the only quoting ingest uses."""

from __future__ import annotations


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "'true'" if value else "'false'"
    return sql_str(str(value))
