"""ONNX export, checked by running the exported graph in onnxruntime.

The oracle is the fitted model itself: onnxruntime's labels must equal ``predict``'s
and its probabilities ``predict_proba``'s to 1e-5 (the graph computes in float32).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklogreg import GDLogisticRegression

skl2onnx = pytest.importorskip("skl2onnx")
onnxruntime = pytest.importorskip("onnxruntime")
sklogreg_onnx = pytest.importorskip("sklogreg.onnx")

ATOL = 1e-5


def _problem(n_classes, seed=0):
    X, y = make_classification(
        n_samples=200,
        n_features=8,
        n_informative=5,
        n_classes=n_classes,
        random_state=seed,
    )
    # Unscaled, off-centre columns: the pipeline's scaler has work to do.
    X = X * np.arange(1, 9) * 10 + 50
    return X, np.array(["ant", "bee", "cat", "dog"])[y]


def _run(onnx_model, X):
    session = onnxruntime.InferenceSession(
        onnx_model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    input_name = session.get_inputs()[0].name
    return session.run(None, {input_name: X.astype(np.float32)})


def _as_array(probabilities, classes):
    """A ZipMap output (one dict per row) as an array with columns in ``classes``."""
    if isinstance(probabilities, np.ndarray):
        return probabilities
    return np.array([[row[label] for label in classes] for row in probabilities])


def _by_sklogreg(model, X):
    return sklogreg_onnx.to_onnx(model, X)


def _by_skl2onnx(model, X):
    return skl2onnx.to_onnx(model, X[:1].astype(np.float32))


CONVERSIONS = {"sklogreg.onnx.to_onnx": _by_sklogreg, "skl2onnx.to_onnx": _by_skl2onnx}


@pytest.mark.parametrize("convert", CONVERSIONS.values(), ids=list(CONVERSIONS))
@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize(
    "params",
    [{}, {"C": 0.1, "l1_ratio": 1.0}, {"fit_intercept": False}],
    ids=["l2", "l1", "no-intercept"],
)
def test_pipeline_in_onnxruntime_predicts_what_it_predicts(convert, n_classes, params):
    X, y = _problem(n_classes)
    pipeline = make_pipeline(StandardScaler(), GDLogisticRegression(**params))
    pipeline.fit(X, y)
    labels, probabilities = _run(convert(pipeline, X), X)
    assert_array_equal(labels, pipeline.predict(X))
    assert_allclose(
        _as_array(probabilities, pipeline.classes_),
        pipeline.predict_proba(X),
        rtol=0,
        atol=ATOL,
    )


@pytest.mark.parametrize("n_classes", [2, 3])
def test_bare_and_sparsified_estimators_export(n_classes):
    X, y = _problem(n_classes)
    X = StandardScaler().fit_transform(X)
    model = GDLogisticRegression(C=0.05, l1_ratio=1.0).fit(X, y)
    expected = model.predict_proba(X)
    model.sparsify()
    labels, probabilities = _run(sklogreg_onnx.to_onnx(model, X), X)
    assert_array_equal(labels, model.predict(X))
    assert_allclose(_as_array(probabilities, model.classes_), expected, atol=ATOL)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("key", ["class", "instance"])
def test_converter_options_reach_the_linear_classifier(n_classes, key):
    X, y = _problem(n_classes)
    X = StandardScaler().fit_transform(X)
    model = GDLogisticRegression().fit(X, y)
    options = {"raw_scores": True, "zipmap": False}
    onnx_model = sklogreg_onnx.to_onnx(
        model,
        X,
        options={GDLogisticRegression if key == "class" else id(model): options},
    )
    _, scores = _run(onnx_model, X)
    assert isinstance(scores, np.ndarray)
    expected = model.decision_function(X)
    assert_allclose(scores[:, -1] if n_classes == 2 else scores, expected, atol=1e-4)
