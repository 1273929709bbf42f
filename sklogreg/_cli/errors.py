"""The error a subcommand raises for bad input: one line on stderr, exit code 2."""

from __future__ import annotations

__all__ = ["EXIT_BAD_INPUT", "CommandLineError", "one_line"]

# argparse exits with 2 on a bad option; bad data is the same kind of mistake.
EXIT_BAD_INPUT = 2


class CommandLineError(Exception):
    """Bad input that the user can fix: shown as one line, never as a traceback."""


def one_line(message: object) -> str:
    """Collapse a (possibly multi-line) message into one line."""
    return " ".join(str(message).split())
