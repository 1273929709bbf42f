"""The layout of the coefficients, decided once: ``[W, b]`` with the intercept last.

The solvers see one 2-D array of shape ``(n_rows, n_features + fit_intercept)``: one
row for two classes (the second class's log-odds), one row per class for three or
more, and the intercept, when fitted, in the last column, as in scikit-learn's
``LinearModelLoss``. The estimator's ``coef_`` and ``intercept_`` are that array
split in two. `CoefLayout` owns the conversions both ways, the starting point (zeros,
or a warm start when the previous fit's shape still fits) and the softmax's free
constant, which it removes before splitting.
"""

from __future__ import annotations

from scipy import sparse
from sklearn.utils._array_api import move_to

__all__ = ["CoefLayout"]


class CoefLayout:
    """Stack and split ``coef_`` and ``intercept_``, for one problem's shape.

    Parameters
    ----------
    n_features : int
        Columns of ``X``.
    n_coef_rows : int
        1 for two classes, the number of classes for more.
    fit_intercept : bool
        Whether the last column is an (unpenalised) intercept.
    center_weights : bool
        Whether the weights of a softmax model are centred over classes when split
        (a pure L2 penalty: see `center_over_classes`).
    backend : Backend
        Where the coefficients live.
    """

    def __init__(
        self,
        *,
        n_features: int,
        n_coef_rows: int,
        fit_intercept: bool,
        center_weights: bool,
        backend,
    ) -> None:
        self.n_features = n_features
        self.n_coef_rows = n_coef_rows
        self.fit_intercept = fit_intercept
        self.center_weights = center_weights
        self.backend = backend

    @property
    def shape(self) -> tuple[int, int]:
        """Shape of the stacked array."""
        return self.n_coef_rows, self.n_features + self.fit_intercept

    def stack(self, coef, intercept, dtype):
        """``[coef_, intercept_]`` (or ``coef_`` alone) as one array, in ``dtype``."""
        xp = self.backend.xp
        if sparse.issparse(coef):  # a model after sparsify()
            coef = coef.toarray()
        coef, intercept = move_to(coef, intercept, xp=xp, device=self.backend.device)
        coef = xp.astype(coef, dtype)
        if not self.fit_intercept:
            return coef
        return xp.concat([coef, xp.astype(intercept, dtype)[:, None]], axis=1)

    def initial(self, previous, dtype):
        """Zeros, or ``previous``, a ``(coef_, intercept_)``, when its shape fits."""
        if previous is not None:
            start = self.stack(*previous, dtype)
            if tuple(start.shape) == self.shape:
                return start
        return self.backend.xp.zeros(
            self.shape, dtype=dtype, device=self.backend.device
        )

    def split(self, coef):
        """``coef_`` and ``intercept_`` (zeros without one), the softmax centred."""
        if coef.shape[0] > 1:
            coef = self.center_over_classes(coef)
        backend = self.backend
        n_features = self.n_features
        intercept = (
            backend.copy(coef[:, n_features])
            if self.fit_intercept
            else backend.xp.zeros(
                coef.shape[0], dtype=coef.dtype, device=backend.device
            )
        )
        return backend.copy(coef[:, :n_features]), intercept

    def center_over_classes(self, coef):
        """Remove the softmax's free constant: the mean over classes of each column.

        Adding a constant to one column of every class's row changes no probability.
        For the intercept (unpenalised) the centred choice is as good as any and is
        the one ``LogisticRegression`` reports. For the weights, centring leaves the
        loss unchanged and lowers ``||W||^2``, so with a pure L2 penalty the
        minimiser is centred already and this only removes round-off drift; with an
        L1 part the minimiser need not be centred, and the weights are left alone.
        """
        xp = self.backend.xp
        if self.center_weights:
            return coef - xp.mean(coef, axis=0, keepdims=True)
        coef = self.backend.copy(coef)
        if self.fit_intercept:
            coef[:, -1] -= xp.mean(coef[:, -1])
        return coef
