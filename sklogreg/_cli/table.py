"""The table ``sklogreg compare`` prints: one aligned row per contender."""

from __future__ import annotations

from .measure import Outcome

__all__ = ["format_table"]

# Column titles have no spaces, so that the table splits on whitespace.
COLUMNS = (
    ("contender", "{}", "<"),
    ("fit_ms", "{:.2f}", ">"),
    ("iter", "{:d}", ">"),
    ("objective", "{:.10f}", ">"),
    ("train_acc", "{:.4f}", ">"),
    ("test_acc", "{:.4f}", ">"),
    ("test_logloss", "{:.5f}", ">"),
    ("max|Δcoef|", "{:.2e}", ">"),
    ("converged", "{}", ">"),
)


def format_table(outcomes: list[Outcome]) -> str:
    """One aligned row per contender.

    ``max|Δcoef|`` is the largest difference to lbfgs's coefficients and intercepts.
    """
    rows = [
        (
            o.name,
            o.fit_seconds * 1e3,
            o.n_iter,
            o.objective,
            o.train_accuracy,
            o.test_accuracy,
            o.test_log_loss,
            o.coef_gap,
            "yes" if o.converged else "no",
        )
        for o in outcomes
    ]
    cells = [[title for title, _, _ in COLUMNS]] + [
        [fmt.format(value) for (_, fmt, _), value in zip(COLUMNS, row, strict=True)]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(
            f"{cell:{align}{width}}"
            for cell, width, (_, _, align) in zip(line, widths, COLUMNS, strict=True)
        ).rstrip()
        for line in cells
    )
