"""What a fit says when it stops short or blows up: diagnosis and the fix, once.

The ConvergenceWarning names the likeliest causes first, from what the fit can see
(the columns' scales, the dtype's resolution, a fixed learning rate that went
uphill); the divergence error names the safe step ``1/L``. Both read the problem and
the solver's result, never change them.
"""

from __future__ import annotations

import numpy as np

from ._solvers import ObjectiveDivergedError, SolverResult

__all__ = ["convergence_message", "diverged_error"]


def diverged_error(learning_rate, error: ObjectiveDivergedError, safe_step: float):
    """The error for a learning rate that made the objective blow up."""
    return ValueError(
        f"learning_rate={learning_rate!r} is too large: {error}. The safe step for "
        f"this problem is 1/L = {safe_step:.4g}; use a learning_rate at most that, "
        "or learning_rate='auto'."
    )


def convergence_message(
    estimator, result: SolverResult, *, column_scales: np.ndarray, dtype
) -> str:
    """Say what stopped short, and what to change, likeliest cause first.

    Parameters
    ----------
    estimator : GDLogisticRegression
        The estimator whose fit stopped at ``max_iter``.
    result : SolverResult
        What its solver returned.
    column_scales : ndarray of shape (n_features,)
        The standard deviations of the columns of ``X``, on the host.
    dtype : dtype
        The dtype of ``X`` (NumPy's, or of its Array API namespace).
    """
    gradient_max = result.gradient_max_curve[-1]
    learning_rate = estimator.learning_rate
    hints = []
    scales = column_scales
    # A constant column reads as 1 (it has no scale to fix).
    if scales.size and scales.max() > 100 * scales.min():
        hints.append(
            f"the features have very different scales (standard deviations from "
            f"{scales.min():.2g} to {scales.max():.2g}): standardize them, for "
            "example with sklearn.preprocessing.StandardScaler"
        )
    float32 = "float32" in str(dtype)
    resolution = 100 * float(np.finfo(np.float32 if float32 else np.float64).eps)
    if float32 and gradient_max < 1e3 * resolution:
        hints.append(
            f"float32 data resolve the gradient only to about {resolution:.0e} "
            "relative: use a larger tol or float64 data"
        )
    hints.append(f"increase max_iter (now {estimator.max_iter})")
    if learning_rate != "auto" and max(result.loss_curve) > result.loss_curve[0]:
        # The walk went uphill: the step overshoots, short of diverging.
        hints.insert(
            0,
            f"the objective rose above its starting value: the fixed "
            f"learning_rate={learning_rate:g} is too large; try a smaller one or "
            "learning_rate='auto'",
        )
    elif learning_rate != "auto":
        hints.append(
            f"a fixed learning_rate={learning_rate:g} may be too small: try a "
            "larger one or learning_rate='auto'"
        )
    if estimator.solver == "gd":
        hints.append("solver='bb' (the default) usually needs far fewer iterations")
    return (
        f"{type(estimator).__name__}(solver={estimator.solver!r}) did not converge in "
        f"max_iter={estimator.max_iter} iterations: the largest gradient entry is "
        f"{gradient_max:.3g}, above tol={estimator.tol:g}. To fix it: "
        + "; ".join(hints)
        + "."
    )
