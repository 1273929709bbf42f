"""The objective layer against independent oracles.

The contract's objective written out directly with NumPy and SciPy
(`strategies.reference_objective`), finite differences, gradient differences, an
exact eigensolver, and the same objective on transformed data (rows permuted or
repeated, a column rescaled). The property tests draw small problems with hypothesis
(`strategies.problems`).
"""

import copy

import numpy as np
import pytest
from conftest import finite_difference_gradient, make_objective
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import sparse
from strategies import (
    FEW,
    SOME,
    Problem,
    correlated_columns_problem,
    fourth_order_gradient,
    problems,
    rounding_scale,
)

from sklogreg import GDLogisticRegression
from sklogreg._objective import LogisticObjective


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("precondition", [False, True])
@pytest.mark.parametrize("C", [0.3, np.inf])
def test_gradient_matches_finite_differences(n_classes, fit_intercept, precondition, C):
    objective = make_objective(
        n_classes, C=C, fit_intercept=fit_intercept, precondition=precondition
    )
    coef = np.random.default_rng(1).normal(scale=0.3, size=objective.coef_shape)

    def smooth(c):
        return objective.smooth_value(objective.linear_map(c), c)

    value, gradient = objective.smooth_value_and_gradient(
        objective.linear_map(coef), coef
    )
    assert value == pytest.approx(smooth(coef), rel=1e-12)
    np.testing.assert_allclose(
        gradient, finite_difference_gradient(smooth, coef), rtol=1e-5, atol=1e-8
    )


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("precondition", [False, True])
def test_secant_curvature_matches_gradient_difference(n_classes, precondition):
    objective = make_objective(n_classes, precondition=precondition)
    rng = np.random.default_rng(2)
    a = rng.normal(size=objective.coef_shape)
    b = a + rng.normal(scale=0.1, size=a.shape)
    margins_a, margins_b = objective.linear_map(a), objective.linear_map(b)
    expected = float(((objective.gradient(b) - objective.gradient(a)) * (b - a)).sum())
    assert objective.secant_curvature(margins_a, a, margins_b, b) == pytest.approx(
        expected, rel=1e-10
    )


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("sparse_X", [False, True])
@pytest.mark.parametrize("precondition", [False, True])
def test_value_and_gradient_at_a_point_equal_those_from_its_margins(
    n_classes, sparse_X, precondition
):
    objective = make_objective(n_classes, precondition=precondition)
    if sparse_X:
        objective = make_objective(
            n_classes, X=sparse.csr_array(objective.data.X), precondition=precondition
        )
    coef = np.random.default_rng(3).normal(size=objective.coef_shape)
    value, gradient = objective.smooth_value_and_gradient_at(coef)
    expected_value, expected_gradient = objective.smooth_value_and_gradient(
        objective.linear_map(coef), coef
    )
    assert value == pytest.approx(expected_value, rel=1e-12)
    np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-10, atol=1e-14)


def second_difference_along(objective, coef, direction, h=1e-3):
    """``(f(x + h d) - 2 f(x) + f(x - h d)) / h^2`` of the smooth part."""

    def smooth(t):
        return objective.smooth_value_and_gradient_at(coef + t * direction)[0]

    return (smooth(h) - 2 * smooth(0.0) + smooth(-h)) / h**2


@pytest.mark.parametrize("precondition", [False, True])
@pytest.mark.parametrize("sparse_X", [False, True])
def test_curvature_bound_along_the_gradient_is_exact_where_probabilities_are_half(
    precondition, sparse_X
):
    # Two classes at zero margins: every sigmoid slope is exactly the bound 1/4.
    objective = make_objective(2, precondition=precondition)
    if sparse_X:
        objective = make_objective(
            2, X=sparse.csr_matrix(objective.data.X), precondition=precondition
        )
    zero_margins = objective.to_working(np.zeros(objective.coef_shape))
    _, gradient = objective.smooth_value_and_gradient_at(zero_margins)
    bound = objective.curvature_bound_along(gradient)
    expected = second_difference_along(objective, zero_margins, gradient)
    assert bound == pytest.approx(expected, rel=1e-5)
    squared_norm = float((gradient * gradient).sum())
    assert objective.first_step(gradient) == pytest.approx(squared_norm / bound)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("precondition", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_curvature_bound_along_a_direction_bounds_it_from_above(
    n_classes, precondition, seed
):
    objective = make_objective(n_classes, precondition=precondition)
    rng = np.random.default_rng(seed)
    coef = rng.normal(size=objective.coef_shape)
    direction = rng.normal(size=objective.coef_shape)
    exact = second_difference_along(objective, coef, direction)
    bound = objective.curvature_bound_along(direction)
    assert exact <= bound * (1 + 1e-6)
    # ... and it is the curvature of the bounding quadratic: c ||A d||_w^2 + l2.
    original = objective.to_original(direction)
    weights = objective.data.weights
    squares = (objective.data.margins(original) ** 2).reshape(weights.size, -1)
    c = 0.5 if n_classes > 2 else 0.25
    l2_part = objective.penalty.l2_strength * float((original[:, :-1] ** 2).sum())
    expected = c * float(weights @ squares.sum(axis=1)) + l2_part
    assert bound == pytest.approx(expected, rel=1e-12)


def test_first_step_is_infinite_for_a_zero_gradient():
    objective = make_objective(2)
    assert objective.first_step(np.zeros(objective.coef_shape)) == np.inf


@pytest.mark.parametrize("precondition", [False, True])
def test_optimality_is_the_original_problems_gradient_in_any_parametrisation(
    precondition,
):
    objective = make_objective(3, precondition=precondition)
    plain = make_objective(3)
    original = np.random.default_rng(3).normal(size=objective.coef_shape)
    working = objective.to_working(original)
    expected = np.abs(plain.gradient(original)).max()
    assert objective.optimality(working, objective.gradient(working)) == pytest.approx(
        expected, rel=1e-10
    )


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("sparse_X", [False, True])
def test_batch_gradients_of_a_partition_average_to_the_full_gradient(
    n_classes, sparse_X
):
    objective = make_objective(n_classes, precondition=True)
    if sparse_X:
        objective = make_objective(
            n_classes, X=sparse.csr_matrix(objective.data.X), precondition=True
        )
    coef = np.random.default_rng(1).standard_normal(objective.coef_shape)
    rows = np.random.default_rng(2).permutation(objective.sample_rows.size)
    mean_of_batches = np.mean(
        [objective.batch_gradient(coef, batch) for batch in rows.reshape(4, -1)],
        axis=0,
    )
    np.testing.assert_allclose(mean_of_batches, objective.gradient(coef), rtol=1e-10)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_expected_smoothness_spans_full_and_worst_sample(n_classes):
    objective = make_objective(n_classes, precondition=True)
    X, weights = objective.data.X, objective.data.weights
    scaling, rng = objective.scaling, np.random.RandomState(0)
    full = objective.data.lipschitz_constant(scaling, rtol=1e-4)
    l2 = objective.penalty.l2_strength * float(np.max(scaling.scale**-2.0))
    n = objective.sample_rows.size
    c = 0.5 if n_classes > 2 else 0.25
    row_norms = (((X - scaling.shift) / scaling.scale) ** 2).sum(axis=1) + 1
    worst = c * float(np.max(n * weights * row_norms))
    assert objective.batch_lipschitz_constant(n, rng) == pytest.approx(full + l2)
    assert objective.batch_lipschitz_constant(1, rng) == pytest.approx(worst + l2)
    middle = objective.batch_lipschitz_constant(10, rng)
    assert full + l2 < middle < worst + l2


@given(problem=problems(), precondition=st.booleans())
@SOME
def test_value_equals_contract_formula(problem, precondition):
    # The whole chain (weights normalised by their maximum, margins, stable loss, L2
    # and L1 terms) against the formula written directly; in the preconditioned
    # parametrisation the value at a working point is J at its original point.
    objective = problem.objective(precondition=precondition)
    coef = problem.coef()
    expected = problem.reference(objective.to_original(coef))
    # The binary loss is a difference of two weighted sums of size ~|margins|.
    np.testing.assert_allclose(
        objective.value(coef),
        expected,
        rtol=1e-12,
        atol=1e-13 * rounding_scale(problem, coef),
    )


@given(problem=problems(), precondition=st.booleans())
@SOME
def test_smooth_gradient_equals_finite_differences(problem, precondition):
    # The gradient of the smooth part (data + (1 - rho)/2 L2 term), in the working
    # parametrisation: with precondition=True it is the gradient in the working
    # coefficients, so differentiate J composed with the map back to (W, b).
    objective = problem.objective(precondition=precondition)
    coef = problem.coef()
    value, gradient = objective.smooth_value_and_gradient(
        objective.linear_map(coef), coef
    )

    def smooth(working):
        return problem.reference(objective.to_original(working), smooth_only=True)

    np.testing.assert_allclose(value, smooth(coef), rtol=1e-12, atol=1e-13)
    # Finite-difference error is ~1e-10 at these sizes; an L2 gradient off by a
    # factor is off by a multiple of l2_strength * |W|, and l2_strength >= 5e-5 here.
    np.testing.assert_allclose(
        gradient, fourth_order_gradient(smooth, coef), rtol=1e-7, atol=1e-7
    )
    np.testing.assert_array_equal(objective.gradient(coef), gradient)


@given(problem=problems(), precondition=st.booleans())
@SOME
def test_row_order_changes_neither_value_nor_gradient(problem, precondition):
    # The objective is a weighted mean over rows: permuting X, y and the weights
    # together may only change the summation order, so the results agree to rounding.
    order = problem.rng.permutation(len(problem.labels))
    # A permutation that moves nothing would test nothing.
    if len(order) > 1 and np.all(order == np.arange(len(order))):
        order = np.roll(order, 1)
    objective = problem.objective(precondition=precondition)
    permuted = problem.objective(
        precondition=precondition,
        X=problem.X[order],
        labels=problem.labels[order],
        sample_weight=problem.sample_weight[order],
    )
    coef = problem.coef()
    atol = 1e-12 * rounding_scale(problem, coef)
    np.testing.assert_allclose(
        permuted.value(coef), objective.value(coef), rtol=1e-12, atol=atol
    )
    np.testing.assert_allclose(
        permuted.gradient(coef), objective.gradient(coef), rtol=1e-12, atol=atol
    )


@given(
    problem=problems(), precondition=st.booleans(), max_count=st.sampled_from([2, 3])
)
@SOME
def test_integer_sample_weight_equals_repeated_rows(problem, precondition, max_count):
    # A weight of k counts a row k times: the weighted mean is the same, and so is
    # the penalty's S = sum of weights. The weights here are counts (1, 2 or 3).
    counts = problem.rng.integers(1, max_count + 1, size=len(problem.labels))
    counts[0] = 2  # at least one row really is repeated
    weighted = problem.objective(
        precondition=precondition, sample_weight=counts.astype(float)
    )
    repeated = problem.objective(
        precondition=precondition,
        X=np.repeat(problem.X, counts, axis=0),
        labels=np.repeat(problem.labels, counts),
        sample_weight=np.ones(counts.sum()),
    )
    coef = problem.coef()
    atol = 1e-12 * rounding_scale(problem, coef)
    np.testing.assert_allclose(
        repeated.value(coef), weighted.value(coef), rtol=1e-12, atol=atol
    )
    np.testing.assert_allclose(
        repeated.gradient(coef), weighted.gradient(coef), rtol=1e-12, atol=atol
    )


@given(
    problem=problems(C=st.just(np.inf)),
    column=st.integers(0, 3),
    log_factor=st.floats(-2.0, 2.0),
)
@FEW
def test_column_scaling_with_inverse_coefficient_leaves_data_term_unchanged(
    problem, column, log_factor
):
    # X[:, j] * a with W[:, j] / a gives the same margins, hence the same data term
    # (C=inf: no penalty, which would not be invariant) and the same predictions;
    # by the chain rule the gradient's column j is multiplied by a.
    column %= problem.X.shape[1]
    factor = 10.0**log_factor
    X_scaled = problem.X.copy()
    X_scaled[:, column] *= factor
    coef = problem.coef()
    coef_scaled = coef.copy()
    coef_scaled[:, column] /= factor
    objective = problem.objective()
    scaled = problem.objective(X=X_scaled)
    atol = 1e-12 * rounding_scale(problem, coef)

    np.testing.assert_allclose(
        scaled.linear_map(coef_scaled),
        objective.linear_map(coef),
        rtol=1e-12,
        atol=atol,
    )
    np.testing.assert_allclose(
        scaled.value(coef_scaled), objective.value(coef), rtol=1e-12, atol=atol
    )
    expected_gradient = objective.gradient(coef)
    expected_gradient[:, column] *= factor
    np.testing.assert_allclose(
        scaled.gradient(coef_scaled),
        expected_gradient,
        rtol=1e-11,
        atol=atol * max(factor, 1.0),
    )

    # Predictions of the public estimator, given the two sets of coefficients.
    model = GDLogisticRegression().fit(problem.X, problem.labels)
    model.coef_ = coef[:, : problem.X.shape[1]].copy()
    model.intercept_ = (
        coef[:, -1].copy() if problem.fit_intercept else np.zeros(len(coef))
    )
    model_scaled = copy.deepcopy(model)
    model_scaled.coef_[:, column] /= factor
    np.testing.assert_allclose(
        model_scaled.predict_proba(X_scaled),
        model.predict_proba(problem.X),
        rtol=1e-10,
        atol=1e-12,
    )
    np.testing.assert_array_equal(
        model_scaled.predict(X_scaled), model.predict(problem.X)
    )


@given(problem=problems())
@SOME
def test_preconditioning_changes_parametrisation_not_objective(problem):
    # precondition=True is an exact change of variables: J at to_working(coef) is J
    # at coef, to_original inverts to_working, and optimality (always measured in
    # (W, b)) is the same number from either side.
    plain = problem.objective()
    preconditioned = problem.objective(precondition=True)
    coef = problem.coef()
    working = preconditioned.to_working(coef)
    atol = 1e-12 * rounding_scale(problem, coef)

    np.testing.assert_allclose(
        preconditioned.value(working), plain.value(coef), rtol=1e-11, atol=atol
    )
    np.testing.assert_allclose(
        preconditioned.to_original(working), coef, rtol=1e-12, atol=atol
    )
    np.testing.assert_allclose(
        preconditioned.optimality(working, preconditioned.gradient(working)),
        plain.optimality(coef, plain.gradient(coef)),
        rtol=1e-10,
        atol=atol,
    )


@given(
    problem=problems(), precondition=st.booleans(), scale=st.sampled_from([0.01, 1.0])
)
@SOME
def test_value_is_convex_along_random_lines(problem, precondition, scale):
    # Midpoint convexity of the whole J (L1 term included) between two random points.
    objective = problem.objective(precondition=precondition)
    a, b = problem.coef(scale), problem.coef(scale)
    value_a, value_b = objective.value(a), objective.value(b)
    midpoint = objective.value((a + b) / 2)
    assert midpoint <= (value_a + value_b) / 2 + 1e-12 * (abs(value_a) + abs(value_b))


def exact_lipschitz_constant(problem: Problem, objective: LogisticObjective) -> float:
    """``c * lambda_max(Xt.T diag(w) Xt)`` plus the L2 part, by an exact eigensolver.

    ``Xt`` is the design matrix of the working parametrisation, formed explicitly:
    ``[(X - mu) / s, 1]`` when preconditioned (see `sklogreg._scaling`).
    """
    X = problem.X
    l2_strength = objective.penalty.l2_strength
    l2_curvature = l2_strength
    if objective.scaling.scale is not None:
        if objective.scaling.shift is not None:
            X = X - objective.scaling.shift
        X = X / objective.scaling.scale
        l2_curvature = np.max(l2_strength / objective.scaling.scale**2)
    if problem.fit_intercept:
        X = np.column_stack([X, np.ones(len(X))])
    weights = problem.sample_weight / problem.sample_weight.sum()
    gram = X.T @ (weights[:, None] * X)
    curvature_bound = 0.25 if problem.n_classes == 2 else 0.5
    return curvature_bound * np.linalg.eigvalsh(gram)[-1] + l2_curvature


@given(problem=problems(), precondition=st.booleans())
@example(problem=correlated_columns_problem(), precondition=False)
@SOME
def test_lipschitz_estimate_approaches_the_largest_curvature_from_below(
    problem, precondition
):
    # lipschitz_constant() estimates c * lambda_max of the working Gram matrix by
    # power iteration, which approaches it from below and may stop short of it (0.43
    # of it on the pinned problem): the line search tests every step, 1/L included.
    objective = problem.objective(precondition=precondition)
    exact = exact_lipschitz_constant(problem, objective)
    estimate = objective.lipschitz_constant()
    assert 0 < estimate <= exact * (1 + 1e-9)


@given(
    problem=problems(), precondition=st.booleans(), scale=st.sampled_from([0.01, 1.0])
)
@example(problem=correlated_columns_problem(), precondition=True, scale=0.01)
@SOME
def test_lipschitz_constant_bounds_curvature_along_random_segments(
    problem, precondition, scale
):
    # <g(a) - g(b), a - b> lies in [0, L ||a - b||^2]: monotone (convex smooth part)
    # and no steeper than lipschitz_constant() claims. Points near 0 (scale=0.01)
    # put every margin near 0, where the sigmoid's curvature is at its bound 1/4.
    objective = problem.objective(precondition=precondition)
    a, b = problem.coef(scale), problem.coef(scale)
    step = a - b
    secant = np.sum((objective.gradient(a) - objective.gradient(b)) * step)
    squared = np.sum(step**2)
    assert secant >= -1e-12 * squared
    exact = exact_lipschitz_constant(problem, objective)
    assert secant <= exact * squared * (1 + 1e-6)
