"""`GDLogisticRegression.partial_fit`: a stream of chunks, one epoch each.

A call validates its chunk, builds the chunk's objective (its penalty scaled by all
the weight streamed so far), takes one epoch of the stream on it (`SGDStream`: the
solver's state, immutable) and only then, once nothing can raise any more, moves the
estimator's `StreamState` on: a call that raises changes nothing.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._array_api import get_namespace
from sklearn.utils.multiclass import check_classification_targets

from ._fitting import coef_layout, safe_stochastic_step
from ._input import (
    check_array_api_solver,
    check_features,
    is_dask_array,
    validated_input,
)
from ._input_checks import check_known_labels
from ._messages import diverged_error
from ._problem import in_memory_objective, sample_weight_for
from ._solvers import DivergenceGuard, ObjectiveDivergedError, SGDStream
from ._solvers._schedules import ADAPTIVE_DIVISOR
from ._walk import check_walk

__all__ = ["StreamState", "partial_fit_chunk"]

# Why a change of each of `StreamState.FIXED` cannot carry the stream on.
_STREAM_BREAKS = {
    "fit_intercept": "the stream's coefficients have another layout (with or "
    "without the intercept column)",
    "solver": "the stream's state (its SGD chain, running average and step "
    "size) is that of the other solver",
}


class StreamStep(NamedTuple):
    """What one `partial_fit` call computed, before the stream takes it in."""

    coef: np.ndarray
    sgd: SGDStream
    step_size: float
    step_parameters: tuple
    value_before: float
    value: float
    gradient_max: float
    last_step: float | None = None


class StreamState:
    """What `partial_fit` carries from one call to the next.

    Started from the estimator's parameters on the first call of a stream; a call
    only reads it until it has succeeded, then `advance` takes its result in.
    """

    # Parameters the stream's state is made for and that cannot change under it:
    # the coefficients' layout, and whose chain and step sizes the state holds.
    FIXED = ("fit_intercept", "solver")

    def __init__(self, estimator) -> None:
        self.fixed = {name: getattr(estimator, name) for name in self.FIXED}
        self.sgd = SGDStream(check_random_state(estimator.random_state))
        self.step: float | None = None
        self.step_parameters: tuple | None = None
        self.weight_seen = 0.0
        self.n_calls = 0
        self.loss_curve: list[float] = []
        self.gradient_max_curve: list[float] = []
        self.step_sizes: list[float] = []
        self.started = time.perf_counter()
        self.time_curve: list[float] = []

    def check_unchanged(self, estimator) -> None:
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
    def step_made_for(estimator) -> tuple:
        """What sizes the step: ``learning_rate``, its schedule, "sgd"'s batch."""
        # "gd" and "nesterov" step on whole chunks: batch_size does not size them.
        batch_size = estimator.batch_size if estimator.solver == "sgd" else None
        return estimator.learning_rate, estimator.schedule, batch_size

    def step_size_for(self, estimator) -> float | None:
        """The stream's step size, or ``None`` when it must be (re)computed.

        ``None`` on the first call and after ``learning_rate`` or the "sgd"
        ``batch_size`` changed: the step follows them.
        """
        if self.step_parameters != self.step_made_for(estimator):
            return None
        return self.step

    def advance(self, step: StreamStep, chunk_weight: float) -> None:
        """Take in a successful call's result: the stream moves on by one chunk."""
        self.sgd = step.sgd
        self.step, self.step_parameters = step.step_size, step.step_parameters
        self.weight_seen += chunk_weight
        self.n_calls += 1
        if self.n_calls == 1:
            self.loss_curve.append(step.value_before)
            self.time_curve.append(0.0)
        self.loss_curve.append(step.value)
        self.time_curve.append(time.perf_counter() - self.started)
        self.gradient_max_curve.append(step.gradient_max)
        self.step_sizes.append(
            step.step_size if step.last_step is None else step.last_step
        )


def partial_fit_chunk(estimator, X, y, classes, sample_weight) -> None:
    """One `partial_fit` call: validate the chunk, take one epoch, set attributes."""
    if is_dask_array(X):
        raise TypeError(
            "partial_fit takes one in-memory chunk per call; fit takes a whole "
            "Dask array (each step one reduction over its chunks). To stream a "
            "Dask array, pass its row blocks: for block in X.blocks: "
            "model.partial_fit(block.compute(), ...)."
        )
    first_call = not hasattr(estimator, "classes_")
    check_walk(estimator)
    check_array_api_solver(estimator, get_namespace(X)[0], "partial_fit")
    state = getattr(estimator, "_stream_state", None)
    if state is not None:
        state.check_unchanged(estimator)
    if isinstance(estimator.class_weight, str):
        raise ValueError(
            "class_weight='balanced' is not supported by partial_fit: the class "
            "balance of a stream is not known in advance. Pass a dict, for "
            "example compute_class_weight('balanced', classes=classes, y=y) on a "
            "representative sample."
        )
    X, y, sample_weight = validated_input(
        estimator, X, y, sample_weight, reset=first_call
    )
    check_features(X)
    check_classification_targets(y)
    classes = stream_classes(estimator, classes, first_call)
    check_known_labels(
        np.unique(y), classes, "declared on the first call to partial_fit"
    )
    y_encoded = np.searchsorted(classes, y)
    state = state or StreamState(estimator)
    sample_weight, chunk_weight = sample_weight_for(
        estimator, sample_weight, X, y_encoded, classes, weight_seen=state.weight_seen
    )
    objective = in_memory_objective(
        estimator,
        X,
        y_encoded,
        classes,
        sample_weight,
        # The parametrisation must stay the same from chunk to chunk.
        precondition=False,
        penalty_weight_sum=state.weight_seen + chunk_weight,
    )
    layout = coef_layout(estimator, objective)
    previous = None if first_call else (estimator.coef_, estimator.intercept_)
    model = layout.initial(previous, X.dtype)
    step = stream_epoch(estimator, objective, model, state, n_rows=X.shape[0])
    # Only a call that succeeded reaches here: the stream moves on as one.
    state.advance(step, chunk_weight)
    _set_stream_attributes(estimator, layout, step.coef, classes, state)


def stream_classes(estimator, classes, first_call: bool) -> np.ndarray:
    """The stream's classes: ``classes`` checked against the earlier calls'."""
    if classes is None:
        if first_call:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: the "
                "labels of every class the stream will contain."
            )
        return estimator.classes_
    classes = np.unique(np.asarray(classes))
    if classes.size < 2:
        raise ValueError(
            f"classes must hold at least 2 classes, got {classes.tolist()}."
        )
    if not first_call and not np.array_equal(classes, estimator.classes_):
        raise ValueError(
            f"classes={classes.tolist()} is not the set of classes of the "
            f"earlier calls, {estimator.classes_.tolist()}: partial_fit cannot "
            "add or remove classes."
        )
    return classes


def stream_epoch(estimator, objective, model, state, *, n_rows: int) -> StreamStep:
    """One call's pass over the chunk, from ``model`` and the stream's ``state``.

    Reads ``state`` and never changes it: the caller advances it with the result,
    once nothing can raise any more. ``n_rows`` is the chunk's number of rows.
    """
    # "gd" and "nesterov" take full steps: the whole chunk is the minibatch.
    batch_size = estimator.batch_size if estimator.solver == "sgd" else n_rows
    step_size = state.step_size_for(estimator)
    if step_size is None:
        step_size = (
            safe_stochastic_step(objective, batch_size)
            if estimator.learning_rate == "auto"
            else float(estimator.learning_rate)
        )
    value_before = objective.value(model)
    adaptive = estimator.schedule == "adaptive"
    try:
        epoch, sgd = state.sgd.epoch(
            objective,
            model,
            step=step_size,
            batch_size=batch_size,
            power_t=estimator.power_t if estimator.schedule == "invscaling" else 0.0,
            momentum=estimator.momentum,
        )
    except ObjectiveDivergedError as error:
        if adaptive:
            return _undone(estimator, objective, model, state, step_size, value_before)
        safe_step = safe_stochastic_step(objective, batch_size)
        raise diverged_error(estimator.learning_rate, error, safe_step) from error
    # With "sgd" the model is the running average of the iterates, the SGD chain
    # carrying on from its last iterate at the next call; "gd" and "nesterov" take
    # one plain step per call, and an average would only lag behind it.
    coef = epoch.average if estimator.solver == "sgd" else epoch.last
    value, gradient = objective.smooth_value_and_gradient(
        objective.linear_map(coef), coef
    )
    value += objective.nonsmooth_value(coef)
    if adaptive and not value <= value_before:
        return _undone(estimator, objective, model, state, step_size, value_before)
    if DivergenceGuard(value_before, step_size).exceeded(value):
        error = ObjectiveDivergedError(
            f"the objective on this chunk went from {value_before:.6g} to {value:.6g}",
            step=step_size,
            iteration=1,
        )
        safe_step = safe_stochastic_step(objective, batch_size)
        raise diverged_error(estimator.learning_rate, error, safe_step)
    return StreamStep(
        coef=coef,
        sgd=sgd,
        step_size=step_size,
        step_parameters=state.step_made_for(estimator),
        value_before=value_before,
        value=value,
        gradient_max=objective.optimality(coef, gradient),
        last_step=epoch.last_step,
    )


def _undone(estimator, objective, model, state, step_size, value_before) -> StreamStep:
    """The "adaptive" schedule's answer to a call that raised its chunk's objective.

    The call is undone: the model and the stream stay as they were (momentum
    dropped), and the step is divided by 5 for the next call.
    """
    gradient = objective.smooth_value_and_gradient(objective.linear_map(model), model)[
        1
    ]
    return StreamStep(
        coef=model,
        sgd=state.sgd._replace(velocity=None),
        step_size=step_size / ADAPTIVE_DIVISOR,
        step_parameters=state.step_made_for(estimator),
        value_before=value_before,
        value=value_before,
        gradient_max=objective.optimality(model, gradient),
    )


def _set_stream_attributes(estimator, layout, coef, classes, state) -> None:
    """The fitted attributes after a `partial_fit` call, from ``state``."""
    estimator.classes_ = classes
    estimator.coef_, estimator.intercept_ = layout.split(coef)
    estimator.n_iter_ = state.n_calls
    estimator.loss_curve_ = np.asarray(state.loss_curve)
    estimator.time_curve_ = np.asarray(state.time_curve)
    estimator.gradient_max_curve_ = np.asarray(state.gradient_max_curve)
    estimator.step_sizes_ = np.asarray(state.step_sizes)
    estimator.learning_rate_ = state.step_sizes[-1]
    estimator.converged_ = state.gradient_max_curve[-1] <= estimator.tol
    estimator._stream_state = state
