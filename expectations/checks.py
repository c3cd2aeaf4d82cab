"""Expectations as plain data: built in code, turned into Great Expectations objects only by the gate.

Keeping suites as data means importing a suite never imports GX (which takes seconds), and the
baseline of every table is derived from `warehouse.schemas` rather than typed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from warehouse.schemas import Table

Severity = Literal["critical", "warning"]


@dataclass(frozen=True)
class Check:
    """One expectation: the GX expectation class name, its arguments, severity and why it exists."""

    expectation: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    severity: Severity = "critical"
    why: str = ""
    # Row-level checks name offending rows, so the quarantine policy can hold back just those rows.
    row_level: bool = True

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column") or self.kwargs.get("column_A")

    @property
    def name(self) -> str:
        parts: list[str] = []
        for k in ("column", "column_A", "column_B", "column_list"):
            v = self.kwargs.get(k)
            parts += v if isinstance(v, list) else [v] if v else []
        target = ",".join(parts)
        return f"{self.expectation}({target})" if target else self.expectation


def derived(column: str, why: str, severity: Severity = "critical", row_level: bool = True) -> Check:
    """A check that a derived boolean column (computed by a suite's `prepare`) is true on every row.

    `row_level=False` for referential integrity: a dangling reference means the batch's tables disagree
    (a broken stage), so the gate stops the batch rather than holding rows back."""
    return Check(
        "ExpectColumnValuesToBeInSet", {"column": column, "value_set": [True]}, severity, why, row_level
    )


def baseline(table: Table, extra_columns: tuple[str, ...] = ()) -> list[Check]:
    """Columns present, required columns not null, key unique: all read off the declared schema."""
    checks = [
        Check(
            "ExpectTableColumnsToMatchSet",
            {"column_set": [*table.columns, *extra_columns], "exact_match": True},
            why=f"{table.name} has exactly its declared columns",
            row_level=False,
        )
    ]
    checks += [
        Check("ExpectColumnValuesToNotBeNull", {"column": c}, why="declared not-null in warehouse.schemas")
        for c in table.required
    ]
    if len(table.key) == 1:
        checks.append(
            Check(
                "ExpectColumnValuesToBeUnique", {"column": table.key[0]}, why="declared key", row_level=False
            )
        )
    elif table.key:
        checks.append(
            Check(
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": list(table.key)},
                why="declared key",
                row_level=False,
            )
        )
    return checks
