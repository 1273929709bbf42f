"""Logistic regression trained by gradient descent, as a scikit-learn estimator.

The estimators are `GDLogisticRegression` and `GDLogisticRegressionCV`; their
objective is stated once, in `sklogreg._objective`.
"""

from ._cv import GDLogisticRegressionCV
from ._logistic import GDLogisticRegression

# The public name is the one pickle, skops.io's trusted types and the documentation
# use: it stays the same whichever private module defines the class.
GDLogisticRegression.__module__ = __name__
GDLogisticRegressionCV.__module__ = __name__

__all__ = ["GDLogisticRegression", "GDLogisticRegressionCV", "__version__"]
__version__ = "0.1.0"
