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
    gradient_descent,
)
from sklogreg._solvers._step_rules import barzilai_borwein_step

SOLVERS = [gradient_descent, accelerated_gradient]

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
