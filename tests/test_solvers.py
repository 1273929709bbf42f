"""The solvers on quadratics whose minimiser is known in closed form."""

import numpy as np
import pytest
from conftest import LeastSquares

from sklogreg._backends import NumpyBackend
from sklogreg._penalty import ElasticNet
from sklogreg._solvers import (
    CallbackObserver,
    ObjectiveDivergedError,
    Progress,
    accelerated_gradient,
    barzilai_borwein,
    gradient_descent,
)
from sklogreg._solvers import _barzilai_borwein as bb
from sklogreg._solvers._step_rules import barzilai_borwein_step

SOLVERS = [gradient_descent, accelerated_gradient, barzilai_borwein]

NUMPY = NumpyBackend()


def random_quadratic(seed=0, n=40, p=6, condition=30.0):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(n, p)))
    singular_values = np.sqrt(np.geomspace(1.0, condition, p))
    V, _ = np.linalg.qr(rng.normal(size=(p, p)))
    A = Q * singular_values @ V.T
    b = rng.normal(size=n)
    # (1/2n) ||sqrt(n) A w - sqrt(n) b||^2 = 0.5 ||A w - b||^2.
    return LeastSquares(A * np.sqrt(n), b * np.sqrt(n))


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("step", ["auto", "fixed"])
def test_solver_reaches_least_squares_optimum(solver, step):
    problem = random_quadratic()
    optimum = np.linalg.lstsq(problem.X, problem.y, rcond=None)[0]
    result = solver(
        problem,
        np.zeros((1, 6)),
        step=1.0 / problem.lipschitz if step == "fixed" else "auto",
        lipschitz=problem.lipschitz,
        max_iter=5000,
        tol=1e-10,
    )
    assert result.converged and result.stop_reason == "tol"
    np.testing.assert_allclose(result.coef.ravel(), optimum, atol=1e-9)
    # The returned point is the certified one.
    gradient = problem.smooth_value_and_gradient(
        problem.linear_map(result.coef), result.coef
    )[1]
    assert np.abs(gradient).max() <= 1e-10
    assert len(result.loss_curve) == result.n_iter + 1
    assert len(result.step_sizes) == result.n_iter
    assert result.loss_curve[-1] == pytest.approx(
        problem.smooth_value(problem.linear_map(result.coef), result.coef), rel=1e-14
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_solver_reaches_lasso_optimum_with_exact_zeros(solver):
    # With orthonormal columns, the lasso solution is soft-thresholded least squares.
    rng = np.random.default_rng(0)
    A, _ = np.linalg.qr(rng.normal(size=(30, 8)))
    b = rng.normal(size=30)
    problem = LeastSquares(A * np.sqrt(30), b * np.sqrt(30), l1=0.3)
    expected = ElasticNet(0.0, 0.3, fit_intercept=False, backend=NUMPY).prox(
        (A.T @ b)[None, :], 0.3
    )
    result = solver(problem, np.zeros((1, 8)), lipschitz=1.0, max_iter=1000, tol=1e-12)
    assert result.converged
    np.testing.assert_allclose(result.coef, expected, atol=1e-12)
    np.testing.assert_array_equal(result.coef == 0, expected == 0)


def test_gradient_descent_with_safe_fixed_step_never_goes_uphill():
    problem = random_quadratic(seed=3)
    result = gradient_descent(
        problem,
        np.zeros((1, 6)),
        step=1.0 / problem.lipschitz,
        max_iter=200,
        tol=0.0,
    )
    assert np.all(np.diff(result.loss_curve) <= 1e-12)
    assert result.stop_reason == "max_iter" and not result.converged


def test_nesterov_needs_fewer_iterations_than_gd_on_ill_conditioned_problem():
    problem = random_quadratic(seed=1, condition=1e4)
    # With the classical fixed step 1/L: "auto" gives gd Barzilai-Borwein trials too.
    kwargs = dict(step=1.0 / problem.lipschitz, tol=1e-8)
    agd = accelerated_gradient(problem, np.zeros((1, 6)), max_iter=100_000, **kwargs)
    assert agd.converged
    gd = gradient_descent(problem, np.zeros((1, 6)), max_iter=5 * agd.n_iter, **kwargs)
    assert not gd.converged


@pytest.mark.parametrize("solver", SOLVERS)
def test_too_large_fixed_step_raises_divergence(solver):
    problem = random_quadratic()
    with pytest.raises(ObjectiveDivergedError, match="step size"):
        solver(problem, np.ones((1, 6)), step=10.0 / problem.lipschitz, max_iter=500)


@pytest.mark.parametrize("solver", SOLVERS)
def test_callback_sees_every_iteration_and_can_stop(solver):
    problem = random_quadratic()
    seen = []

    def stop_at_five(info):
        seen.append(info.iteration)
        assert info.objective == pytest.approx(
            problem.smooth_value(problem.linear_map(info.coef), info.coef)
        )
        return info.iteration == 5

    result = solver(
        problem,
        np.zeros((1, 6)),
        lipschitz=problem.lipschitz,
        observers=[CallbackObserver(stop_at_five)],
    )
    assert seen == [1, 2, 3, 4, 5]
    assert result.n_iter == 5 and result.stop_reason == "callback"
    assert not result.converged


def test_auto_step_requires_a_lipschitz_constant():
    with pytest.raises(ValueError, match="Lipschitz"):
        gradient_descent(random_quadratic(), np.zeros((1, 6)), lipschitz=None)


@pytest.mark.parametrize("solver", SOLVERS)
def test_verbose_prints_progress_lines(solver, capsys):
    problem = random_quadratic()
    solver(
        problem,
        np.zeros((1, 6)),
        lipschitz=problem.lipschitz,
        tol=1e-6,
        observers=[Progress(verbose=2, max_iter=1000, tol=1e-6)],
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("iter      1  objective")
    assert "max|grad|" in lines[0] and "step" in lines[0]
    assert lines[-1].startswith("stopped (tol) after")
    assert len(lines) >= 3


def test_barzilai_borwein_step_is_inverse_curvature_of_a_quadratic():
    # For f(x) = x.T A x / 2 the gradient change is A s: on an eigenvector the step is
    # the inverse eigenvalue; along uphill curvature there is no step.
    A = np.diag([4.0, 1.0])
    s = np.array([1.0, 0.0])
    assert barzilai_borwein_step(s, A @ s) == pytest.approx(0.25)
    assert barzilai_borwein_step(s, -(A @ s)) == 0.0


# -- Barzilai-Borwein ---------------------------------------------------------------


class Recorder:
    """Copies of the iterates a run reports, after the start point."""

    def __init__(self):
        self.points = []

    def __call__(self, info):
        self.points.append(info.coef.copy())


def test_bb_with_a_fixed_step_is_gradient_descent_with_that_step():
    problem = random_quadratic(seed=5)
    options = dict(step=0.5 / problem.lipschitz, max_iter=30, tol=0.0)
    fixed = barzilai_borwein(problem, np.zeros((1, 6)), **options)
    plain = gradient_descent(problem, np.zeros((1, 6)), **options)
    np.testing.assert_array_equal(fixed.coef, plain.coef)
    assert fixed.step_sizes == [options["step"]] * 30


def test_bb_first_step_is_the_inverse_curvature_along_the_gradient():
    problem = random_quadratic(seed=2)
    x0 = np.zeros((1, 6))
    g = problem.gradient(x0)
    hessian = problem.X.T @ problem.X / problem.n_samples
    expected = (g @ g.T).item() / (g @ hessian @ g.T).item()
    result = barzilai_borwein(problem, x0, max_iter=1, tol=0.0)
    # Exact line minimisation on a quadratic passes the Armijo test at once.
    assert result.step_sizes[0] == pytest.approx(expected, rel=1e-12)


def test_bb_steps_follow_the_abbmin_rule_on_the_first_iterations():
    problem = random_quadratic(seed=4, condition=100.0)
    recorder = Recorder()
    x0 = np.zeros((1, 6))
    result = barzilai_borwein(
        problem, x0, max_iter=6, tol=0.0, observers=[CallbackObserver(recorder)]
    )
    points = [x0, *recorder.points]
    short_steps = []
    for k in range(1, 6):
        s = points[k] - points[k - 1]
        r = problem.gradient(points[k]) - problem.gradient(points[k - 1])
        long_step, short_step = (
            (s * s).sum() / (s * r).sum(),
            (s * r).sum() / (r * r).sum(),
        )
        short_steps = [*short_steps[-(bb.SHORT_STEP_MEMORY - 1) :], short_step]
        expected = (
            min(short_steps)
            if short_step < bb.SHORT_STEP_RATIO * long_step
            else long_step
        )
        # The quadratic's every BB step passes the non-monotone test: taken as is.
        assert result.step_sizes[k] == pytest.approx(expected, rel=1e-10)


def one_dimensional_state(recent):
    """``f(w) = (w - 1)^2 / 2`` at ``w = 0``, with the given objective history."""
    problem = LeastSquares(np.ones((1, 1)), np.ones(1))
    method = bb.BarzilaiBorwein(1.0, tol=0.0, xp=None, slack=0.0)
    state = method.init(problem, np.zeros((1, 1)))
    state.recent.extend(recent)
    return problem, method, state


@pytest.mark.parametrize(
    ("recent", "trial_step", "accepted_step"),
    [
        # Uphill (f = 1.805 > 0.5) yet below the largest recent value, 2: accepted.
        ([2.0], 2.9, 2.9),
        # Above every recent value: shortened once, to f(0.725) = 0.0378.
        ([2.0], 3.5, 3.5 * bb.STEP_SHRINK),
        # A monotone history refuses the uphill step the longer one accepted.
        ([], 2.9, 2.9 * bb.STEP_SHRINK),
    ],
)
def test_bb_line_search_compares_with_the_largest_recent_value(
    recent, trial_step, accepted_step
):
    problem, method, state = one_dimensional_state(recent)
    state.step = trial_step
    info = method.update(problem, state, last=False)
    assert info.step_size == pytest.approx(accepted_step)
    assert info.objective == pytest.approx(0.5 * (1 - accepted_step) ** 2)
    assert state.recent[-1] == info.objective


@pytest.mark.parametrize(("excess", "accepted"), [(1e-6, False), (-1e-6, True)])
def test_bb_refuses_a_trial_just_short_of_sufficient_decrease(excess, accepted):
    # f(t) = (1 - t)^2 / 2 against 0.5 - sigma / (2 t) * t^2 from w = 0, g = -1:
    # the step meeting it with equality is t* = 2 - sigma.
    problem, method, state = one_dimensional_state([])
    state.step = trial_step = 2 - bb.SUFFICIENT_DECREASE + excess
    step = method.update(problem, state, last=False).step_size
    assert (step == trial_step) == accepted


def test_bb_lengthens_a_step_too_short_to_move_the_iterate():
    # At w = 1e16 a step of 1e-30 along g ~ 1e16 changes w by 1e-14, below half its
    # last bit: no move, no curvature measured, and the next trial is longer.
    problem = LeastSquares(np.ones((1, 1)), np.ones(1))
    method = bb.BarzilaiBorwein(1e-30, tol=0.0, xp=None, slack=0.0)
    state = method.init(problem, np.full((1, 1), 1e16))
    method.update(problem, state, last=False)
    assert state.x[0, 0] == 1e16
    assert state.step == pytest.approx(1e-30 / bb.STEP_SHRINK)
