"""
Stopping a fit: early stopping and a callback
=============================================

Two ways to stop before ``tol`` holds. With ``early_stopping=True`` (any solver)
the estimator holds out a stratified ``validation_fraction`` and stops once its
accuracy has not improved for ``n_iter_no_change`` iterations (epochs for "sgd"),
with ``stop_reason_ == "early_stopping"``, returning the best-scoring coefficients;
``validation_scores_`` holds the held-out accuracy of every iteration. And any fit
stops cleanly when a callback's ``on_fit_task_end`` returns ``True`` (scikit-learn
>= 1.9 callbacks): here one that stops once the objective gains less than 1e-4 in an
iteration, leaving a usable model with ``stop_reason_ == "callback"``.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import make_classification

from sklogreg import GDLogisticRegression
from sklogreg.plotting import plot_loss_curve, plot_validation_curve

X, y = make_classification(n_samples=4_000, n_features=20, flip_y=0.1, random_state=0)

early = GDLogisticRegression(
    solver="sgd", early_stopping=True, n_iter_no_change=3, random_state=0
).fit(X, y)
full = GDLogisticRegression(solver="sgd", random_state=0).fit(X, y)
print(
    f"early stopping: {early.stop_reason_} after {early.n_iter_} epochs; "
    f"without it: {full.stop_reason_} after {full.n_iter_} iterations"
)


class StopWhenFlat:
    """Stop when an iteration lowers the objective by less than ``min_gain``."""

    def __init__(self, X, y, min_gain=1e-4):
        self.X, self.y, self.min_gain = X, y, min_gain

    def setup(self, estimator, context):
        self.values = []

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None, **kwargs):
        if fitted_estimator is None:  # the fit's own task, not an iteration's
            return False
        self.values.append(fitted_estimator.objective(self.X, self.y))
        return (
            len(self.values) > 1 and self.values[-2] - self.values[-1] < self.min_gain
        )


stopper = StopWhenFlat(X, y)
stopped = GDLogisticRegression(solver="gd", learning_rate=0.5, tol=1e-8)
stopped.set_callbacks(stopper).fit(X, y)
print(f"callback: {stopped.stop_reason_} after {stopped.n_iter_} iterations")

early_gd = GDLogisticRegression(
    solver="gd", learning_rate=0.5, early_stopping=True, tol=1e-4, random_state=0
).fit(X, y)
print(
    f"gd with early stopping: best held-out accuracy "
    f"{early_gd.best_validation_score_:.4f} after {early_gd.n_iter_} iterations"
)

fig, (left, middle, right) = plt.subplots(
    1, 3, figsize=(15, 4), constrained_layout=True
)
plot_loss_curve(full, ax=left, label="to tol: epochs, then full gradients")
plot_loss_curve(early, ax=left, marker="o", label="early_stopping=True")
left.set_yscale("log")
left.set_xlabel("epoch or iteration")
left.set_title("solver='sgd'")
left.legend()
plot_validation_curve(early_gd, ax=middle)
middle.set_title("gd: training objective and held-out accuracy")
plot_loss_curve(stopped, ax=right)
right.set_title("gd stopped by a callback when the objective flattens")
plt.show()
