"""`GDLogisticRegression`: the scikit-learn estimator around the objective and solvers.

This module is plumbing: input validation, labels, sample and class weights, fitted
attributes, warnings and tags. The maths lives in `sklogreg._loss`,
`sklogreg._penalty` and `sklogreg._objective`; the iterations in `sklogreg._solvers`.
"""

from __future__ import annotations

import copy as copy_module
import functools
import sys
import warnings
from numbers import Integral, Real
from typing import ClassVar, NamedTuple

import numpy as np
from scipy import sparse
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._array_api import (
    _is_numpy_namespace,
    _max_precision_float_dtype,
    check_same_namespace,
    get_namespace,
    move_to,
)
from sklearn.utils._array_api import (
    device as _device,
)
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._array_api import copy, detached, namespace_of
from ._backends import NumpyBackend, backend_for
from ._callbacks import CALLBACKS_AVAILABLE, CallbackSupportMixin, IterationTasks
from ._input_checks import (
    check_at_least_two_classes,
    check_combined_weights,
    check_feature_magnitude,
    check_known_labels,
    check_penalty_scale,
    class_weights,
    features_too_large_error,
    largest_magnitude,
    weight_sum,
)
from ._loss import log_loss_for
from ._objective import LogisticObjective, logistic_objective
from ._scaling import ColumnScaling
from ._solvers import (
    DIVERGENCE_FACTOR,
    CallbackObserver,
    ObjectiveDivergedError,
    Progress,
    SolverResult,
    accelerated_gradient,
    gradient_descent,
    sgd_epoch,
    stochastic_gradient_descent,
)

__all__ = ["GDLogisticRegression"]

_NUMPY = NumpyBackend()


def is_dask_array(obj) -> bool:
    """Whether ``obj`` is a ``dask.array.Array``, without importing Dask.

    A Dask array can only exist once ``dask.array`` is imported, so the core install
    never imports Dask (an optional extra) to answer.
    """
    dask_array = sys.modules.get("dask.array")
    return dask_array is not None and isinstance(obj, dask_array.Array)


# The solvers that run on any Array API namespace and device (see `fit`).
_ARRAY_API_SOLVERS = ("gd", "nesterov")

_SOLVERS = {
    "gd": gradient_descent,
    "nesterov": accelerated_gradient,
    "sgd": stochastic_gradient_descent,
}


class GDLogisticRegression(CallbackSupportMixin, ClassifierMixin, BaseEstimator):
    r"""Logistic regression fitted by (accelerated) gradient descent.

    Minimises the mean log-loss with an elastic-net penalty,

    .. math::

        J(W, b) = \frac{1}{S} \sum_i s_i \, \ell(y_i, X_i W^\top + b)
                  + \frac{1}{C S} \Big( \frac{1 - \rho}{2} \|W\|_F^2
                  + \rho \|W\|_1 \Big),

    with sample weights :math:`s_i` (times class weights), :math:`S = \sum_i s_i` and
    :math:`\rho` = ``l1_ratio``. :math:`\ell` is the log-loss of the sigmoid for two
    classes and of the softmax (one coefficient row per class) for three or more. This
    has the same minimiser as scikit-learn's
    ``LogisticRegression(C=C, l1_ratio=l1_ratio)``; the intercept is never penalised.

    The gradient with respect to :math:`W` is ``X.T @ (s * (P - Y)) / S`` plus the
    penalty's, computed on whole arrays; the L1 part is handled by a proximal
    (soft-thresholding) step.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength, exactly as in ``LogisticRegression``; must be
        positive. ``np.inf`` means no penalty.
    l1_ratio : float, default=0.0
        Share of L1 in the penalty: 0 is L2 (ridge), 1 is L1 (lasso), in between is
        the elastic net.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    solver : {"nesterov", "gd", "sgd"}, default="nesterov"
        ``"gd"`` is plain batch (proximal) gradient descent, the textbook downhill
        walk. ``"nesterov"`` is accelerated gradient descent (FISTA) with adaptive
        restart: the same cost per iteration and usually far fewer iterations.
        Under ``array_api_dispatch``, "gd" and "nesterov" also run on Array API
        input (PyTorch, CuPy... on any device); "sgd" supports NumPy and SciPy only.
        ``"sgd"`` is mini-batch stochastic gradient descent on the same objective
        (softmax for three or more classes, never one-vs-rest): epochs of
        ``batch_size`` rows, freshly shuffled from ``random_state``, while they make
        more progress than a full gradient step would; then accelerated full
        gradients finish to ``tol``, so the answer is the same optimum as the other
        solvers'. It pays on many samples, and it is the solver of `partial_fit`.
    learning_rate : float or "auto", default="auto"
        A fixed step size ``alpha > 0``, used exactly as given, or ``"auto"``: a safe
        first step ``1 / L`` from the Lipschitz constant ``L`` of the gradient, then
        adapted to the local curvature by backtracking line search. "auto" never needs
        tuning; a fixed rate is what a ``GridSearchCV`` over ``learning_rate`` tunes.
        For "sgd", "auto" is ``1 / L(b)``, the inverse of the expected smoothness of
        a minibatch gradient for batches of ``b`` rows (the full data's ``L`` for
        ``b = n``, the worst single sample's for ``b = 1``); the step is constant and
        the model is a running average of the iterates weighted by their step count,
        which settles near the optimum (like ``SGDClassifier(average=True)`` with
        ``learning_rate="constant"``, ``eta0 = 1 / L(b)``).
    max_iter : int, default=1000
        Largest number of iterations; for "sgd", of epochs and finishing full
        gradient iterations together (each reads the data about as often).
    tol : float, default=1e-4
        Stop when the largest entry of the gradient of :math:`J` (of the proximal
        gradient mapping when ``l1_ratio > 0``) is at most ``tol``: the test
        ``LogisticRegression(solver="lbfgs")`` uses on the same objective.
        With "sgd" it is also ``SGDClassifier``'s ``tol``: the stochastic epochs
        end once the objective (or, with ``early_stopping``, the validation
        accuracy) has not improved by ``tol`` on its best for ``n_iter_no_change``
        epochs.
    batch_size : int, default=256
        Rows per minibatch of "sgd" (and of its `partial_fit`). Unused by "gd" and
        "nesterov", whose `partial_fit` steps on the whole chunk.
    early_stopping : bool, default=False
        With "sgd", hold out a stratified ``validation_fraction`` of the training
        data and stop when its accuracy has not improved by ``tol`` for
        ``n_iter_no_change`` epochs, as ``SGDClassifier`` does; the model is then the
        last epoch's, without the full-gradient finish. Unused by the other solvers.
    validation_fraction : float, default=0.1
        Share of the data held out for ``early_stopping``.
    n_iter_no_change : int, default=5
        Epochs without an improvement of ``tol`` before "sgd" stops its
        stochastic phase (or, with ``early_stopping``, stops).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into the sample weights before their sum
        ``S`` is taken, as in ``LogisticRegression``. "balanced" uses
        ``n_samples / (n_classes * np.bincount(y))``.
    warm_start : bool, default=False
        Start from the previous fit's coefficients when their shape still fits.
    random_state : int, RandomState instance or None, default=None
        Seed of "sgd"'s shuffles, curvature subsample and validation split, and of
        the shuffles of `partial_fit`: the same seed gives bitwise the same
        coefficients (the full-batch solvers are deterministic).
    verbose : int, default=0
        0 prints nothing; 1 prints a line every tenth of ``max_iter`` (at most every
        100 iterations) and 2 every iteration, each with the iteration, the objective,
        the largest gradient entry against ``tol``, the step size and the time
        elapsed; both end with a line saying why the fit stopped.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients; one row for two classes (of the second class in ``classes_``).
        For three or more classes the rows sum to zero over classes when
        ``l1_ratio == 0`` (the penalised minimiser is centred), as
        ``LogisticRegression`` reports them. Same dtype as the training ``X``, and
        for Array API input the same namespace and device.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``); centred over classes for
        three or more.
    n_iter_ : int
        Number of iterations run: for "sgd", epochs then finishing iterations;
        after `partial_fit`, the number of calls since the last `fit`.
    loss_curve_ : ndarray of shape (n_iter_ + 1,)
        The objective :math:`J` at the starting coefficients, then after each
        iteration (each epoch for "sgd": the full objective, measured on all the
        data); the last value is :math:`J` at ``coef_`` and ``intercept_``. After
        `partial_fit`, the objective of each call's chunk after the call.
    learning_rate_ : float
        The step size used in the last iteration: ``learning_rate`` itself when it is a
        number, the adapted step when "auto".
    step_sizes_ : ndarray of shape (n_iter_,)
        The step size accepted in each iteration.
    gradient_max_curve_ : ndarray
        The largest entry of the (proximal) gradient measured in each iteration; with
        "nesterov" this is at the extrapolated point.
    converged_ : bool
        Whether the stopping test on ``tol`` held at the returned coefficients.
    stop_reason_ : {"tol", "max_iter", "callback", "early_stopping"}
        Why the fit stopped: the gradient reached ``tol``, the iterations ran out
        (with a ``ConvergenceWarning``), or a callback asked to stop (scikit-learn >=
        1.9 callbacks, set with ``set_callbacks``; the model is usable as it is), or
        the validation score stopped improving (``solver="sgd"``,
        ``early_stopping=True``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The same objective, second-order solvers.
    sklearn.linear_model.SGDClassifier : Stochastic gradient descent, one-vs-rest.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklogreg import GDLogisticRegression
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), GDLogisticRegression()).fit(X, y)
    >>> round(model.score(X, y), 3)
    0.988
    """

    _parameter_constraints: ClassVar[dict] = {
        "C": [Interval(Real, 0, None, closed="right")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "solver": [StrOptions(set(_SOLVERS))],
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        C=1.0,
        l1_ratio=0.0,
        fit_intercept=True,
        solver="nesterov",
        learning_rate="auto",
        max_iter=1000,
        tol=1e-4,
        batch_size=256,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        class_weight=None,
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by minimising the penalised log-loss.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Float32 or float64 C-contiguous arrays and CSR matrices are
            used as they are, without a copy; other input is converted to float64.
            With ``sklearn.set_config(array_api_dispatch=True)``, a dense array of any
            Array API library (PyTorch, CuPy, array_api_strict...) is fitted in that
            library and on its device by "gd" and "nesterov" (not "sgd": a
            ``ValueError``); ``coef_``, ``intercept_`` and the curves then live there.
        y : array-like of shape (n_samples,)
            Class labels, of any type ``np.unique`` can sort. Encoded on the host
            once, before the iterations; ``classes_`` is a NumPy array.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; ``None`` gives every sample weight 1.

        Returns
        -------
        self : GDLogisticRegression
            The fitted estimator. If fitting raises, a previous fit stays untouched.
        """
        # validate_data records n_features_in_ (and feature names) before anything
        # else can fail: put them back if the fit raises, so the old model stays whole.
        return self._keeping_state_on_error(self._fit, X, y, sample_weight)

    def _keeping_state_on_error(self, method, *args):
        """Run ``method``; if it raises, put every attribute back as it was.

        validate_data records ``n_features_in_`` before anything else can fail, and a
        ConvergenceWarning turned into an error comes after the new attributes are
        set: either way the previous model must survive whole. The callback
        machinery's own attributes are left to scikit-learn, which tears them down.
        """
        recorded = dict(self.__dict__)
        try:
            return method(*args)
        except BaseException:
            for name in list(self.__dict__):
                if not name.startswith(("_callback", "_skl_callbacks")):
                    del self.__dict__[name]
            self.__dict__.update(
                {
                    name: value
                    for name, value in recorded.items()
                    if not name.startswith(("_callback", "_skl_callbacks"))
                }
            )
            raise

    def _fit(self, X, y, sample_weight):
        first_fit = not hasattr(self, "classes_")
        if is_dask_array(X):
            if self.solver == "sgd":
                raise ValueError(
                    "solver='sgd' draws minibatches of rows from memory and does not "
                    "run on Dask arrays: use solver='nesterov' or 'gd', whose every "
                    "step is one reduction over the chunks."
                )
            return self._fit_problem(
                *self._dask_problem(X, y, sample_weight),
                first_fit=first_fit,
                sample_weight=sample_weight,
            )
        # X's namespace under array_api_dispatch (NumPy otherwise): the fit runs in it
        # and on X's device; y and sample_weight follow X.
        xp, _ = get_namespace(X)
        self._check_array_api_solver(xp, "fit")
        X, y, sample_weight = detached(X), detached(y), detached(sample_weight)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[xp.float64, xp.float32],
            reset=True,
        )
        self._check_feature_magnitude(X)
        y, y_encoded, classes = _encoded_labels(y)
        weights, _ = self._combined_sample_weight(sample_weight, X, y_encoded, classes)
        random_state = check_random_state(self.random_state)
        validation, sample_rows = None, None
        if self.solver == "sgd" and self.early_stopping:
            weights, sample_rows, validation = _validation_split(
                X, y_encoded, weights, self.validation_fraction, random_state
            )
        objective = logistic_objective(
            X,
            y_encoded,
            classes.size,
            weights,
            C=self.C,
            l1_ratio=self.l1_ratio,
            fit_intercept=self.fit_intercept,
            # A fixed learning rate means exactly that step on (W, b); "auto" is free
            # to take it in a better conditioned parametrisation.
            precondition=self.learning_rate == "auto",
            sample_rows=sample_rows,
        )
        # Callbacks score the model on all the data given, whatever early stopping
        # holds out for itself.
        return self._fit_problem(
            objective,
            classes,
            X,
            y,
            first_fit=first_fit,
            sample_weight=sample_weight,
            random_state=random_state,
            validation=validation,
        )

    def _dask_problem(self, X, y, sample_weight, *, classes=None):
        """Validate Dask input; return its objective, classes and the data given.

        The labels are scanned in one reduction over the chunks (classes, counts,
        finiteness of ``X``, sign of the weights); nothing is gathered to the client.
        With ``classes`` (a fitted model's), the data must have that many features
        and no other labels; without, this is a new fit and ``n_features_in_`` is
        set.
        """
        from ._dask import (
            RowEncoding,
            check_dask_input,
            dask_objective,
            scan_labels_and_weights,
        )

        if y is None:
            raise ValueError("GDLogisticRegression requires y to be passed, got None.")
        X, y_chunked, weight_chunked = check_dask_input(
            X,
            y,
            sample_weight,
            n_features=None if classes is None else self.n_features_in_,
        )
        if classes is None:
            self.n_features_in_ = X.shape[1]
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        seen, seen_totals, seen_counts = scan_labels_and_weights(
            X, y_chunked, weight_chunked
        )
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
        objective = dask_objective(
            X,
            y_chunked,
            weight_chunked,
            encoding=RowEncoding(
                classes,
                class_weights(self.class_weight, classes, class_totals, class_counts),
                X.dtype,
            ),
            C=self.C,
            l1_ratio=self.l1_ratio,
            fit_intercept=self.fit_intercept,
            precondition=self.learning_rate == "auto",
        )
        return objective, classes, X, y

    def _fit_problem(
        self,
        objective,
        classes,
        X,
        y,
        *,
        first_fit: bool,
        sample_weight,
        random_state=None,
        validation=None,
    ):
        """Solve ``objective`` and set the fitted attributes; ``X, y`` as given."""
        X_given, y_given = X, y
        # The coefficients live with X for Array API input; they are NumPy for NumPy,
        # SciPy and Dask input (whose objective keeps xp=None).
        like = None if isinstance(objective.backend, NumpyBackend) else X
        coef0 = objective.to_working(
            self._initial_coef(objective.coef_shape, X.dtype, first_fit, like=like)
        )

        def fitted_attributes(working_coef) -> dict:
            coef, intercept = self._split_coef(
                objective.to_original(working_coef), n_features=X.shape[1]
            )
            return {"coef_": coef, "intercept_": intercept, "classes_": classes}

        context, iteration_tasks = None, None
        if CALLBACKS_AVAILABLE:
            # One root task for the fit and one sub-task per iteration, so that
            # scikit-learn's callbacks (ProgressBar, ScoringMonitor...) see the walk.
            context = self._init_callback_context(max_subtasks=self.max_iter + 1)
            metadata = (
                None if sample_weight is None else {"sample_weight": sample_weight}
            )
            context.call_on_fit_task_begin(
                estimator=self, X=X_given, y=y_given, metadata=metadata
            )
            if getattr(self, "_skl_callbacks", None):
                iteration_tasks = IterationTasks(
                    self,
                    context,
                    X=X_given,
                    y=y_given,
                    metadata=metadata,
                    fitted_attributes=fitted_attributes,
                    start_coef=coef0,
                )
        # BLAS threads are the process's to set (threadpoolctl around the fit): a
        # limit set here would be process-wide, and fits running at once in several
        # threads would restore each other's.
        result, first_step = self._solve(
            objective,
            coef0,
            random_state=random_state,
            validation_score=None
            if validation is None
            else _validation_scorer(objective, *validation),
            callback=iteration_tasks,
        )
        if iteration_tasks is not None:
            iteration_tasks.close()

        for name, value in fitted_attributes(result.coef).items():
            setattr(self, name, value)
        self.n_iter_ = result.n_iter
        # Array attributes live with coef_, in the namespace and on the device of X
        # (as scikit-learn's array API checks require).
        self.loss_curve_ = _float_array(result.loss_curve, like=like)
        self.gradient_max_curve_ = _float_array(result.gradient_max_curve, like=like)
        self.step_sizes_ = _float_array(result.step_sizes, like=like)
        self.learning_rate_ = (
            result.step_sizes[-1] if result.step_sizes else float(first_step)
        )
        self.converged_ = result.converged
        self.stop_reason_ = result.stop_reason
        if context is not None:
            context.call_on_fit_task_end(
                estimator=self,
                X=X_given,
                y=y_given,
                metadata=metadata,
                reconstruction_attributes={},
            )
        # A new fit starts a new stream: partial_fit calls after it continue from these
        # coefficients with a fresh step schedule.
        self._stream_state = None
        if result.stop_reason == "max_iter":
            warnings.warn(
                self._convergence_message(X, result), ConvergenceWarning, stacklevel=3
            )
        return self

    def _split_coef(self, coef, n_features: int):
        """Split a solver's ``(n_rows, n_features + 1)`` array into coef_, intercept_.

        For three or more classes the softmax's free constant is removed first (see
        `_center_over_classes`).
        """
        if coef.shape[0] > 1:
            coef = _center_over_classes(coef, self.fit_intercept, self.l1_ratio == 0)
        xp = namespace_of(coef)
        if xp is not None:
            intercept = (
                copy(coef[:, n_features], xp)
                if self.fit_intercept
                else xp.zeros(coef.shape[0], dtype=coef.dtype, device=coef.device)
            )
            return copy(coef[:, :n_features], xp), intercept
        intercept = (
            coef[:, n_features].copy()
            if self.fit_intercept
            else np.zeros(coef.shape[0], dtype=coef.dtype)
        )
        return np.ascontiguousarray(coef[:, :n_features]), intercept

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the model with one chunk of data: one pass over it.

        Successive calls stream the data: with ``solver="sgd"`` each call is one epoch
        of minibatch steps over the chunk (shuffled with the estimator's own random
        stream, seeded from ``random_state`` on the first call); with "gd" or
        "nesterov" it is one full (proximal) gradient step on the chunk, the chunk
        being the minibatch. The step size is set on the first call
        (``learning_rate``, or for "auto" ``1 / L(b)`` from that chunk), and again
        on the first call after ``learning_rate`` or (for "sgd") ``batch_size``
        changed; the random stream continues across calls, so a sequence of calls
        is reproducible for a given ``random_state``. A call that raises changes
        nothing: the same stream without it gives bitwise the same model.

        Penalty. The chunk's objective is that of the contract with the penalty
        ``1 / (C * S_seen)``, where ``S_seen`` is the total (class-)weight of all the
        chunks given so far, this one included: the model estimates the fit on the
        concatenation of everything streamed, exactly as `fit` on that data would
        regularise it. Streaming a data set twice counts its rows twice, like
        repeating them. (``SGDClassifier`` keeps its per-sample ``alpha`` instead;
        ``alpha = 1 / (C * n)`` is the same penalty once ``n`` rows have been seen.)
        ``C``, ``l1_ratio`` and ``class_weight`` changed between calls apply from
        the next chunk on.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            One chunk of training data, dense or CSR.
        y : array-like of shape (n_samples,)
            Its labels, all among ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class the stream will contain. Required on the first call (unless
            the model was fitted before); later calls may omit it or must repeat it.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the chunk's rows; ``None`` gives weight 1.

        Returns
        -------
        self : GDLogisticRegression
            The updated estimator.

        Raises
        ------
        ValueError
            If ``classes`` is missing on the first call or differs from before, ``y``
            holds a label outside ``classes``, ``X`` has a different number of
            features from before, or ``class_weight="balanced"`` (the balance of a
            stream is unknown: pass a dict, for example from
            ``sklearn.utils.class_weight.compute_class_weight``), or ``X`` is not
            a NumPy array or SciPy matrix under ``array_api_dispatch`` (use `fit`
            with "gd" or "nesterov" for Array API input), or ``fit_intercept`` or
            ``solver`` changed since the stream started (its state does not carry
            over: call `fit`, or start a new stream on a clone).
        """
        if is_dask_array(X):
            raise TypeError(
                "partial_fit takes one in-memory chunk per call; fit takes a whole "
                "Dask array (each step one reduction over its chunks). To stream a "
                "Dask array, pass its row blocks: for block in X.blocks: "
                "model.partial_fit(block.compute(), ...)."
            )
        return self._keeping_state_on_error(
            self._partial_fit, X, y, classes, sample_weight
        )

    def _partial_fit(self, X, y, classes, sample_weight):
        first_call = not hasattr(self, "classes_")
        self._check_array_api_solver(get_namespace(X)[0], "partial_fit")
        X, y, sample_weight = detached(X), detached(y), detached(sample_weight)
        state = getattr(self, "_stream_state", None)
        if state is not None:
            state.check_unchanged(self)
        if isinstance(self.class_weight, str):
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: the class "
                "balance of a stream is not known in advance. Pass a dict, for "
                "example compute_class_weight('balanced', classes=classes, y=y) on a "
                "representative sample."
            )
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            reset=first_call,
        )
        self._check_feature_magnitude(X)
        check_classification_targets(y)
        classes = self._stream_classes(classes, first_call)
        check_known_labels(
            np.unique(y), classes, "declared on the first call to partial_fit"
        )
        y_encoded = np.searchsorted(classes, y)
        if state is None:
            state = _StreamState(self)
        sample_weight, chunk_weight = self._combined_sample_weight(
            sample_weight, X, y_encoded, classes, weight_seen=state.weight_seen
        )
        objective = logistic_objective(
            X,
            y_encoded,
            classes.size,
            sample_weight,
            C=self.C,
            l1_ratio=self.l1_ratio,
            fit_intercept=self.fit_intercept,
            # The parametrisation must stay the same from chunk to chunk.
            precondition=False,
            penalty_weight_sum=state.weight_seen + chunk_weight,
        )
        if first_call:
            model = np.zeros(objective.coef_shape, dtype=X.dtype)
        else:
            model = np.column_stack(
                [self.coef_, self.intercept_] if self.fit_intercept else [self.coef_]
            ).astype(X.dtype)
        step = self._stream_epoch(objective, model, state, n_rows=X.shape[0])
        # Only a call that succeeded reaches here: the stream moves on as one.
        state.advance(step, chunk_weight)
        self._set_stream_attributes(step.coef, classes, X.shape[1], state)
        return self

    def _stream_classes(self, classes, first_call: bool) -> np.ndarray:
        """The stream's classes: ``classes`` checked against the earlier calls'."""
        if classes is None:
            if first_call:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit: the "
                    "labels of every class the stream will contain."
                )
            return self.classes_
        classes = np.unique(np.asarray(classes))
        if classes.size < 2:
            raise ValueError(
                f"classes must hold at least 2 classes, got {classes.tolist()}."
            )
        if not first_call and not np.array_equal(classes, self.classes_):
            raise ValueError(
                f"classes={classes.tolist()} is not the set of classes of the "
                f"earlier calls, {self.classes_.tolist()}: partial_fit cannot "
                "add or remove classes."
            )
        return classes

    def _stream_epoch(self, objective, model, state, *, n_rows: int) -> _StreamStep:
        """One call's pass over the chunk, from ``model`` and the stream's ``state``.

        Reads ``state`` and never changes it (its random stream is copied): the
        caller advances it with the result, once nothing can raise any more.
        ``n_rows`` is the number of rows of the chunk.
        """
        # "gd" and "nesterov" take full steps: the whole chunk is the minibatch.
        batch_size = self.batch_size if self.solver == "sgd" else n_rows
        step_size = state.step_size_for(self)
        if step_size is None:
            step_size = (
                self._safe_stochastic_step(objective, batch_size)
                if self.learning_rate == "auto"
                else float(self.learning_rate)
            )
        # The SGD chain carries on where the last call left it (from the model after
        # a fit).
        chain = model if state.chain is None else state.chain.astype(model.dtype)
        random_state = copy_module.deepcopy(state.random_state)
        value_before = objective.value(model)
        try:
            epoch = sgd_epoch(
                objective,
                chain,
                step=step_size,
                batch_size=batch_size,
                random_state=random_state,
                average=state.average,
                n_steps=state.n_steps,
            )
        except ObjectiveDivergedError as error:
            raise self._diverged_error(
                error, self._safe_stochastic_step(objective, batch_size)
            ) from error
        # With "sgd" the model is the running average of the iterates, the SGD chain
        # carrying on from its last iterate at the next call; "gd" and "nesterov"
        # take one plain step per call, and an average would only lag behind it.
        coef = epoch.average if self.solver == "sgd" else epoch.last
        value, gradient = objective.smooth_value_and_gradient(
            objective.linear_map(coef), coef
        )
        value += objective.nonsmooth_value(coef)
        if not value <= DIVERGENCE_FACTOR * max(value_before, 1.0):
            raise self._diverged_error(
                ObjectiveDivergedError(
                    f"the objective on this chunk went from {value_before:.6g} to "
                    f"{value:.6g}",
                    step=step_size,
                    iteration=1,
                ),
                self._safe_stochastic_step(objective, batch_size),
            )
        return _StreamStep(
            coef=coef,
            chain=epoch.last,
            average=epoch.average,
            n_steps=epoch.n_steps,
            random_state=random_state,
            step_size=step_size,
            step_parameters=state.step_made_for(self),
            value_before=value_before,
            value=value,
            gradient_max=objective.optimality(coef, gradient),
        )

    def _set_stream_attributes(self, coef, classes, n_features: int, state) -> None:
        """The fitted attributes after a `partial_fit` call, from ``state``."""
        if classes.size > 2:
            coef = _center_over_classes(coef, self.fit_intercept, self.l1_ratio == 0)
        self.classes_ = classes
        self.coef_ = np.ascontiguousarray(coef[:, :n_features])
        self.intercept_ = (
            coef[:, n_features].copy()
            if self.fit_intercept
            else np.zeros(coef.shape[0], dtype=coef.dtype)
        )
        self.n_iter_ = state.n_calls
        self.loss_curve_ = np.asarray(state.loss_curve)
        self.gradient_max_curve_ = np.asarray(state.gradient_max_curve)
        self.step_sizes_ = np.asarray(state.step_sizes)
        self.learning_rate_ = state.step_sizes[-1]
        self.converged_ = state.gradient_max_curve[-1] <= self.tol
        self._stream_state = state

    def _combined_sample_weight(
        self, sample_weight, X, y_encoded, classes, *, weight_seen: float = 0.0
    ):
        """Sample weights times class weights, validated, and their sum.

        Checked before any solver divides by them: a positive, representable
        largest weight, and a penalty ``1/(C S)`` that does not overflow, with
        ``S`` the sum plus ``weight_seen`` (the weight a stream saw before).
        Returns the weights, in the namespace and on the device of ``X``, and
        their sum (a float).
        """
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        xp = namespace_of(X)
        class_weight = None
        if self.class_weight is not None:
            # The labels are on the host: so are the weights used to count them.
            host_weight = (
                sample_weight
                if xp is None
                else move_to(sample_weight, xp=np, device="cpu")
            )
            counts = np.bincount(y_encoded, minlength=classes.size)
            totals = np.bincount(y_encoded, host_weight, minlength=classes.size)
            class_weight = class_weights(self.class_weight, classes, totals, counts)
        if class_weight is not None:
            row_weight = class_weight[y_encoded].astype(host_weight.dtype)
            # An overflow is reported below, by the check of the largest weight.
            with np.errstate(over="ignore"):
                if xp is None:
                    sample_weight = sample_weight * row_weight
                else:
                    sample_weight = sample_weight * xp.asarray(
                        row_weight, device=_device(X)
                    )
        largest = float(
            sample_weight.max(initial=0) if xp is None else xp.max(sample_weight)
        )
        check_combined_weights(largest, X.dtype, xp)
        total = weight_sum(sample_weight, xp)
        check_penalty_scale(self.C, weight_seen + total, X.dtype, xp)
        return sample_weight, total

    @staticmethod
    def _check_feature_magnitude(X) -> None:
        """Refuse features whose squares overflow, before any product with them."""
        xp = namespace_of(X)
        check_feature_magnitude(largest_magnitude(X, xp), X.shape[1], X.dtype, xp)

    def _check_same_namespace(self, X, method: str) -> None:
        """Refuse ``X`` of another namespace than the fit's.

        Under array API dispatch, scikit-learn's ``check_same_namespace``, with its
        error naming ``method``. Without dispatch every input becomes NumPy, which
        a model fitted on another namespace cannot take: the error says where the
        model lives. Dask arrays (NumPy coefficients, their own path) are left to
        that path.
        """
        if is_dask_array(X):
            return
        check_same_namespace(X, self, attribute="coef_", method=method)
        coef = getattr(self, "coef_", None)
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

    def _check_array_api_solver(self, xp, method: str) -> None:
        """Refuse a non-NumPy namespace where only NumPy and SciPy are supported."""
        if _is_numpy_namespace(xp):
            return
        if method == "partial_fit" or self.solver not in _ARRAY_API_SOLVERS:
            what = (
                "partial_fit" if method == "partial_fit" else f"solver={self.solver!r}"
            )
            raise ValueError(
                f"{type(self).__name__}: {what} supports NumPy arrays and SciPy "
                f"sparse matrices only, got {xp.__name__} arrays (with "
                "array_api_dispatch=True). Array API input is supported by fit with "
                f"solver in {list(_ARRAY_API_SOLVERS)}."
            )

    def _initial_coef(self, shape, dtype, first_fit, like=None):
        """Zeros, or the previous solution when warm-starting and shapes still fit.

        In the namespace and on the device of ``like`` when it is not NumPy.
        """
        xp = namespace_of(like)
        if xp is not None:
            device_ = _device(like)
            if self.warm_start and not first_fit:
                coef, intercept = move_to(
                    self.coef_, self.intercept_, xp=xp, device=device_
                )
                previous = (
                    xp.concat([coef, intercept[:, None]], axis=1)
                    if self.fit_intercept
                    else coef
                )
                if tuple(previous.shape) == tuple(shape):
                    return xp.astype(previous, dtype)
            return xp.zeros(shape, dtype=dtype, device=device_)
        if self.warm_start and not first_fit:
            previous = np.column_stack(
                [self.coef_, self.intercept_] if self.fit_intercept else [self.coef_]
            )
            if previous.shape == shape:
                return previous.astype(dtype)
        return np.zeros(shape, dtype=dtype)

    def _solve(
        self,
        objective: LogisticObjective,
        coef0,
        *,
        random_state: np.random.RandomState,
        validation_score=None,
        callback=None,
    ) -> tuple[SolverResult, float]:
        """Run the chosen solver; turn a diverging fixed step into a clear error.

        Returns the solver's result and the first step size it tried.
        """
        observers = [Progress(self.verbose, self.max_iter, self.tol)]
        if callback is not None:
            observers.append(CallbackObserver(callback))
        if self.solver == "sgd":
            try:
                result = stochastic_gradient_descent(
                    objective,
                    coef0,
                    step=self.learning_rate,
                    batch_size=self.batch_size,
                    max_iter=self.max_iter,
                    tol=self.tol,
                    n_iter_no_change=self.n_iter_no_change,
                    random_state=random_state,
                    validation_score=validation_score,
                    observers=observers,
                )
            except ObjectiveDivergedError as error:
                raise self._diverged_error(
                    error, self._safe_stochastic_step(objective, self.batch_size)
                ) from error
            if result.step_sizes:
                return result, result.step_sizes[0]
            # Optimal at the start (a warm start): no step was needed.
            return result, (
                self._safe_stochastic_step(objective, self.batch_size)
                if self.learning_rate == "auto"
                else self.learning_rate
            )
        lipschitz = None
        if self.learning_rate == "auto":
            lipschitz = self._checked_lipschitz(objective)
            first_step = 1.0 / lipschitz
        else:
            first_step = self.learning_rate
        try:
            result = _SOLVERS[self.solver](
                objective,
                coef0,
                step=self.learning_rate,
                lipschitz=lipschitz,
                max_iter=self.max_iter,
                tol=self.tol,
                observers=observers,
            )
        except ObjectiveDivergedError as error:
            safe_step = 1.0 / self._checked_lipschitz(objective)
            raise self._diverged_error(error, safe_step) from error
        return result, first_step

    def _diverged_error(self, error: ObjectiveDivergedError, safe_step: float):
        """The error for a fixed learning rate that made the objective blow up."""
        return ValueError(
            f"learning_rate={self.learning_rate!r} is too large: {error}. The safe "
            f"step for this problem is 1/L = {safe_step:.4g}; use a learning_rate "
            "at most that, or learning_rate='auto'."
        )

    @staticmethod
    def _safe_stochastic_step(objective: LogisticObjective, batch_size: int) -> float:
        """``1 / L(b)``, the "auto" step of the stochastic solver (deterministic)."""
        # As in `_checked_lipschitz`: an overflow shows in the result, reported below.
        with np.errstate(over="ignore", invalid="ignore"):
            lipschitz = objective.batch_lipschitz_constant(
                batch_size, np.random.RandomState(0)
            )
        if not np.isfinite(lipschitz):
            raise features_too_large_error()
        # L = 0 only for all-zero data with nothing to fit: any step is safe.
        return 1.0 / lipschitz if lipschitz > 0 else 1.0

    @staticmethod
    def _checked_lipschitz(objective: LogisticObjective) -> float:
        # Features just below the limit of `_check_feature_magnitude` can still
        # overflow the power iteration's products: the result says so, and the
        # error below reports it, without RuntimeWarnings before it.
        with np.errstate(over="ignore", invalid="ignore"):
            lipschitz = objective.lipschitz_constant()
        if not np.isfinite(lipschitz):
            raise features_too_large_error()
        # L = 0 only for all-zero data with nothing to fit: any step is safe.
        return lipschitz if lipschitz > 0 else 1.0

    def _convergence_message(self, X, result: SolverResult) -> str:
        """Say what stopped short, and what to change, likeliest cause first."""
        gradient_max = result.gradient_max_curve[-1]
        hints = []
        # The standard deviations, by the same blocked moments the preconditioner
        # uses: no temporary the size of X, dense or sparse.
        xp = None if is_dask_array(X) else namespace_of(X)
        if is_dask_array(X):
            from ._dask import column_standard_deviations

            scales = column_standard_deviations(X)
        else:
            backend = backend_for(X)
            weights = backend.xp.full(
                X.shape[0], 1 / X.shape[0], dtype=X.dtype, device=backend.device
            )
            scales = ColumnScaling.from_moments(
                *backend.column_moments(X, weights),
                fit_intercept=True,
                l2_strength=0.0,
                backend=backend,
            ).scale
            if xp is not None:
                # n_features numbers, once, for the message.
                scales = move_to(scales, xp=np, device="cpu")
        if scales.size and scales.min() > 0 and scales.max() > 100 * scales.min():
            hints.append(
                f"the features have very different scales (standard deviations from "
                f"{scales.min():.2g} to {scales.max():.2g}): standardize them, for "
                "example with sklearn.preprocessing.StandardScaler"
            )
        float32 = X.dtype == (np.float32 if xp is None else xp.float32)
        resolution = 100 * float((np.finfo if xp is None else xp.finfo)(X.dtype).eps)
        if float32 and gradient_max < 1e3 * resolution:
            hints.append(
                f"float32 data resolve the gradient only to about {resolution:.0e} "
                "relative: use a larger tol or float64 data"
            )
        hints.append(f"increase max_iter (now {self.max_iter})")
        if (
            self.learning_rate != "auto"
            and max(result.loss_curve) > result.loss_curve[0]
        ):
            # The walk went uphill: the step overshoots, short of diverging.
            hints.insert(
                0,
                f"the objective rose above its starting value: the fixed "
                f"learning_rate={self.learning_rate:g} is too large; try a smaller one "
                "or learning_rate='auto'",
            )
        elif self.learning_rate != "auto":
            hints.append(
                f"a fixed learning_rate={self.learning_rate:g} may be too small: try "
                "a larger one or learning_rate='auto'"
            )
        if self.solver == "gd":
            hints.append("solver='nesterov' usually needs far fewer iterations")
        return (
            f"{type(self).__name__}(solver={self.solver!r}) did not converge in "
            f"max_iter={self.max_iter} iterations: the largest gradient entry is "
            f"{gradient_max:.3g}, above tol={self.tol:g}. To fix it: "
            + "; ".join(hints)
            + "."
        )

    def objective(self, X, y, sample_weight=None) -> float:
        """Return the objective ``J`` at the fitted coefficients on ``(X, y)``.

        The same function the solvers minimise (see the class docstring), with the
        same ``C``, ``l1_ratio`` and ``class_weight``: use it to compare this model
        with any other estimator's coefficients on equal terms. On the training data
        it equals ``loss_curve_[-1]``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.
        y : array-like of shape (n_samples,)
            Labels, all of them in ``classes_``.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        objective : float
        """
        check_is_fitted(self)
        if is_dask_array(X):
            # One reduction over the chunks, like a step of fit: X stays where it is.
            objective, *_ = self._dask_problem(
                X, y, sample_weight, classes=self.classes_
            )
            coef = self.coef_
            if self.fit_intercept:
                coef = np.column_stack([coef, self.intercept_])
            # `value` takes the solver's parametrisation (preconditioned for "auto").
            return objective.value(
                objective.to_working(coef.astype(objective.data.dtype))
            )
        xp, _ = get_namespace(X)
        self._check_same_namespace(X, "objective")
        X, y, sample_weight = detached(X), detached(y), detached(sample_weight)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[xp.float64, xp.float32],
            reset=False,
        )
        if not isinstance(y, np.ndarray):
            y = move_to(y, xp=np, device="cpu")
        check_known_labels(np.unique(y), self.classes_, "seen during fit")
        y_encoded = np.searchsorted(self.classes_, y)
        weights, _ = self._combined_sample_weight(
            sample_weight, X, y_encoded, self.classes_
        )
        objective = logistic_objective(
            X,
            y_encoded,
            self.classes_.size,
            weights,
            C=self.C,
            l1_ratio=self.l1_ratio,
            fit_intercept=self.fit_intercept,
        )
        xp = objective.backend.xp
        coef = xp.astype(self.coef_, X.dtype)
        if self.fit_intercept:
            intercept = xp.astype(self.intercept_, X.dtype)
            coef = xp.concat([coef, intercept[:, None]], axis=1)
        return objective.value(coef)

    def decision_function(self, X):
        """Return the linear predictor ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the log-odds of the second class; otherwise one score per
            class (the softmax's logits). For a Dask array ``X``, a lazy Dask array
            with ``X``'s row chunks.
        """
        check_is_fitted(self)
        if is_dask_array(X):
            from ._dask import check_dask_input, decision_function

            X, _, _ = check_dask_input(
                X, n_features=self.n_features_in_, known_chunks=False
            )
            return decision_function(X, self.coef_, self.intercept_)
        xp, _ = get_namespace(X)
        self._check_same_namespace(X, "decision_function")
        X = validate_data(
            self, X, accept_sparse="csr", dtype=[xp.float64, xp.float32], reset=False
        )
        if namespace_of(X) is not None:
            # NumPy promotes float32 data and float64 coefficients to float64; not
            # every library does it for a matrix product (PyTorch refuses).
            dtype = xp.result_type(X.dtype, self.coef_.dtype)
            scores = xp.astype(X, dtype) @ xp.astype(self.coef_, dtype).T
            scores = scores + xp.astype(self.intercept_, dtype)
            return scores[:, 0] if scores.shape[1] == 1 else scores
        scores = X @ self.coef_.T + self.intercept_
        if sparse.issparse(scores):  # pragma: no cover - defensive, scipy<1.11
            scores = scores.toarray()
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Predict the most probable class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_`` (lazy, chunk by chunk, for a Dask array ``X``).
            For Array API input in its namespace and on its device, unless the
            labels are strings (a NumPy array then).
        """
        self._check_same_namespace(X, "predict")
        scores = self.decision_function(X)
        if is_dask_array(scores):
            from ._dask import map_scores

            return map_scores(
                scores,
                functools.partial(_labels_from_scores, classes=self.classes_),
                n_columns=None,
                dtype=self.classes_.dtype,
            )
        if isinstance(scores, np.ndarray):
            return _labels_from_scores(scores, self.classes_)
        backend = backend_for(scores)
        indices = log_loss_for(self.classes_.size, backend).predicted_indices(scores)
        if self.classes_.dtype.kind in "biuf":
            # Numeric labels go to the device (a few numbers), not the other way.
            return backend.xp.take(backend.asarray(self.classes_), indices, axis=0)
        return self.classes_[move_to(indices, xp=np, device="cpu")]

    def predict_proba(self, X):
        """Predict class probabilities: sigmoid for two classes, softmax otherwise.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to one; columns follow ``classes_``. Lazy for a Dask array
            ``X``.
        """
        self._check_same_namespace(X, "predict_proba")
        scores = self.decision_function(X)
        if is_dask_array(scores):
            from ._dask import map_scores

            return map_scores(
                scores,
                log_loss_for(self.classes_.size, _NUMPY).probabilities,
                n_columns=self.classes_.size,
                dtype=scores.dtype,
            )
        return log_loss_for(self.classes_.size, backend_for(scores)).probabilities(
            scores
        )

    def predict_log_proba(self, X):
        """Predict log-probabilities, finite even where a probability underflows.

        Computed as ``log_expit`` of the log-odds (two classes) or ``log_softmax`` of
        the logits, never as ``log(predict_proba(X))``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        self._check_same_namespace(X, "predict_log_proba")
        scores = self.decision_function(X)
        if is_dask_array(scores):
            from ._dask import map_scores

            return map_scores(
                scores,
                log_loss_for(self.classes_.size, _NUMPY).log_probabilities,
                n_columns=self.classes_.size,
                dtype=scores.dtype,
            )
        loss = log_loss_for(self.classes_.size, backend_for(scores))
        return loss.log_probabilities(scores)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # "gd" and "nesterov" run in the namespace and on the device of X under
        # array_api_dispatch; "sgd" (and partial_fit) refuse non-NumPy arrays.
        tags.array_api_support = self.solver in _ARRAY_API_SOLVERS
        return tags


class _StreamStep(NamedTuple):
    """What one `partial_fit` call computed, before the stream takes it in."""

    coef: np.ndarray
    chain: np.ndarray
    average: np.ndarray
    n_steps: int
    random_state: np.random.RandomState
    step_size: float
    step_parameters: tuple
    value_before: float
    value: float
    gradient_max: float


class _StreamState:
    """What `GDLogisticRegression.partial_fit` carries from one call to the next.

    Started from the estimator's parameters on the first call of a stream; a call
    only reads it until it has succeeded, then `advance` takes its result in.
    """

    # Parameters the stream's state is made for and that cannot change under it:
    # the coefficients' layout, and whose chain and step sizes the state holds.
    FIXED = ("fit_intercept", "solver")

    def __init__(self, estimator: GDLogisticRegression) -> None:
        self.fixed = {name: getattr(estimator, name) for name in self.FIXED}
        self.random_state = check_random_state(estimator.random_state)
        self.step: float | None = None
        self.step_parameters: tuple | None = None
        self.chain: np.ndarray | None = None
        self.average: np.ndarray | None = None
        self.n_steps = 0
        self.weight_seen = 0.0
        self.n_calls = 0
        self.loss_curve: list[float] = []
        self.gradient_max_curve: list[float] = []
        self.step_sizes: list[float] = []

    def check_unchanged(self, estimator: GDLogisticRegression) -> None:
        """Refuse to continue the stream after a parameter in `FIXED` changed."""
        for name, then in self.fixed.items():
            now = getattr(estimator, name)
            if now != then:
                raise ValueError(
                    f"{name} changed from {then!r} to {now!r} since the last "
                    f"partial_fit call: {_STREAM_BREAKS[name]}. Call fit (with "
                    "warm_start=True to start from coef_), or start a new stream "
                    "on a fresh estimator: sklearn.base.clone(model)."
                )

    @staticmethod
    def step_made_for(estimator: GDLogisticRegression) -> tuple:
        """The parameters that size the step: ``learning_rate``, "sgd"'s batch."""
        # "gd" and "nesterov" step on whole chunks: batch_size does not size them.
        batch_size = estimator.batch_size if estimator.solver == "sgd" else None
        return estimator.learning_rate, batch_size

    def step_size_for(self, estimator: GDLogisticRegression) -> float | None:
        """The stream's step size, or ``None`` when it must be (re)computed.

        ``None`` on the first call and after ``learning_rate`` or the "sgd"
        ``batch_size`` changed: the step follows them.
        """
        if self.step_parameters != self.step_made_for(estimator):
            return None
        return self.step

    def advance(self, step: _StreamStep, chunk_weight: float) -> None:
        """Take in a successful call's result: the stream moves on by one chunk."""
        self.random_state = step.random_state
        self.step, self.step_parameters = step.step_size, step.step_parameters
        self.chain, self.average = step.chain, step.average
        self.n_steps = step.n_steps
        self.weight_seen += chunk_weight
        self.n_calls += 1
        if self.n_calls == 1:
            self.loss_curve.append(step.value_before)
        self.loss_curve.append(step.value)
        self.gradient_max_curve.append(step.gradient_max)
        self.step_sizes.append(step.step_size)


# Why a change of each of `_StreamState.FIXED` cannot carry the stream on.
_STREAM_BREAKS = {
    "fit_intercept": "the stream's coefficients have another layout (with or "
    "without the intercept column)",
    "solver": "the stream's state (its SGD chain, running average and step "
    "size) is that of the other solver",
}


def _validation_split(X, y_encoded, sample_weight, validation_fraction, random_state):
    """Hold out a stratified ``validation_fraction`` for early stopping.

    The training rows stay where they are, in ``X``: they keep their weights and the
    held-out rows get weight zero, so nothing the size of the training part is
    copied (only the held-out rows are, once, to score them). The split is the one
    ``SGDClassifier`` makes, and the stochastic solver draws its minibatches from the
    training rows in the order the split lists them.

    Returns the training weights, the training rows and the validation part as one
    tuple ``(X, y, sample_weight)``.
    """
    try:
        train_rows, validation_rows = train_test_split(
            np.arange(y_encoded.size),
            test_size=validation_fraction,
            stratify=y_encoded,
            random_state=random_state,
        )
    except ValueError as error:
        raise ValueError(
            f"early_stopping needs a stratified validation split of "
            f"validation_fraction={validation_fraction} with every class in both "
            f"parts, which this data does not allow: {error}"
        ) from error
    train_weight = np.zeros_like(sample_weight)
    train_weight[train_rows] = sample_weight[train_rows]
    if not train_weight.sum() > 0:
        raise ValueError(
            "The training part left by early_stopping has sample weights summing "
            "to zero: there is nothing to fit."
        )
    validation = (
        X[validation_rows],
        y_encoded[validation_rows],
        sample_weight[validation_rows],
    )
    return train_weight, train_rows, validation


def _validation_scorer(objective: LogisticObjective, X_val, y_val, sw_val):
    """Weighted accuracy on the validation part, from working coefficients."""
    n_features = X_val.shape[1]

    def score(coef):
        original = objective.to_original(coef)
        scores = X_val @ original[:, :n_features].T
        if objective.fit_intercept:
            scores = scores + original[:, n_features]
        predicted = (
            (scores[:, 0] > 0).astype(int)
            if original.shape[0] == 1
            else np.argmax(scores, axis=1)
        )
        if not sw_val.sum() > 0:
            return float(np.mean(predicted == y_val))
        return float(np.average(predicted == y_val, weights=sw_val))

    return score


def _encoded_labels(y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def _labels_from_scores(scores: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """The most probable class of NumPy scores (one chunk's, for Dask)."""
    return classes[log_loss_for(classes.size, _NUMPY).predicted_indices(scores)]


def _float_array(values: list[float], like) -> np.ndarray:
    """A list of Python floats as a float64 array, in the namespace of ``like``.

    On a device without float64 (Apple's MPS) the widest float it has.
    """
    xp = namespace_of(like)
    if xp is None:
        return np.asarray(values)
    device_ = _device(like)
    return xp.asarray(
        values, dtype=_max_precision_float_dtype(xp, device_), device=device_
    )


def _center_over_classes(coef, fit_intercept: bool, center_weights: bool):
    """Remove the softmax's free constant: the mean over classes of each column.

    Adding a constant to one column of every class's row changes no probability. For
    the intercept (unpenalised) the centred choice is as good as any and is the one
    ``LogisticRegression`` reports. For the weights, centring leaves the loss
    unchanged and lowers ``||W||^2``, so with a pure L2 penalty the minimiser is
    centred already and this only removes round-off drift; with an L1 part the
    minimiser need not be centred, and the weights are left alone.
    """
    xp = namespace_of(coef)
    if xp is not None:
        if center_weights:
            return coef - xp.mean(coef, axis=0, keepdims=True)
        coef = copy(coef, xp)
        if fit_intercept:
            coef[:, -1] -= xp.mean(coef[:, -1])
        return coef
    coef = coef.copy()
    if center_weights:
        coef -= coef.mean(axis=0, keepdims=True)
    elif fit_intercept:
        coef[:, -1] -= coef[:, -1].mean()
    return coef
