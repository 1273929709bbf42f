"""The fast paths of the speed work compute the same thing as the plain formulas.

Speed itself is measured by the benchmark (``python -m benchmarks.run``), never here;
these tests pin that each shortcut is exact and safe.
"""

import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklogreg import GDLogisticRegression


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "params",
    [
        {},
        # Early stopping holds rows out by weight, not by copying the training part.
        {"solver": "sgd", "early_stopping": True, "random_state": 0},
        # The stochastic step's curvature estimate must not upcast float32 X.
        {"solver": "sgd", "random_state": 0},
    ],
    ids=["nesterov", "sgd-early-stopping", "sgd"],
)
def test_fit_does_not_copy_a_c_contiguous_float_x(dtype, params):
    # Tall enough that the fixed-size temporaries (row blocks, the stochastic step's
    # curvature subsample of 4096 rows) are a small part of X, as on real data.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50_000, 60)).astype(dtype)
    y = (X[:, 0] + 0.5 * rng.standard_normal(50_000) > 0).astype(int)
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            GDLogisticRegression(max_iter=20, **params).fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A copy of X would be a peak of at least X.nbytes; the fit's own arrays are a few
    # vectors of n_samples (and, with early stopping, the held-out tenth of X).
    assert peak < 0.5 * X.nbytes, f"peak {peak / X.nbytes:.0%} of X"
