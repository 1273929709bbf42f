"""The walk's tuning parameters: ``schedule``, ``power_t``, ``momentum``, checked.

Each is validated alone by `GDLogisticRegression._parameter_constraints`; what only
holds of them together is checked here, once, for `fit` and `partial_fit`, and
`walk_options` hands the solvers those that differ from the plain walk, so that a
default fit passes none and runs exactly as before.
"""

from __future__ import annotations

__all__ = ["WALK_SOLVERS", "check_walk", "walk_options"]

# The solvers whose step is a plain gradient step that a schedule or heavy-ball
# momentum can modify; "nesterov" has its own momentum and extrapolation.
WALK_SOLVERS = ("gd", "sgd")


def check_walk(estimator) -> None:
    """Refuse the combinations of parameters that have no meaning.

    Raises
    ------
    ValueError
        For a schedule other than "constant" or ``momentum > 0`` with
        ``learning_rate="auto"`` or with a solver outside `WALK_SOLVERS`.
    """
    schedule, momentum = estimator.schedule, estimator.momentum
    solver, rate = estimator.solver, estimator.learning_rate
    if schedule != "constant" and rate == "auto":
        raise ValueError(
            f"schedule={schedule!r} schedules a float learning_rate, but "
            "learning_rate='auto' chooses its own step (by line search, or 1/L(b) "
            "for 'sgd'): pass a float learning_rate, or schedule='constant'."
        )
    if momentum > 0 and rate == "auto":
        raise ValueError(
            f"momentum={momentum} needs a float learning_rate: learning_rate='auto' "
            "is a step safe for plain gradient steps, and heavy-ball momentum "
            f"lengthens the effective step by 1/(1 - momentum). Pass a float "
            "learning_rate, or use solver='nesterov' for acceleration with 'auto'."
        )
    if solver not in WALK_SOLVERS and schedule != "constant":
        raise ValueError(
            f"solver={solver!r} accepts schedule='constant' only, got "
            f"schedule={schedule!r}: use solver='gd' or 'sgd' for a schedule."
        )
    if solver not in WALK_SOLVERS and momentum > 0:
        # "nesterov" extrapolates; "bb" takes steps from the last two gradients.
        own = "momentum" if solver == "nesterov" else "step lengths"
        raise ValueError(
            f"solver={solver!r} has its own {own}; momentum={momentum} (heavy "
            "ball) applies to solver='gd' or 'sgd' only: leave it at 0."
        )


def walk_options(estimator) -> dict:
    """The solver options of a walk other than the plain one; empty by default."""
    options = {}
    if estimator.schedule != "constant":
        options["schedule"] = estimator.schedule
        options["power_t"] = estimator.power_t
    if estimator.momentum > 0:
        options["momentum"] = estimator.momentum
    return options
