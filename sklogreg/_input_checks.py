"""Checks of the input that the in-memory and the Dask paths share.

Each error about labels, sample and class weights, the size of the features or the
strength of the penalty is stated here once; `sklogreg._input` (NumPy, SciPy and
Array API input) and `sklogreg._dask` (one reduction over the chunks) gather the few
numbers a check needs in their own way and call the same function. Every message
names the cause and the way out.
"""

from __future__ import annotations

import inspect
from numbers import Real

import numpy as np
from scipy import sparse
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _assert_all_finite

__all__ = [
    "check_at_least_two_classes",
    "check_combined_weights",
    "check_feature_magnitude",
    "check_known_labels",
    "check_penalty_scale",
    "class_weights",
    "features_too_large_error",
    "largest_magnitude",
    "raise_non_finite_labels",
    "weight_sum",
]

# As LogisticRegression: "balanced" counts each class by its sample weights where
# compute_class_weight takes them (scikit-learn >= 1.8), by its rows before.
_BALANCE_BY_SAMPLE_WEIGHT = (
    "sample_weight" in inspect.signature(compute_class_weight).parameters
)

# The solvers multiply the penalty's curvature 1/(C S) by small constants (4, for
# the bound on the sigmoid's curvature in the preconditioner, and sums of a few
# such terms): it must stay this far below the largest float.
_PENALTY_HEADROOM = 16.0


def check_at_least_two_classes(classes: np.ndarray) -> None:
    """Refuse labels of a single class: there is no boundary to learn."""
    if classes.size < 2:
        raise ValueError(
            "This solver needs samples of at least 2 classes in the data, but the "
            f"data contains only one class: {classes[0]!r}."
        )


def check_known_labels(labels: np.ndarray, classes: np.ndarray, origin: str) -> None:
    """Refuse labels outside ``classes``; ``origin`` says where those came from.

    Parameters
    ----------
    labels : ndarray
        The distinct labels of ``y`` (repeats are harmless).
    classes : ndarray
        The sorted classes the model has.
    origin : str
        Completes "not among the classes ..." (for example "seen during fit").
    """
    unknown = np.setdiff1d(labels, classes)
    if unknown.size:
        raise ValueError(
            f"y contains label(s) {unknown.tolist()} not among the classes "
            f"{classes.tolist()} {origin}."
        )


def raise_non_finite_labels(has_nan: bool, has_inf: bool, dtype) -> None:
    """Scikit-learn's own error for NaN or infinite labels, when there are any.

    The Dask path scans ``y`` on the workers and knows only that it holds them;
    the error is the one ``validate_data`` gives for in-memory ``y``.
    """
    for found, value in ((has_nan, np.nan), (has_inf, np.inf)):
        if found:
            _assert_all_finite(np.array([value], dtype=dtype), input_name="y")


def class_weights(
    class_weight,
    classes: np.ndarray,
    class_totals: np.ndarray,
    class_counts: np.ndarray,
) -> np.ndarray | None:
    """The weight of each class of ``classes``, as ``LogisticRegression`` gives it.

    Parameters
    ----------
    class_weight : dict, "balanced" or None
        The estimator's parameter.
    classes : ndarray of shape (n_classes,)
        The sorted classes.
    class_totals, class_counts : ndarray of shape (n_classes,)
        The sum of the sample weights of each class's rows, and their number.

    Returns
    -------
    weights : ndarray of shape (n_classes,) or None
        ``None`` for ``class_weight=None``.

    Raises
    ------
    ValueError
        For a weight in a dict that is negative, NaN, infinite or not a number (a
        class weight multiplies sample weights, which must be finite and
        non-negative), or a dict that names a class not in ``classes``.
    """
    if class_weight is None:
        return None
    if isinstance(class_weight, str):  # "balanced", the only string allowed
        totals = class_totals if _BALANCE_BY_SAMPLE_WEIGHT else class_counts
        totals = np.asarray(totals, dtype=np.float64)
        present = np.count_nonzero(class_counts)
        with np.errstate(divide="ignore"):
            weights = totals.sum() / (present * totals)
        # A class whose rows weigh nothing in total (absent from this data, or all
        # its sample weights zero) changes no row's weight with any finite value;
        # 0 rather than the quotient's inf, which times a zero weight is NaN.
        weights[~(totals > 0)] = 0.0
        return weights
    invalid = {
        label: weight
        for label, weight in class_weight.items()
        if not (isinstance(weight, Real) and np.isfinite(weight) and weight >= 0)
    }
    if invalid:
        raise ValueError(
            f"class_weight must give every class a finite, non-negative weight (it "
            f"multiplies the sample weights, which must be so too); got {invalid}. "
            "Use 0 to ignore a class."
        )
    return compute_class_weight(class_weight, classes=classes, y=classes)


def _float_info(dtype, xp=None) -> tuple[float, float, str]:
    """The largest and the smallest normal number of a float dtype, and its name.

    ``xp`` is the Array API namespace of ``dtype``; ``None`` for NumPy.
    """
    info = (np if xp is None else xp).finfo(dtype)
    name = str(dtype).rsplit(".", 1)[-1]  # "float32", also for torch.float32
    return float(info.max), float(info.smallest_normal), name


def check_combined_weights(largest: float, dtype, xp=None) -> None:
    """Refuse sample weights (times class weights) that leave nothing to fit with.

    Parameters
    ----------
    largest : float
        The largest combined weight of any row.
    dtype : dtype
        The dtype the weights are computed in (that of ``X``).
    xp : module, optional
        The Array API namespace of ``dtype``; ``None`` for NumPy.
    """
    if not largest > 0:
        raise ValueError(
            "The sample weights (times class weights) sum to zero: there is "
            "nothing to fit."
        )
    _, smallest_normal, name = _float_info(dtype, xp)
    if not np.isfinite(largest):
        raise ValueError(
            f"The sample weights times the class weights overflow {name}: their "
            "products are too large to be represented. Divide the sample weights "
            "by a common factor k (and multiply C by k, which gives the same "
            "model)."
        )
    if largest < smallest_normal:
        raise ValueError(
            "The sample weights (times class weights) are too small to be "
            f"represented relative to each other: the largest, {largest:.3g}, is "
            f"below the smallest normal {name} ({smallest_normal:.3g}), where "
            "numbers keep only a few significant digits. Multiply them by a common "
            "factor k, for example 1 / their largest value (and divide C by k, "
            "which gives the same model)."
        )


def weight_sum(weights, xp=None) -> float:
    """``S``, the sum of the weights in float64; ``inf`` (quietly) if it overflows.

    An infinite ``S`` only means that the penalty ``1/(C S)`` vanishes.
    """
    if xp is not None:
        return float(xp.sum(weights))
    with np.errstate(over="ignore"):
        return float(weights.sum(dtype=np.float64))


def check_penalty_scale(C: float, total_weight: float, dtype, xp=None) -> None:
    """Refuse a ``C`` (times the weight sum ``S``) whose penalty ``1/(C S)`` overflows.

    Parameters
    ----------
    C : float
        Inverse regularisation strength; ``inf`` (no penalty) always passes.
    total_weight : float
        ``S``, the sum of the sample weights (times class weights) in the penalty.
    dtype : dtype
        The dtype of the computation (that of ``X``).
    xp : module, optional
        The Array API namespace of ``dtype``; ``None`` for NumPy.
    """
    if np.isinf(C):
        return
    largest, _, name = _float_info(dtype, xp)
    # Python floats: a product that overflows is inf without a warning (C may come
    # as a NumPy scalar), one that underflows is 0 and fails; nothing divides by it.
    if float(C) * float(total_weight) >= _PENALTY_HEADROOM / largest:
        return
    raise ValueError(
        f"C={C:g} is too small: with the sample weights (times class weights) "
        f"summing to S={total_weight:.3g}, the penalty strength 1/(C S) overflows "
        f"{name} (it must stay below {largest / _PENALTY_HEADROOM:.3g})."
        " A penalty this strong makes every coefficient zero to floating-point "
        "precision anyway: use a larger C (or larger sample weights)."
    )


def features_too_large_error(
    largest: float | None = None, n_columns: int | None = None, dtype=None, xp=None
) -> ValueError:
    """The error for features whose squares (the log-loss's curvature) overflow.

    With ``largest`` (the largest magnitude in ``X``), ``n_columns`` (its features
    and the intercept's column) and its ``dtype`` (of the namespace ``xp``), the
    message names them; without, it reports an overflow found by a step-size
    estimate.
    """
    found = (
        "the curvature of the log-loss overflows on this data"
        if largest is None
        else f"the largest magnitude in X is {largest:.3g}, and the squared norm of "
        f"a row of {n_columns} such values (the curvature of that sample's "
        f"log-loss) overflows {_float_info(dtype, xp)[2]}"
    )
    return ValueError(
        f"The features are too large in magnitude for floating point: {found}. "
        "Rescale them, for example with sklearn.preprocessing.StandardScaler."
    )


def check_feature_magnitude(largest: float, n_features: int, dtype, xp=None) -> None:
    """Refuse features whose squared row norms may overflow, before any is computed.

    ``largest`` is the largest magnitude in ``X`` of ``n_features`` columns, ``xp``
    the Array API namespace of ``dtype`` (``None`` for NumPy). A row of such values
    (and the intercept's 1) has a squared norm up to ``(n_features + 1) *
    largest**2``: every step size is computed from such squares.
    """
    n_columns = n_features + 1
    if largest > np.sqrt(_float_info(dtype, xp)[0] / n_columns):
        raise features_too_large_error(largest, n_columns, dtype, xp)


def largest_magnitude(X, xp=None) -> float:
    """``max |X|`` (0 for no entries), without a temporary the size of ``X``.

    ``X`` is a NumPy array, a SciPy sparse matrix or, with its namespace ``xp``, an
    Array API array.
    """
    if xp is not None:
        if X.size == 0:
            return 0.0
        return max(float(xp.max(X)), -float(xp.min(X)))
    values = X.data if sparse.issparse(X) else X
    if values.size == 0:
        return 0.0
    return max(float(values.max()), -float(values.min()))
