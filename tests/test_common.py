"""scikit-learn's own API checks, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklogreg import GDLogisticRegression


@parametrize_with_checks(
    [
        GDLogisticRegression(),
        GDLogisticRegression(solver="gd"),
        GDLogisticRegression(solver="sgd", random_state=0),
    ],
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
