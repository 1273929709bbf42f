"""One feature and its two-class labels as a few weighted points, at any sample size.

``landscape`` evaluates two costs at every point of a 201 x 201 grid. Each cost is a
mean over samples of a function of ``z = m x + b`` and ``y``, so it depends on the data
only through the ``(x, y)`` pairs and how often each occurs: samples with the same pair
can be counted once, with their count as a weight, and the costs do not change.

When there are still too many distinct pairs (a continuous feature of a large file),
the values are cut into bins, and each class's samples in a bin stand at their mean,
with their count as weight. The bins' edges are quantiles of ``x`` (narrow where the
samples are dense, whatever the outliers) and equal steps across its range (so that
no bin is wide where one class is sparse but the other is not). The result is itself a
weighted data set: its log-loss is exactly convex, as every log-loss is. Its costs are
close to the exact ones: by Taylor's theorem around a bin's mean, where the first-order
terms cancel,

    |J_binned(m, b) - J(m, b)| <= 1/2 * max|f''| * m^2 * W,

with ``f`` a sample's cost as a function of ``z``, ``max|f''| <= 1/4`` for both costs
(log-loss: ``p (1 - p)``; MSE of the sigmoid: about 0.154), and ``W`` the mean squared
distance of a sample to its point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MAX_POINTS", "FeatureSummary", "summarize_feature"]

# The grid's work is (grid points) x (points): 201^2 x 1024 evaluations take a second
# or two. On 200,000 samples of a standardized normal feature, costs on 1024 points
# were within 3e-5 of the exact ones over m and b in [-10, 10].
MAX_POINTS = 1024
# The largest |d^2 f / dz^2| of a sample's log-loss or MSE of the sigmoid.
COST_CURVATURE_BOUND = 0.25


@dataclass(frozen=True)
class FeatureSummary:
    """Weighted ``(x, y)`` points standing for every sample of one feature."""

    x: np.ndarray
    """The points' feature values."""
    y: np.ndarray
    """Their labels, 0.0 or 1.0."""
    weight: np.ndarray
    """How many samples each point stands for."""
    n_bins: int
    """How many bins of ``x`` the points are means of; 0 for the distinct pairs."""
    spread: float
    """Mean squared distance of a sample to its point: 0 for the distinct pairs."""

    @property
    def n_samples(self) -> int:
        """The number of samples summarised."""
        return int(self.weight.sum())

    def cost_error_bound(self, max_slope: float) -> float:
        """How far a cost on these points can be from the exact one, for |m| <= this."""
        return 0.5 * COST_CURVATURE_BOUND * max_slope**2 * self.spread


def summarize_feature(
    x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS
) -> FeatureSummary:
    """Count repeated ``(x, y)`` pairs, and bin the values when that is not enough.

    Parameters
    ----------
    x : ndarray of shape (n_samples,)
        The feature.
    y : ndarray of shape (n_samples,)
        Labels in {0, 1}.
    max_points : int, default=MAX_POINTS
        The most points to return; at least 8.

    Returns
    -------
    FeatureSummary
        The distinct pairs with their counts (``spread == 0``: the costs are exact),
        or, with more than ``max_points`` of them, each class's mean and count in
        fewer than ``max_points / 2`` bins of ``x``.
    """
    labels = [label for label in (0.0, 1.0) if (y == label).any()]
    distinct = [
        (label, *np.unique(x[y == label], return_counts=True)) for label in labels
    ]
    if sum(values.size for _, values, _ in distinct) <= max_points:
        return _joined(distinct, n_bins=0, spread=0.0)
    # Inner edges only: at most max_points / 2 - 1 bins, two points (classes) each.
    steps = max_points // 4
    inner = np.unique(
        np.concatenate(
            [
                np.quantile(x, np.linspace(0, 1, steps + 1)[1:-1]),
                np.linspace(x.min(), x.max(), steps + 1)[1:-1],
            ]
        )
    )
    where = np.searchsorted(inner, x, side="right")
    parts, squares = [], 0.0
    for label in labels:
        means, counts, spread = _class_means(x, where, y == label, inner.size + 1)
        parts.append((label, means, counts))
        squares += spread
    return _joined(parts, n_bins=inner.size + 1, spread=squares / x.size)


def _joined(parts, n_bins: int, spread: float) -> FeatureSummary:
    """One summary of ``(label, values, counts)`` per class."""
    return FeatureSummary(
        x=np.concatenate([values for _, values, _ in parts]),
        y=np.concatenate([np.full(values.size, label) for label, values, _ in parts]),
        weight=np.concatenate([counts for _, _, counts in parts]).astype(float),
        n_bins=n_bins,
        spread=spread,
    )


def _class_means(x, where, in_class, n_bins):
    """One class's mean and count in each bin it occupies, and its squared spread."""
    counts = np.bincount(where[in_class], minlength=n_bins).astype(float)
    sums = np.bincount(where[in_class], weights=x[in_class], minlength=n_bins)
    occupied = counts > 0
    means = np.zeros(n_bins)
    means[occupied] = sums[occupied] / counts[occupied]
    squares = float(((x[in_class] - means[where[in_class]]) ** 2).sum())
    return means[occupied], counts[occupied], squares
