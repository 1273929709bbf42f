"""Cross-validation along the path: each fold's path, its scores, the best point.

`fold_path` is the job `GDLogisticRegressionCV.fit` runs for every fold and
``l1_ratio`` (in parallel through joblib): the path on the fold's training rows
(`sklogreg._path`), scored on its test rows by the estimator's scorer, as
scikit-learn's ``_log_reg_scoring_path`` scores each ``C``. `best_point` and
`averaged_coef` choose from the scores exactly as ``LogisticRegressionCV`` does,
including its tie-breaking: the first best in the order of ``Cs``, then of
``l1_ratios``.
"""

from __future__ import annotations

import inspect
from typing import NamedTuple

import numpy as np
from sklearn.metrics import make_scorer
from sklearn.utils.validation import _check_method_params

from ._logistic import GDLogisticRegression
from ._path import PathSettings, fit_path
from ._solvers import SolverResult

__all__ = ["FoldPath", "averaged_coef", "best_point", "fold_path"]


class FoldPath(NamedTuple):
    """One fold's path for one ``l1_ratio``: coefficients, iterations, scores."""

    coefs: np.ndarray
    n_iter: np.ndarray
    scores: np.ndarray
    unconverged: list[SolverResult]


def fold_path(
    X,
    y,
    y_encoded: np.ndarray,
    weights,
    train: np.ndarray,
    test: np.ndarray,
    *,
    classes: np.ndarray,
    Cs: np.ndarray,
    l1_ratio: float,
    settings: PathSettings,
    scorer,
    score_params: dict,
) -> FoldPath:
    """Fit the path on the rows ``train`` and score every ``C`` on ``test``.

    ``weights`` are the sample weights times the class weights of all the data
    (fitted on); ``score_params`` (the scorer's, sample weights among them) are cut
    to the test rows. Only the fold's rows are copied, as scikit-learn does.
    """
    path = fit_path(
        X[train], y_encoded[train], classes.size, weights[train], Cs, l1_ratio, settings
    )
    score_params = _check_method_params(X, params=score_params, indices=test)
    scorer = _with_all_labels(scorer, classes)
    model = _scoring_model(classes, X.shape[1], l1_ratio, settings.fit_intercept)
    X_test, y_test = X[test], y[test]
    scores = np.empty(len(Cs))
    for index, (coef, C) in enumerate(zip(path.coefs, Cs, strict=True)):
        model.C = C
        model.coef_, model.intercept_ = split_coef(coef, X.shape[1], model)
        scores[index] = scorer(model, X_test, y_test, **score_params)
    return FoldPath(path.coefs, path.n_iter, scores, path.unconverged)


def split_coef(coef, n_features: int, model) -> tuple[np.ndarray, np.ndarray]:
    """``coef_`` and ``intercept_`` from a stacked ``[W, b]`` of the path."""
    if model.fit_intercept:
        return coef[:, :n_features], coef[:, n_features]
    return coef, np.zeros(coef.shape[0], dtype=coef.dtype)


def _scoring_model(classes, n_features, l1_ratio, fit_intercept):
    """A `GDLogisticRegression` to carry each point's coefficients to the scorer."""
    model = GDLogisticRegression(l1_ratio=l1_ratio, fit_intercept=fit_intercept)
    model.classes_ = classes
    model.n_features_in_ = n_features
    return model


def _with_all_labels(scorer, classes):
    """The scorer told every class, for metrics that take ``labels``.

    A fold's test rows may miss a class that the model predicts a probability
    for (``neg_log_loss``, ``neg_brier_score``): scikit-learn rebuilds such a scorer
    with ``labels=classes`` (and ``pos_label`` the second class for two), and so
    does this, so that the scores are the same.
    """
    score_func = getattr(scorer, "_score_func", None)
    if score_func is None or "labels" not in inspect.signature(score_func).parameters:
        return scorer
    signature = inspect.signature(score_func).parameters
    pos_label = {}
    if len(classes) <= 2 and "pos_label" in signature:
        pos_label["pos_label"] = classes[-1]
    return make_scorer(
        score_func,
        greater_is_better=scorer._sign == 1,
        response_method=scorer._response_method,
        labels=classes,
        **pos_label,
        **getattr(scorer, "_kwargs", {}),
    )


def best_point(scores: np.ndarray) -> tuple[int, int]:
    """Index ``(l1_ratio, C)`` of the best summed score over folds.

    ``scores`` has shape (n_folds, n_l1_ratios, n_cs). Ties go to the first in the
    order of ``Cs``, then of ``l1_ratios``, as ``LogisticRegressionCV`` breaks them.
    """
    by_c_then_l1 = scores.sum(axis=0).T
    c_index, l1_index = np.unravel_index(np.argmax(by_c_then_l1), by_c_then_l1.shape)
    return int(l1_index), int(c_index)


def averaged_coef(scores, coefs_paths, Cs, l1_ratios):
    """``refit=False``: the mean over folds of each fold's best point.

    Each fold's best ``(C, l1_ratio)`` is chosen on its own scores (ties as in
    `best_point`); the coefficients, ``C`` and ``l1_ratio`` are the means of the
    folds' bests, as ``LogisticRegressionCV`` averages them.

    Returns
    -------
    coef : ndarray of shape (n_coef_rows, n_features + fit_intercept)
    C : float
    l1_ratio : float
    """
    n_folds = scores.shape[0]
    c_indices, l1_indices = np.empty(n_folds, int), np.empty(n_folds, int)
    for fold in range(n_folds):
        l1_indices[fold], c_indices[fold] = best_point(scores[fold : fold + 1])
    coef = np.mean(coefs_paths[np.arange(n_folds), l1_indices, c_indices], axis=0)
    return coef, float(np.mean(Cs[c_indices])), float(np.mean(l1_ratios[l1_indices]))
