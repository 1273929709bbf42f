"""The benchmark's datasets: embedded in scikit-learn or generated with fixed seeds.

Nothing is downloaded. ``scale`` shrinks the synthetic sets (quick mode, smoke test)
while keeping their shape of problem (tall, wide, sparse, ill-conditioned...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.special import softmax
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.preprocessing import StandardScaler

SEED = 0


@dataclass
class Dataset:
    """One classification problem of the suite, with its regularisation ``C``."""

    name: str
    X: np.ndarray | sparse.csr_matrix
    y: np.ndarray
    description: str
    C: float = 1.0
    # Dense sets large enough to stream from memory get the per-step measures.
    large: bool = False
    tags: list[str] = field(default_factory=list)

    @property
    def n_classes(self) -> int:
        return int(np.unique(self.y).size)

    @property
    def nbytes(self) -> int:
        if sparse.issparse(self.X):
            return self.X.data.nbytes + self.X.indices.nbytes + self.X.indptr.nbytes
        return self.X.nbytes


def _planted_binary(X, rng, intercept=0.3):
    """Labels drawn from a logistic model with random weights: a realistic margin."""
    n_features = X.shape[1]
    weights = rng.standard_normal(n_features)
    margin = np.asarray(X @ weights).ravel()
    margin *= 2.0 / max(float(margin.std()), 1e-12)  # margins of order 2: not separable
    probability = 1.0 / (1.0 + np.exp(-(margin + intercept)))
    return (rng.random(X.shape[0]) < probability).astype(np.int64)


def _planted_multiclass(X, n_classes, rng):
    weights = rng.standard_normal((X.shape[1], n_classes))
    margins = X @ weights
    margins *= 2.0 / margins.std()
    probability = softmax(margins, axis=1)
    cumulative = probability.cumsum(axis=1)
    draw = rng.random((X.shape[0], 1))
    return np.minimum((draw > cumulative).sum(axis=1), n_classes - 1)


def _standardized(X):
    return StandardScaler().fit_transform(X)


def make_datasets(scale: float = 1.0, names: list[str] | None = None) -> list[Dataset]:
    """Build the suite.

    Parameters
    ----------
    scale : float, default=1.0
        Multiplies the number of samples of the synthetic sets (and the features of the
        wide and sparse ones); 1.0 is the full suite.
    names : list of str, optional
        Only these datasets.

    Returns
    -------
    list of Dataset
    """
    builders = {
        "breast_cancer": _breast_cancer,
        "digits": _digits,
        "digits_3v8": _digits_pair,
        "dense_tall": _dense_tall,
        "dense_wide": _dense_wide,
        "multiclass": _multiclass,
        "ill_conditioned": _ill_conditioned,
        "sparse": _sparse,
        "dense_tall_f32": lambda s: _as_float32(_dense_tall(s)),
        "dense_wide_f32": lambda s: _as_float32(_dense_wide(s)),
    }
    # Chosen by name only: the small sets time an iteration's fixed cost, the many
    # classes the growth with K (lbfgs alone takes seconds on them).
    extra = {
        "wine": _small(load_wine, "178x13, 3 classes, standardized"),
        "iris": _small(load_iris, "150x4, 3 classes, standardized"),
        "multiclass_50": lambda s: _many_classes(50, s),
        "multiclass_200": lambda s: _many_classes(200, s),
    }
    selected = names if names else list(builders)
    known = {**builders, **extra}
    unknown = set(selected) - set(known)
    if unknown:
        raise ValueError(f"unknown datasets {sorted(unknown)}; known: {list(known)}")
    return [known[name](scale) for name in selected]


def _small(load, description):
    def build(scale):
        X, y = load(return_X_y=True)
        return Dataset(
            load.__name__.removeprefix("load_"), _standardized(X), y, description
        )

    return build


def _many_classes(n_classes, scale):
    rng = np.random.default_rng(SEED + 6)
    n_samples = max(int(20_000 * scale), 10 * n_classes)
    X = rng.standard_normal((n_samples, 50))
    return Dataset(
        f"multiclass_{n_classes}",
        X,
        _planted_multiclass(X, n_classes, rng),
        f"{n_samples}x50 Gaussian, {n_classes} classes, planted softmax model",
    )


def _breast_cancer(scale):
    X, y = load_breast_cancer(return_X_y=True)
    return Dataset("breast_cancer", _standardized(X), y, "569x30, standardized")


def _digits(scale):
    X, y = load_digits(return_X_y=True)
    return Dataset("digits", _standardized(X), y, "1797x64, 10 classes, standardized")


def _digits_pair(scale):
    X, y = load_digits(return_X_y=True)
    pair = np.isin(y, [3, 8])
    return Dataset(
        "digits_3v8",
        _standardized(X[pair]),
        (y[pair] == 8).astype(np.int64),
        "digits 3 vs 8, standardized",
    )


def _dense_tall(scale):
    rng = np.random.default_rng(SEED + 1)
    n_samples = max(int(125_000 * scale), 200)
    X = rng.standard_normal((n_samples, 100))
    return Dataset(
        "dense_tall",
        X,
        _planted_binary(X, rng),
        f"{n_samples}x100 Gaussian, planted logistic model",
        large=True,
    )


def _dense_wide(scale):
    rng = np.random.default_rng(SEED + 2)
    n_samples = max(int(20_000 * scale), 200)
    n_features = max(int(1_000 * min(1.0, 4 * scale)), 20)
    # Correlated columns (a random mixing of fewer factors) make it less trivial.
    factors = rng.standard_normal((n_samples, n_features // 2))
    mixing = rng.standard_normal((n_features // 2, n_features)) / np.sqrt(n_features)
    X = factors @ mixing + 0.5 * rng.standard_normal((n_samples, n_features))
    return Dataset(
        "dense_wide",
        X,
        _planted_binary(X, rng),
        f"{n_samples}x{n_features} correlated Gaussian, planted logistic model",
        large=True,
    )


def _multiclass(scale):
    rng = np.random.default_rng(SEED + 3)
    n_samples = max(int(20_000 * scale), 300)
    X = rng.standard_normal((n_samples, 50))
    return Dataset(
        "multiclass",
        X,
        _planted_multiclass(X, 5, rng),
        f"{n_samples}x50 Gaussian, 5 classes, planted softmax model",
    )


def _ill_conditioned(scale):
    rng = np.random.default_rng(SEED + 4)
    n_samples = max(int(10_000 * scale), 300)
    n_features = 30
    column_scale = np.logspace(-3, 3, n_features)
    standard = rng.standard_normal((n_samples, n_features)) + rng.standard_normal(
        n_features
    )
    y = _planted_binary(standard, rng)
    return Dataset(
        "ill_conditioned",
        standard * column_scale,
        y,
        f"{n_samples}x{n_features} unscaled: column scales 1e-3..1e3, nonzero means",
    )


def _sparse(scale):
    rng = np.random.default_rng(SEED + 5)
    n_samples = max(int(50_000 * scale), 300)
    n_features = max(int(20_000 * scale), 100)
    density = 1e-3 if scale >= 0.5 else 2e-2
    X = sparse.random(
        n_samples,
        n_features,
        density=density,
        format="csr",
        random_state=rng,
        data_rvs=rng.standard_normal,
        dtype=np.float64,
    )
    return Dataset(
        "sparse",
        X,
        _planted_binary(X, rng),
        f"CSR {n_samples}x{n_features}, density {density:g}, planted logistic model",
    )


def _as_float32(dataset: Dataset) -> Dataset:
    return Dataset(
        dataset.name + "_f32",
        dataset.X.astype(np.float32),
        dataset.y,
        dataset.description + ", float32",
        large=dataset.large,
    )
