"""Conversions between `GDLogisticRegression` and scikit-learn's `LogisticRegression`.

Both estimators minimise the same objective (see `sklogreg._objective`) with the
same ``C`` and ``l1_ratio``, and both predict with the sigmoid of ``X @ coef_.T +
intercept_`` for two classes and its softmax for more. So a fitted model converts
either way by copying its coefficients, and the parameters that pose the problem
(``C``, ``l1_ratio``, ``fit_intercept``, ``class_weight``, ``tol``) carry over
unchanged. What has no counterpart is refused: liblinear's penalised intercept, and
the one-vs-rest models of scikit-learn < 1.8 (1.9 has none left: liblinear refuses
three classes or more). liblinear's ``dual=True`` converts when it has no intercept:
the dual problem has the same solution as the primal one that gradient descent
solves.

Also here: `sparsify` and `densify`, scikit-learn's ``SparseCoefMixin`` with a clear
error for coefficients that live in another Array API library. `SklearnInteropMixin`
gives the estimator these four as methods.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.linear_model._base import SparseCoefMixin
from sklearn.utils._array_api import move_to
from sklearn.utils.validation import check_is_fitted

from ._array_api import namespace_of

__all__ = ["SklearnInteropMixin", "densify", "from_sklearn", "sparsify", "to_sklearn"]

# The parameters that pose the same problem in both estimators, under the same name.
SHARED_PARAMETERS = ("C", "l1_ratio", "fit_intercept", "class_weight", "tol")

# The fitted attributes that make the model, copied either way when present.
MODEL_ATTRIBUTES = ("classes_", "n_features_in_", "feature_names_in_")


class SklearnInteropMixin:
    """`as_sklearn`, `from_sklearn`, `sparsify` and `densify` for the estimator."""

    def as_sklearn(self) -> LogisticRegression:
        """Return this model as a fitted scikit-learn ``LogisticRegression``.

        Same ``classes_``, ``coef_``, ``intercept_``, ``n_features_in_``,
        ``feature_names_in_``, and the same problem (``C``, ``l1_ratio``,
        ``fit_intercept``, ``class_weight``, ``tol``), so its predictions are ours;
        its solver is "lbfgs", or "saga" when ``l1_ratio > 0``, so that refitting
        it poses the same problem. Array API coefficients are copied to NumPy.

        Returns
        -------
        lr : sklearn.linear_model.LogisticRegression
            A new, fitted estimator; this one is left unchanged.
        """
        return to_sklearn(self)

    @classmethod
    def from_sklearn(cls, lr: LogisticRegression):
        """Return a fitted model of this class from a fitted ``LogisticRegression``.

        The coefficients, classes and feature names are copied, and ``C``,
        ``l1_ratio`` (from the deprecated ``penalty`` when set), ``fit_intercept``,
        ``class_weight`` and ``tol`` carry over, so predictions are equal and
        ``model.set_params(warm_start=True).fit(X, y)`` continues from ``lr``'s
        solution. No gradient descent ran: ``n_iter_`` and the curves are absent
        until a fit.

        Parameters
        ----------
        lr : sklearn.linear_model.LogisticRegression
            A fitted estimator.

        Returns
        -------
        model : GDLogisticRegression
            A new, fitted estimator.

        Raises
        ------
        NotFittedError
            If ``lr`` is not fitted.
        TypeError
            If ``lr`` is not a ``LogisticRegression`` (a ``LogisticRegressionCV``
            included).
        ValueError
            If ``lr``'s model has no gradient-descent counterpart:
            ``solver="liblinear"`` with an intercept (penalised there, as a
            feature of value ``intercept_scaling``), or a one-vs-rest model of
            three classes or more (scikit-learn < 1.8).
        """
        return from_sklearn(cls, lr)

    def sparsify(self):
        """Convert ``coef_`` to a SciPy CSR matrix, as scikit-learn's linear models.

        Predictions are unchanged; an L1 fit with many zeros becomes cheap to
        store (for a dense ``coef_`` it costs more). ``intercept_`` stays dense.
        `fit` with ``warm_start``, `partial_fit` and `objective` read a sparse
        ``coef_`` as it is; a fit leaves it dense again.

        Returns
        -------
        self
            The estimator.

        Raises
        ------
        ValueError
            If the model was fitted on Array API input other than NumPy.
        """
        return sparsify(self)

    def densify(self):
        """Convert ``coef_`` back to a dense NumPy array; a no-op if it is dense.

        Returns
        -------
        self
            The estimator.
        """
        return densify(self)


def to_sklearn(estimator) -> LogisticRegression:
    """A fitted `LogisticRegression` with ``estimator``'s coefficients and problem.

    Its solver is the one scikit-learn would use for that penalty ("lbfgs" for L2
    or no penalty, "saga" with an L1 part), so that refitting it poses the same
    problem; its ``n_iter_`` is ``[estimator.n_iter_]`` when the model was fitted.
    """
    check_is_fitted(estimator)
    shared = {name: getattr(estimator, name) for name in SHARED_PARAMETERS}
    solver = "saga" if estimator.l1_ratio > 0 else "lbfgs"
    lr = LogisticRegression(
        **shared,
        solver=solver,
        max_iter=estimator.max_iter,
        random_state=estimator.random_state,
    )
    _copy_model(estimator, lr)
    lr.coef_ = _host_copy(estimator.coef_)
    lr.intercept_ = _host_copy(estimator.intercept_)
    if hasattr(estimator, "n_iter_"):
        lr.n_iter_ = np.asarray([estimator.n_iter_], dtype=np.int32)
    return lr


def from_sklearn(cls, lr):
    """A fitted ``cls`` (a `GDLogisticRegression`) with ``lr``'s coefficients.

    Only the model is set (``classes_``, ``coef_``, ``intercept_``,
    ``n_features_in_``, ``feature_names_in_``); no gradient descent ran, so the
    record of a fit (``n_iter_``, ``loss_curve_``...) is absent until one does.
    """
    _check_convertible(lr)
    shared = {name: getattr(lr, name) for name in SHARED_PARAMETERS}
    shared["l1_ratio"] = _effective_l1_ratio(lr)
    if lr.penalty is None:
        shared["C"] = np.inf
    estimator = cls(**shared, random_state=lr.random_state)
    _copy_model(lr, estimator)
    estimator.coef_ = _dense_copy(lr.coef_)
    estimator.intercept_ = np.array(lr.intercept_, copy=True)
    return estimator


def sparsify(estimator):
    """``coef_`` as a SciPy CSR matrix, as scikit-learn's ``SparseCoefMixin`` does.

    Refused for coefficients of another Array API library (a PyTorch tensor on a
    GPU has no SciPy form): scikit-learn lets that call pass and fail later.
    """
    check_is_fitted(
        estimator, msg="Estimator, %(name)s, must be fitted before sparsifying."
    )
    library = namespace_of(estimator.coef_)
    if library is not None:
        raise ValueError(
            "sparsify needs NumPy coefficients: this model was fitted on "
            f"{type(estimator.coef_).__module__.split('.')[0]} arrays, and its "
            "coef_ has no SciPy sparse form. Move the model to NumPy first, for "
            "example with model = sklearn.utils._array_api.move_estimator_to("
            "model, numpy, 'cpu'), or keep coef_ dense."
        )
    return SparseCoefMixin.sparsify(estimator)


def densify(estimator):
    """``coef_`` back as a dense NumPy array (a no-op when it is dense)."""
    return SparseCoefMixin.densify(estimator)


def _check_convertible(lr) -> None:
    """Refuse what is not a fitted `LogisticRegression` of our objective."""
    if isinstance(lr, LogisticRegressionCV) or not isinstance(lr, LogisticRegression):
        raise TypeError(
            "from_sklearn converts a fitted sklearn.linear_model.LogisticRegression; "
            f"got {type(lr).__name__}. For a LogisticRegressionCV, refit "
            "LogisticRegression(C=cv.C_, l1_ratio=cv.l1_ratio_) or convert its "
            "coefficients by hand."
        )
    if not hasattr(lr, "coef_"):
        raise NotFittedError(
            "This LogisticRegression instance is not fitted yet: call fit before "
            "converting it with from_sklearn."
        )
    # scikit-learn < 1.8 fitted one-vs-rest models of three classes or more with
    # multi_class="ovr", or with liblinear whatever multi_class said.
    one_vs_rest = getattr(lr, "multi_class", None) == "ovr" or lr.solver == "liblinear"
    if one_vs_rest and lr.classes_.size > 2:
        raise ValueError(
            "from_sklearn cannot convert a one-vs-rest LogisticRegression: its "
            "probabilities are not the softmax of its scores. Refit it with the "
            "multinomial model (solver='lbfgs', multi_class left to its default), "
            "which poses the same problem as ours."
        )
    if lr.solver == "liblinear" and lr.fit_intercept:
        raise ValueError(
            "from_sklearn cannot convert a LogisticRegression(solver='liblinear') "
            "with fit_intercept=True: liblinear penalises the intercept (as a "
            f"feature of value intercept_scaling={lr.intercept_scaling}), which "
            "gradient descent never does. Refit it with solver='lbfgs' (or 'saga' "
            "for an L1 penalty), which poses the same problem as ours, or with "
            "fit_intercept=False."
        )


def _effective_l1_ratio(lr) -> float:
    """The L1 share of ``lr``'s penalty, from the deprecated ``penalty`` if set."""
    by_penalty = {"l1": 1.0, "l2": 0.0}
    if lr.penalty in by_penalty:
        return by_penalty[lr.penalty]
    return 0.0 if lr.l1_ratio is None else float(lr.l1_ratio)


def _copy_model(source, target) -> None:
    for name in MODEL_ATTRIBUTES:
        if hasattr(source, name):
            setattr(target, name, np.array(getattr(source, name), copy=True))
    target.n_features_in_ = int(source.n_features_in_)


def _host_copy(array):
    """A NumPy (or SciPy sparse) copy of a fitted array, from whatever device."""
    if sparse.issparse(array):
        return array.copy()
    return np.array(move_to(array, xp=np, device="cpu"), copy=True)


def _dense_copy(array) -> np.ndarray:
    return array.toarray() if sparse.issparse(array) else np.array(array, copy=True)
