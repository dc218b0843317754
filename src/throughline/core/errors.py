"""One error hierarchy for the whole package.

The library raises these; the CLI (and later the web app) translates them at the edge
into exit codes and messages. Every message says what went wrong and what to do.

The whole tree (``tests/test_packages.py`` keeps this drawing true)::

    ThroughlineError
    ├── BudgetExceeded          providers.errors: a run would pass its token or cost limit
    ├── ConfigError             settings, model strings, keys
    ├── DiagnosticFailed        diagnose.run: a diagnostic raised (the run still reports)
    ├── InputError              an input file: file, row, column, value, expected (exit 2)
    │   └── ValidationFailed    rows that break the canonical schema
    ├── ModelError              a model call
    │   ├── CallFailed          providers.errors: a turn failed after its retries
    │   └── RequestFailed       providers.calls: one request failed (retried or not)
    ├── NotMeasurable           the data cannot carry a diagnostic (not an error to the user)
    ├── ReplayMismatch          providers.errors: a replayed run asked something new
    ├── StoreError              the evidence store
    │   └── StoreBusy           another ingest is writing to this workspace
    └── UsageError              the command line
"""

from __future__ import annotations


class ThroughlineError(Exception):
    """Base class. ``exit_code`` is what the CLI returns for it."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"

    def to_dict(self) -> dict[str, object]:
        """The one JSON shape of an error (``--json``): every key always present; the
        location keys are null unless the error is about a place in an input file."""
        return {
            "error": self.message,
            "kind": type(self).__name__,
            "file": getattr(self, "file", None),
            "row": getattr(self, "row", None),
            "line": getattr(self, "line", None),
            "column": getattr(self, "column", None),
            "value": getattr(self, "value", None),
            "expected": getattr(self, "expected", None),
            "hint": self.hint,
            "exit_code": self.exit_code,
        }


class UsageError(ThroughlineError):
    """The command was called wrongly (bad option, unknown scenario, ...)."""

    exit_code = 2


class ConfigError(ThroughlineError):
    """Settings, mapping files or panel files are invalid."""

    exit_code = 2


class InputError(ThroughlineError):
    """A user's file cannot be loaded as given.

    Carries the location so a user can open the file and find the problem.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        expected: str | None = None,
        hint: str | None = None,
        line: int | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.line = line
        self.column = column
        self.value = value
        self.expected = expected
        parts = []
        if file:
            parts.append(str(file))
        if row is not None:
            parts.append(f"row {row}")
        if line is not None:
            parts.append(f"line {line}")
        if column:
            parts.append(f"column '{column}'")
        where = ", ".join(parts)
        text = f"{where}: {message}" if where else message
        if value is not None:
            shown = value if len(value) <= 80 else value[:77] + "..."
            text += f" (got {shown!r}"
            text += f"; expected {expected})" if expected else ")"
        elif expected:
            text += f" (expected {expected})"
        super().__init__(text, hint=hint)



class ValidationFailed(InputError):
    """Several rows failed validation; ``problems`` holds each, the message the first few."""

    def __init__(self, problems: list[InputError], total: int | None = None) -> None:
        self.problems = problems
        # ``total`` counts bad rows; a row can hold several problems, each listed.
        self.total = max(total if total is not None else 0, len(problems))
        first = problems[0]
        lines = [str(p).split("\n  hint:")[0] for p in problems[:10]]
        more = self.total - len(lines)
        noun = "problem" if self.total == 1 else "problems"
        summary = f"{self.total:,} {noun} found; nothing was loaded:\n  " + "\n  ".join(lines)
        if more > 0:
            summary += f"\n  ... and {more} more"
        ThroughlineError.__init__(
            self,
            summary,
            hint=first.hint
            or "fix the rows above, or re-run with --skip-bad-rows to load the good rows "
            "and quarantine the rest",
        )
        self.file, self.row, self.column = first.file, first.row, first.column
        self.value, self.expected, self.line = first.value, first.expected, first.line


class StoreError(ThroughlineError):
    """The evidence store cannot be opened or written."""


class StoreBusy(StoreError):
    """Another process is writing to the workspace's store (exit 2: try again later)."""

    exit_code = 2


class NotMeasurable(ThroughlineError):
    """A computation lacks the data it needs (diagnostics turn this into a finding)."""


class ModelError(ThroughlineError):
    """A model provider failed or is misconfigured."""
