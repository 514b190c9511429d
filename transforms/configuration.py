"""Configuration check (`journalize check`, SPEC §3 and §5): one message per fault.

Runs over the typed master tables that ``validate.load_master`` made. Each rule is a SQL file in
``sql/check`` returning one ``message`` per fault; the CODA mask rule is python (``coda``).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from transforms import sqlfile
from transforms.coda import mask_faults
from transforms.validate import ConfigurationError

CHECKS = (
    "master_references",
    "duplicate_integration_types",
    "journal_types",
    "integration_type_flags",
    "account_references",
    "overlapping_number_series",
    "billing_sources",
    "subscription_items",
    "authorisations",
    "allocation_links",
    "deferred_revenue",
    "stock_configuration",
)

# Rules that need the run's lines as well (over ``group.keyed_lines``): a source with lines needs its
# integration type, collected lines a collective_invoice type, subscriptions no stock items.
LINE_CHECKS = ("missing_integration_types", "subscription_stock_items")


def configuration_faults(con: duckdb.DuckDBPyConnection) -> list[str]:
    messages: list[str] = []
    for name in CHECKS:
        messages.extend(sqlfile.faults(con, "check", name))
    masks = con.execute(
        "SELECT admin_id, coda_mask FROM master.administrations WHERE coda_mask IS NOT NULL ORDER BY 1"
    ).fetchall()
    for admin_id, mask in masks:
        messages.extend(f"administration {admin_id}: {fault}" for fault in mask_faults(mask))
    return messages


def line_faults(con: duckdb.DuckDBPyConnection, reference_date: dt.date, sources: list[str], *,
                chunk_admin: str | None = None, every: bool = True) -> None:
    """Raise LineFaults when a check over the run's lines (of the administration chunk_admin,
    or of every line) fails."""
    params = {
        "missing_integration_types": {"reference_date": reference_date, "sources": sources},
        "subscription_stock_items": {"chunk_admin": chunk_admin, "every": every},
    }
    by_check = {name: sqlfile.faults(con, "check", name, params[name]) for name in LINE_CHECKS}
    if any(by_check.values()):
        raise LineFaults([by_check])


class LineFaults(ConfigurationError):
    """Faults of the checks over lines, kept per check: faults found administration by
    administration merge into the order one pass over all lines gives (check by check, each
    check in administration order)."""

    def __init__(self, per_chunk: list[dict[str, list[str]]]) -> None:
        self.per_chunk = per_chunk
        super().__init__([message for name in LINE_CHECKS for chunk in per_chunk
                          for message in chunk.get(name, [])])

    def merged(self, later: "LineFaults") -> "LineFaults":
        return LineFaults(self.per_chunk + later.per_chunk)
