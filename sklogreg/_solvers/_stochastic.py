"""Mini-batch stochastic gradient descent, finished by full gradients.

Like the full-gradient solvers, this module knows nothing of logistic regression. It
minimises ``F(w) = f(w) + g(w)`` where ``f`` is a mean over ``n`` samples and ``g`` has
a proximal operator, through the `StochasticObjective` interface: an unbiased gradient
estimate from a subset of rows (`batch_gradient`), the expected smoothness of that
estimate (`batch_lipschitz_constant`), the full objective (`value`), and everything
the full-gradient solvers use.

One *epoch* shuffles the rows afresh and walks through them in minibatches ``B`` of
``batch_size`` rows::

    w <- prox_{eta g}(w - eta * grad f_B(w))

Step size. ``eta`` is constant. With ``"auto"`` it is ``1 / L(b)``, the inverse of the
expected smoothness of the minibatch gradient (see
`LogisticObjective.batch_lipschitz_constant`): ``L(b)`` is the full-data constant
``L`` for ``b = n`` and the worst sample's for ``b = 1``, so the step adapts to the
batch size and needs no tuning. A constant step walks quickly to a neighbourhood of the
optimum whose size is proportional to ``eta`` and the gradient noise; an *average* of
the iterates (Polyak and Juditsky) sits much closer to the optimum than the last one.
The SGD chain carries on from its last iterate, and the answer after each epoch is a
running average of the iterates weighted by their step count (polynomial-decay
averaging, Shamir and Zhang; Lacoste-Julien et al.), which forgets the
early transient and keeps averaging as epochs (or ``partial_fit`` calls) accumulate, so
the answer settles near the optimum at a constant step: at it for a quadratic, within
``O(eta)`` of it for a curved loss like the log-loss (Bach and Moulines). The
full-gradient finish below removes that offset in a fit; in a stream a smaller
learning rate shrinks it. (With an L1 term the
last iterate is the answer: an average of sparse iterates is not sparse.) Should an
"auto" epoch blow the objective up, the step is halved and the epoch redone.

Leaving the stochastic phase. After each epoch the full objective ``F`` and its
gradient are measured at the answer (two passes over the data; ``F`` fills
``loss_curve``). The phase ends at the first of:

* the gradient test of the full-gradient solvers: largest entry at most ``tol``;
* scikit-learn's ``SGDClassifier`` rule: ``F`` has not fallen below the best value so
  far minus ``tol`` for ``n_iter_no_change`` epochs in a row;
* the epoch decreased ``F`` by less than one full gradient step would, estimated as
  ``||g||^2 / (2 L_sec)`` with the secant (Barzilai-Borwein) curvature ``L_sec``
  along the last epoch's displacement. An epoch costs about what a full step costs,
  so from there on full gradients are the better buy: SGD is in its noise ball, or
  the data are too few minibatches for sampling to pay.

With early stopping, an observer scores held-out data after each epoch and stops
the run (`sklogreg._solvers._observers.EarlyStopping`); the phase then applies none
of these rules and the solver returns without the finish.

Schedules and momentum. A float step may follow the "invscaling" schedule
``eta_t = eta / (1 + t) ** power_t`` over the minibatch steps ``t``, and each step
may carry heavy-ball momentum (`sklogreg._solvers._stream.sgd_epoch`). With the
"adaptive" schedule, ``SGDClassifier``'s rule above does not end the phase: it
divides ``eta`` by 5 and restarts the chain from the best answer so far, until
``eta`` falls below `MIN_ADAPTIVE_STEP`.

Finish. Otherwise the solver ends with full-gradient iterations
(`sklogreg._solvers._proximal_gradient`'s accelerated method, warm-started at the
stochastic phase's point) until the largest entry of the gradient of ``F`` is at most
``tol``: the same certificate as the full-gradient solvers. The stochastic phase does
the cheap early progress, when a minibatch gradient is as good as a full one; the full
gradients do the end, where SGD only wanders in its noise ball. So the returned point is
the deterministic optimum to the accuracy ``tol`` promises, whatever the shuffles were:
sample weights and repeated rows, or two random seeds, then agree to that accuracy.

References
----------
.. [1] B. T. Polyak and A. B. Juditsky, "Acceleration of stochastic approximation by
   averaging", SIAM J. Control and Optimization 30(4), 1992.
.. [2] O. Shamir and T. Zhang, "Stochastic gradient descent for non-smooth
   optimization: convergence results and optimal averaging schemes", ICML 2013.
.. [3] S. Lacoste-Julien, M. Schmidt and F. Bach, "A simpler approach to obtaining
   an O(1/t) convergence rate for the projected stochastic subgradient method",
   arXiv:1212.2002, 2012.
.. [4] F. Bach and E. Moulines, "Non-strongly-convex smooth stochastic approximation
   with convergence rate O(1/n)", NeurIPS 2013.
.. [5] M. P. Friedlander and M. Schmidt, "Hybrid deterministic-stochastic methods for
   data fitting", SIAM J. Scientific Computing 34(3), 2012.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ._base import (
    IterationInfo,
    ObjectiveDivergedError,
    SolverResult,
)
from ._loop import run, tell_end
from ._observers import DivergenceGuard, Observer
from ._proximal_gradient import solve_proximal_gradient
from ._schedules import ADAPTIVE_DIVISOR, scheduled_gradient_descent
from ._stream import StochasticObjective, sgd_epoch

__all__ = ["StochasticObjective", "stochastic_gradient_descent"]

# An "auto" epoch that blows the objective up is redone with half the step, at most
# this many times (each halving is a factor 2 on a step that is already a bound).
MAX_STEP_HALVINGS = 10
# The "adaptive" schedule stops dividing the step below this, as SGDClassifier does.
MIN_ADAPTIVE_STEP = 1e-6


@dataclass
class StochasticState:
    """Where the stochastic phase stands between two epochs.

    ``chain`` is the SGD iterate, carried from epoch to epoch; ``x`` the epoch's
    answer (the running average), with its objective ``value``, exact ``gradient``
    and ``gradient_max``.
    """

    chain: np.ndarray
    x: np.ndarray
    value: float
    gradient: np.ndarray
    gradient_max: float
    step: float
    n_steps: int = 0
    epoch: int = 0
    best: np.ndarray | None = None
    best_value: float = math.inf
    epochs_without_improvement: int = 0
    reason: str | None = None
    velocity: np.ndarray | None = None


class StochasticPhase:
    """Epochs of minibatch SGD at a constant step, as an init / update method.

    Parameters
    ----------
    step : float
        The step ``eta``; halved and the epoch redone when ``adaptive`` and an epoch
        blows the objective up.
    adaptive : bool
        Whether the step is "auto" (else fixed, and a blow-up raises).
    lipschitz : float
        The full-data smoothness bound that caps the noise-floor test's curvature.
    batch_size : int
        Rows per minibatch.
    tol, n_iter_no_change : float, int
        SGDClassifier's rule: stop after ``n_iter_no_change`` epochs that do not
        improve on the best by ``tol``; ``tol`` is also the gradient test.
    random_state : RandomState
        Source of the shuffles.
    early_stopping : bool
        Whether an observer decides when to stop (on held-out data): then no rule
        of the phase ends it.
    schedule : {"constant", "invscaling", "adaptive"}
        How a fixed step evolves (module docstring).
    power_t, momentum : float
        The exponent of "invscaling" and the heavy-ball momentum.
    """

    def __init__(
        self,
        *,
        step: float,
        adaptive: bool,
        lipschitz: float,
        batch_size: int,
        tol: float,
        n_iter_no_change: int,
        random_state: np.random.RandomState,
        early_stopping: bool = False,
        schedule: str = "constant",
        power_t: float = 0.5,
        momentum: float = 0.0,
    ) -> None:
        self.step, self.adaptive, self.lipschitz = step, adaptive, lipschitz
        self.batch_size, self.tol = batch_size, tol
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.schedule, self.momentum = schedule, momentum
        self.power_t = power_t if schedule == "invscaling" else 0.0
        self.guard: DivergenceGuard | None = None
        self.state: StochasticState | None = None

    def init(self, objective: StochasticObjective, coef0) -> StochasticState:
        """The state at ``coef0``: its objective and exact gradient."""
        chain = coef0.copy()
        value, gradient = objective.smooth_value_and_gradient(
            objective.linear_map(chain), chain
        )
        value += objective.nonsmooth_value(chain)
        self.guard = DivergenceGuard(value, self.step)
        self.state = StochasticState(
            chain,
            chain,
            value,
            gradient,
            objective.optimality(chain, gradient),
            self.step,
            best=chain,
            best_value=value,
        )
        return self.state

    def converged(self, state: StochasticState) -> bool:
        """Whether the answer passes the gradient test."""
        return state.gradient_max <= self.tol

    def stop_reason(self, state: StochasticState) -> str | None:
        """Return "no_improvement", "noise_floor" or None (go on)."""
        return state.reason

    def update(self, objective, state: StochasticState, last: bool) -> IterationInfo:
        """One epoch, its answer's objective and gradient, and the stopping rules."""
        previous = (state.value, state.x, state.gradient)
        state.epoch += 1
        epoch, state.step, state.value, state.gradient = self._stable_epoch(
            objective, state
        )
        state.chain, state.x, state.n_steps = epoch.last, epoch.average, epoch.n_steps
        state.velocity = epoch.velocity
        state.gradient_max = objective.optimality(state.x, state.gradient)
        state.reason = self._reason_to_stop(state, *previous)
        return IterationInfo(
            state.epoch, state.x, state.value, state.gradient_max, epoch.last_step
        )

    def _reason_to_stop(self, state, previous_value, previous_x, previous_gradient):
        # SGDClassifier's rule: no improvement by tol over the best, n epochs running.
        improved = state.value <= state.best_value - self.tol
        if state.value < state.best_value:
            state.best, state.best_value = state.x, state.value
        state.epochs_without_improvement = (
            0 if improved else state.epochs_without_improvement + 1
        )
        if state.epochs_without_improvement >= self.n_iter_no_change:
            if self._adapt(state):
                return None
            if not self.early_stopping:
                return "no_improvement"
        if self.early_stopping:
            return None
        # An epoch costs about what a full gradient step costs. Once it achieves less
        # than such a step would, SGD has reached the noise ball of its step (or the
        # data are too few minibatches for sampling to pay), and full gradients
        # take over.
        if previous_value - state.value < (
            _full_step_decrease(
                state.x - previous_x,
                state.gradient - previous_gradient,
                state.gradient,
                self.lipschitz,
            )
        ):
            return "noise_floor"
        return None

    def _adapt(self, state: StochasticState) -> bool:
        """The "adaptive" rule: a fifth of the step, from the best answer so far."""
        if self.schedule != "adaptive" or (
            state.step / ADAPTIVE_DIVISOR < MIN_ADAPTIVE_STEP
        ):
            return False
        state.step /= ADAPTIVE_DIVISOR
        state.chain, state.velocity = state.best, None
        state.epochs_without_improvement = 0
        return True

    def _stable_epoch(self, objective, state: StochasticState):
        """One epoch and the full objective and gradient at its answer.

        A fixed step that blows the objective up raises; with "auto" the step is
        halved and the epoch redone, with the "adaptive" schedule divided by 5.
        Returns the epoch, the step it used, and ``F`` and the smooth gradient at
        ``EpochResult.average``.
        """
        eta = state.step
        for _ in range(MAX_STEP_HALVINGS):
            try:
                result = sgd_epoch(
                    objective,
                    state.chain,
                    step=eta,
                    batch_size=self.batch_size,
                    random_state=self.random_state,
                    average=None if state.epoch == 1 else state.x,
                    n_steps=state.n_steps,
                    power_t=self.power_t,
                    momentum=self.momentum,
                    velocity=state.velocity,
                )
                x = result.average
                value, gradient = objective.smooth_value_and_gradient(
                    objective.linear_map(x), x
                )
                value += objective.nonsmooth_value(x)
                if not self.guard.exceeded(value):
                    return result, eta, value, gradient
                error = ObjectiveDivergedError(
                    f"the objective reached {value:.6g} after epoch {state.epoch} "
                    f"with step size {eta:.6g}",
                    step=eta,
                    iteration=state.epoch,
                )
            except ObjectiveDivergedError as overflow:
                error = overflow
            if not self.adaptive and self.schedule != "adaptive":
                raise error
            eta /= ADAPTIVE_DIVISOR if self.schedule == "adaptive" else 2.0
        raise error


def stochastic_gradient_descent(
    objective: StochasticObjective,
    coef0: np.ndarray,
    *,
    step: float | Literal["auto"] = "auto",
    batch_size: int = 256,
    max_iter: int = 1000,
    tol: float = 1e-4,
    n_iter_no_change: int = 5,
    random_state: np.random.RandomState,
    early_stopping: bool = False,
    schedule: str = "constant",
    power_t: float = 0.5,
    momentum: float = 0.0,
    observers: Sequence[Observer] = (),
) -> SolverResult:
    """Minimise ``objective`` by mini-batch SGD, then certify with full gradients.

    See the module docstring for the method.

    Parameters
    ----------
    objective : StochasticObjective
        The objective to minimise.
    coef0 : ndarray
        Starting point; not modified.
    step : float or "auto", default="auto"
        A constant step size, or "auto" for ``1 / L(b)``.
    batch_size : int, default=256
        Rows per minibatch.
    max_iter : int, default=1000
        Largest number of epochs, full-gradient iterations of the finish included
        (each reads the data about as often as an epoch does).
    tol : float, default=1e-4
        Least improvement of the objective that counts, and the
        largest gradient entry accepted at the end.
    n_iter_no_change : int, default=5
        Epochs without such an improvement before the stochastic phase ends.
    random_state : RandomState
        Source of the shuffles (and of the curvature subsample).
    early_stopping : bool, default=False
        Whether an observer (`EarlyStopping`) stops the run on held-out data: the
        phase then runs until it does, or ``max_iter``, without the finish.
    schedule : {"constant", "invscaling", "adaptive"}, default="constant"
        How a fixed step evolves over the minibatch steps (module docstring).
    power_t : float, default=0.5
        Exponent of "invscaling".
    momentum : float, default=0.0
        Heavy-ball momentum ``beta`` in ``[0, 1)`` of every minibatch step.
    observers : sequence of Observer, default=()
        Told of every epoch and finishing iteration (numbered on from the epochs),
        and of the end; one returning True stops the solver.

    Returns
    -------
    SolverResult
        ``n_iter`` counts epochs and finishing iterations; ``loss_curve`` holds ``F``
        at the start and after each of them; ``step_sizes`` the step of each;
        ``stop_reason`` is "tol", "max_iter", "callback" or "early_stopping";
        ``converged`` says whether the gradient test held at ``coef``.

    Raises
    ------
    ObjectiveDivergedError
        If a fixed step makes the objective non-finite or grow without bound.
    """
    adaptive = isinstance(step, str)
    lipschitz = objective.batch_lipschitz_constant(batch_size, random_state)
    if not (lipschitz > 0 and math.isfinite(lipschitz)):
        # Zero curvature: nothing depends on the coefficients, any step is safe.
        lipschitz = 1.0
    phase = StochasticPhase(
        step=1.0 / lipschitz if adaptive else float(step),
        adaptive=adaptive,
        lipschitz=lipschitz,
        batch_size=batch_size,
        tol=tol,
        n_iter_no_change=n_iter_no_change,
        random_state=random_state,
        early_stopping=early_stopping,
        schedule=schedule,
        power_t=power_t,
        momentum=momentum,
    )
    result = run(phase, objective, coef0, max_iter=max_iter, observers=observers)
    if not early_stopping and result.stop_reason not in ("callback", "tol"):
        result = _finish(objective, result, phase, max_iter, observers)
    return tell_end(result, observers)


def _finish(objective, phase_result, phase, max_iter, observers) -> SolverResult:
    """Accelerated full gradients from the stochastic phase's best answer to ``tol``.

    The curves and the iteration count go on from the phase's. With the "adaptive"
    schedule the finish is adaptive gradient descent from the phase's last step,
    so that a step still too large for full gradients corrects itself too.
    """
    state = phase.state
    start = state.x if state.value <= state.best_value else state.best
    n_epochs = phase_result.n_iter
    options = {
        "step": "auto" if phase.adaptive else state.step,
        # L(b) >= L: the line search starts from a safe step and lengthens it.
        "lipschitz": phase.lipschitz,
        "max_iter": max_iter - n_epochs,
        "tol": phase.tol,
        "observers": [_Renumbered(observer, n_epochs) for observer in observers],
        "announce_end": False,
    }
    if phase.schedule == "adaptive":
        finish = scheduled_gradient_descent(
            objective, start, schedule="adaptive", momentum=phase.momentum, **options
        )
    else:
        finish = solve_proximal_gradient(objective, start, momentum=True, **options)
    return SolverResult(
        coef=finish.coef,
        n_iter=n_epochs + finish.n_iter,
        converged=finish.converged,
        stop_reason=finish.stop_reason,
        loss_curve=phase_result.loss_curve + finish.loss_curve[1:],
        gradient_max_curve=phase_result.gradient_max_curve
        + finish.gradient_max_curve[1:],
        step_sizes=phase_result.step_sizes + finish.step_sizes,
    )


class _Renumbered(Observer):
    """An observer told of iterations numbered on from ``offset``."""

    def __init__(self, observer: Observer, offset: int) -> None:
        self.observer = observer
        self.offset = offset

    def on_iteration(self, info: IterationInfo) -> bool:
        return self.observer.on_iteration(
            info._replace(iteration=info.iteration + self.offset)
        )


def _full_step_decrease(
    displacement: np.ndarray,
    gradient_change: np.ndarray,
    gradient: np.ndarray,
    lipschitz: float,
) -> float:
    """Predicted decrease of one full gradient step at the current point.

    A step ``1 / L_loc`` along ``-g`` decreases a function of curvature ``L_loc``
    by about ``||g||^2 / (2 L_loc)``. The curvature is the secant (Barzilai-Borwein)
    one along the last displacement ``s``, ``<s, y> / <s, s>`` with ``y`` the change
    of the (exact) gradient: free, and on ill-conditioned problems far below the
    global bound ``L``, which caps it.
    """
    s_s = float((displacement * displacement).sum())
    s_y = float((displacement * gradient_change).sum())
    curvature = s_y / s_s if s_s > 0 and s_y > 0 else lipschitz
    curvature = min(curvature, lipschitz)
    return float((gradient * gradient).sum()) / (2 * curvature)
