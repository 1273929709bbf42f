"""Saving and loading a model with skops.io (trusting only our type) and pickle.

The oracle: the loaded model predicts what the saved one predicts, bit for bit, and a
stream saved between two `partial_fit` calls continues as if it had not been saved.
"""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_iris

from sklogreg import GDLogisticRegression

sio = pytest.importorskip("skops.io")

TRUSTED = ["sklogreg.GDLogisticRegression"]
X, Y = load_iris(return_X_y=True)
LABELS = np.array(["setosa", "versicolor", "virginica"])[Y]
FIRST, REST = slice(0, None, 2), slice(1, None, 2)  # each half holds every class


def _fitted():
    return GDLogisticRegression(C=0.5).fit(X, LABELS)


def _with_feature_names():
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    return GDLogisticRegression().fit(frame, Y)


def _sgd_with_early_stopping():
    model = GDLogisticRegression(
        solver="sgd", early_stopping=True, class_weight={"setosa": 2.0}, random_state=0
    )
    return model.fit(X, LABELS)


def _sparsified():
    return GDLogisticRegression(C=0.1, l1_ratio=1.0).fit(X, Y).sparsify()


def _mid_stream(solver):
    def start():
        model = GDLogisticRegression(solver=solver, random_state=0)
        return model.partial_fit(X[FIRST], Y[FIRST], classes=[0, 1, 2])

    return start


MODELS = {
    "fitted": _fitted,
    "feature-names": _with_feature_names,
    "sgd-early-stopping": _sgd_with_early_stopping,
    "sparsified": _sparsified,
    "mid-stream-sgd": _mid_stream("sgd"),
    "mid-stream-gd": _mid_stream("gd"),
}
STREAMS = ["mid-stream-sgd", "mid-stream-gd"]


def _skops_round_trip(model):
    return sio.loads(sio.dumps(model), trusted=TRUSTED)


def _pickle_round_trip(model):
    return pickle.loads(pickle.dumps(model))


ROUND_TRIPS = {"skops": _skops_round_trip, "pickle": _pickle_round_trip}


@pytest.mark.parametrize("make", MODELS.values(), ids=list(MODELS))
def test_skops_finds_no_untrusted_type_but_ours(make):
    assert sio.get_untrusted_types(data=sio.dumps(make())) == TRUSTED


def test_skops_refuses_to_load_our_type_untrusted():
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match="sklogreg"):
        sio.loads(sio.dumps(_fitted()), trusted=[])


@pytest.mark.parametrize("round_trip", ROUND_TRIPS.values(), ids=list(ROUND_TRIPS))
@pytest.mark.parametrize("make", MODELS.values(), ids=list(MODELS))
def test_loaded_model_predicts_what_the_saved_one_predicts(make, round_trip):
    model = make()
    loaded = round_trip(model)
    assert type(loaded) is GDLogisticRegression
    assert loaded.get_params() == model.get_params()
    data = X if not hasattr(model, "feature_names_in_") else _with_names(X, model)
    for method in ("decision_function", "predict_proba", "predict"):
        assert_array_equal(getattr(loaded, method)(data), getattr(model, method)(data))
    assert type(loaded.coef_) is type(model.coef_)


def _with_names(data, model):
    import pandas

    return pandas.DataFrame(data, columns=model.feature_names_in_)


@pytest.mark.parametrize("round_trip", ROUND_TRIPS.values(), ids=list(ROUND_TRIPS))
@pytest.mark.parametrize("name", STREAMS)
def test_stream_saved_mid_way_continues_as_if_never_saved(name, round_trip):
    model = MODELS[name]()
    loaded = round_trip(model)
    for stream in (model, loaded):
        stream.partial_fit(X[REST], Y[REST])
        stream.partial_fit(X[FIRST], Y[FIRST])
    assert_array_equal(loaded.coef_, model.coef_)
    assert_array_equal(loaded.intercept_, model.intercept_)
    assert_array_equal(loaded.loss_curve_, model.loss_curve_)
    assert loaded.n_iter_ == model.n_iter_ == 3


def test_saving_leaves_the_model_unchanged():
    model = MODELS["mid-stream-sgd"]()
    reference = MODELS["mid-stream-sgd"]()
    sio.dumps(model)
    pickle.dumps(model)
    for stream in (model, reference):
        stream.partial_fit(X[REST], Y[REST])
    assert_array_equal(model.coef_, reference.coef_)
