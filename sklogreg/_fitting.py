"""The fitting routine of `GDLogisticRegression.fit`: from an objective to a model.

Given the objective built from validated input, it picks the starting point (zeros
or a warm start), runs the chosen solver with its observers (progress lines,
scikit-learn callbacks), turns a diverging fixed step into a clear error, and sets
the fitted attributes. Early stopping's validation split and score are here too:
they decide what the solver minimises and when it stops, not how it steps.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils._array_api import device as array_device

from ._array_api import namespace_of
from ._callbacks import CALLBACKS_AVAILABLE, IterationTasks
from ._coef_layout import CoefLayout
from ._input_checks import features_too_large_error
from ._messages import convergence_message, diverged_error
from ._solvers import (
    CallbackObserver,
    EarlyStopping,
    ObjectiveDivergedError,
    Progress,
    SolverResult,
    TimeCurve,
    accelerated_gradient,
    barzilai_borwein,
    gradient_descent,
    scheduled_gradient_descent,
    stochastic_gradient_descent,
)
from ._walk import walk_options

__all__ = [
    "SOLVERS",
    "coef_layout",
    "fit_objective",
    "keeping_state_on_error",
    "safe_stochastic_step",
    "validation_split",
]

SOLVERS = {
    "gd": gradient_descent,
    "nesterov": accelerated_gradient,
    "bb": barzilai_borwein,
    "sgd": stochastic_gradient_descent,
}
# Solvers whose "auto" step starts from the Lipschitz estimate (a power iteration);
# "bb" measures the curvature along its first gradient instead.
STEPS_FROM_LIPSCHITZ = ("gd", "nesterov")


def coef_layout(estimator, objective) -> CoefLayout:
    """The layout of ``objective``'s coefficients for ``estimator``'s parameters."""
    return CoefLayout(
        n_features=objective.data.n_features,
        n_coef_rows=objective.coef_shape[0],
        fit_intercept=estimator.fit_intercept,
        center_weights=estimator.l1_ratio == 0,
        backend=objective.backend,
    )


def fit_objective(
    estimator,
    objective,
    classes: np.ndarray,
    X,
    y,
    *,
    first_fit: bool,
    sample_weight,
    random_state=None,
    validation=None,
    started: float | None = None,
) -> None:
    """Minimise ``objective`` and set ``estimator``'s fitted attributes.

    ``X, y`` and ``sample_weight`` are the data as given, for the callbacks;
    ``validation`` is early stopping's held-out part, if any; ``started`` the
    `time.perf_counter` at the start of the fit, which ``time_curve_`` counts from.
    """
    layout = coef_layout(estimator, objective)
    previous = None
    if estimator.warm_start and not first_fit:
        previous = (estimator.coef_, estimator.intercept_)
    coef0 = objective.to_working(layout.initial(previous, objective.data.dtype))

    def fitted_attributes(working_coef) -> dict:
        coef, intercept = layout.split(objective.to_original(working_coef))
        return {"coef_": coef, "intercept_": intercept, "classes_": classes}

    callbacks = _FitCallbacks(estimator, X, y, sample_weight)
    iteration_tasks = callbacks.begin(fitted_attributes, coef0)
    early_stopping = None
    if validation is not None:
        early_stopping = EarlyStopping(
            validation_scorer(objective, layout, *validation),
            estimator.tol,
            estimator.n_iter_no_change,
        )
    clock = TimeCurve(time.perf_counter() if started is None else started)
    result, first_step = solve(
        estimator,
        objective,
        coef0,
        random_state=random_state,
        callback=iteration_tasks,
        early_stopping=early_stopping,
        clock=clock,
    )
    if iteration_tasks is not None:
        iteration_tasks.close()
    if early_stopping is not None:
        result = best_iterate(result, early_stopping)
    _set_fitted_attributes(
        estimator, fitted_attributes(result.coef), result, first_step, objective
    )
    _set_walk_records(estimator, clock, early_stopping, result.coef, objective.backend)
    callbacks.end()
    if result.stop_reason == "max_iter":
        message = convergence_message(
            estimator,
            result,
            column_scales=objective.data.column_standard_deviations(),
            dtype=objective.data.dtype,
        )
        warnings.warn(message, ConvergenceWarning, stacklevel=6)


def best_iterate(result: SolverResult, early_stopping: EarlyStopping) -> SolverResult:
    """The result at the best-scoring iterate; "early_stopping" if it stopped the run.

    ``converged`` holds only when the best iterate is the last one and ``tol``
    held there. The curves keep the whole walk.
    """
    if early_stopping.stopped:
        result = result._replace(stop_reason="early_stopping")
    if early_stopping.best_coef is None or early_stopping.best_iteration == (
        result.n_iter
    ):
        return result
    return result._replace(coef=early_stopping.best_coef, converged=False)


def _set_walk_records(estimator, clock, early_stopping, coef, backend) -> None:
    """``time_curve_``, and with early stopping the validation scores.

    A fit that made no iteration (started at the optimum) has no score yet: its
    best is the score of ``coef``, where it stopped.
    """
    estimator.time_curve_ = backend.asarray(
        clock.seconds, dtype=backend.accumulation_dtype
    )
    for name in ("validation_scores_", "best_validation_score_"):
        estimator.__dict__.pop(name, None)
    if early_stopping is None:
        return
    estimator.validation_scores_ = np.asarray(early_stopping.scores, dtype=float)
    estimator.best_validation_score_ = (
        early_stopping.best_score
        if early_stopping.scores
        else early_stopping.score(coef)
    )


def _set_fitted_attributes(estimator, fitted, result, first_step, objective) -> None:
    for name, value in fitted.items():
        setattr(estimator, name, value)
    backend = objective.backend
    estimator.n_iter_ = result.n_iter
    # Array attributes live with coef_, in the namespace and on the device of X (as
    # scikit-learn's array API checks require), in the widest float it has.
    for name in ("loss_curve", "gradient_max_curve", "step_sizes"):
        values = getattr(result, name)
        setattr(
            estimator,
            name + "_",
            backend.asarray(values, dtype=backend.accumulation_dtype),
        )
    estimator.learning_rate_ = (
        result.step_sizes[-1] if result.step_sizes else float(first_step)
    )
    estimator.converged_ = result.converged
    estimator.stop_reason_ = result.stop_reason
    # A new fit starts a new stream: partial_fit calls after it continue from these
    # coefficients with a fresh step schedule.
    estimator._stream_state = None


class _FitCallbacks:
    """scikit-learn's callbacks (>= 1.9): one root task, one sub-task per iteration."""

    def __init__(self, estimator, X, y, sample_weight) -> None:
        self.estimator, self.X, self.y = estimator, X, y
        self.metadata = (
            None if sample_weight is None else {"sample_weight": sample_weight}
        )
        self.context = None

    def begin(self, fitted_attributes, coef0) -> IterationTasks | None:
        """Start the fit's task; the per-iteration observer, if callbacks are set."""
        if not CALLBACKS_AVAILABLE:
            return None
        estimator = self.estimator
        self.context = estimator._init_callback_context(
            max_subtasks=estimator.max_iter + 1
        )
        self.context.call_on_fit_task_begin(
            estimator=estimator, X=self.X, y=self.y, metadata=self.metadata
        )
        if not getattr(estimator, "_skl_callbacks", None):
            return None
        return IterationTasks(
            estimator,
            self.context,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            fitted_attributes=fitted_attributes,
            start_coef=coef0,
        )

    def end(self) -> None:
        """End the fit's task, with the fitted attributes set."""
        if self.context is not None:
            self.context.call_on_fit_task_end(
                estimator=self.estimator,
                X=self.X,
                y=self.y,
                metadata=self.metadata,
                reconstruction_attributes={},
            )


def solve(
    estimator,
    objective,
    coef0,
    *,
    random_state: np.random.RandomState | None,
    callback=None,
    early_stopping: EarlyStopping | None = None,
    clock: TimeCurve | None = None,
) -> tuple[SolverResult, float]:
    """Run the chosen solver; turn a diverging fixed step into a clear error.

    ``early_stopping`` and ``clock`` observe the iterations after the progress
    lines and the callbacks. Returns the solver's result and the first step size
    it tried.
    """
    observers = []
    if estimator.verbose:
        observers.append(
            Progress(
                estimator.verbose, estimator.max_iter, estimator.tol, early_stopping
            )
        )
    if callback is not None:
        observers.append(CallbackObserver(callback))
    observers += [o for o in (early_stopping, clock) if o is not None]
    options = walk_options(estimator)
    if estimator.solver == "sgd":
        if clock is not None:
            clock.begin()
        return _solve_stochastic(
            estimator, objective, coef0, random_state, observers, options
        )
    lipschitz = None
    first_step = estimator.learning_rate
    if estimator.learning_rate == "auto" and estimator.solver in STEPS_FROM_LIPSCHITZ:
        lipschitz = checked_lipschitz(objective)
        first_step = 1.0 / lipschitz
    # The plain walk keeps its solver; a schedule or momentum is another method.
    solver = scheduled_gradient_descent if options else SOLVERS[estimator.solver]
    if clock is not None:
        clock.begin()
    try:
        result = solver(
            objective,
            coef0,
            step=estimator.learning_rate,
            lipschitz=lipschitz,
            max_iter=estimator.max_iter,
            tol=estimator.tol,
            observers=observers,
            **options,
        )
    except ObjectiveDivergedError as error:
        safe_step = 1.0 / checked_lipschitz(objective)
        raise diverged_error(estimator.learning_rate, error, safe_step) from error
    if first_step == "auto":
        # A "bb" fit: its first step is the first one it took (a fit already at
        # the optimum took none, and reports the safe step).
        first_step = (
            result.step_sizes[0]
            if result.step_sizes
            else 1.0 / checked_lipschitz(objective)
        )
    return result, first_step


def _solve_stochastic(estimator, objective, coef0, random_state, observers, options):
    batch_size = estimator.batch_size
    try:
        result = stochastic_gradient_descent(
            objective,
            coef0,
            step=estimator.learning_rate,
            batch_size=batch_size,
            max_iter=estimator.max_iter,
            tol=estimator.tol,
            n_iter_no_change=estimator.n_iter_no_change,
            random_state=random_state,
            early_stopping=estimator.early_stopping,
            observers=observers,
            **options,
        )
    except ObjectiveDivergedError as error:
        safe_step = safe_stochastic_step(objective, batch_size)
        raise diverged_error(estimator.learning_rate, error, safe_step) from error
    if result.step_sizes:
        return result, result.step_sizes[0]
    # Optimal at the start (a warm start): no step was needed.
    return result, (
        safe_stochastic_step(objective, batch_size)
        if estimator.learning_rate == "auto"
        else estimator.learning_rate
    )


def safe_stochastic_step(objective, batch_size: int) -> float:
    """``1 / L(b)``, the "auto" step of the stochastic solver (deterministic)."""
    return 1.0 / _finite_curvature(
        objective.batch_lipschitz_constant, batch_size, np.random.RandomState(0)
    )


def checked_lipschitz(objective) -> float:
    """The objective's Lipschitz estimate, or the error for features too large."""
    return _finite_curvature(objective.lipschitz_constant)


def _finite_curvature(estimate, *args) -> float:
    """``estimate(*args)``, a curvature bound; 1 for zero, an error for overflow.

    Features just below the limit of the input checks can still overflow the power
    iteration's products: the result says so, and the error reports it, without
    RuntimeWarnings before it. A bound of 0 comes only from all-zero data, with
    nothing to fit: any step is safe.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        curvature = estimate(*args)
    if not np.isfinite(curvature):
        raise features_too_large_error()
    return curvature if curvature > 0 else 1.0


def validation_split(X, y_encoded, sample_weight, validation_fraction, random_state):
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
    xp = namespace_of(sample_weight)
    if xp is None:
        train_weight = np.zeros_like(sample_weight)
        train_weight[train_rows] = sample_weight[train_rows]
        X_val, sw_val = X[validation_rows], sample_weight[validation_rows]
    else:
        # Array API input stays in its namespace and on its device.
        kept = np.ones(y_encoded.size, dtype=bool)
        kept[validation_rows] = False
        on_device = {"device": array_device(sample_weight)}
        train_weight = sample_weight * xp.asarray(
            kept, dtype=sample_weight.dtype, **on_device
        )
        rows = xp.asarray(validation_rows, **on_device)
        X_val, sw_val = xp.take(X, rows, axis=0), xp.take(sample_weight, rows)
    if not float((np if xp is None else xp).sum(train_weight)) > 0:
        raise ValueError(
            "The training part left by early_stopping has sample weights summing "
            "to zero: there is nothing to fit."
        )
    return train_weight, train_rows, (X_val, y_encoded[validation_rows], sw_val)


def validation_scorer(objective, layout: CoefLayout, X_val, y_val, sw_val):
    """Weighted accuracy on the validation part, from working coefficients.

    Computed where the data live: only the score leaves an Array API device.
    """
    backend, loss, xp = objective.backend, objective.loss, objective.backend.xp
    y_val = backend.asarray(y_val, dtype=backend.index_dtype)
    total = float(xp.sum(sw_val))

    def score(coef) -> float:
        margins = backend.linear_predictor(
            X_val, objective.to_original(coef), layout.fit_intercept
        )
        correct = xp.astype(loss.predicted_indices(margins) == y_val, sw_val.dtype)
        if not total > 0:
            return float(xp.mean(correct))
        return float(xp.sum(correct * sw_val)) / total

    return score


def keeping_state_on_error(estimator, method, *args):
    """Run ``method(*args)``; if it raises, put every attribute back as it was.

    validate_data records ``n_features_in_`` before anything else can fail, and a
    ConvergenceWarning turned into an error comes after the new attributes are
    set: either way the previous model must survive whole. The callback
    machinery's own attributes are left to scikit-learn, which tears them down.
    """
    state = estimator.__dict__
    callbacks = ("_callback", "_skl_callbacks")
    recorded = dict(state)
    try:
        return method(*args)
    except BaseException:
        for name in [name for name in state if not name.startswith(callbacks)]:
            del state[name]
        state.update(
            {
                name: value
                for name, value in recorded.items()
                if not name.startswith(callbacks)
            }
        )
        raise
