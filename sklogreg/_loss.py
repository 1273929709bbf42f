"""The log-loss of a linear model as objects: binary (sigmoid), multinomial (softmax).

Each loss owns everything that depends on which of the two it is: its value, its
value with the residual (its gradient in the margins), probabilities,
log-probabilities, predicted classes, the encoding of the target and the bound on its
curvature. Callers hold one loss object and never choose among variants, as with
scikit-learn's ``HalfBinomialLoss`` and ``HalfMultinomialLoss``. The element-wise
work runs through a backend (`sklogreg._backends`), so the same loss serves NumPy,
SciPy sparse and any Array API library.

Notation
--------
The margins are ``Z = X @ W.T + b`` (`sklogreg._coef_layout`), one column per row of
coefficients. The per-sample weights ``w`` are *normalised*, ``w_i = s_i / S`` with
``S = sum(s)``, so every sum below is a weighted mean.

Binary (one coefficient row, ``y`` in {0, 1}, ``z`` a vector)::

    loss_i = log(1 + exp(z_i)) - y_i z_i,        d loss_i / d z_i = expit(z_i) - y_i

Multinomial (class indices ``y_i``, one coefficient row per class)::

    loss_i = logsumexp(Z_i) - Z_{i, y_i},          d loss_i / d Z_ik = P_ik - [k = y_i]

with ``P_i = softmax(Z_i)``. The target stays a vector of class indices: the
one-hot matrix ``Y`` would be ``n_samples x n_classes`` floats read at every
evaluation, where subtracting one at each row's label costs ``n_samples`` entries.

By the chain rule the gradient of the mean loss in the coefficients is ``R.T @ X``
for the residual ``R = w * (P - Y)`` (``Y`` the one-hot of the labels, in
words only), and ``R.sum(axis=0)`` for the intercept: the
textbook ``(y_hat - y) x``, averaged and vectorised. Neither loss ever forms
``exp(z)`` for a positive ``z``, so no finite margin overflows.

Row terms. A pass that reads ``X`` once (`sklogreg._backends._row_blocks`) computes,
block of rows by block, the margins, then the value and residual of the block in
place of its margins. Each loss states what it reads per row for that
(`row_terms`) and the block's computation (`block_value_and_residual`). For the
sigmoid, with ``a = w / 2`` and ``c = w (1/2 - y)`` (per block, in cache)::

    w_i loss_i = w_i log1p(exp(-|z_i|)) + a_i |z_i| + c_i z_i
    r_i        = copysign(w_i / (1 + exp(-|z_i|)) - a_i, z_i) + c_i

since ``max(z, 0) - y z = |z| / 2 + (1/2 - y) z`` and ``expit(z) - 1/2`` is
``1 / (1 + exp(-|z|)) - 1/2`` with the sign of ``z``: one exponential, no branch.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BinaryLogLoss", "MultinomialLogLoss", "log_loss_for", "secant_curvature"]


class BinaryLogLoss:
    """The log-loss of the sigmoid model: two classes, one coefficient row.

    Parameters
    ----------
    backend : Backend
        Where the margins, targets and weights live.
    """

    # The sigmoid's derivative is at most 1/4: the Hessian of the mean loss is at
    # most X.T diag(w) X / 4.
    curvature_bound = 0.25
    # One row of coefficients: the second class's log-odds.
    n_coef_rows = 1

    def __init__(self, backend) -> None:
        self.backend = backend

    def encode_target(self, y_encoded: np.ndarray, dtype):
        """``y`` in {0, 1} from the class indices, in the backend."""
        return self.backend.asarray(y_encoded.astype(np.float64), dtype=dtype)

    def value(self, z, y, weights) -> float:
        """``sum_i w_i (log(1 + exp(z_i)) - y_i z_i)``."""
        # Python floats of 0-d products: one reduction each, on any library.
        return float(weights @ self.backend.log1pexp(z)) - float(weights @ (y * z))

    def value_and_residual(self, z, y, weights):
        """The value and its gradient in ``z``, ``w * (expit(z) - y)``."""
        backend = self.backend
        log1pexp, probability = backend.log1pexp_and_expit(z)
        value = float(weights @ log1pexp) - float(weights @ (y * z))
        return value, backend.weighted_difference(probability, y, weights)

    def residual(self, z, y, weights):
        """The gradient of the value in ``z``, ``w * (expit(z) - y)``."""
        return self.backend.weighted_difference(self.backend.expit(z), y, weights)

    def row_terms(self, y, weights) -> tuple:
        """``(w, y)``: the rows' part of `block_value_and_residual`, not copied."""
        return weights, y

    def block_value_and_residual(self, margins, terms, scratch) -> float:
        """The value of a block of rows; its residual replaces ``margins[0]``.

        ``margins`` is ``(1, n_rows)``, ``terms`` the block's `row_terms` and
        ``scratch`` four work vectors as long as the block (module docstring).
        """
        return self.backend.sigmoid_block_value_and_residual(
            margins[0], *terms, scratch
        )

    def probabilities(self, z):
        """``[1 - expit(z), expit(z)]``, one column per class."""
        backend = self.backend
        return backend.xp.stack([backend.expit(-z), backend.expit(z)], axis=1)

    def log_probabilities(self, z):
        """``log_expit`` of ``-z`` and ``z``: finite where a probability underflows."""
        backend = self.backend
        return backend.xp.stack([backend.log_expit(-z), backend.log_expit(z)], axis=1)

    def predicted_indices(self, z):
        """The index of the more probable class: 1 where the log-odds are positive."""
        return self.backend.xp.astype(z > 0, self.backend.index_dtype)


class MultinomialLogLoss:
    """The log-loss of the softmax model: one coefficient row per class.

    Parameters
    ----------
    backend : Backend
        Where the margins, targets and weights live.
    n_classes : int
        Number of classes, three or more: as many rows of coefficients.
    """

    # diag(p) - p p.T has norm at most 1/2.
    curvature_bound = 0.5

    def __init__(self, backend, n_classes: int) -> None:
        self.backend = backend
        self.n_classes = self.n_coef_rows = n_classes

    def encode_target(self, y_encoded: np.ndarray, dtype):
        """The class indices themselves, in the backend (``dtype`` is not used)."""
        backend = self.backend
        return backend.asarray(y_encoded, dtype=backend.index_dtype)

    def value(self, Z, labels, weights) -> float:
        """``sum_i w_i (logsumexp(Z_i) - Z_{i, y_i})``."""
        backend = self.backend
        log_normalizer = backend.log_normalizer(Z)
        return float(weights @ (log_normalizer - backend.at_labels(Z, labels)))

    def value_and_residual(self, Z, labels, weights):
        """The value and its gradient in ``Z``, ``w_i (softmax(Z_i) - e_{y_i})``."""
        backend = self.backend
        log_normalizer, probability = backend.log_normalizer_and_softmax(Z)
        value = float(weights @ (log_normalizer - backend.at_labels(Z, labels)))
        return value, backend.weighted_label_difference(probability, labels, weights)

    def residual(self, Z, labels, weights):
        """The gradient of the value in ``Z``, ``w_i (softmax(Z_i) - e_{y_i})``."""
        backend = self.backend
        return backend.weighted_label_difference(backend.softmax(Z), labels, weights)

    def row_terms(self, labels, weights) -> tuple:
        """``(labels, w)``: what `block_value_and_residual` reads per row."""
        return labels, weights

    def block_value_and_residual(self, margins, terms, scratch) -> float:
        """The value of a block of rows; its residual replaces ``margins``.

        ``margins`` is the block's ``Z.T``, ``(n_classes, n_rows)``: the softmax's
        sums over classes are then sums of rows, element-wise work on long
        vectors. ``scratch`` is a work vector as long as the block.
        """
        return self.backend.softmax_block_value_and_residual(margins, *terms, scratch)

    def probabilities(self, Z):
        """The softmax of the logits."""
        return self.backend.softmax(Z)

    def log_probabilities(self, Z):
        """The log-softmax of the logits, exact where one class dominates."""
        return self.backend.log_softmax(Z)

    def predicted_indices(self, Z):
        """The index of the largest logit."""
        xp = self.backend.xp
        return xp.astype(xp.argmax(Z, axis=1), self.backend.index_dtype)


def log_loss_for(n_classes: int, backend) -> BinaryLogLoss | MultinomialLogLoss:
    """The sigmoid log-loss for two classes, the softmax one for more."""
    if n_classes == 2:
        return BinaryLogLoss(backend)
    return MultinomialLogLoss(backend, n_classes)


def secant_curvature(residual_a, margins_a, residual_b, margins_b, xp) -> float:
    """``<r(Z_b) - r(Z_a), Z_b - Z_a>``: the data term's curvature along a step.

    The gradient of the data term is ``A.T r(Z)``, so its secant
    ``<grad(b) - grad(a), b - a>`` is this inner product of residuals and margins:
    no pass over ``X``, and no difference of objective values to cancel.
    """
    return float(xp.sum((residual_b - residual_a) * (margins_b - margins_a)))
