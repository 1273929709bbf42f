"""Schedules, heavy-ball momentum and early stopping at the solver layer.

Each walk is checked against its first steps written out by hand on a least-squares
problem (`conftest.LeastSquares`), whose gradient is exact and cheap.
"""

import numpy as np
import pytest
from conftest import LeastSquares

from sklogreg._solvers import (
    EarlyStopping,
    ObjectiveDivergedError,
    accelerated_gradient,
    gradient_descent,
    scheduled_gradient_descent,
    sgd_epoch,
    stochastic_gradient_descent,
)


def small_problem(seed=0, n=24, p=3, l1=0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = X @ rng.normal(size=p) + 0.3 * rng.normal(size=n)
    return LeastSquares(X, y, l2=0.05, l1=l1)


def hand_walk(problem, rates, beta=0.0):
    """``v <- beta v - eta_k grad f(w); w <- prox(w + v)``, step by step, by hand."""
    w = np.zeros((1, problem.X.shape[1]))
    v = np.zeros_like(w)
    path = [w]
    for eta in rates:
        new = w + beta * v - eta * problem.gradient(w)
        if problem.l1 > 0:
            new = problem.prox(new, eta)
        v, w = new - w, new
        path.append(w)
    return path


@pytest.mark.parametrize("l1", [0.0, 0.02])
@pytest.mark.parametrize("power_t", [0.5, 0.25])
def test_invscaling_takes_rate_over_one_plus_t_to_the_power_t(l1, power_t):
    problem = small_problem(l1=l1)
    eta = 0.5 / problem.lipschitz
    result = scheduled_gradient_descent(
        problem,
        np.zeros((1, 3)),
        step=eta,
        schedule="invscaling",
        power_t=power_t,
        max_iter=4,
        tol=0.0,
    )
    rates = [eta / (1 + t) ** power_t for t in range(4)]
    np.testing.assert_allclose(result.step_sizes, rates, rtol=1e-15)
    np.testing.assert_allclose(result.coef, hand_walk(problem, rates)[-1], rtol=1e-12)


@pytest.mark.parametrize("l1", [0.0, 0.02])
def test_momentum_follows_the_heavy_ball_recursion(l1):
    problem = small_problem(l1=l1)
    eta, beta = 0.5 / problem.lipschitz, 0.7
    result = scheduled_gradient_descent(
        problem, np.zeros((1, 3)), step=eta, momentum=beta, max_iter=6, tol=0.0
    )
    path = hand_walk(problem, [eta] * 6, beta=beta)
    np.testing.assert_allclose(result.coef, path[-1], rtol=1e-12)
    values = [problem.value(w) for w in path]
    np.testing.assert_allclose(result.loss_curve, values, rtol=1e-12)


def test_momentum_reaches_the_optimum_and_certifies_it():
    problem = small_problem()
    optimum = gradient_descent(
        problem, np.zeros((1, 3)), step="auto", lipschitz=problem.lipschitz, tol=1e-11
    ).coef
    result = scheduled_gradient_descent(
        problem,
        np.zeros((1, 3)),
        step=1 / problem.lipschitz,
        momentum=0.8,
        max_iter=10_000,
        tol=1e-10,
    )
    assert result.converged and result.stop_reason == "tol"
    assert np.abs(problem.gradient(result.coef)).max() <= 1e-10
    np.testing.assert_allclose(result.coef, optimum, atol=1e-8)


def test_constant_schedule_without_momentum_is_plain_gradient_descent():
    problem = small_problem()
    options = {"step": 0.5 / problem.lipschitz, "max_iter": 7, "tol": 0.0}
    scheduled = scheduled_gradient_descent(problem, np.zeros((1, 3)), **options)
    plain = gradient_descent(problem, np.zeros((1, 3)), **options)
    np.testing.assert_array_equal(scheduled.coef, plain.coef)


def test_adaptive_undoes_a_rising_step_and_divides_the_rate_by_five():
    problem = small_problem()
    # 3/L overshoots along the steepest direction: the objective rises at 3/L and
    # falls at 3/(5L), so the first step taken is the fifth.
    eta = 3.0 / problem.lipschitz
    first = hand_walk(problem, [eta])[-1]
    assert problem.value(first) > problem.value(np.zeros((1, 3)))
    result = scheduled_gradient_descent(
        problem, np.zeros((1, 3)), step=eta, schedule="adaptive", max_iter=3, tol=0.0
    )
    assert result.step_sizes == [eta / 5] * 3
    np.testing.assert_allclose(
        result.coef, hand_walk(problem, [eta / 5] * 3)[-1], rtol=1e-12
    )
    assert np.all(np.diff(result.loss_curve) < 0)


@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_adaptive_recovers_from_a_hundred_times_the_safe_step(momentum):
    problem = small_problem()
    eta = 100.0 / problem.lipschitz
    with pytest.raises(ObjectiveDivergedError):
        scheduled_gradient_descent(
            problem, np.zeros((1, 3)), step=eta, momentum=momentum, max_iter=100
        )
    result = scheduled_gradient_descent(
        problem,
        np.zeros((1, 3)),
        step=eta,
        schedule="adaptive",
        momentum=momentum,
        max_iter=5000,
        tol=1e-9,
    )
    assert result.converged
    assert result.step_sizes[-1] <= eta / 25
    assert np.all(np.diff(result.loss_curve) <= 1e-14)


@pytest.mark.parametrize("l1", [0.0, 0.02])
@pytest.mark.parametrize(
    ("power_t", "beta"), [(0.0, 0.0), (0.5, 0.0), (0.0, 0.6), (0.5, 0.6)]
)
def test_sgd_epoch_steps_follow_the_schedule_and_momentum_by_hand(l1, power_t, beta):
    problem = small_problem(l1=l1)
    eta, batch_size, n_steps = 0.2 / problem.lipschitz, 5, 7
    result = sgd_epoch(
        problem,
        np.zeros((1, 3)),
        step=eta,
        batch_size=batch_size,
        random_state=np.random.RandomState(3),
        n_steps=n_steps,
        power_t=power_t,
        momentum=beta,
    )
    order = np.random.RandomState(3).permutation(problem.X.shape[0])
    w, v, t = np.zeros((1, 3)), np.zeros((1, 3)), n_steps
    for start in range(0, order.size, batch_size):
        rate = eta / (1 + t) ** power_t
        new = w + beta * v - rate * problem.batch_gradient(w, order[start:][:5])
        if l1:
            new = problem.prox(new, rate)
        v, w, t = new - w, new, t + 1
    np.testing.assert_allclose(result.last, w, rtol=1e-12)
    assert result.n_steps == t and result.last_step == pytest.approx(rate)
    if beta:
        np.testing.assert_allclose(result.velocity, v, rtol=1e-12)


def test_sgd_adaptive_recovers_where_a_constant_rate_raises():
    problem = small_problem(n=200)
    options = {
        "step": 100.0 / problem.batch_lipschitz_constant(8, None),
        "batch_size": 8,
        "max_iter": 300,
        "tol": 1e-8,
    }
    with pytest.raises(ObjectiveDivergedError):
        stochastic_gradient_descent(
            problem, np.zeros((1, 3)), random_state=np.random.RandomState(0), **options
        )
    result = stochastic_gradient_descent(
        problem,
        np.zeros((1, 3)),
        random_state=np.random.RandomState(0),
        schedule="adaptive",
        **options,
    )
    assert result.converged
    assert min(result.step_sizes) <= options["step"] / 5


@pytest.mark.parametrize("solver", [gradient_descent, accelerated_gradient])
def test_early_stopping_observer_stops_and_keeps_the_best_iterate(solver):
    problem = small_problem()
    # A score that peaks at iteration 3, then falls and stays below it.
    peak_score = {1: 0.5, 2: 0.7, 3: 0.9, 4: 0.8, 5: 0.8, 6: 0.6}
    iteration = iter(range(1, 100))
    observer = EarlyStopping(
        lambda coef: peak_score.get(next(iteration), 0.1), tol=1e-3, n_iter_no_change=3
    )
    path = []
    result = solver(
        problem,
        np.zeros((1, 3)),
        step="auto",
        lipschitz=problem.lipschitz,
        max_iter=100,
        tol=0.0,
        observers=[observer, CoefRecorder(path)],
    )
    assert observer.stopped and result.stop_reason == "callback"
    assert result.n_iter == 6 and observer.scores == [0.5, 0.7, 0.9, 0.8, 0.8, 0.6]
    assert observer.best_iteration == 3 and observer.best_score == 0.9
    # Equal to the iterate recorded then: the solver's later iterations, which
    # update their arrays, did not move the observer's copy.
    np.testing.assert_array_equal(observer.best_coef, path[2])


class CoefRecorder:
    """An observer keeping a copy of every iterate."""

    def __init__(self, path):
        self.path = path

    def on_iteration(self, info):
        self.path.append(info.coef.copy())
        return False

    def on_end(self, result):
        pass
