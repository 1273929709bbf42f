"""
The learning rate: too small crawls, too large diverges
=======================================================

Plain gradient descent, ``solver="gd"``, takes the step ``learning_rate`` exactly as
given. We fit the same standardized breast-cancer data with a sweep of rates and
draw each fit's ``loss_curve_``: the objective after every iteration. A small rate
walks downhill slowly; a larger one gets there in fewer steps; too large a rate
overshoots the valley and bounces across it, the objective stuck high; larger still
and the objective blows up: the estimator stops with a ``ValueError`` that names the
safe step ``1 / L`` (with which every step is guaranteed to go downhill) instead of
returning NaN coefficients. ``learning_rate="auto"`` (the default) needs no sweep:
it starts at ``1 / L`` and adapts the step to the curvature it meets.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklogreg import GDLogisticRegression
from sklogreg.plotting import plot_loss_curve

X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X)

fig, ax = plt.subplots(figsize=(7, 4.5), constrained_layout=True)
for learning_rate in [0.1, 1.0, 10.0, 30.0, 100.0, 300.0]:
    model = GDLogisticRegression(solver="gd", learning_rate=learning_rate, max_iter=200)
    try:
        with warnings.catch_warnings():
            # The small rates run out of iterations: that is the point of the sweep.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
    except ValueError as error:
        print(f"learning_rate={learning_rate}: {error}")
        continue
    plot_loss_curve(model, ax=ax, label=f"learning_rate={learning_rate}")
    print(
        f"learning_rate={learning_rate}: {model.n_iter_} iterations, "
        f"objective {model.loss_curve_[-1]:.5f}, converged: {model.converged_}"
    )

auto = GDLogisticRegression(solver="gd").fit(X, y)
plot_loss_curve(auto, ax=ax, color="k", linestyle="--", label='"auto"')
ax.set_yscale("log")
ax.set_title("loss_curve_ of solver='gd' for each learning rate")
ax.legend()
plt.show()
