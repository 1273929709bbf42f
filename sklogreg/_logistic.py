"""`GDLogisticRegression`: the scikit-learn estimator, as orchestration only.

This module holds the estimator's parameters, its documentation and its public
methods, each a few lines calling the layers below: input handling
(`sklogreg._input`), the objective (`sklogreg._objective`), the fitting routine
(`sklogreg._fitting`), streams (`sklogreg._streaming`) and predictions
(`sklogreg._predictions`). The objective is stated once, in `sklogreg._objective`.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import ClassVar

from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._callbacks import CallbackSupportMixin
from ._classifier import LinearClassifierPredictions
from ._fitting import SOLVERS, coef_layout, fit_objective, keeping_state_on_error
from ._input import ARRAY_API_SOLVERS
from ._interop import SklearnInteropMixin
from ._persistence import PlainStateMixin
from ._problem import fit_problem, objective_on
from ._solvers import SCHEDULES
from ._streaming import partial_fit_chunk

__all__ = ["GDLogisticRegression"]


class GDLogisticRegression(
    SklearnInteropMixin,
    PlainStateMixin,
    CallbackSupportMixin,
    LinearClassifierPredictions,
    ClassifierMixin,
    BaseEstimator,
):
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
    solver : {"bb", "nesterov", "gd", "sgd"}, default="bb"
        ``"bb"``: (proximal) gradient descent with Barzilai-Borwein steps under a
        non-monotone line search, one evaluation of the objective and its gradient
        per iteration; the fastest of the four in the benchmark race. ``"gd"``:
        plain batch gradient descent, the textbook downhill walk. ``"nesterov"``:
        FISTA with adaptive restart. ``"sgd"``: mini-batch stochastic gradient
        descent on the same objective (softmax for three or more classes), epochs of
        ``batch_size`` rows shuffled from ``random_state`` while they gain more than
        a full step would, then accelerated full gradients to ``tol``; the solver of
        `partial_fit`. "bb", "gd" and "nesterov" also run on Array API input under
        ``array_api_dispatch``.
    learning_rate : float or "auto", default="auto"
        A fixed step size ``alpha > 0``, used exactly as given (by every solver: "bb"
        with a fixed step is "gd"), or ``"auto"``: for "bb", the inverse curvature
        along the first gradient, then Barzilai-Borwein steps; for "gd" and
        "nesterov", ``1 / L`` (``L`` the gradient's Lipschitz constant), adapted to
        the local curvature by backtracking. "auto" never needs tuning; a fixed rate
        is what a ``GridSearchCV`` over ``learning_rate`` tunes.
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
    schedule : {"constant", "invscaling", "adaptive"}, default="constant"
        How a float ``learning_rate`` :math:`\eta` evolves ("gd" and "sgd"): kept;
        :math:`\eta / (1 + t)^{p}`, ``p = power_t``, :math:`t` the updates made so
        far (across `partial_fit` calls); or "adaptive": a step after which the
        objective rose (an iteration for "gd", ``n_iter_no_change`` epochs for
        "sgd" as ``SGDClassifier``, a `partial_fit` call) is undone and
        :math:`\eta` divided by 5, so a rate too large corrects itself.
    power_t : float, default=0.5
        The exponent ``p`` of "invscaling".
    momentum : float, default=0.0
        Heavy-ball :math:`\beta \in [0, 1)` for "gd" and "sgd" (per minibatch):
        :math:`v \leftarrow \beta v - \eta \nabla f(w)`, :math:`w \leftarrow w + v`.
        With ``learning_rate="auto"`` or ``solver="nesterov"``, only 0 and
        "constant" are valid (a ``ValueError`` names both otherwise).
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the rows (by weight zero:
        ``X`` is never copied), score their weighted accuracy after every iteration
        (epoch for "sgd"), stop once it has not improved by more than ``tol`` for
        ``n_iter_no_change`` in a row, and return the best-scoring coefficients.
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
        the shuffles of `partial_fit`. With the same data, dtype, BLAS library and
        number of BLAS threads, the same seed gives bitwise the same coefficients
        (the full-batch solvers are deterministic). Another number of threads sums
        BLAS products in another order, which moves every iterate in its last bits:
        the fit still certifies ``tol``, and agrees with the other to the accuracy
        ``tol`` promises (on ill-conditioned data that allows coefficients 1e-3
        apart: measured on 20000 x 100 collinear, unscaled data at ``tol=1e-6``).
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
    loss_curve_ : ndarray of shape (`n_iter_` + 1,)
        The objective :math:`J` at the starting coefficients, then after each
        iteration (each epoch for "sgd": the full objective, measured on all the
        data); the last value is :math:`J` at ``coef_`` and ``intercept_``. After
        `partial_fit`, the objective of each call's chunk after the call.
    time_curve_ : ndarray of shape (`n_iter_` + 1,)
        Seconds since `fit` started at each point of ``loss_curve_``.
    validation_scores_, best_validation_score_ : ndarray of shape (`n_iter_`,), float
        With ``early_stopping``: the held-out accuracy after each iteration (epoch)
        and the best of them, that of ``coef_``.
    learning_rate_ : float
        The step size used in the last iteration: ``learning_rate`` itself when it is a
        number, the adapted (or scheduled) step otherwise.
    step_sizes_ : ndarray of shape (`n_iter_`,)
        The step size accepted in each iteration.
    gradient_max_curve_ : ndarray of shape (`n_iter_` + 1,)
        The largest entry of the (proximal) gradient at the start point, then after
        each iteration where the next step starts: the iterate itself for "bb", "gd"
        and "sgd", the extrapolated point for "nesterov" (the last entry is always
        measured at ``coef_`` and ``intercept_`` when the fit stopped on ``tol`` or
        ``max_iter``). After `partial_fit`, one entry per call.
    converged_ : bool
        Whether the stopping test on ``tol`` held at the returned coefficients.
        Early stopping is a reason to stop, not convergence: a fit it stopped has
        ``converged_`` False unless the gradient was below ``tol`` there too.
    stop_reason_ : {"tol", "max_iter", "callback", "early_stopping"}
        Why the fit stopped: the gradient reached ``tol``, the iterations ran out
        (with a ``ConvergenceWarning``), or a callback asked to stop (scikit-learn >=
        1.9 callbacks, set with ``set_callbacks``; the model is usable as it is), or
        the validation score stopped improving (``early_stopping=True``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
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
        "solver": [StrOptions(set(SOLVERS))],
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "schedule": [StrOptions(set(SCHEDULES))],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
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
        solver="bb",
        learning_rate="auto",
        max_iter=1000,
        tol=1e-4,
        batch_size=256,
        schedule="constant",
        power_t=0.5,
        momentum=0.0,
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
        self.schedule = schedule
        self.power_t = power_t
        self.momentum = momentum
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
        return keeping_state_on_error(self, self._fit, X, y, sample_weight)

    def _fit(self, X, y, sample_weight):
        first_fit = not hasattr(self, "classes_")
        problem = fit_problem(self, X, y, sample_weight)
        # Callbacks score the model on all the data given, whatever early stopping
        # holds out for itself.
        fit_objective(
            self,
            problem.objective,
            problem.classes,
            problem.X,
            problem.y,
            first_fit=first_fit,
            sample_weight=sample_weight,
            random_state=problem.random_state,
            validation=problem.validation,
            started=problem.started,
        )
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the model with one chunk of data: one pass over it.

        Successive calls stream the data: with ``solver="sgd"`` each call is one epoch
        of minibatch steps over the chunk (shuffled with the estimator's own random
        stream, seeded from ``random_state`` on the first call); with "gd" or
        "nesterov" it is one full (proximal) gradient step on the chunk, the chunk
        being the minibatch. The step size is set on the first call
        (``learning_rate``, or for "auto" ``1 / L(b)`` from that chunk), and again
        on the first call after ``learning_rate``, ``schedule`` or (for "sgd")
        ``batch_size`` changed; the random stream continues across calls, so a
        sequence of calls is reproducible for a given ``random_state``. A call that
        raises changes nothing: the same stream without it gives bitwise the same
        model. The stream carries the walk too: "invscaling"'s ``t`` counts every
        update since the stream started, ``momentum``'s velocity goes on from call
        to call, and with "adaptive" a call that raises its chunk's objective is
        undone (the model stays, the step is divided by 5 for the next call).

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
        return keeping_state_on_error(
            self, self._partial_fit, X, y, classes, sample_weight
        )

    def _partial_fit(self, X, y, classes, sample_weight):
        partial_fit_chunk(self, X, y, classes, sample_weight)
        return self

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
        objective = objective_on(self, X, y, sample_weight)
        layout = coef_layout(self, objective)
        coef = layout.stack(self.coef_, self.intercept_, objective.data.dtype)
        # `value` takes the solver's parametrisation (a Dask fit's is preconditioned).
        return objective.value(objective.to_working(coef))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # "gd" and "nesterov" run in the namespace and on the device of X under
        # array_api_dispatch; "sgd" (and partial_fit) refuse non-NumPy arrays.
        tags.array_api_support = self.solver in ARRAY_API_SOLVERS
        return tags
