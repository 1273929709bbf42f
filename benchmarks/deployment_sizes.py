"""File sizes of one breast_cancer model saved by pickle, skops.io and ONNX.

The model is ``GDLogisticRegression()`` with its defaults, fitted on all 569 rows of
scikit-learn's breast-cancer data (30 features, 2 classes), once bare on the
standardized features and once as a ``make_pipeline(StandardScaler(),
GDLogisticRegression())`` on the raw ones. Each is written to a file in a temporary
directory: ``pickle.dump`` (highest protocol), ``skops.io.dump`` (its default, an
uncompressed zip, and with ``compression=ZIP_DEFLATED``), and the serialized ONNX
model of ``sklogreg.onnx.to_onnx``. Sizes are in bytes; they vary a little with the
library versions, not with the machine.

Run:  python -m benchmarks.deployment_sizes   (needs pip install -e ".[persist,onnx]")
"""

from __future__ import annotations

import pickle
import tempfile
import zipfile
from pathlib import Path

import skops.io as sio
from sklearn.datasets import load_breast_cancer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklogreg import GDLogisticRegression
from sklogreg.onnx import to_onnx


def file_sizes(model, X, directory: Path) -> dict[str, int]:
    """Bytes of ``model`` written each way to files in ``directory``."""
    paths = {
        "pickle": directory / "model.pkl",
        "skops": directory / "model.skops",
        "skops (deflated)": directory / "model-deflated.skops",
        "onnx": directory / "model.onnx",
    }
    with open(paths["pickle"], "wb") as file:
        pickle.dump(model, file, protocol=pickle.HIGHEST_PROTOCOL)
    sio.dump(model, paths["skops"])
    sio.dump(model, paths["skops (deflated)"], compression=zipfile.ZIP_DEFLATED)
    paths["onnx"].write_bytes(to_onnx(model, X).SerializeToString())
    return {name: path.stat().st_size for name, path in paths.items()}


def main() -> None:
    """Print one row per model: its file size in each format."""
    X, y = load_breast_cancer(return_X_y=True)
    pipeline = make_pipeline(StandardScaler(), GDLogisticRegression()).fit(X, y)
    X_scaled = StandardScaler().fit_transform(X)
    bare = GDLogisticRegression().fit(X_scaled, y)
    with tempfile.TemporaryDirectory() as directory:
        rows = {
            "GDLogisticRegression (standardized X)": file_sizes(
                bare, X_scaled, Path(directory)
            ),
            "StandardScaler + GDLogisticRegression": file_sizes(
                pipeline, X, Path(directory)
            ),
        }
    formats = list(next(iter(rows.values())))
    print("| model | " + " | ".join(formats) + " |")
    print("|---|" + "---:|" * len(formats))
    for name, sizes in rows.items():
        print(f"| {name} | " + " | ".join(f"{sizes[f]:,}" for f in formats) + " |")


if __name__ == "__main__":
    main()
