"""Fault injection for the crash and concurrency tests (tests/test_atomicity.py), kept out of the
installed journalize: a test starts `journalize` through `command()`, which installs the hook
`flows.faultpoints.HOLD` in that process only. With JOURNALIZE_HOLD_AT=<stage> the run then stops
before that stage (or "persist", "commit"), says so on stderr and waits until the file
JOURNALIZE_RELEASE names exists (for ever when unset), so a test can kill it there or start a
second run."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def hold(name: str) -> None:
    if os.environ.get("JOURNALIZE_HOLD_AT") != name:
        return
    print(f"journalize: holding before {name} (pid {os.getpid()})", file=sys.stderr, flush=True)
    release = os.environ.get("JOURNALIZE_RELEASE")
    while not (release and Path(release).exists()):
        time.sleep(0.02)


def install() -> None:
    import flows.faultpoints

    flows.faultpoints.HOLD = hold


def command(*arguments: str) -> list[str]:
    """The command line of a `journalize …` process whose stage boundaries a test can hold."""
    code = (f"import sys; sys.path.insert(0, {str(TESTS)!r}); import fault_injection; "
            "fault_injection.install(); from flows.cli import app; app()")
    return [sys.executable, "-c", code, *arguments]
