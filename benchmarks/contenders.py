"""One adapter per contender, each with its parameter mapping written beside it.

Every adapter builds, for a dataset with regularisation ``C`` and ``n`` samples, an
estimator whose optimum is the minimiser of the benchmark's objective (see
`sklogreg._cli.objective`), at a sequence of accuracy settings from loose to tight. The
benchmark times one fit per setting: the time to reach a suboptimality is that of the
cheapest fit that reached it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression, SGDClassifier

from sklogreg import GDLogisticRegression

# tol is the largest gradient entry at which sklogreg and lbfgs stop (same test, same
# objective scale); half-decades from loose to tight.
GRADIENT_TOLS = [10.0 ** (-k / 2) for k in range(2, 23)]


@dataclass
class Contender:
    """A solver under test: how to build it at one accuracy setting."""

    name: str
    mapping: str
    settings: list[dict]

    def supports(self, dataset) -> bool:
        return True

    def build(self, C: float, n_samples: int, setting: dict):
        raise NotImplementedError


class Sklogreg(Contender):
    """``GDLogisticRegression(C=C)``: the objective is the contract's, C is the same."""

    def __init__(self, solver: str):
        super().__init__(
            name=f"sklogreg-{solver}",
            mapping=f"GDLogisticRegression(C=C, solver={solver!r}, tol=tol)",
            settings=[{"tol": tol} for tol in GRADIENT_TOLS],
        )
        self.solver = solver

    def build(self, C, n_samples, setting):
        return GDLogisticRegression(
            C=C, solver=self.solver, tol=setting["tol"], max_iter=100_000
        )


class SklearnLogistic(Contender):
    """``LogisticRegression(C=C)``: sklearn's objective is n times ours, same minimiser.

    lbfgs and newton-cholesky stop on the same largest-gradient test as sklogreg; saga's
    tol is on the change of the coefficients.
    """

    def __init__(self, solver: str, max_iter: int = 10_000):
        super().__init__(
            name=solver,
            mapping=f"LogisticRegression(C=C, solver={solver!r}, tol=tol)",
            settings=[{"tol": tol} for tol in GRADIENT_TOLS],
        )
        self.solver = solver
        self.max_iter = max_iter

    def supports(self, dataset):
        if self.solver == "newton-cholesky":
            # It builds the (K p)^2 Hessian: not an option for 20k sparse features.
            return dataset.X.shape[1] * max(dataset.n_classes - 1, 1) <= 2_000
        return True

    def build(self, C, n_samples, setting):
        return LogisticRegression(
            C=C, solver=self.solver, tol=setting["tol"], max_iter=self.max_iter
        )


class SGD(Contender):
    """``SGDClassifier(loss="log_loss", alpha=1/(C*n))``.

    SGD minimises ``mean loss + alpha/2 ||w||^2``; dividing sklearn's objective by n
    gives ``alpha = 1/(C n)``. Settings are numbers of epochs (``tol=None``). Binary
    only: for several classes SGDClassifier fits one-vs-rest, a different model.
    """

    def __init__(self):
        super().__init__(
            name="sgd (sklearn)",
            mapping='SGDClassifier(loss="log_loss", alpha=1/(C*n), max_iter=epochs)',
            settings=[{"epochs": e} for e in (1, 2, 5, 10, 20, 50, 100)],
        )

    def supports(self, dataset):
        return dataset.n_classes == 2

    def build(self, C, n_samples, setting):
        return SGDClassifier(
            loss="log_loss",
            alpha=1.0 / (C * n_samples),
            max_iter=setting["epochs"],
            tol=None,
            random_state=0,
        )


def all_contenders() -> list[Contender]:
    """Every contender, ours first, lbfgs (the ratio's reference) among them."""
    return [
        Sklogreg("bb"),
        Sklogreg("nesterov"),
        Sklogreg("gd"),
        SklearnLogistic("lbfgs"),
        SklearnLogistic("newton-cholesky", max_iter=200),
        SklearnLogistic("saga", max_iter=1_000),
        SGD(),
    ]


def fitted_coef(model, n_classes):
    """``(coef, intercept)`` as ``(K or 1, p)`` and ``(K or 1,)`` float64 arrays."""
    coef = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    return coef.reshape(-1, coef.shape[-1]), intercept.ravel()
