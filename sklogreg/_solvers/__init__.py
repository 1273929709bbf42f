"""First-order solvers for composite objectives ``F(w) = f(A w, w) + g(w)``.

* `_base`: the objective interface, what a solver reports, how it fails;
* `_loop`: the ``init`` / ``update`` loop every solver runs, with its observers;
* `_observers`: progress lines, callbacks, the divergence guard, early stopping,
  the clock;
* `_step_rules`: fixed and backtracking (Barzilai-Borwein) steps;
* `_schedules`: learning-rate schedules and heavy-ball momentum for "gd";
* `_proximal_gradient`: "gd" and "nesterov" (FISTA with adaptive restart);
* `_barzilai_borwein`: "bb", Barzilai-Borwein steps under a non-monotone line search;
* `_stream`: epochs of minibatch SGD with averaging, and the stream they carry;
* `_stochastic`: "sgd": epochs while they pay, finished by full gradients.

They know nothing of logistic regression.
"""

from ._barzilai_borwein import barzilai_borwein
from ._base import (
    DIVERGENCE_FACTOR,
    CompositeObjective,
    IterationInfo,
    LineSearchPlan,
    ObjectiveDivergedError,
    SolverResult,
)
from ._observers import (
    CallbackObserver,
    DivergenceGuard,
    EarlyStopping,
    Observer,
    Progress,
    TimeCurve,
)
from ._proximal_gradient import accelerated_gradient, gradient_descent
from ._schedules import SCHEDULES, scheduled_gradient_descent
from ._stochastic import stochastic_gradient_descent
from ._stream import SGDStream, sgd_epoch

__all__ = [
    "DIVERGENCE_FACTOR",
    "SCHEDULES",
    "CallbackObserver",
    "CompositeObjective",
    "DivergenceGuard",
    "EarlyStopping",
    "IterationInfo",
    "LineSearchPlan",
    "ObjectiveDivergedError",
    "Observer",
    "Progress",
    "SGDStream",
    "SolverResult",
    "TimeCurve",
    "accelerated_gradient",
    "barzilai_borwein",
    "gradient_descent",
    "scheduled_gradient_descent",
    "sgd_epoch",
    "stochastic_gradient_descent",
]
