"""The ``sklogreg`` command line, one module per job.

- `datasets`: load an embedded data set or a CSV file, and reject bad data;
- `csvfile`: read a CSV file with pandas, whatever its delimiter and encoding;
- `objective`: the one function that scores every contender;
- `measure`: fit one contender, timed, and measure it;
- `table`: print the contenders side by side;
- `figures`: check, draw off-screen and save the pictures;
- `summary`: one feature as a few weighted points, for `landscape` at any size;
- `cost_surfaces`: the two costs of one feature on a grid of (m, b), and their
  convexity there;
- `gd_walks`: the estimator's recorded gd walk, and plain gd on either cost;
- `landscape_report` and `landscape_figure`: what `landscape` prints and draws;
- `compare`, `landscape` and `sweep`: the subcommands: their options, checks and
  steps;
- `errors`: the exception that becomes one line on stderr and exit code 2.
"""
