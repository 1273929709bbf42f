"""The problem an estimator's parameters pose on given data: its objective.

`GDLogisticRegression.fit`, `partial_fit` and `objective` all minimise or evaluate
the contract's objective with the estimator's ``C``, ``l1_ratio``, ``class_weight``
and ``fit_intercept``: these builders are the one place that maps the parameters to
an objective, for in-memory data and for a row-chunked Dask array.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._array_api import get_namespace, move_to

from ._fitting import validation_split
from ._input import (
    check_array_api_solver,
    check_features,
    check_model_namespace,
    combined_sample_weight,
    dask_input,
    encoded_labels,
    is_dask_array,
    validated_input,
)
from ._input_checks import check_known_labels
from ._objective import LogisticObjective, logistic_objective
from ._walk import check_walk

__all__ = [
    "FitProblem",
    "dask_problem",
    "fit_problem",
    "in_memory_objective",
    "objective_on",
    "sample_weight_for",
]


class FitProblem(NamedTuple):
    """What `GDLogisticRegression.fit` minimises, and what it reports on.

    Attributes
    ----------
    objective : LogisticObjective
        The objective, on in-memory data or on a Dask array.
    classes : ndarray
        The sorted classes.
    X, y : arrays
        The data as the callbacks see it (validated, for in-memory input).
    random_state : RandomState or None
        The source of "sgd"'s shuffles and of the validation split.
    validation : tuple or None
        Early stopping's held-out ``(X, y, sample_weight)``.
    started : float or None
        `time.perf_counter` when the fit started, before validation.
    """

    objective: LogisticObjective
    classes: np.ndarray
    X: object
    y: object
    random_state: np.random.RandomState | None = None
    validation: tuple | None = None
    started: float | None = None


def fit_problem(estimator, X, y, sample_weight) -> FitProblem:
    """Validate the input of a fit and build its objective, for any kind of input."""
    started = time.perf_counter()
    check_walk(estimator)
    if is_dask_array(X):
        if estimator.solver == "sgd":
            raise ValueError(
                "solver='sgd' draws minibatches of rows from memory and does not "
                "run on Dask arrays: use solver='bb', 'nesterov' or 'gd', whose every "
                "step is one reduction over the chunks."
            )
        if estimator.early_stopping:
            raise ValueError(
                "early_stopping holds out rows of an in-memory X and does not run "
                "on Dask arrays: fit with early_stopping=False, or on a NumPy array."
            )
        objective, classes = dask_problem(estimator, X, y, sample_weight)
        return FitProblem(objective, classes, X, y, started=started)
    # X's namespace under array_api_dispatch (NumPy otherwise): the fit runs in it
    # and on X's device; y and sample_weight follow X.
    check_array_api_solver(estimator, get_namespace(X)[0], "fit")
    X, y, sample_weight = validated_input(estimator, X, y, sample_weight, reset=True)
    check_features(X)
    y, y_encoded, classes = encoded_labels(y)
    weights, _ = sample_weight_for(estimator, sample_weight, X, y_encoded, classes)
    random_state = check_random_state(estimator.random_state)
    validation, sample_rows = None, None
    if estimator.early_stopping:
        weights, sample_rows, validation = validation_split(
            X, y_encoded, weights, estimator.validation_fraction, random_state
        )
    objective = in_memory_objective(
        estimator, X, y_encoded, classes, weights, sample_rows=sample_rows
    )
    return FitProblem(objective, classes, X, y, random_state, validation, started)


def sample_weight_for(estimator, sample_weight, X, y_encoded, classes, **options):
    """Sample weights times the estimator's class weights, checked, and their sum."""
    return combined_sample_weight(
        sample_weight,
        X,
        y_encoded,
        classes,
        class_weight=estimator.class_weight,
        C=estimator.C,
        **options,
    )


def in_memory_objective(
    estimator, X, y_encoded, classes, weights, *, precondition=None, **options
) -> LogisticObjective:
    """The objective on in-memory data, with the estimator's penalty.

    Preconditioned by default for "auto": a fixed learning rate means exactly that
    step on ``(W, b)``, while "auto" is free to take it in a better conditioned
    parametrisation. ``options`` go to `logistic_objective`.
    """
    if precondition is None:
        precondition = estimator.learning_rate == "auto"
    return logistic_objective(
        X,
        y_encoded,
        classes.size,
        weights,
        C=estimator.C,
        l1_ratio=estimator.l1_ratio,
        fit_intercept=estimator.fit_intercept,
        precondition=precondition,
        **options,
    )


def dask_problem(estimator, X, y, sample_weight, *, classes=None):
    """The objective on a row-chunked Dask array, and its classes."""
    from ._dask import dask_objective

    X, y, sample_weight, encoding = dask_input(
        estimator, X, y, sample_weight, classes=classes
    )
    objective = dask_objective(
        X,
        y,
        sample_weight,
        encoding=encoding,
        C=estimator.C,
        l1_ratio=estimator.l1_ratio,
        fit_intercept=estimator.fit_intercept,
        precondition=estimator.learning_rate == "auto",
    )
    return objective, encoding.classes


def objective_on(estimator, X, y, sample_weight) -> LogisticObjective:
    """A fitted estimator's objective on new ``(X, y)``, of any kind.

    Unpreconditioned in memory; for a Dask array, built as for a fit (a scan of the
    labels, the weights' and columns' reductions), without gathering ``X``.
    """
    if is_dask_array(X):
        return dask_problem(estimator, X, y, sample_weight, classes=estimator.classes_)[
            0
        ]
    check_model_namespace(estimator, X, "objective")
    X, y, sample_weight = validated_input(estimator, X, y, sample_weight, reset=False)
    if not isinstance(y, np.ndarray):
        y = move_to(y, xp=np, device="cpu")
    classes = estimator.classes_
    check_known_labels(np.unique(y), classes, "seen during fit")
    y_encoded = np.searchsorted(classes, y)
    weights, _ = sample_weight_for(estimator, sample_weight, X, y_encoded, classes)
    return in_memory_objective(
        estimator, X, y_encoded, classes, weights, precondition=False
    )
