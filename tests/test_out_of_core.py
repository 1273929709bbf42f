"""The out-of-core recipe of docs/streaming.md: an on-disk .npy through partial_fit."""

import tracemalloc

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklogreg import GDLogisticRegression

CHUNK_ROWS = 2_000
N_FEATURES = 20


def chunks(path, chunk_rows=CHUNK_ROWS):
    """Row chunks of an on-disk .npy, one in memory at a time."""
    data = np.load(path, mmap_mode="r")  # nothing is read yet
    for start in range(0, data.shape[0], chunk_rows):
        # np.array copies just these rows off the disk; the previous chunk is freed
        # when the name is rebound.
        yield np.array(data[start : start + chunk_rows])


def fit_out_of_core(X_path, y_path, classes, passes=1):
    """The recipe: one pass to standardize, then passes of partial_fit."""
    scaler = StandardScaler()
    for X_chunk in chunks(X_path):
        scaler.partial_fit(X_chunk)
    model = GDLogisticRegression(solver="sgd", C=1.0 / passes, random_state=0)
    for _ in range(passes):
        for X_chunk, y_chunk in zip(chunks(X_path), chunks(y_path), strict=True):
            model.partial_fit(scaler.transform(X_chunk), y_chunk, classes=classes)
    return make_pipeline(scaler, model)


def write_problem(directory, n_samples, n_classes=3, seed=0):
    X, y = make_classification(
        n_samples + 5_000,
        N_FEATURES,
        n_informative=10,
        n_classes=n_classes,
        random_state=seed,
    )
    # Unstandardized columns, so that the scaler pass matters.
    X = X * np.linspace(0.1, 10, N_FEATURES) + np.linspace(-5, 5, N_FEATURES)
    np.save(directory / "X.npy", X[:n_samples])
    np.save(directory / "y.npy", y[:n_samples])
    return X[:n_samples], y[:n_samples], X[n_samples:], y[n_samples:]


@pytest.mark.parametrize("n_classes", [2, 3])
def test_out_of_core_reaches_the_accuracy_of_fit(tmp_path, n_classes):
    X, y, X_test, y_test = write_problem(tmp_path, 40_000, n_classes)
    in_memory = make_pipeline(StandardScaler(), GDLogisticRegression()).fit(X, y)
    streamed = fit_out_of_core(tmp_path / "X.npy", tmp_path / "y.npy", np.unique(y))
    assert streamed.score(X_test, y_test) >= in_memory.score(X_test, y_test) - 0.01


def peak_traced_memory(function, *args):
    """Peak bytes allocated (NumPy arrays included) while ``function`` runs."""
    tracemalloc.start()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_does_not_grow_with_the_file(tmp_path):
    peaks, file_sizes = [], []
    for n_samples in (20_000, 80_000):
        directory = tmp_path / str(n_samples)
        directory.mkdir()
        write_problem(directory, n_samples)
        file_sizes.append((directory / "X.npy").stat().st_size)
        peaks.append(
            peak_traced_memory(
                fit_out_of_core, directory / "X.npy", directory / "y.npy", [0, 1, 2]
            )
        )
    chunk_bytes = CHUNK_ROWS * N_FEATURES * 8
    # Four times the data, the same peak: a few chunks' worth, never the file.
    assert peaks[1] < 1.1 * peaks[0]
    assert peaks[1] < 8 * chunk_bytes < file_sizes[1] / 2
