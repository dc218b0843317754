"""The base layer: what every stage may use and which imports nothing else of the package.

``redact`` keeps secrets out of every text the product writes; ``format`` renders numbers
for people. Stage packages (ingest, diagnose, library, council, record) import from here,
never the other way round.
"""

__all__: list[str] = []  # a namespace: import from its modules
