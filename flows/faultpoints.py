"""Fault injection for the crash and concurrency tests: the stage boundaries where a test's hook
may hold a run. None in every installed journalize: a test installs a hook in its own process
(tests/fault_injection.py); no environment variable or option of the CLI reaches it."""

from __future__ import annotations

from collections.abc import Callable

# Fault injection for the crash and concurrency tests: None in every installed journalize. A test
# that needs to stop a run at a stage boundary installs a hook here in its own process
# (tests/fault_injection.py); no environment variable or option of the CLI reaches it.
HOLD: Callable[[str], None] | None = None


def hold_point(name: str) -> None:
    """A stage boundary (a stage's name, "persist" or "commit") where a test's hook may hold."""
    if HOLD is not None:
        HOLD(name)
