"""The objective that `GDLogisticRegression` minimises, stated once.

With sample weights ``s_i`` (already multiplied by class weights), ``S = sum(s_i)`` and
``rho = l1_ratio``::

    J(W, b) = (1/S) * sum_i s_i * loss(y_i, X_i W^T + b)
              + 1/(C*S) * ( (1 - rho)/2 * ||W||_F^2 + rho * ||W||_1 )

where ``loss`` is the log-loss of the sigmoid for two classes and of the softmax for
three or more (`sklogreg._loss`). Dividing scikit-learn's ``LogisticRegression``
objective by ``S`` leaves its minimiser unchanged, so both estimators target the same
coefficients; the mean form keeps a learning rate meaningful whatever the number of
samples.

`LogisticObjective` composes four parts, each with one job: the *data* (in memory,
`sklogreg._in_memory`, or in a Dask cluster, `sklogreg._dask`), which alone reads
``X``; the *loss* the data term sums; the *penalty* (`sklogreg._penalty`); and the
change of variables the solver works in (`sklogreg._scaling`). It splits ``J`` the way
proximal gradient solvers need it:

* a *smooth* part, the data term plus the L2 term, evaluated from the margins
  ``Z = A(coef)`` so that a solver can combine margins linearly instead of
  recomputing ``X @ coef``;
* a *non-smooth* part, the L1 term, handled by its proximal operator.

Optimality is always measured on the original problem, so ``tol`` means the same
whatever the parametrisation. For the stochastic solver it also offers a *minibatch*
view (`batch_gradient`, `batch_lipschitz_constant`).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ._backends import backend_for
from ._in_memory import InMemoryData, normalized_weights
from ._loss import log_loss_for
from ._penalty import ElasticNet, penalty_strengths
from ._scaling import ColumnScaling, NoScaling

__all__ = ["LogisticObjective", "logistic_objective"]

# Rows used to estimate the full data's curvature for the stochastic step: enough for
# the top eigenvalue of a covariance of a few hundred columns, and a bounded cost
# whatever the number of samples.
CURVATURE_SUBSAMPLE = 4096


def logistic_objective(
    X,
    y_encoded: np.ndarray,
    n_classes: int,
    sample_weight,
    *,
    C: float,
    l1_ratio: float,
    fit_intercept: bool,
    precondition: bool = False,
    penalty_weight_sum: float | None = None,
    sample_rows: np.ndarray | None = None,
) -> LogisticObjective:
    """The contract's objective on data in memory (NumPy, SciPy CSR, Array API).

    Parameters
    ----------
    X : array or CSR matrix of shape (n_samples, n_features)
        The data; never copied. For an Array API library, everything is computed in
        its namespace and on its device.
    y_encoded : ndarray of int of shape (n_samples,)
        Class indices, on the host.
    n_classes : int
        Number of classes: the sigmoid loss for two, the softmax for more.
    sample_weight : array of shape (n_samples,)
        Non-negative weights ``s_i`` (times class weights) with a positive sum, in
        ``X``'s namespace and dtype.
    C, l1_ratio, fit_intercept
        As in `GDLogisticRegression`; ``C = inf`` for no penalty.
    precondition : bool, default=False
        Work in the centred and scaled parametrisation (`sklogreg._scaling`): one
        pass over ``X`` for the column moments.
    penalty_weight_sum : float, optional
        The ``S`` in the penalty's ``1 / (C * S)``, by default the sum of the
        weights. `GDLogisticRegression.partial_fit` passes the weight of all the data
        seen so far, so that a chunk's objective estimates the objective on
        everything streamed.
    sample_rows : ndarray of int, optional
        The rows minibatches are drawn from; the others must have weight zero.
    """
    backend = backend_for(X)
    loss = log_loss_for(n_classes, backend)
    weights, weight_sum = normalized_weights(sample_weight, backend)
    data = InMemoryData(
        X,
        loss.encode_target(y_encoded, X.dtype),
        weights,
        loss=loss,
        fit_intercept=fit_intercept,
        backend=backend,
        sample_rows=sample_rows,
    )
    return LogisticObjective(
        data,
        C=C,
        l1_ratio=l1_ratio,
        weight_sum=weight_sum,
        precondition=precondition,
        penalty_weight_sum=penalty_weight_sum,
    )


class LogisticObjective:
    """The contract's objective on fixed data, in the form the solvers consume.

    The solvers see coefficients in a *working* parametrisation: the original
    ``(W, b)`` or, with ``precondition=True``, the implicitly centred and scaled one,
    which has the same objective values and the same minimiser but a far better
    conditioned Hessian. `to_working` and `to_original` convert; `optimality` always
    measures the gradient of the *original* problem.

    Parameters
    ----------
    data : InMemoryData or DaskData
        The data term's reader of ``X``.
    C, l1_ratio : float
        The penalty, as in `GDLogisticRegression`.
    weight_sum : float
        ``S``, the sum of the sample weights.
    precondition : bool, default=False
        Work in the centred and scaled parametrisation.
    penalty_weight_sum : float, optional
        The ``S`` of the penalty, by default ``weight_sum``.
    """

    def __init__(
        self,
        data,
        *,
        C: float,
        l1_ratio: float,
        weight_sum: float,
        precondition: bool = False,
        penalty_weight_sum: float | None = None,
    ) -> None:
        self.data = data
        self.loss = data.loss
        self.backend = data.backend
        self.fit_intercept = data.fit_intercept
        l2_strength, l1_strength = penalty_strengths(
            C,
            l1_ratio,
            weight_sum if penalty_weight_sum is None else penalty_weight_sum,
        )
        self.penalty = ElasticNet(
            l2_strength,
            l1_strength,
            fit_intercept=self.fit_intercept,
            backend=self.backend,
        )
        self.scaling = (
            ColumnScaling.from_moments(
                *data.column_moments(),
                fit_intercept=self.fit_intercept,
                l2_strength=l2_strength,
                backend=self.backend,
            )
            if precondition
            else NoScaling()
        )
        # Bound once: the solvers convert at every trial.
        self.to_working = self.scaling.to_working
        self.to_original = self.scaling.to_original
        self.has_nonsmooth_part = l1_strength > 0
        # The coming line search's points go to the data (see `LineSearchPlan`), in
        # the original coefficients.
        self.plan_line_search = functools.partial(
            data.plan_line_search, to_original=self.to_original
        )

    @property
    def coef_shape(self) -> tuple[int, int]:
        """Shape of the coefficient array, intercept column included."""
        return self.loss.n_coef_rows, self.data.n_features + self.fit_intercept

    def linear_map(self, coef):
        """Margins ``Z = X @ W.T + b``: the only place the smooth part reads ``X``."""
        return self.data.margins(self.to_original(coef))

    def smooth_value(self, margins, coef) -> float:
        """Data term plus L2 term, from the margins of ``coef``."""
        original = self.to_original(coef)
        return self.data.value(margins, original) + self.penalty.l2_value(original)

    def smooth_value_and_gradient(self, margins, coef):
        """Data term plus L2 term and its gradient: one pass over ``X``."""
        original = self.to_original(coef)
        value, gradient = self.data.value_and_gradient(margins, original)
        return self._with_l2_term(value, gradient, original)

    def smooth_value_and_gradient_at(self, coef):
        """Data term plus L2 term and its gradient at ``coef``, margins not kept.

        For solvers that never reuse the margins: the data may then compute the
        margins, the loss and the gradient block by block in one read of ``X``.
        """
        original = self.to_original(coef)
        value, gradient = self.data.value_and_gradient_at(original)
        return self._with_l2_term(value, gradient, original)

    def _with_l2_term(self, value, gradient, original):
        if self.penalty.l2_strength:
            gradient += self.penalty.l2_gradient(original)
        value += self.penalty.l2_value(original)
        return value, self.scaling.gradient_to_working(gradient)

    def secant_curvature(self, margins_a, coef_a, margins_b, coef_b) -> float:
        """``<grad f(b) - grad f(a), b - a>`` from the margins: no pass over ``X``.

        The data term's gradient is ``A.T r(Z)``, so its part is
        ``<r(Z_b) - r(Z_a), Z_b - Z_a>``; the L2 term adds ``l2 * ||W_b - W_a||^2``.
        The inner product is the same in either parametrisation.
        """
        original_a, original_b = self.to_original(coef_a), self.to_original(coef_b)
        data = self.data.secant_curvature(margins_a, original_a, margins_b, original_b)
        if not self.penalty.l2_strength:
            return data
        return data + 2 * self.penalty.l2_value(original_b - original_a)

    def nonsmooth_value(self, coef) -> float:
        """The L1 term ``l1_strength * ||W||_1``."""
        if not self.has_nonsmooth_part:
            return 0.0
        return self.penalty.l1_value(self.to_original(coef))

    def prox(self, coef, step: float):
        """Proximal step of the L1 term for a gradient step of size ``step``.

        In the scaled parametrisation ``|w_j| = |w'_j| / s_j``: still separable, with
        a threshold per column.
        """
        if not self.penalty.l1_strength:
            return coef
        threshold = self.scaling.penalty_threshold(step * self.penalty.l1_strength)
        return self.penalty.prox(coef, threshold)

    def optimality(self, coef, gradient) -> float:
        """Largest entry of the minimum-norm subgradient of ``J`` in ``(W, b)``.

        This is the plain gradient without an L1 term: the quantity
        ``LogisticRegression(solver="lbfgs")`` compares with ``tol``.
        """
        original_gradient = self.scaling.gradient_to_original(gradient)
        if not self.has_nonsmooth_part:
            return self.backend.max_abs(original_gradient)
        subgradient = self.penalty.min_norm_subgradient(
            self.to_original(coef), original_gradient
        )
        return self.backend.max_abs(subgradient)

    def value(self, coef) -> float:
        """The whole objective ``J`` at ``coef`` (working parametrisation)."""
        margins = self.linear_map(coef)
        return self.smooth_value(margins, coef) + self.nonsmooth_value(coef)

    def gradient(self, coef):
        """Gradient of the smooth part at ``coef`` (working parametrisation)."""
        return self.smooth_value_and_gradient(self.linear_map(coef), coef)[1]

    def curvature_bound_along(self, direction) -> float:
        """``<d, B d>`` for a bound ``B`` on the smooth part's Hessian at every point.

        With ``B = c A^T diag(w) A + l2 E`` (``c`` the loss's curvature bound, ``A``
        the linear map to the margins, ``E`` the identity on ``W`` and zero on the
        intercept)::

            <d, B d> = c * sum_i w_i ||(A d)_i||^2 + l2 * ||d_W||^2

        in the original coefficients of ``d``, the same number in either
        parametrisation. It bounds ``d/dt^2 f(x + t d)`` from above at every ``x``
        and equals it where every probability is 1/2 (two classes, all margins
        zero). One read of ``X``.
        """
        original = self.to_original(direction)
        data = self.data.weighted_squared_margins(original)
        return self.loss.curvature_bound * data + 2 * self.penalty.l2_value(original)

    def first_step(self, gradient) -> float:
        """``||g||^2 / <g, B g>``: the inverse of the curvature bound along ``-g``.

        The step that minimises the bounding quadratic of the smooth part along
        the gradient (`curvature_bound_along`): a first step for a solver without
        the power iteration of `lipschitz_constant` (8-10 reads of ``X``), for one
        read. Never longer than the exact line search on the bounding quadratic,
        and usually far longer than ``1 / L``, since ``-g`` seldom lies along the
        Hessian's top eigenvector. ``inf`` for a zero gradient.
        """
        squared_norm = self.backend.norm(gradient) ** 2
        if squared_norm == 0.0:
            return math.inf
        return squared_norm / self.curvature_bound_along(gradient)

    def lipschitz_constant(self) -> float:
        """Lipschitz constant of the smooth part's gradient, working parametrisation."""
        # A rough estimate is enough: it only seeds the line search, which adapts
        # the step from the first iteration on, and each power iteration costs two
        # passes over X.
        data = self.data.lipschitz_constant(self.scaling, rtol=1e-2)
        return data + self.scaling.penalty_curvature(self.penalty.l2_strength)

    # -- minibatch view, for the stochastic solver ----------------------------------

    @property
    def sample_rows(self) -> np.ndarray:
        """Indices of the rows minibatches are drawn from (those of positive weight).

        All rows, unless early stopping holds some out: those keep a weight of zero
        in the objective, so the training part is never copied out of ``X``.
        """
        return self.data.sample_rows

    def batch_gradient(self, coef, rows: np.ndarray):
        """Unbiased estimate of the smooth gradient from the rows ``rows``.

        The data term is ``sum_i w_i loss_i`` over the ``n`` sample rows
        (``w = s / S``). For ``m`` rows drawn uniformly without replacement,
        ``(n / m) sum_{i in B} w_i grad loss_i`` has expectation the full data
        gradient, so the minibatch weights are ``w_i * n / m``. A sample weight
        counts in exactly the same way as a repeated row would in expectation; rows
        of weight zero contribute nothing. The L2 gradient is exact.

        Parameters
        ----------
        coef : ndarray of shape (n_rows, n_features + fit_intercept)
            Coefficients, working parametrisation.
        rows : ndarray of int
            Row indices of the minibatch.

        Returns
        -------
        gradient : ndarray of the shape of ``coef``, working parametrisation.
        """
        if rows.size == self.data.X.shape[0]:
            # The whole data in one batch: the exact gradient, without copying X.
            return self.gradient(coef)
        original = self.to_original(coef)
        gradient = self.data.batch_gradient(
            original, rows, self.sample_rows.size / rows.size
        )
        if self.penalty.l2_strength:
            gradient += self.penalty.l2_gradient(original)
        return self.scaling.gradient_to_working(gradient)

    def batch_lipschitz_constant(
        self, batch_size: int, random_state: np.random.RandomState
    ) -> float:
        """Expected smoothness of `batch_gradient` for minibatches of ``batch_size``.

        Write the data term as ``(1/n) sum_i f_i`` with ``f_i = n w_i loss_i``, whose
        gradient is ``L_i = c n w_i ||Xt_i||^2``-Lipschitz (``c`` the loss's curvature
        bound). For minibatches of ``b`` rows sampled without replacement the
        expected smoothness is (Gower et al., 2019, Proposition 3.8)

            L(b) = n (b - 1) / (b (n - 1)) * L + (n - b) / (b (n - 1)) * max_i L_i,

        between the full data's ``L`` (at ``b = n``) and the worst single sample's
        (at ``b = 1``); a step of order ``1 / L(b)`` is what SGD can safely take.
        ``L`` is estimated by power iteration on at most `CURVATURE_SUBSAMPLE` rows
        drawn with ``random_state``, ``max_i L_i`` exactly. The L2 term's curvature
        is added.

        References
        ----------
        .. [1] R. M. Gower, N. Loizou, X. Qian, A. Sailanbayev, E. Shulgin and
           P. Richtarik, "SGD: General analysis and improved rates", ICML 2019.
        """
        n = self.sample_rows.size
        b = min(batch_size, n)
        worst_sample = float(self.data.row_curvatures(self.scaling).max())
        if n > CURVATURE_SUBSAMPLE:
            rows = np.sort(
                self.sample_rows[
                    random_state.choice(n, CURVATURE_SUBSAMPLE, replace=False)
                ]
            )
            subsample = self.data.rows(rows, n / rows.size)
        else:
            subsample = self.data
        full = subsample.lipschitz_constant(self.scaling, rtol=1e-4)
        if n > 1:
            full = (n * (b - 1) * full + (n - b) * worst_sample) / (b * (n - 1))
        return full + self.scaling.penalty_curvature(self.penalty.l2_strength)
