"""Benchmarks of sklogreg against scikit-learn's solvers: ``python -m benchmarks.run``.

This package sits on top of sklogreg and uses only its public API. It is not installed
with sklogreg; run it from a clone of the repository.
"""
