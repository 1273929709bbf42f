"""Predictions of a fitted model: scores, classes, probabilities, log-probabilities.

For in-memory input the scores are computed in the namespace and on the device of
``X``; for a row-chunked Dask array they are lazy, one task per chunk, and every
row-wise function of them (classes, probabilities) runs chunk by chunk. Which
function of the scores gives what is the loss object's (`sklogreg._loss`).
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import sparse
from sklearn.utils._array_api import get_namespace, move_to
from sklearn.utils.validation import check_is_fitted, validate_data

from ._array_api import namespace_of
from ._backends import NumpyBackend, backend_for
from ._input import check_model_namespace, is_dask_array
from ._loss import log_loss_for

__all__ = [
    "decision_function",
    "predict",
    "predict_log_proba",
    "predict_proba",
]

_NUMPY = NumpyBackend()


def decision_function(estimator, X):
    """``X @ coef_.T + intercept_``: one column per class, or the log-odds."""
    check_is_fitted(estimator)
    coef = estimator.coef_
    if sparse.issparse(coef):  # after sparsify(): the scores of the dense coef_
        coef = coef.toarray()
    if is_dask_array(X):
        from ._dask import check_dask_input
        from ._dask import decision_function as dask_decision_function

        X, _, _ = check_dask_input(
            X, n_features=estimator.n_features_in_, known_chunks=False
        )
        return dask_decision_function(X, coef, estimator.intercept_)
    xp, _ = get_namespace(X)
    check_model_namespace(estimator, X, "decision_function")
    X = validate_data(
        estimator, X, accept_sparse="csr", dtype=[xp.float64, xp.float32], reset=False
    )
    if namespace_of(X) is not None:
        # NumPy promotes float32 data and float64 coefficients to float64; not every
        # library does it for a matrix product (PyTorch refuses).
        dtype = xp.result_type(X.dtype, coef.dtype)
        scores = xp.astype(X, dtype) @ xp.astype(coef, dtype).T
        scores = scores + xp.astype(estimator.intercept_, dtype)
        return scores[:, 0] if scores.shape[1] == 1 else scores
    scores = X @ coef.T + estimator.intercept_
    if sparse.issparse(scores):  # pragma: no cover - defensive, scipy<1.11
        scores = scores.toarray()
    return scores.ravel() if scores.shape[1] == 1 else scores


def predict(estimator, X):
    """The most probable class of each row, from ``classes_``."""
    check_model_namespace(estimator, X, "predict")
    scores = decision_function(estimator, X)
    classes = estimator.classes_
    return _row_wise(
        scores,
        functools.partial(labels_from_scores, classes=classes),
        n_columns=None,
        dtype=classes.dtype,
    )


def predict_proba(estimator, X):
    """Probabilities: the sigmoid of the log-odds, or the softmax of the logits."""
    check_model_namespace(estimator, X, "predict_proba")
    return _probabilities(estimator, X, "probabilities")


def predict_log_proba(estimator, X):
    """``log_expit`` of the log-odds or ``log_softmax`` of the logits."""
    check_model_namespace(estimator, X, "predict_log_proba")
    return _probabilities(estimator, X, "log_probabilities")


def _probabilities(estimator, X, kind: str):
    """The loss's ``kind`` of probabilities (its method of that name) of the scores."""
    scores = decision_function(estimator, X)
    loss = log_loss_for(estimator.classes_.size, _backend_of_scores(scores))
    return _row_wise(
        scores,
        getattr(loss, kind),
        n_columns=estimator.classes_.size,
        dtype=scores.dtype,
    )


def labels_from_scores(scores, classes: np.ndarray):
    """The most probable class, from ``classes`` (on the host, maybe strings).

    For Array API scores, numeric labels go to the device (a few numbers), not the
    scores to the host; labels of other kinds come back to the host.
    """
    backend = backend_for(scores)
    indices = log_loss_for(classes.size, backend).predicted_indices(scores)
    if isinstance(scores, np.ndarray):
        return classes[indices]
    if classes.dtype.kind in "biuf":
        return backend.xp.take(backend.asarray(classes), indices, axis=0)
    return classes[move_to(indices, xp=np, device="cpu")]


def _backend_of_scores(scores):
    """Dask scores are NumPy chunk by chunk; others are computed where they are."""
    return _NUMPY if is_dask_array(scores) else backend_for(scores)


def _row_wise(scores, function, *, n_columns: int | None, dtype):
    """``function(scores)``; for Dask scores, lazily and chunk by chunk."""
    if not is_dask_array(scores):
        return function(scores)
    from ._dask import map_scores

    return map_scores(scores, function, n_columns=n_columns, dtype=dtype)
