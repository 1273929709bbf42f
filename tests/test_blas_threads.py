"""A fit leaves NumPy's and SciPy's BLAS threads as it found them, whatever runs beside.

The thread count of a BLAS library is process-wide: a fit that lowered it for itself
would lower it for every other thread too, and fits running at once would restore
each other's temporary limit. So fits never touch it; the user sets it, for example
with threadpoolctl around the fit.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from threadpoolctl import threadpool_info

from sklogreg import GDLogisticRegression


def blas_threads():
    return sorted(
        (info["filepath"], info["num_threads"])
        for info in threadpool_info()
        if info["user_api"] == "blas"
    )


@pytest.fixture(scope="module")
def breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


@pytest.mark.parametrize("n_threads", [2, 4])
def test_fits_in_several_threads_leave_blas_threads_as_they_found_them(
    breast_cancer, n_threads
):
    before = blas_threads()
    with ThreadPoolExecutor(n_threads) as pool:
        models = list(
            pool.map(
                lambda C: GDLogisticRegression(C=C).fit(*breast_cancer),
                np.geomspace(0.01, 100, 8 * n_threads),
            )
        )
    assert blas_threads() == before
    assert all(model.converged_ for model in models)
