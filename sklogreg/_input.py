"""Input handling for every kind of input: validation, labels, sample and class weights.

`GDLogisticRegression` calls these before any objective is built. In-memory input
(NumPy, SciPy CSR, any Array API library under ``array_api_dispatch``) is validated
with scikit-learn's ``validate_data``; a row-chunked Dask array is scanned in one
reduction over its chunks (`sklogreg._dask`). Both end in the same checks, each
stated once in `sklogreg._input_checks`.
"""

from __future__ import annotations

import sys

import numpy as np
from sklearn import get_config
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._array_api import (
    _is_numpy_namespace,
    check_same_namespace,
    get_namespace,
    move_to,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, validate_data

from ._array_api import detached, namespace_of
from ._backends import backend_for
from ._input_checks import (
    check_at_least_two_classes,
    check_combined_weights,
    check_feature_magnitude,
    check_known_labels,
    check_penalty_scale,
    class_weights,
    largest_magnitude,
    weight_sum,
)

__all__ = [
    "ARRAY_API_SOLVERS",
    "check_array_api_solver",
    "check_features",
    "check_model_namespace",
    "combined_sample_weight",
    "dask_input",
    "encoded_labels",
    "is_dask_array",
    "validated_input",
]

# The solvers that run on any Array API namespace and device.
ARRAY_API_SOLVERS = ("gd", "nesterov", "bb")


def is_dask_array(obj) -> bool:
    """Whether ``obj`` is a ``dask.array.Array``, without importing Dask.

    A Dask array can only exist once ``dask.array`` is imported, so the core install
    never imports Dask (an optional extra) to answer.
    """
    dask_array = sys.modules.get("dask.array")
    return dask_array is not None and isinstance(obj, dask_array.Array)


def encoded_labels(y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``y`` on the host, as indices into its sorted classes, and those classes.

    Labels are encoded on the host, once: ``classes_`` stays a NumPy array (it may
    hold strings), and the solvers only see the encoded target, on the device of
    ``X``.
    """
    if not isinstance(y, np.ndarray):
        y = move_to(y, xp=np, device="cpu")
    check_classification_targets(y)
    label_encoder = LabelEncoder()
    y_encoded = label_encoder.fit_transform(y)
    check_at_least_two_classes(label_encoder.classes_)
    return y, y_encoded, label_encoder.classes_


def validated_input(estimator, X, y, sample_weight, *, reset: bool):
    """``X`` and ``y`` validated by scikit-learn, all three cut from any autograd graph.

    ``X`` stays in its namespace and on its device (under ``array_api_dispatch``)
    as float64 or float32, dense or CSR; ``reset`` records its number of features
    (and names) as ``validate_data`` does.
    """
    xp, _ = get_namespace(X)
    X, y, sample_weight = detached(X), detached(y), detached(sample_weight)
    X, y = validate_data(
        estimator,
        X,
        y,
        accept_sparse="csr",
        dtype=[xp.float64, xp.float32],
        reset=reset,
    )
    return X, y, sample_weight


def check_features(X) -> None:
    """Refuse features whose squares overflow, before any product with them."""
    xp = namespace_of(X)
    check_feature_magnitude(largest_magnitude(X, xp), X.shape[1], X.dtype, xp)


def combined_sample_weight(
    sample_weight,
    X,
    y_encoded: np.ndarray,
    classes: np.ndarray,
    *,
    class_weight,
    C: float,
    weight_seen: float = 0.0,
):
    """Sample weights times class weights, validated, and their sum.

    Checked before any solver divides by them: a positive, representable largest
    weight, and a penalty ``1/(C S)`` that does not overflow, with ``S`` the sum plus
    ``weight_seen`` (the weight a stream saw before). Returns the weights, in the
    namespace and on the device of ``X``, and their sum (a float).
    """
    sample_weight = _check_sample_weight(
        sample_weight, X, dtype=X.dtype, ensure_non_negative=True
    )
    backend = backend_for(X)
    xp = namespace_of(X)
    if class_weight is not None:
        # The labels are on the host: so are the weights used to count them.
        host_weight = move_to(sample_weight, xp=np, device="cpu")
        counts = np.bincount(y_encoded, minlength=classes.size)
        totals = np.bincount(y_encoded, host_weight, minlength=classes.size)
        weights = class_weights(class_weight, classes, totals, counts)
        row_weight = backend.asarray(weights[y_encoded], dtype=X.dtype)
        # An overflow is reported below, by the check of the largest weight.
        with np.errstate(over="ignore"):
            sample_weight = sample_weight * row_weight
    largest = float(backend.xp.max(sample_weight)) if sample_weight.shape[0] else 0.0
    check_combined_weights(largest, X.dtype, xp)
    total = weight_sum(sample_weight, xp)
    check_penalty_scale(C, weight_seen + total, X.dtype, xp)
    return sample_weight, total


def check_array_api_solver(estimator, xp, method: str) -> None:
    """Refuse a non-NumPy namespace where only NumPy and SciPy are supported."""
    if _is_numpy_namespace(xp):
        return
    if method == "partial_fit" or estimator.solver not in ARRAY_API_SOLVERS:
        what = (
            "partial_fit" if method == "partial_fit" else f"solver={estimator.solver!r}"
        )
        raise ValueError(
            f"{type(estimator).__name__}: {what} supports NumPy arrays and SciPy "
            f"sparse matrices only, got {xp.__name__} arrays (with "
            "array_api_dispatch=True). Array API input is supported by fit with "
            f"solver in {list(ARRAY_API_SOLVERS)}."
        )


def check_model_namespace(estimator, X, method: str) -> None:
    """Refuse ``X`` of another namespace than the fit's.

    Under array API dispatch, scikit-learn's ``check_same_namespace``, with its
    error naming ``method``. Without dispatch every input becomes NumPy, which a
    model fitted on another namespace cannot take: the error says where the model
    lives. Dask arrays (NumPy coefficients, their own path) are left to that path.
    """
    if is_dask_array(X):
        return
    check_same_namespace(X, estimator, attribute="coef_", method=method)
    coef = getattr(estimator, "coef_", None)
    if namespace_of(coef) is None or get_config()["array_api_dispatch"]:
        return
    library = type(coef).__module__.split(".")[0]
    raise ValueError(
        f"This model was fitted on {library} arrays (coef_: "
        f"{library}.{type(coef).__name__} on {coef.device}), and {method} got "
        "input without array_api_dispatch, which becomes NumPy. Pass "
        f"{library} input with sklearn.set_config(array_api_dispatch=True) (or "
        "inside sklearn.config_context(array_api_dispatch=True)), or move "
        "coef_ and intercept_ to NumPy first, for example with model = "
        "sklearn.utils._array_api.move_estimator_to(model, numpy, 'cpu')."
    )


def dask_input(estimator, X, y, sample_weight, *, classes=None):
    """Validate Dask input: the chunked data, its classes and their weights.

    The labels are scanned in one reduction over the chunks (classes, counts,
    finiteness of ``X``, sign of the weights); nothing is gathered to the client.
    With ``classes`` (a fitted model's), the data must have that many features and
    no other labels; without, this is a new fit and ``n_features_in_`` is set.

    Returns
    -------
    X, y, sample_weight : dask arrays
        Aligned on ``X``'s row chunks (``sample_weight`` may be None).
    encoding : RowEncoding
        The classes and the class weights, as each task applies them.
    """
    from ._dask import RowEncoding, check_dask_input, scan_labels_and_weights

    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, got None."
        )
    X, y, sample_weight = check_dask_input(
        X,
        y,
        sample_weight,
        n_features=None if classes is None else estimator.n_features_in_,
    )
    if classes is None:
        estimator.n_features_in_ = X.shape[1]
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
    seen, seen_totals, seen_counts = scan_labels_and_weights(X, y, sample_weight)
    if classes is None:
        classes = seen
        check_at_least_two_classes(classes)
        check_classification_targets(classes)
    else:
        check_known_labels(seen, classes, "seen during fit")
    # Totals and counts per class of `classes` (0 for a class absent here).
    position = np.searchsorted(classes, seen)
    class_totals = np.zeros(classes.size)
    class_counts = np.zeros(classes.size)
    class_totals[position] = seen_totals
    class_counts[position] = seen_counts
    encoding = RowEncoding(
        classes,
        class_weights(estimator.class_weight, classes, class_totals, class_counts),
        X.dtype,
    )
    return X, y, sample_weight, encoding
