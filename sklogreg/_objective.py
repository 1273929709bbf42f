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

`LogisticObjective` splits ``J`` the way proximal gradient solvers need it:

* a *smooth* part, the data term plus the L2 term, evaluated from the linear
  predictor ``Z = A(coef)`` so that a solver can combine margins linearly instead of
  recomputing ``X @ coef``;
* a *non-smooth* part, the L1 term, handled by its proximal operator.

For the stochastic solver it also offers a *minibatch* view (`batch_gradient`,
`batch_lipschitz_constant`): an unbiased estimate of the smooth gradient from a subset
of rows, and the smoothness constant of that estimate.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils._array_api import _max_precision_float_dtype

from ._array_api import namespace_of
from ._loss import (
    binary_loss,
    binary_loss_and_residual,
    binary_residual,
    linear_predictor,
    linear_predictor_gradient,
    lipschitz_constant,
    multinomial_loss,
    multinomial_loss_and_residual,
    multinomial_residual,
    row_norms_squared,
)
from ._penalty import (
    l1_norm,
    l2_gradient,
    l2_value,
    min_norm_subgradient,
    soft_threshold,
)
from ._preconditioning import (
    ColumnScaling,
    column_scaling,
    gradient_to_original,
    gradient_to_scaled,
    to_original,
    to_scaled,
)

__all__ = [
    "LogisticObjective",
    "penalty_strengths",
]


def penalty_strengths(
    C: float, l1_ratio: float, penalty_weight_sum: float
) -> tuple[float, float]:
    """The L2 and L1 strengths ``(1 - rho) / (C S)`` and ``rho / (C S)``.

    ``C = inf`` means no penalty at all (both are 0).
    """
    penalty_scale = 0.0 if np.isinf(C) else 1.0 / (C * penalty_weight_sum)
    return (1.0 - l1_ratio) * penalty_scale, l1_ratio * penalty_scale


class LogisticObjective:
    """The contract's objective on fixed data, in the form the solvers consume.

    The solvers see coefficients in a *working* parametrisation: the original
    ``(W, b)`` or, with ``precondition=True``, the implicitly centred and scaled one of
    `sklogreg._preconditioning`, which has the same objective values and the same
    minimiser but a far better conditioned Hessian. `to_working` and `to_original`
    convert; `optimality` always measures the gradient of the *original* problem, so
    ``tol`` means the same whatever the parametrisation.

    Parameters
    ----------
    X : ndarray, CSR matrix or Array API array of shape (n_samples, n_features)
        The data; never copied or modified. A dense array of another Array API
        namespace (``array_api_strict``, PyTorch on any device...) is computed on in
        that namespace and on its device, as must ``target`` and ``sample_weight``
        be; the full-batch methods then never copy an array to the host (only Python
        floats leave it). The minibatch view supports NumPy and SciPy only.
    target : ndarray of shape (n_samples,) or (n_samples, n_classes)
        ``y`` in {0, 1} for the binary model, one-hot ``Y`` for the softmax model.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights ``s_i`` with a positive sum; normalised here.
    C : float
        Inverse regularisation strength; ``np.inf`` for no penalty.
    l1_ratio : float
        Share of the L1 part in the penalty.
    fit_intercept : bool
        Whether the last column of ``coef`` is an unpenalised intercept.
    precondition : bool, default=False
        Work in the centred and scaled parametrisation.
    penalty_weight_sum : float, optional
        The ``S`` in the penalty's ``1 / (C * S)``; by default the sum of
        ``sample_weight``. `GDLogisticRegression.partial_fit` passes the weight of all
        the data seen so far, so that a chunk's objective is a stochastic estimate of
        the objective on everything streamed, not a more heavily penalised problem of
        its own.
    """

    # Array API namespace of the coefficients, margins and weights; None for NumPy (a
    # class default, so that a subclass with its own __init__, sklogreg._dask's whose
    # coefficients are NumPy, keeps the NumPy code).
    xp = None

    # Rows used to estimate the full data's curvature for the stochastic step: enough
    # for the top eigenvalue of a covariance of a few hundred columns, and a bounded
    # cost whatever the number of samples.
    CURVATURE_SUBSAMPLE = 4096

    def __init__(
        self,
        X,
        target: np.ndarray,
        sample_weight: np.ndarray,
        *,
        C: float,
        l1_ratio: float,
        fit_intercept: bool,
        precondition: bool = False,
        penalty_weight_sum: float | None = None,
        sample_rows: np.ndarray | None = None,
    ) -> None:
        self.X = X
        self._sample_rows = sample_rows
        self.target = target
        self.multinomial = target.ndim == 2
        # None for NumPy and SciPy input, which keep their original code.
        self.xp = xp = namespace_of(X)
        # Normalise by the largest weight before summing, so that weights near the
        # float maximum cannot overflow the sum; S itself may then be inf, which
        # only means the penalty 1/(C S) vanishes.
        if xp is None:
            largest = float(sample_weight.max())
            relative = sample_weight / sample_weight.dtype.type(largest)
            relative_sum = float(relative.sum(dtype=np.float64))
        else:
            largest = float(xp.max(sample_weight))
            relative = sample_weight / largest
            relative_sum = float(
                xp.sum(
                    relative,
                    dtype=_max_precision_float_dtype(xp, relative.device),
                )
            )
        with np.errstate(over="ignore"):
            weight_sum = largest * relative_sum
        self.weight_sum = weight_sum
        if xp is None:
            self.weights = relative / relative.dtype.type(relative_sum)
        else:
            self.weights = relative / relative_sum
        self.fit_intercept = fit_intercept
        if penalty_weight_sum is None:
            penalty_weight_sum = weight_sum
        self.l2_strength, self.l1_strength = penalty_strengths(
            C, l1_ratio, penalty_weight_sum
        )
        self.scaling = self._column_scaling() if precondition else None

    def _column_scaling(self) -> ColumnScaling:
        """The preconditioner's shifts and scales: one pass over ``X``."""
        return column_scaling(
            self.X,
            self.weights,
            fit_intercept=self.fit_intercept,
            l2_strength=self.l2_strength,
        )

    @property
    def coef_shape(self) -> tuple[int, int]:
        """Shape of the coefficient array, intercept column included."""
        n_rows = self.target.shape[1] if self.multinomial else 1
        return n_rows, self.X.shape[1] + self.fit_intercept

    @property
    def has_nonsmooth_part(self) -> bool:
        """Whether the objective has an L1 term, handled by `prox`."""
        return self.l1_strength > 0

    def to_working(self, coef: np.ndarray) -> np.ndarray:
        """Original coefficients ``(W, b)`` to the solver's parametrisation."""
        return to_scaled(coef, self.scaling)

    def to_original(self, coef: np.ndarray) -> np.ndarray:
        """The solver's parametrisation back to ``(W, b)``."""
        return to_original(coef, self.scaling)

    def linear_map(self, coef: np.ndarray) -> np.ndarray:
        """Margins ``Z = X @ W.T + b``: the only place the smooth part reads ``X``."""
        return linear_predictor(self.X, self.to_original(coef), self.fit_intercept)

    # The four methods below are the only ones that read the data (through the
    # margins, or X itself); a backend that keeps X elsewhere (sklogreg._dask)
    # overrides exactly these and `linear_map`, `_column_scaling`.

    def _data_value(self, margins: np.ndarray, original: np.ndarray) -> float:
        """The data term at original coefficients ``original``, from their margins."""
        if self.multinomial:
            return multinomial_loss(margins, self.target, self.weights, xp=self.xp)
        return binary_loss(margins, self.target, self.weights, xp=self.xp)

    def _data_value_and_gradient(
        self, margins: np.ndarray, original: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """The data term and its gradient in ``(W, b)``: one pass over ``X``."""
        if self.multinomial:
            data, residual = multinomial_loss_and_residual(
                margins, self.target, self.weights, xp=self.xp
            )
        else:
            data, residual = binary_loss_and_residual(
                margins, self.target, self.weights, xp=self.xp
            )
        return data, linear_predictor_gradient(
            self.X, residual, self.fit_intercept, xp=self.xp
        )

    def _data_secant_curvature(
        self,
        margins_a: np.ndarray,
        original_a: np.ndarray,
        margins_b: np.ndarray,
        original_b: np.ndarray,
    ) -> float:
        """``<r(Z_b) - r(Z_a), Z_b - Z_a>``, the data term's part of the secant."""
        residual = multinomial_residual if self.multinomial else binary_residual
        product = (
            residual(margins_b, self.target, self.weights, xp=self.xp)
            - residual(margins_a, self.target, self.weights, xp=self.xp)
        ) * (margins_b - margins_a)
        return float(product.sum() if self.xp is None else self.xp.sum(product))

    def _data_lipschitz_constant(self) -> float:
        """Lipschitz constant of the data term's gradient, working parametrisation."""
        return lipschitz_constant(
            self.X,
            self.weights,
            fit_intercept=self.fit_intercept,
            multinomial=self.multinomial,
            column_shift=None if self.scaling is None else self.scaling.shift,
            column_scale=None if self.scaling is None else self.scaling.scale,
            # A rough estimate is enough: it only seeds the line search, which adapts
            # the step from the first iteration on, and each power iteration costs
            # two passes over X.
            rtol=1e-2,
            xp=self.xp,
        )

    def smooth_value(self, margins: np.ndarray, coef: np.ndarray) -> float:
        """Data term plus L2 term, from the margins of ``coef``."""
        original = self.to_original(coef)
        return self._data_value(margins, original) + l2_value(
            original, self.l2_strength, self.fit_intercept, xp=self.xp
        )

    def smooth_value_and_gradient(
        self, margins: np.ndarray, coef: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Data term plus L2 term and its gradient: one pass over ``X``."""
        original = self.to_original(coef)
        data, gradient = self._data_value_and_gradient(margins, original)
        if self.l2_strength:
            gradient += l2_gradient(original, self.l2_strength, self.fit_intercept)
        value = data + l2_value(
            original, self.l2_strength, self.fit_intercept, xp=self.xp
        )
        return value, gradient_to_scaled(gradient, self.scaling)

    def secant_curvature(
        self,
        margins_a: np.ndarray,
        coef_a: np.ndarray,
        margins_b: np.ndarray,
        coef_b: np.ndarray,
    ) -> float:
        """``<grad f(b) - grad f(a), b - a>`` from the margins: no pass over ``X``.

        The data term's gradient is ``A.T r(Z)``, so its part is
        ``<r(Z_b) - r(Z_a), Z_b - Z_a>``; the L2 term adds ``l2 * ||W_b - W_a||^2``.
        The inner product is the same in either parametrisation.
        """
        original_a, original_b = self.to_original(coef_a), self.to_original(coef_b)
        data = self._data_secant_curvature(margins_a, original_a, margins_b, original_b)
        if not self.l2_strength:
            return data
        step = original_b - original_a
        return data + 2 * l2_value(step, self.l2_strength, self.fit_intercept, self.xp)

    def nonsmooth_value(self, coef: np.ndarray) -> float:
        """The L1 term ``l1_strength * ||W||_1``."""
        if not self.l1_strength:
            return 0.0
        return self.l1_strength * l1_norm(
            self.to_original(coef), self.fit_intercept, xp=self.xp
        )

    def prox(self, coef: np.ndarray, step: float) -> np.ndarray:
        """Proximal step of the L1 term for a gradient step of size ``step``.

        In the scaled parametrisation ``|w_j| = |w'_j| / s_j``: still separable, with
        a threshold per column.
        """
        if not self.l1_strength:
            return coef
        threshold = step * self.l1_strength
        if self.scaling is not None:
            threshold = threshold / self.scaling.scale
        return soft_threshold(coef, threshold, self.fit_intercept, xp=self.xp)

    def optimality(self, coef: np.ndarray, gradient: np.ndarray) -> float:
        """Largest entry of the minimum-norm subgradient of ``J`` in ``(W, b)``.

        This is the plain gradient without an L1 term: the quantity
        ``LogisticRegression(solver="lbfgs")`` compares with ``tol``.
        """
        subgradient = min_norm_subgradient(
            self.to_original(coef),
            gradient_to_original(gradient, self.scaling),
            self.l1_strength,
            self.fit_intercept,
            xp=self.xp,
        )
        if self.xp is not None:
            return float(self.xp.max(self.xp.abs(subgradient)))
        return float(np.max(np.abs(subgradient)))

    def value(self, coef: np.ndarray) -> float:
        """The whole objective ``J`` at ``coef`` (working parametrisation)."""
        margins = self.linear_map(coef)
        return self.smooth_value(margins, coef) + self.nonsmooth_value(coef)

    def gradient(self, coef: np.ndarray) -> np.ndarray:
        """Gradient of the smooth part at ``coef`` (working parametrisation)."""
        return self.smooth_value_and_gradient(self.linear_map(coef), coef)[1]

    def lipschitz_constant(self) -> float:
        """Lipschitz constant of the smooth part's gradient, working parametrisation."""
        data = self._data_lipschitz_constant()
        if self.scaling is None:
            return data + self.l2_strength
        if not self.l2_strength:
            return data
        # At most 1/4 by construction, since scale**2 >= 4 * l2_strength.
        if self.xp is not None:
            return data + float(self.xp.max(self.l2_strength / self.scaling.scale**2))
        return data + float(np.max(self.l2_strength / self.scaling.scale**2))

    def plan_line_search(self, plan) -> None:
        """Nothing to prepare: in memory, each trial costs what it costs when tried."""

    # -- minibatch view, for the stochastic solver ----------------------------------

    @property
    def sample_rows(self) -> np.ndarray:
        """Indices of the rows minibatches are drawn from (those of positive weight).

        All rows, unless early stopping holds some out: those keep a weight of zero
        in the objective, so the training part is never copied out of ``X``.
        """
        if self._sample_rows is None:
            self._sample_rows = np.arange(self.X.shape[0])
        return self._sample_rows

    def batch_gradient(self, coef: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Unbiased estimate of the smooth gradient from the rows ``rows``.

        The data term is ``sum_i w_i loss_i`` over all ``n`` rows (``w = s / S``). For
        ``m`` rows drawn uniformly without replacement, ``(n / m) sum_{i in B} w_i
        grad loss_i`` has expectation the full data gradient, so the minibatch weights
        are ``w_i * n / m``. A sample weight counts in exactly the same way as a
        repeated row would in expectation; rows of weight zero contribute nothing.
        The L2 gradient is exact (it needs no data).

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
        n_samples = self.sample_rows.size
        if rows.size == self.X.shape[0]:
            # The whole data in one batch: the exact gradient, without copying X.
            return self.gradient(coef)
        X_batch = self.X[rows]
        weights = self.weights[rows] * self.weights.dtype.type(n_samples / rows.size)
        target = self.target[rows]
        original = self.to_original(coef)
        margins = linear_predictor(X_batch, original, self.fit_intercept)
        if self.multinomial:
            _, residual = multinomial_loss_and_residual(margins, target, weights)
        else:
            _, residual = binary_loss_and_residual(margins, target, weights)
        gradient = linear_predictor_gradient(X_batch, residual, self.fit_intercept)
        if self.l2_strength:
            gradient += l2_gradient(original, self.l2_strength, self.fit_intercept)
        return gradient_to_scaled(gradient, self.scaling)

    def batch_lipschitz_constant(
        self, batch_size: int, random_state: np.random.RandomState
    ) -> float:
        """Expected smoothness of `batch_gradient` for minibatches of ``batch_size``.

        Write the data term as ``(1/n) sum_i f_i`` with ``f_i = n w_i loss_i``, whose
        gradient is ``L_i = c n w_i ||Xt_i||^2``-Lipschitz (``c = 1/4`` sigmoid,
        ``1/2`` softmax). For minibatches of ``b`` rows sampled without replacement
        the expected smoothness is (Gower et al., 2019, Proposition 3.8)

            L(b) = n (b - 1) / (b (n - 1)) * L + (n - b) / (b (n - 1)) * max_i L_i,

        between the full data's ``L`` (at ``b = n``) and the worst single sample's (at
        ``b = 1``); a step of order ``1 / L(b)`` is what SGD can safely take. ``L`` is
        estimated by power iteration on at most `CURVATURE_SUBSAMPLE` rows drawn with
        ``random_state`` (on all rows when there are no more), ``max_i L_i`` exactly.
        The L2 term's curvature is added.

        Parameters
        ----------
        batch_size : int
            Rows per minibatch.
        random_state : RandomState
            Source of the subsample.

        Returns
        -------
        L_b : float

        References
        ----------
        .. [1] R. M. Gower, N. Loizou, X. Qian, A. Sailanbayev, E. Shulgin and
           P. Richtarik, "SGD: General analysis and improved rates", ICML 2019.
        """
        n = self.sample_rows.size
        b = min(batch_size, n)
        shift = None if self.scaling is None else self.scaling.shift
        scale = None if self.scaling is None else self.scaling.scale
        curvature_bound = 0.5 if self.multinomial else 0.25
        per_sample = (
            curvature_bound
            * n
            * self.weights
            * row_norms_squared(
                self.X,
                fit_intercept=self.fit_intercept,
                column_shift=shift,
                column_scale=scale,
            )
        )
        worst_sample = float(per_sample.max())
        if n > self.CURVATURE_SUBSAMPLE:
            rows = np.sort(
                self.sample_rows[
                    random_state.choice(n, self.CURVATURE_SUBSAMPLE, replace=False)
                ]
            )
            X, weights = self.X[rows], self.weights[rows] * (n / rows.size)
        else:
            X, weights = self.X, self.weights
        full = lipschitz_constant(
            X,
            weights,
            fit_intercept=self.fit_intercept,
            multinomial=self.multinomial,
            column_shift=shift,
            column_scale=scale,
        )
        if n > 1:
            full = (n * (b - 1) * full + (n - b) * worst_sample) / (b * (n - 1))
        if self.scaling is None:
            return full + self.l2_strength
        return full + self.l2_strength * float(np.max(self.scaling.scale**-2.0))
