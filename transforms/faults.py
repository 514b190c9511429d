"""One failure type for every way a run or a check stops: its kind and its messages.

A rule is a SELECT whose rows are faults (``sqlfile.faults`` runs it); when a stage finds faults it
raises a ``Failure`` carrying them. The kind decides what the CLI says and its exit code:
``configuration`` (the input or the master data: fix them, exit 2) or ``run`` (the run cannot be
booked as it is, exit 3). The classes below are the failures by where they arise; code that
catches a failure catches ``Failure`` and reads its kind.
"""

from __future__ import annotations

CONFIGURATION = "configuration"
USAGE = "usage"  # an option that names what is not there (exit 2, like configuration)
RUN = "run"


class Failure(Exception):
    """A run or check that stopped, nothing written: its kind and one message per fault."""

    kind = RUN

    def __init__(self, messages: list[str] | str, kind: str | None = None, *,
                 headed: bool = False) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        # headed: the first message is the one-line reason of the faults that follow it
        self.headed = headed and len(self.messages) > 1
        if kind is not None:
            self.kind = kind
        super().__init__("\n".join(self.messages))


class ConfigurationFailure(Failure):
    kind = CONFIGURATION
