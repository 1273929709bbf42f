"""The ``sklogreg`` command line: one module per job.

`datasets` loads the data, `objective` scores every contender with one independent
function, `compare` and `landscape` are the two subcommands, `errors` holds the one
exception that becomes an exit code of 2.
"""
