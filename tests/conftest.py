"""Test-session setup shared by every test module."""

import os

# scikit-learn's array API dispatch (tests/test_array_api.py, and the array API checks
# of parametrize_with_checks in tests/test_common.py) refuses to start unless SciPy's
# own array API support is on, and SciPy reads this variable once, when it is first
# imported: so it must be set here, before any test module imports scipy or sklearn.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
