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

Multinomial (``Y`` one-hot, one coefficient row per class)::

    loss_i = logsumexp(Z_i) - sum_k Y_ik Z_ik,    d loss_i / d Z_ik = P_ik - Y_ik

with ``P_i = softmax(Z_i)``.

By the chain rule the gradient of the mean loss in the coefficients is ``R.T @ X``
for the residual ``R = w * (P - Y)``, and ``R.sum(axis=0)`` for the intercept: the
textbook ``(y_hat - y) x``, averaged and vectorised. Neither loss ever forms
``exp(z)`` for a positive ``z``, so no finite margin overflows.
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
        """The one-hot matrix of the class indices, in the backend."""
        one_hot = (y_encoded[:, None] == np.arange(self.n_classes)).astype(np.float64)
        return self.backend.asarray(one_hot, dtype=dtype)

    def value(self, Z, Y, weights) -> float:
        """``sum_i w_i (logsumexp(Z_i) - sum_k Y_ik Z_ik)``."""
        backend = self.backend
        log_normalizer, _ = backend.log_normalizer_and_softmax(Z)
        return float(weights @ (log_normalizer - backend.row_dot(Y, Z)))

    def value_and_residual(self, Z, Y, weights):
        """The value and its gradient in ``Z``, ``w[:, None] * (softmax(Z) - Y)``."""
        backend = self.backend
        log_normalizer, probability = backend.log_normalizer_and_softmax(Z)
        value = float(weights @ (log_normalizer - backend.row_dot(Y, Z)))
        return value, backend.weighted_difference(probability, Y, weights)

    def residual(self, Z, Y, weights):
        """The gradient of the value in ``Z``, ``w[:, None] * (softmax(Z) - Y)``."""
        return self.backend.weighted_difference(self.backend.softmax(Z), Y, weights)

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
