"""Export to ONNX: a fitted `GDLogisticRegression`, or a Pipeline holding one.

Importing this module registers a converter for `GDLogisticRegression` with
skl2onnx, so that ``skl2onnx.to_onnx(pipeline, X[:1])`` converts any pipeline that
contains the estimator; `to_onnx` is that call, with the input made float32. Needs
``pip install "sklogreg[onnx]"`` (skl2onnx and onnxruntime).

The estimator predicts what scikit-learn's ``LogisticRegression`` with the same
coefficients predicts (see `GDLogisticRegression.as_sklearn`), so its converter is
skl2onnx's own for that class, applied to ``as_sklearn()``: one ``LinearClassifier``
node, the logistic function for two classes and the softmax for more. The graph's
outputs are those of a converted ``LogisticRegression``: ``label`` and
``probabilities`` (a list of dicts unless ``options={"zipmap": False}``).
"""

from __future__ import annotations

try:
    import skl2onnx
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
    )
    from skl2onnx.operator_converters.linear_classifier import (
        convert_sklearn_linear_classifier,
    )
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "sklogreg.onnx needs skl2onnx (and onnxruntime to run the model): "
        'pip install "sklogreg[onnx]".'
    ) from error

import numpy as np
from scipy import sparse

from ._logistic import GDLogisticRegression

__all__ = ["to_onnx"]

# The options skl2onnx's converter of LogisticRegression accepts; ours are the same.
CONVERTER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [True, False],
    "output_class_labels": [False, True],
    "raw_scores": [True, False],
}


def to_onnx(model, X, **kwargs):
    """Convert a fitted estimator or pipeline to an ONNX model.

    Parameters
    ----------
    model : GDLogisticRegression or sklearn.pipeline.Pipeline
        A fitted `GDLogisticRegression`, or a fitted pipeline (or any estimator
        skl2onnx converts) containing one.
    X : array-like of shape (n_samples, n_features)
        Sample input: its first row fixes the graph's input, converted to float32
        (the precision of ONNX's ``LinearClassifier``).
    **kwargs
        Passed on to ``skl2onnx.to_onnx``: ``options`` (for example
        ``{"zipmap": False}`` for a plain probability array), ``target_opset``...

    Returns
    -------
    onnx_model : onnx.ModelProto
        Run it with ``onnxruntime.InferenceSession(onnx_model.SerializeToString())``;
        its outputs are ``label`` and ``probabilities``.
    """
    sample = X[:1]
    if sparse.issparse(sample):
        sample = sample.toarray()
    sample = np.asarray(sample, dtype=np.float32)
    return skl2onnx.to_onnx(model, sample, **kwargs)


def convert_gd_logistic_regression(scope, operator, container) -> None:
    """skl2onnx converter: that of ``LogisticRegression``, on ``as_sklearn()``."""
    model = operator.raw_operator
    lr = model.as_sklearn().densify()
    options = container.options
    if options:
        # Options given for our class or instance apply to the converted copy.
        options[id(lr)] = {**options.get(type(model), {}), **options.get(id(model), {})}
    operator.raw_operator = lr
    try:
        convert_sklearn_linear_classifier(scope, operator, container)
    finally:
        operator.raw_operator = model
        if options:
            options.pop(id(lr), None)


skl2onnx.update_registered_converter(
    GDLogisticRegression,
    "SklogregGDLogisticRegression",
    calculate_linear_classifier_output_shapes,
    convert_gd_logistic_regression,
    options=CONVERTER_OPTIONS,
)
