"""Logistic regression trained by gradient descent, as a scikit-learn estimator.

The estimator is `GDLogisticRegression`; its objective is stated once, in
`sklogreg._objective`.
"""

from ._logistic import GDLogisticRegression

__all__ = ["GDLogisticRegression", "__version__"]
__version__ = "0.1.0"
