"""
Why log-loss: one bowl, where the squared error has plateaus
============================================================

Logistic regression predicts ``p = sigmoid(m x + b)``. Which cost should a walk
downhill minimise? We draw two over a grid of slopes ``m`` and intercepts ``b``, on
one standardized feature of the breast-cancer data: the log-loss, and the mean
squared error of the sigmoid. On each we follow gradient descent with the same
step from the same corner of the grid.

The log-loss is convex: one bowl, and every start rolls to its bottom. The squared
error of a sigmoid is not: where the sigmoid saturates the surface flattens into
plateaus, its gradient vanishes, and the same steps get stuck far from the minimum.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit, log_expit
from sklearn.datasets import load_breast_cancer

from sklogreg import GDLogisticRegression
from sklogreg.callbacks import IterateHistory
from sklogreg.plotting import plot_landscape

X, y = load_breast_cancer(return_X_y=True)
x = (X[:, 0] - X[:, 0].mean()) / X[:, 0].std()  # "mean radius", standardized

# %%
# Both costs on a grid: ``z[i, j, k] = m_i x_k + b_j``.
slopes = intercepts = np.linspace(-10, 10, 61)
z = slopes[:, None, None] * x + intercepts[None, :, None]
log_loss = -(y * log_expit(z) + (1 - y) * log_expit(-z)).mean(axis=2)
squared_error = ((expit(z) - y) ** 2).mean(axis=2)

# %%
# The estimator's own walk on the log-loss, without penalty (``C=np.inf``) so that
# its objective is exactly the drawn surface, recorded by `IterateHistory`.
history = IterateHistory()
model = GDLogisticRegression(C=np.inf, solver="gd", learning_rate=2.0, tol=1e-6)
model.set_callbacks(history).fit(x[:, None], y)
gd_path = np.column_stack([history.coef_path[:, 0, 0], history.intercept_path[:, 0]])


# %%
# Plain gradient descent on the squared error, with the same step, from (6, 6).
def squared_error_walk(start, learning_rate=2.0, steps=300):
    m, b = start
    path = [(m, b)]
    for _ in range(steps):
        p = expit(m * x + b)
        residual = 2 * (p - y) * p * (1 - p)
        m, b = (
            m - learning_rate * np.mean(residual * x),
            b - learning_rate * residual.mean(),
        )
        path.append((m, b))
    return np.array(path)


mse_path = squared_error_walk((6.0, 6.0))

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5), constrained_layout=True)
plot_landscape(
    slopes,
    intercepts,
    log_loss,
    path=gd_path,
    ax=left,
    title="log-loss: one bowl",
    path_label="GDLogisticRegression",
)
plot_landscape(
    slopes,
    intercepts,
    squared_error,
    path=mse_path,
    ax=right,
    title="squared error of the sigmoid: plateaus",
    path_label="gradient descent",
)
plt.show()

print(
    f"log-loss walk: {model.n_iter_} steps to (m, b) = "
    f"({model.coef_[0, 0]:.3f}, {model.intercept_[0]:.3f}), "
    f"converged: {model.converged_}"
)
print(
    f"squared-error walk: ends at ({mse_path[-1, 0]:.2f}, {mse_path[-1, 1]:.2f}), "
    f"cost {squared_error.min():.4f} at the grid's minimum"
)
