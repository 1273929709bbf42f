"""Epochs of minibatch SGD as a stream: the primitive of `partial_fit` and of "sgd".

One *epoch* shuffles the rows afresh and walks through them in minibatches ``B`` of
``batch_size`` rows, ``w <- prox_{eta g}(w - eta * grad f_B(w))``, keeping a running
(polynomial-decay) average of the iterates. `SGDStream` is what carries from one
epoch, or one ``partial_fit`` chunk, to the next: the random stream of the shuffles,
the SGD chain, the average and the step count. It is immutable: an epoch returns a
new stream, so a chunk that is rejected after its epoch leaves the old one as it
was.
"""

from __future__ import annotations

import copy
from typing import NamedTuple, Protocol

import numpy as np

from ._base import CompositeObjective, ObjectiveDivergedError
from ._schedules import inverse_scaling

__all__ = ["EpochResult", "SGDStream", "StochasticObjective", "sgd_epoch"]

# Polynomial-decay averaging weighs step t like t^AVERAGING_DEGREE. Degree 1 (weights
# proportional to t, Lacoste-Julien et al.) measured better than Shamir and Zhang's 3
# here: at a constant step the noise, not the transient, dominates after an epoch,
# and degree 1 averages over more iterates (effective window 3/4 of them, not 7/16).
AVERAGING_DEGREE = 1


class StochasticObjective(CompositeObjective, Protocol):
    """What the stochastic solver needs beyond `CompositeObjective`."""

    @property
    def sample_rows(self) -> np.ndarray:
        """Indices of the rows minibatches are drawn from."""

    def batch_gradient(self, coef: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Unbiased estimate of the smooth gradient from the given rows."""

    def batch_lipschitz_constant(
        self, batch_size: int, random_state: np.random.RandomState
    ) -> float:
        """Expected smoothness of `batch_gradient` for minibatches of this size."""

    def value(self, coef: np.ndarray) -> float:
        """The whole objective ``F(coef)``."""


class EpochResult(NamedTuple):
    """What one epoch returns.

    Attributes
    ----------
    average : ndarray
        The running (polynomial-decay) average of the iterates: the answer (the last
        iterate when the objective has a non-smooth part).
    last : ndarray
        The last iterate, where the next epoch carries on.
    n_steps : int
        Minibatch steps taken since the averaging started, this epoch's included.
    velocity : ndarray or None
        The heavy-ball velocity after the epoch (None without momentum).
    last_step : float
        The step size of the epoch's last minibatch step.
    """

    average: np.ndarray
    last: np.ndarray
    n_steps: int
    velocity: np.ndarray | None = None
    last_step: float = 0.0


def sgd_epoch(
    objective: StochasticObjective,
    coef: np.ndarray,
    *,
    step: float,
    batch_size: int,
    random_state: np.random.RandomState,
    average: np.ndarray | None = None,
    n_steps: int = 0,
    power_t: float = 0.0,
    momentum: float = 0.0,
    velocity: np.ndarray | None = None,
) -> EpochResult:
    """One pass over freshly shuffled rows in minibatches.

    Step ``t`` (counted over the whole stream, ``n_steps`` before this epoch) has
    the size ``step / (1 + t) ** power_t``: constant for ``power_t = 0``, the
    "invscaling" schedule otherwise. With ``momentum = beta > 0`` each step is
    Polyak's heavy ball, ``v <- beta v - eta grad f_B(x)``, ``x <- x + v`` (the
    prox applied to the new point), ``v`` carried from epoch to epoch.

    The running average is updated after step ``t`` (counted since it started) as
    ``average += w_t (x_t - average)`` with ``w_t = (d + 1) / (t + d)``,
    ``d = AVERAGING_DEGREE``: polynomial-decay averaging, which weighs iterate ``t``
    like ``t^d`` and so forgets the transient while averaging out the noise of all
    later steps. It carries over from epoch to epoch (and from call to
    call of ``partial_fit``).

    Parameters
    ----------
    objective : StochasticObjective
        The objective.
    coef : ndarray
        Starting point; not modified.
    step : float
        Step size ``eta``.
    batch_size : int
        Rows per minibatch (the last one may be smaller).
    random_state : RandomState
        Source of the shuffle; advanced.
    average : ndarray, optional
        The running average so far; ``None`` starts it (at the first iterate).
    n_steps : int, default=0
        Steps already in ``average``, and made by the stream so far.
    power_t : float, default=0.0
        Exponent of the inverse scaling of the step (0: constant).
    momentum : float, default=0.0
        Heavy-ball momentum ``beta``.
    velocity : ndarray, optional
        The velocity ``v`` the stream carries (``None``: at rest).

    Returns
    -------
    EpochResult

    Raises
    ------
    ObjectiveDivergedError
        If an iterate stops being finite.
    """
    rows_available = objective.sample_rows
    order = rows_available[random_state.permutation(rows_available.size)]
    x = coef.copy()
    average = np.zeros_like(x) if average is None else average.copy()
    # A step that is too large overflows before the epoch ends; it is detected on the
    # iterate below, so the floating-point warnings on the way are not news.
    eta = step
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, order.size, batch_size):
            rows = order[start : start + batch_size]
            if power_t:
                eta = inverse_scaling(step, power_t, n_steps)
            if momentum:
                x, velocity = _heavy_ball_step(
                    objective, x, velocity, rows, eta, momentum
                )
            else:
                x = x - eta * objective.batch_gradient(x, rows)
                if objective.has_nonsmooth_part:
                    x = objective.prox(x, eta)
            if not np.isfinite(x).all():
                raise ObjectiveDivergedError(
                    f"the coefficients overflowed after {n_steps + 1} minibatch "
                    f"step(s) with step size {eta:.6g}",
                    step=eta,
                    iteration=n_steps + 1,
                )
            n_steps += 1
            weight = (AVERAGING_DEGREE + 1) / (n_steps + AVERAGING_DEGREE)
            average += weight * (x - average)
    return EpochResult(
        x if objective.has_nonsmooth_part else average, x, n_steps, velocity, eta
    )


def _heavy_ball_step(objective, x, velocity, rows, eta: float, beta: float):
    """``x + beta v - eta grad f_B(x)`` (then the prox), and the new velocity."""
    shifted = x - eta * objective.batch_gradient(x, rows)
    if velocity is not None:
        shifted = shifted + beta * velocity
    if objective.has_nonsmooth_part:
        shifted = objective.prox(shifted, eta)
    return shifted, shifted - x


class SGDStream(NamedTuple):
    """Where a stream of SGD epochs stands between two of them.

    Attributes
    ----------
    random_state : RandomState
        Source of the next epoch's shuffle.
    chain : ndarray or None
        The SGD iterate the next epoch starts from (None: from the model given).
    average : ndarray or None
        The running average of the iterates so far.
    n_steps : int
        Minibatch steps in ``average``: the ``t`` of the "invscaling" schedule.
    velocity : ndarray or None
        The heavy-ball velocity of the chain (None: at rest).
    """

    random_state: np.random.RandomState
    chain: np.ndarray | None = None
    average: np.ndarray | None = None
    n_steps: int = 0
    velocity: np.ndarray | None = None

    def epoch(
        self,
        objective,
        model: np.ndarray,
        *,
        step: float,
        batch_size: int,
        power_t: float = 0.0,
        momentum: float = 0.0,
    ) -> tuple[EpochResult, SGDStream]:
        """One epoch from this stream (from ``model`` if it has no chain yet).

        Returns the epoch and the stream after it; this one is left unchanged, its
        random stream included.
        """
        chain = model if self.chain is None else self.chain.astype(model.dtype)
        random_state = copy.deepcopy(self.random_state)
        result = sgd_epoch(
            objective,
            chain,
            step=step,
            batch_size=batch_size,
            random_state=random_state,
            average=self.average,
            n_steps=self.n_steps,
            power_t=power_t,
            momentum=momentum,
            velocity=self.velocity,
        )
        return result, SGDStream(
            random_state, result.last, result.average, result.n_steps, result.velocity
        )
