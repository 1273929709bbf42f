"""scikit-learn's own API checks, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklogreg import GDLogisticRegression, GDLogisticRegressionCV


@parametrize_with_checks(
    [
        GDLogisticRegression(),
        GDLogisticRegression(solver="gd"),
        GDLogisticRegression(solver="sgd", random_state=0),
        # A small grid and three folds keep the checks quick; the defaults are
        # exercised in tests/test_cv.py.
        GDLogisticRegressionCV(Cs=3, cv=3),
    ],
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
