"""Fitting on Dask arrays: every pass over ``X`` is one reduction over its row chunks.

The log-loss, its gradient and everything the solvers need from the data are sums over
rows. `DaskData`, the data term `LogisticObjective` reads a Dask array through,
computes each as one Dask graph: a task per row chunk (the NumPy backend and the loss
objects of `sklogreg._loss` applied to that chunk, on the worker holding it) and a tree
of additions, so only coefficient-sized arrays travel: the coefficients to the
workers, the partial sums back. ``X`` is never gathered to the client, and no array of
length ``n_samples`` is kept between passes either: the margins are recomputed from the
coefficients inside each task (``X`` is read anyway), so a worker lost mid-fit costs
only the recomputation of its chunks.

Everything else (the solvers, the line search, the preconditioner's change of
variables, the penalties) is the in-memory code, run on the client on small arrays:
`DaskData` provides only the operations of `sklogreg._in_memory.InMemoryData`, those
that read the data. A Dask graph has a fixed cost (milliseconds on a cluster) whatever
the data size, so the data term evaluates in one graph everything an iteration may
need (`DaskData.plan_line_search`): the value at every step the line search may try
(its whole backtracking ladder), the secant test against each, and the value and
gradient at every possible next point. An iteration is one graph however many steps
its line search tries, at the price of more arithmetic per chunk than one pass.

Labels stay on the workers too: each task encodes its chunk's labels against the
classes found by a first reduction, and forms its sample weights (times class
weights) there.

Modules, one job each:

* `_input`: checks of Dask input, alignment of ``y`` and the weights with ``X``'s
  rows, and the scan of the labels and weights;
* `_encoding`: `RowEncoding`, a chunk's labels and weights to the target and the
  normalised weights;
* `_graphs`: `RowChunks`, one reduction over the row chunks as one graph;
* `_chunks`: what each task of the data term computes on its chunk;
* `_data`: `DaskData` and `dask_objective`;
* `_predictions`: lazy scores and the column scales of a fitted model's diagnosis.
"""

from ._data import DaskData, dask_objective
from ._encoding import RowEncoding
from ._input import check_dask_input, scan_labels_and_weights
from ._predictions import column_standard_deviations, decision_function, map_scores

__all__ = [
    "DaskData",
    "RowEncoding",
    "check_dask_input",
    "column_standard_deviations",
    "dask_objective",
    "decision_function",
    "map_scores",
    "scan_labels_and_weights",
]
