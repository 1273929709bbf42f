"""Logistic regression trained by gradient descent, as a scikit-learn estimator.

The estimator is `GDLogisticRegression`; its objective is stated once, in
`sklogreg._objective`.
"""

from ._cv import GDLogisticRegressionCV
from ._logistic import GDLogisticRegression

__all__ = ["GDLogisticRegression", "GDLogisticRegressionCV", "__version__"]
__version__ = "0.1.0"
