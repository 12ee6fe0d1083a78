"""Errors and the runner's exit statuses (the CLI's conventions, docs/cli.md)."""

EXIT_OK = 0
EXIT_FAILED = 1      # a test failed, or a kernel could not boot or run them
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3   # a kernel that cannot be had (no such package version)
EXIT_INTERNAL = 5
EXIT_SKIPPED = 77    # ctest's SKIP_RETURN_CODE: nothing to do here, with the reason


class MatrixError(Exception):
    """An error that ends one kernel's run (or the whole run) with a message."""

    exit_status = EXIT_FAILED


class KernelUnavailable(MatrixError):
    """The kernel asked for cannot be found or downloaded."""

    exit_status = EXIT_BAD_INPUT


class UsageError(MatrixError):
    exit_status = EXIT_USAGE


class Skipped(MatrixError):
    """This machine cannot run the matrix (no QEMU...), or no one asked for it."""

    exit_status = EXIT_SKIPPED
