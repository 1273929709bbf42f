"""Fits on Array API inputs (array_api_strict, PyTorch) agree with the NumPy fit.

Under ``sklearn.set_config(array_api_dispatch=True)`` the "gd" and "nesterov" solvers
run in the namespace and on the device of ``X``. Each namespace is skipped where its
library is not installed; PyTorch's CUDA device where no GPU is present. The
array_api_strict arrays live on its non-default ``device1``, on which any silent
conversion to NumPy, or any mix with an array left on the default device, raises.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._array_api import device as array_device
from sklearn.utils._array_api import get_namespace, move_to

from sklogreg import GDLogisticRegression, _fitting
from sklogreg._callbacks import CALLBACKS_AVAILABLE
from sklogreg.callbacks import IterateHistory

NAMESPACES_AND_DEVICES = [
    pytest.param("array_api_strict", "device1", id="array_api_strict"),
    pytest.param("torch", "cpu", id="torch-cpu"),
    pytest.param("torch", "cuda", id="torch-cuda"),
]
PENALTIES = {
    "l2": {"C": 1.0},
    "l1": {"C": 0.5, "l1_ratio": 1.0},
    "elastic-net": {"C": 0.5, "l1_ratio": 0.5},
}
# Other parameters that change the code path: each must run on the device too.
OPTIONS = {
    "gd": {"solver": "gd"},
    "bb": {"solver": "bb"},
    "bb-elastic-net": {"solver": "bb", "l1_ratio": 0.5},
    # FISTA with a fixed step ("bb", the default, with a fixed step is "gd").
    "fixed-learning-rate": {"solver": "nesterov", "learning_rate": 0.5},
    "no-intercept": {"fit_intercept": False},
    "no-penalty": {"C": np.inf},
    "balanced-class-weight": {"class_weight": "balanced"},
    "elastic-net-fixed-rate": {
        "solver": "nesterov",
        "learning_rate": 0.5,
        "l1_ratio": 0.5,
    },
}
# tol per dtype, near the gradient resolution of the dtype, and the agreement it
# allows: the iterates of the two fits separate in the last bits from the first
# step on (PyTorch sums in another order than NumPy), so each stops at its own point
# of the tol-ball around the optimum, whose radius in the coefficients is about tol
# over the smallest curvature (measured: at most 5e-9 in float64, 1.1e-4 in float32).
TOL = {"float64": 1e-10, "float32": 1e-6}
ATOL = {"float64": 1e-7, "float32": 5e-4}


def _namespace_and_device(name, device_name):
    """The namespace module and the device to allocate on, or skip."""
    xp = pytest.importorskip(name)
    if name == "array_api_strict":
        return xp, xp.Device(device_name)
    if device_name == "cuda" and not xp.cuda.is_available():
        pytest.skip("PyTorch's CUDA device is not available")
    return xp, device_name


def _problem(n_classes, dtype, seed=0):
    X, y = make_classification(
        n_samples=300,
        n_features=8,
        n_informative=5,
        # No redundant (collinear) features: a well conditioned optimum, so that
        # the tol-ball around it is small in the coefficients too.
        n_redundant=0,
        n_classes=n_classes,
        random_state=seed,
    )
    sample_weight = np.random.default_rng(seed).uniform(0.5, 2.0, size=y.shape[0])
    return X.astype(dtype), y, sample_weight.astype(dtype)


def _to_numpy(array):
    return move_to(array, xp=np, device="cpu")


def _fit_both(name, device_name, estimator_params, n_classes, dtype, y=None):
    """Fit on NumPy (dispatch off) and on the namespace (dispatch on)."""
    xp, device = _namespace_and_device(name, device_name)
    X, y_default, sample_weight = _problem(n_classes, dtype)
    y = y_default if y is None else y
    params = {"tol": TOL[dtype], "max_iter": 20_000, **estimator_params}
    reference = GDLogisticRegression(**params).fit(X, y, sample_weight=sample_weight)
    X_xp = xp.asarray(X, device=device)
    sample_weight_xp = xp.asarray(sample_weight, device=device)
    y_xp = xp.asarray(y, device=device) if y.dtype.kind in "iu" else y
    with config_context(array_api_dispatch=True):
        model = GDLogisticRegression(**params).fit(
            X_xp, y_xp, sample_weight=sample_weight_xp
        )
    with config_context(array_api_dispatch=True):
        # The device as the library reports it (torch.device("cpu"), not "cpu").
        device = array_device(X_xp)
    return reference, model, X, X_xp, device


@pytest.mark.parametrize(("name", "device_name"), NAMESPACES_AND_DEVICES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("penalty", PENALTIES)
def test_fit_matches_numpy_and_stays_in_namespace(
    name, device_name, dtype, n_classes, penalty
):
    reference, model, X, X_xp, device = _fit_both(
        name, device_name, PENALTIES[penalty], n_classes, dtype
    )
    for attribute in ("coef_", "intercept_"):
        fitted = getattr(model, attribute)
        with config_context(array_api_dispatch=True):
            assert get_namespace(fitted)[0] is get_namespace(X_xp)[0]
            assert array_device(fitted) == device
        assert fitted.dtype == X_xp.dtype
        assert_allclose(
            _to_numpy(fitted), getattr(reference, attribute), atol=ATOL[dtype]
        )
    with config_context(array_api_dispatch=True):
        proba = model.predict_proba(X_xp)
        log_proba = model.predict_log_proba(X_xp)
        predicted = model.predict(X_xp)
        assert array_device(proba) == device
        assert array_device(predicted) == device
    assert_allclose(_to_numpy(proba), reference.predict_proba(X), atol=ATOL[dtype])
    assert_allclose(
        np.exp(_to_numpy(log_proba)), reference.predict_proba(X), atol=ATOL[dtype]
    )
    # A label may flip only where the reference itself is undecided.
    margin = np.abs(np.diff(np.sort(reference.predict_proba(X), axis=1)[:, -2:]))
    decided = margin[:, 0] > 10 * ATOL[dtype]
    assert_array_equal(_to_numpy(predicted)[decided], reference.predict(X)[decided])


@pytest.mark.parametrize(("name", "device_name"), NAMESPACES_AND_DEVICES)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("option", OPTIONS)
def test_options_match_numpy(name, device_name, n_classes, option):
    reference, model, X, X_xp, _ = _fit_both(
        name, device_name, OPTIONS[option], n_classes, "float64"
    )
    assert_allclose(_to_numpy(model.coef_), reference.coef_, atol=ATOL["float64"])
    assert_allclose(
        _to_numpy(model.intercept_), reference.intercept_, atol=ATOL["float64"]
    )
    assert model.converged_
    with config_context(array_api_dispatch=True):
        proba = model.predict_proba(X_xp)
    assert_allclose(_to_numpy(proba), reference.predict_proba(X), atol=ATOL["float64"])


@pytest.mark.parametrize(("name", "device_name"), NAMESPACES_AND_DEVICES)
def test_every_fitted_array_but_classes_follows_the_input(name, device_name):
    _, model, _, X_xp, device = _fit_both(name, device_name, {}, 3, "float64")
    for attribute in ("loss_curve_", "gradient_max_curve_", "step_sizes_"):
        fitted = getattr(model, attribute)
        with config_context(array_api_dispatch=True):
            assert get_namespace(fitted)[0] is get_namespace(X_xp)[0]
            assert array_device(fitted) == device
    # Labels are encoded on the host once; classes_ may hold strings.
    assert isinstance(model.classes_, np.ndarray)


@pytest.mark.parametrize(("name", "device_name"), NAMESPACES_AND_DEVICES)
@pytest.mark.parametrize(
    "labels",
    [
        pytest.param(np.array([-3, 5, 11]), id="integers"),
        pytest.param(np.array(["ant", "bee", "cat"]), id="strings"),
    ],
)
def test_predict_returns_the_fitted_labels(name, device_name, labels):
    X, y, _ = _problem(3, "float64")
    reference, model, X, X_xp, device = _fit_both(
        name, device_name, {}, 3, "float64", y=labels[y]
    )
    with config_context(array_api_dispatch=True):
        predicted = model.predict(X_xp)
    assert_array_equal(model.classes_, labels)
    if labels.dtype.kind == "U":
        # Strings have no Array API dtype: they come back as NumPy, as in sklearn.
        assert isinstance(predicted, np.ndarray)
    else:
        with config_context(array_api_dispatch=True):
            assert array_device(predicted) == device
    assert_array_equal(_to_numpy(predicted), reference.predict(X))


@pytest.mark.parametrize(("name", "device_name"), NAMESPACES_AND_DEVICES)
def test_sgd_and_partial_fit_refuse_array_api_input(name, device_name):
    xp, device = _namespace_and_device(name, device_name)
    X, y, _ = _problem(2, "float64")
    X_xp, y_xp = xp.asarray(X, device=device), xp.asarray(y, device=device)
    message = r"supported by fit with solver in \['gd', 'nesterov', 'bb'\]"
    with config_context(array_api_dispatch=True):
        with pytest.raises(ValueError, match=f"solver='sgd'.*{message}"):
            GDLogisticRegression(solver="sgd").fit(X_xp, y_xp)
        with pytest.raises(ValueError, match=f"partial_fit.*{message}"):
            GDLogisticRegression().partial_fit(X_xp, y_xp, classes=[0, 1])


@pytest.mark.parametrize("solver", ["gd", "nesterov", "bb"])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])
def test_solver_loop_copies_nothing_to_the_host(monkeypatch, solver, l1_ratio):
    # array_api_strict refuses np.asarray on device1 already; also forbid the two
    # explicit ways off the device while the solver runs (float() of a 0-d result
    # stays allowed: it is the line search's and the stopping test's scalar).
    xp = pytest.importorskip("array_api_strict")
    X, y, sample_weight = _problem(3, "float64")
    device = xp.Device("device1")
    original_solve = _fitting.solve
    array_type = type(xp.asarray(0.0))

    def forbidden(*args, **kwargs):
        raise AssertionError("an array left the device inside the solver")

    def solve_without_host_copies(*args, **kwargs):
        with monkeypatch.context() as patched:
            patched.setattr(array_type, "__dlpack__", forbidden)
            patched.setattr(array_type, "to_device", forbidden)
            return original_solve(*args, **kwargs)

    monkeypatch.setattr(_fitting, "solve", solve_without_host_copies)
    with config_context(array_api_dispatch=True):
        model = GDLogisticRegression(solver=solver, l1_ratio=l1_ratio).fit(
            xp.asarray(X, device=device),
            xp.asarray(y, device=device),
            sample_weight=xp.asarray(sample_weight, device=device),
        )
    assert model.n_iter_ > 1


@pytest.mark.parametrize("n_classes", [2, 3])
def test_numpy_input_under_dispatch_gives_the_same_fit(n_classes):
    # Dispatch on with NumPy input takes the NumPy code, bit for bit.
    X, y, sample_weight = _problem(n_classes, "float64")
    reference = GDLogisticRegression(l1_ratio=0.5).fit(X, y, sample_weight)
    with config_context(array_api_dispatch=True):
        model = GDLogisticRegression(l1_ratio=0.5).fit(X, y, sample_weight)
        proba = model.predict_proba(X)
    assert_array_equal(model.coef_, reference.coef_)
    assert_array_equal(model.intercept_, reference.intercept_)
    assert_array_equal(proba, reference.predict_proba(X))


@pytest.mark.parametrize(("name", "device_name"), NAMESPACES_AND_DEVICES)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_warm_start_objective_and_warnings_work_on_the_device(
    name, device_name, n_classes
):
    xp, device = _namespace_and_device(name, device_name)
    X, y, _ = _problem(n_classes, "float64")
    X_xp, y_xp = xp.asarray(X, device=device), xp.asarray(y, device=device)
    reference = GDLogisticRegression(max_iter=2)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        reference.fit(X, y)
    model = GDLogisticRegression(max_iter=2, warm_start=True)
    with config_context(array_api_dispatch=True):
        with pytest.warns(ConvergenceWarning, match="did not converge"):
            model.fit(X_xp, y_xp)
        # The second fit starts where the first stopped: one iteration more.
        model.set_params(max_iter=1000).fit(X_xp, y_xp)
        objective = model.objective(X_xp, y_xp)
        with pytest.raises(ValueError, match=r"learning_rate=1000000\.0 is too large"):
            GDLogisticRegression(learning_rate=1e6).fit(X_xp, y_xp)
    assert_allclose(
        _to_numpy(model.loss_curve_)[0], reference.loss_curve_[-1], rtol=1e-12
    )
    assert objective == pytest.approx(_to_numpy(model.loss_curve_)[-1], rel=1e-12)


@pytest.mark.parametrize("margin", [-800.0, -40.0, -1e-3, 0.0, 1e-3, 40.0, 800.0])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_probabilities_stay_finite_and_exact_at_extreme_margins(margin, n_classes):
    # The Array API code has its own overflow-free formulas (no scipy.special):
    # they must agree with the NumPy path where a naive exp would overflow.
    xp = pytest.importorskip("array_api_strict")
    device = xp.Device("device1")
    X = np.array([[margin], [-margin], [0.5 * margin]])
    y = np.arange(3) % n_classes
    model = GDLogisticRegression().fit(X, y)
    model.coef_ = (
        np.ones_like(model.coef_) * np.linspace(1, 2, model.coef_.shape[0])[:, None]
    )
    model.intercept_ = np.zeros_like(model.intercept_)
    model_xp = GDLogisticRegression()
    model_xp.__dict__.update(model.__dict__)
    model_xp.coef_ = xp.asarray(model.coef_, device=device)
    model_xp.intercept_ = xp.asarray(model.intercept_, device=device)
    with config_context(array_api_dispatch=True):
        X_xp = xp.asarray(X, device=device)
        proba = _to_numpy(model_xp.predict_proba(X_xp))
        log_proba = _to_numpy(model_xp.predict_log_proba(X_xp))
    assert np.isfinite(log_proba).all()
    assert_allclose(proba, model.predict_proba(X), rtol=1e-12, atol=1e-300)
    # Near 0 a log-probability is -sum(other probabilities): SciPy's log_softmax is
    # itself only good to ~1e-16 absolutely there; a naive log(sum(exp)) is 3e-15 off.
    assert_allclose(log_proba, model.predict_log_proba(X), rtol=1e-7, atol=1e-15)


@pytest.mark.parametrize("device_name", ["cpu", "cuda"])
def test_input_that_requires_grad_is_fitted_without_an_autograd_graph(device_name):
    torch, device = _namespace_and_device("torch", device_name)
    X, y, sample_weight = _problem(3, "float64")
    X_t = torch.asarray(X, device=device).requires_grad_(True)
    weight_t = torch.asarray(sample_weight, device=device).requires_grad_(True)
    y_t = torch.asarray(y, device=device)
    saved = []

    def pack(tensor):
        saved.append(tensor.shape)
        return tensor

    # Autograd saves tensors for backward on every operation it records.
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        with config_context(array_api_dispatch=True):
            model = GDLogisticRegression().fit(X_t, y_t, sample_weight=weight_t)
            # The ConvergenceWarning's hints read X on the host.
            with pytest.warns(ConvergenceWarning, match="did not converge"):
                GDLogisticRegression(max_iter=2).fit(X_t, y_t)
            reference = GDLogisticRegression().fit(
                X_t.detach(), y_t, sample_weight=weight_t.detach()
            )
    assert saved == []
    assert model.coef_.grad_fn is None and not model.coef_.requires_grad
    assert model.loss_curve_.grad_fn is None
    assert X_t.requires_grad and weight_t.requires_grad  # the input is left alone
    assert torch.equal(model.coef_, reference.coef_)


@pytest.mark.parametrize(("name", "device_name"), NAMESPACES_AND_DEVICES)
@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function"]
)
def test_numpy_input_without_dispatch_names_where_the_model_lives(
    name, device_name, method
):
    from sklearn.utils._array_api import move_estimator_to

    xp, device = _namespace_and_device(name, device_name)
    X, y, _ = _problem(2, "float64")
    with config_context(array_api_dispatch=True):
        model = GDLogisticRegression().fit(
            xp.asarray(X, device=device), xp.asarray(y, device=device)
        )
        expected = _to_numpy(getattr(model, method)(xp.asarray(X, device=device)))
    message = (
        rf"fitted on {name} arrays \(coef_: {name}\.\w+ on .+\), and {method} got "
        r"input without array_api_dispatch.*array_api_dispatch=True.*move_estimator_to"
    )
    with pytest.raises(ValueError, match=message):
        getattr(model, method)(X)
    # The way out the message gives works.
    moved = move_estimator_to(model, np, "cpu")
    assert_allclose(getattr(moved, method)(X), expected, rtol=1e-12)


@pytest.mark.skipif(not CALLBACKS_AVAILABLE, reason="needs scikit-learn >= 1.9")
def test_callbacks_see_the_iterates_of_a_torch_fit():
    # The per-iteration callback copies the iterate in its own namespace.
    torch = pytest.importorskip("torch")
    X, y, _ = _problem(2, "float64")
    history = IterateHistory()
    with config_context(array_api_dispatch=True):
        model = GDLogisticRegression().set_callbacks(history)
        model.fit(torch.asarray(X), torch.asarray(y))
    assert len(history.coef_path) == model.n_iter_ + 1
