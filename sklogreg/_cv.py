"""`GDLogisticRegressionCV`: choosing ``C`` by cross-validation along the path.

The estimator's parameters, documentation and public methods; each fold's path and
its scores are `sklogreg._cv_folds`'s, the warm-started solves `sklogreg._path`'s.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.utils import Bunch
from sklearn.utils._array_api import _is_numpy_namespace, get_namespace
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metadata_routing import (
    UNUSED,
    MetadataRouter,
    MethodMapping,
    _raise_for_params,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.parallel import Parallel, delayed

from ._backends import backend_for
from ._classifier import LinearClassifierPredictions
from ._cv_folds import averaged_coef, best_point, fold_path, split_coef
from ._in_memory import InMemoryData
from ._input import (
    check_features,
    combined_sample_weight,
    encoded_labels,
    validated_input,
)
from ._messages import convergence_message
from ._path import PathSettings, fit_path

__all__ = ["GDLogisticRegressionCV"]


class GDLogisticRegressionCV(
    LinearClassifierPredictions, ClassifierMixin, BaseEstimator
):
    r"""Logistic regression with ``C`` chosen by cross-validation along the path.

    For every fold of ``cv`` and every ``l1_ratio``, the objective of
    `GDLogisticRegression` (see there) is minimised for every ``C`` of ``Cs``, from
    the smallest ``C`` (the strongest penalty) to the largest, each solve started
    from the previous solution and, with ``learning_rate="auto"``, from a step
    bound computed once per path. Each solution is scored on the fold's test rows;
    the ``C`` and ``l1_ratio`` with the best score summed over folds are chosen, and
    the model is refit on all the data there. Parameters and fitted attributes are
    those of scikit-learn's ``LogisticRegressionCV(use_legacy_attributes=False)``:
    with the same folds, ``Cs`` and scoring it chooses the same ``C``.

    Parameters
    ----------
    Cs : int or array-like of float, default=10
        The grid of ``C``: an int ``n`` for ``np.logspace(-4, 4, n)``, or the
        values themselves (positive, ``np.inf`` for no penalty), in any order.
    l1_ratios : array-like of float, default=(0.0,)
        The shares of L1 to try, each in [0, 1]: 0 is L2, 1 is L1.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn: ``None`` for 5 folds, an int for that many, stratified
        (``StratifiedKFold``); a splitter; or an iterable of ``(train, test)``.
    scoring : str, callable or None, default="neg_log_loss"
        Any scikit-learn scorer name or scorer callable ``scorer(estimator, X, y)``;
        ``None`` for accuracy. Also what `score` returns.
    solver : {"bb", "nesterov", "gd"}, default="bb"
        As in `GDLogisticRegression` ("sgd" is not offered: a path needs exact
        solves).
    learning_rate : float or "auto", default="auto"
        As in `GDLogisticRegression`.
    tol : float, default=1e-4
        As in `GDLogisticRegression`: every solve of the path stops when the
        largest entry of its (proximal) gradient is at most ``tol``.
    max_iter : int, default=1000
        Largest number of iterations of each solve.
    class_weight : dict, "balanced" or None, default=None
        As in `GDLogisticRegression`; "balanced" is computed once, on all the data
        (with its sample weights), and used for every fold, as
        ``LogisticRegressionCV`` does.
    n_jobs : int, default=None
        Paths fitted in parallel (one per fold and ``l1_ratio``), through joblib.
        ``None`` means 1 unless in a ``joblib.parallel_backend`` context.
    refit : bool, default=True
        Refit on all the data at the best ``C`` and ``l1_ratio`` (started from the
        mean of the folds' solutions there). Otherwise ``coef_``, ``intercept_``,
        ``C_`` and ``l1_ratio_`` are the means over folds of each fold's best.
    random_state : int, RandomState instance or None, default=None
        Unused (the solvers are deterministic); the folds follow ``cv``'s own.
    verbose : int, default=0
        joblib's verbosity over the paths.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients of the final model.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Its intercepts (zeros when ``fit_intercept=False``).
    Cs_ : ndarray of shape (n_cs,)
        The grid of ``C``, in the order given.
    l1_ratios_ : ndarray of shape (n_l1_ratios,)
        The ``l1_ratios`` tried.
    C_ : float
        The ``C`` chosen (``refit=False``: the mean of the folds' best).
    l1_ratio_ : float
        The ``l1_ratio`` chosen (``refit=False``: the mean of the folds' best).
    scores_ : ndarray of shape (n_folds, n_l1_ratios, n_cs)
        The score of every fold, ``l1_ratio`` and ``C``.
    coefs_paths_ : ndarray of shape (n_folds, n_l1_ratios, n_cs, n_coef_rows, n_cols)
        The solutions along every path, ``[coef, intercept]`` in the last axis
        (``n_cols = n_features + fit_intercept``); ``n_coef_rows`` is 1 for two
        classes and ``n_classes`` otherwise.
    n_iter_ : ndarray of shape (n_folds, n_l1_ratios, n_cs)
        The iterations of every solve of the paths (the refit's not included).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    GDLogisticRegression : One ``C``, fitted by gradient descent.
    sklearn.linear_model.LogisticRegressionCV : The same search, second-order
        solvers.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklogreg import GDLogisticRegressionCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = GDLogisticRegressionCV(Cs=8).fit(X, y)
    >>> model.scores_.shape
    (5, 1, 8)
    >>> print(f"{model.C_:.3g}")
    0.268
    """

    __metadata_request__score: ClassVar[dict] = {"sample_weight": UNUSED}

    _parameter_constraints: ClassVar[dict] = {
        "Cs": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "l1_ratios": ["array-like"],
        "fit_intercept": ["boolean"],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "solver": [StrOptions({"bb", "gd", "nesterov"})],
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "n_jobs": [Integral, None],
        "refit": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        Cs=10,
        l1_ratios=(0.0,),
        fit_intercept=True,
        cv=None,
        scoring="neg_log_loss",
        solver="bb",
        learning_rate="auto",
        tol=1e-4,
        max_iter=1000,
        class_weight=None,
        n_jobs=None,
        refit=True,
        random_state=None,
        verbose=0,
    ):
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.scoring = scoring
        self.solver = solver
        self.learning_rate = learning_rate
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.refit = refit
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Cross-validate every ``C`` and ``l1_ratio`` along the path, then refit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (NumPy or CSR; float32 stays float32).
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, used by every fit and, as scikit-learn's
            ``LogisticRegressionCV`` does, by the scorer too (with metadata routing
            enabled, by the scorer only if it requests them).
        **params : dict
            With metadata routing enabled, parameters of the splitter (``groups``)
            and of the scorer.

        Returns
        -------
        self : GDLogisticRegressionCV
            The fitted estimator.
        """
        _raise_for_params(params, self, "fit")
        Cs, l1_ratios = self._grid()
        X, y, y_encoded, weights = self._training_data(X, y, sample_weight, Cs)
        routed = self._routed_params(sample_weight, params)
        folds = list(
            check_cv(self.cv, y, classifier=True).split(X, y, **routed.splitter.split)
        )
        paths = self._fold_paths(
            X, y, y_encoded, weights, folds, Cs, l1_ratios, routed.scorer.score
        )
        shape = (len(folds), len(l1_ratios), len(Cs))
        self.Cs_, self.l1_ratios_ = Cs, l1_ratios
        self.scores_ = np.stack([path.scores for path in paths]).reshape(shape)
        self.n_iter_ = np.stack([path.n_iter for path in paths]).reshape(shape)
        self.coefs_paths_ = np.stack([path.coefs for path in paths]).reshape(
            shape + paths[0].coefs.shape[1:]
        )
        self._warn_unconverged(paths, X)
        if self.refit:
            coef = self._refit(X, y_encoded, weights)
        else:
            coef, self.C_, self.l1_ratio_ = averaged_coef(
                self.scores_, self.coefs_paths_, Cs, l1_ratios
            )
        self.coef_, self.intercept_ = split_coef(coef, X.shape[1], self)
        return self

    def _grid(self) -> tuple[np.ndarray, np.ndarray]:
        """``Cs_`` and ``l1_ratios_``, checked."""
        if isinstance(self.Cs, Integral):
            Cs = np.logspace(-4, 4, self.Cs)
        else:
            Cs = np.asarray(self.Cs, dtype=np.float64).ravel()
            if Cs.size == 0 or np.isnan(Cs).any() or not (Cs > 0).all():
                raise ValueError(
                    f"Cs must be a positive int or a non-empty list of positive "
                    f"values of C (np.inf for no penalty); got Cs={self.Cs!r}."
                )
        l1_ratios = np.asarray(self.l1_ratios, dtype=np.float64).ravel()
        if l1_ratios.size == 0 or not ((l1_ratios >= 0) & (l1_ratios <= 1)).all():
            raise ValueError(
                "l1_ratios must be a non-empty list of numbers between 0 and 1; "
                f"got l1_ratios={self.l1_ratios!r}."
            )
        return Cs, l1_ratios

    def _training_data(self, X, y, sample_weight, Cs):
        """Validated ``X`` and ``y``, the encoded labels and the combined weights."""
        xp, _ = get_namespace(X)
        if not _is_numpy_namespace(xp):
            raise ValueError(
                f"{type(self).__name__} supports NumPy arrays and SciPy sparse "
                f"matrices only, got {xp.__name__} arrays (with array_api_dispatch"
                "=True); GDLogisticRegression fits Array API input."
            )
        X, y, sample_weight = validated_input(self, X, y, sample_weight, reset=True)
        check_features(X)
        y, y_encoded, classes = encoded_labels(y)
        self.classes_ = classes
        # Weighted by the class weights of all the data, for every fold and the
        # refit, as LogisticRegressionCV weighs them.
        weights, _ = combined_sample_weight(
            sample_weight,
            X,
            y_encoded,
            classes,
            class_weight=self.class_weight,
            C=float(Cs.min()),
        )
        return X, y, y_encoded, weights

    def _routed_params(self, sample_weight, params) -> Bunch:
        """The splitter's and the scorer's parameters, routed as scikit-learn does.

        Without metadata routing the scorer gets the sample weights, as
        ``LogisticRegressionCV`` gives them; with it, only if it requests them.
        """
        if _routing_enabled():
            return process_routing(self, "fit", sample_weight=sample_weight, **params)
        score_params = dict(params)
        if sample_weight is not None:
            score_params["sample_weight"] = sample_weight
        return Bunch(splitter=Bunch(split={}), scorer=Bunch(score=score_params))

    def _settings(self) -> PathSettings:
        return PathSettings(
            self.solver, self.learning_rate, self.max_iter, self.tol, self.fit_intercept
        )

    def _fold_paths(self, X, y, y_encoded, weights, folds, Cs, l1_ratios, score_params):
        """Every fold's path for every ``l1_ratio``, folds outer (as scikit-learn)."""
        scorer = self._get_scorer()
        settings = self._settings()
        return Parallel(n_jobs=self.n_jobs, verbose=self.verbose)(
            delayed(fold_path)(
                X,
                y,
                y_encoded,
                weights,
                train,
                test,
                classes=self.classes_,
                Cs=Cs,
                l1_ratio=float(l1_ratio),
                settings=settings,
                scorer=scorer,
                score_params=score_params,
            )
            for train, test in folds
            for l1_ratio in l1_ratios
        )

    def _refit(self, X, y_encoded, weights):
        """The final model at the best point, from the folds' mean solution there."""
        l1_index, c_index = best_point(self.scores_)
        self.C_ = float(self.Cs_[c_index])
        self.l1_ratio_ = float(self.l1_ratios_[l1_index])
        start = self.coefs_paths_[:, l1_index, c_index].mean(axis=0)
        path = fit_path(
            X,
            y_encoded,
            self.classes_.size,
            weights,
            [self.C_],
            self.l1_ratio_,
            self._settings(),
            coef_start=start,
        )
        if path.unconverged:
            self._warn(path.unconverged[0], X, "The refit on all the data")
        return path.coefs[0]

    def _warn_unconverged(self, paths, X) -> None:
        unconverged = [result for path in paths for result in path.unconverged]
        if unconverged:
            self._warn(
                max(unconverged, key=lambda result: result.gradient_max_curve[-1]),
                X,
                f"{len(unconverged)} of {self.n_iter_.size} fits along the paths "
                "stopped at max_iter; the worst",
            )

    def _warn(self, result, X, what: str) -> None:
        """A ConvergenceWarning for ``what``, diagnosed on its worst solve."""
        # Unweighted column scales: the same hints as GDLogisticRegression's.
        data = InMemoryData(
            X, None, None, loss=None, fit_intercept=True, backend=backend_for(X)
        )
        message = convergence_message(
            self,
            result,
            column_scales=data.column_standard_deviations(),
            dtype=X.dtype,
        )
        warnings.warn(
            f"{what}: {message}",
            ConvergenceWarning,
            stacklevel=5,  # the caller of fit, past _fit_context
        )

    def _get_scorer(self):
        """The scorer of ``scoring``; accuracy for ``None``, as scikit-learn's."""
        return get_scorer(self.scoring or "accuracy")

    def score(self, X, y, sample_weight=None, **score_params):
        """Score on ``(X, y)`` with the ``scoring`` used to choose ``C``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            Their labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, given to the scorer.
        **score_params : dict
            With metadata routing enabled, parameters of the scorer.

        Returns
        -------
        score : float
        """
        _raise_for_params(score_params, self, "score")
        if sample_weight is not None:
            score_params["sample_weight"] = sample_weight
        if _routing_enabled():
            score_params = process_routing(self, "score", **score_params).scorer.score
        return self._get_scorer()(self, X, y, **score_params)

    def get_metadata_routing(self) -> MetadataRouter:
        """Where `fit` and `score` send metadata: the splitter and the scorer.

        Returns
        -------
        routing : MetadataRouter
            As ``LogisticRegressionCV``'s: ``fit``'s own ``sample_weight``, the
            splitter's ``split`` (``groups``) and the scorer's ``score``.
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                splitter=self.cv,
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
            .add(
                scorer=self._get_scorer(),
                method_mapping=MethodMapping()
                .add(caller="score", callee="score")
                .add(caller="fit", callee="score"),
            )
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
