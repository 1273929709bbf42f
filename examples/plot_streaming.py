"""
Streaming: learning from one chunk at a time
============================================

`partial_fit` takes one chunk per call, so data that do not fit in memory can be
streamed from disk. Here a synthetic set of 20,000 rows arrives in 40 chunks of 500;
after each chunk we score the model on held-out data. One pass reaches the held-out
accuracy of `fit` on everything, which we draw as the line to reach.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

from sklogreg import GDLogisticRegression

X, y = make_classification(
    n_samples=25_000, n_features=20, n_informative=10, n_classes=3, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=5_000, random_state=0
)

stream = GDLogisticRegression(solver="sgd", random_state=0)
scores = []
chunks = zip(np.array_split(X_train, 40), np.array_split(y_train, 40), strict=True)
for X_chunk, y_chunk in chunks:
    stream.partial_fit(X_chunk, y_chunk, classes=[0, 1, 2])
    scores.append(stream.score(X_test, y_test))

whole = GDLogisticRegression().fit(X_train, y_train).score(X_test, y_test)
print(f"after one pass: {scores[-1]:.4f} held-out accuracy; fit on all: {whole:.4f}")

fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
rows_seen = 500 * np.arange(1, len(scores) + 1)
ax.plot(rows_seen, scores, ".-", label="partial_fit, after each chunk")
ax.axhline(whole, color="k", linestyle="--", label="fit on all the training rows")
ax.set_xlabel("training rows seen")
ax.set_ylabel("held-out accuracy")
ax.legend()
plt.show()
