"""How a task turns its chunk's labels and weights into the objective's.

Labels stay on the workers: each task encodes its chunk's labels against the classes
found by `scan_labels_and_weights`, and forms its weights there, with the same loss
encoding and weight normalisation as the in-memory data term.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._backends import NumpyBackend
from .._in_memory import WeightNormalization
from .._loss import log_loss_for

__all__ = ["RowEncoding"]

_NUMPY = NumpyBackend()
# Immutable, so one instance serves every encoding made before the weights are read.
_NOT_READ_YET = WeightNormalization(1.0, 1.0)


@dataclass(frozen=True)
class RowEncoding:
    """How a task turns its chunk's labels and weights into the objective's.

    Attributes
    ----------
    classes : ndarray
        The sorted classes; labels are encoded as their index.
    class_weight : ndarray or None
        Weight per encoded class, multiplied into the sample weights.
    dtype : dtype
        Dtype of ``X``, and of the targets and weights.
    normalization : WeightNormalization
        The largest combined weight and the sum of the weights divided by it, from
        reductions over all the chunks (`DaskData` fills them in): the weights are
        normalised as in memory (`sklogreg._in_memory.normalized_weights`). Ones
        until known.
    """

    classes: np.ndarray
    class_weight: np.ndarray | None
    dtype: np.dtype
    normalization: WeightNormalization = _NOT_READ_YET

    @property
    def loss(self):
        """The log-loss of as many classes, on NumPy arrays (each task's)."""
        return log_loss_for(self.classes.size, _NUMPY)

    def encode(self, labels: np.ndarray) -> np.ndarray:
        """Labels to class indices."""
        return np.searchsorted(self.classes, labels)

    def target(self, encoded: np.ndarray) -> np.ndarray:
        """``y`` in {0, 1} for two classes, else class indices: the loss's encoding."""
        return self.loss.encode_target(encoded, self.dtype)

    def combined_weights(self, encoded: np.ndarray, sample_weight) -> np.ndarray:
        """Sample weights (1 when absent) times class weights, before normalising."""
        if sample_weight is None:
            weights = np.ones(encoded.shape[0], dtype=self.dtype)
        else:
            weights = np.asarray(sample_weight, dtype=self.dtype)
        if self.class_weight is not None:
            # An overflow is reported on the client, by the check of the largest
            # weight (see `check_combined_weights`).
            with np.errstate(over="ignore"):
                weights = weights * self.class_weight[encoded].astype(self.dtype)
        return weights

    def relative_weights(self, encoded: np.ndarray, sample_weight) -> np.ndarray:
        """The combined weights divided by the largest of all the chunks."""
        return self.normalization.relative(
            self.combined_weights(encoded, sample_weight)
        )

    def weights(self, encoded: np.ndarray, sample_weight) -> np.ndarray:
        """Normalised weights: those of `normalized_weights` for these rows."""
        return self.normalization.normalize(
            self.relative_weights(encoded, sample_weight)
        )
