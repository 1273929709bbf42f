"""A fit leaves NumPy's and SciPy's BLAS threads as it found them, whatever runs beside.

The thread count of a BLAS library is process-wide: a fit that lowered it for itself
would lower it for every other thread too, and fits running at once would restore
each other's temporary limit. So fits never touch it; the user sets it, for example
with threadpoolctl around the fit.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

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


@pytest.mark.parametrize("solver", ["nesterov", "gd", "sgd"])
def test_the_number_of_blas_threads_does_not_decide_convergence(solver):
    # Another thread count sums BLAS products in another order: every iterate moves
    # in its last bits, and on ill-conditioned data the walk then differs. Both must
    # still certify tol; the objective, flat near the optimum, agrees far closer.
    X, y = make_classification(
        3000, 40, n_informative=10, n_redundant=20, random_state=0
    )
    X = StandardScaler().fit_transform(X) * np.geomspace(0.1, 10, 40)
    fits = []
    for threads in (1, 2):
        with threadpool_limits(threads, user_api="blas"):
            model = GDLogisticRegression(
                solver=solver, random_state=0, tol=1e-6, max_iter=10_000
            )
            fits.append(model.fit(X, y))
    assert all(model.converged_ for model in fits)
    assert fits[0].loss_curve_[-1] == pytest.approx(fits[1].loss_curve_[-1], rel=1e-9)
