"""Configuration check (`journalize check`, SPEC §3 and §5): one message per fault.

Runs over the typed master tables that ``validate.load_master`` made. Each rule is a SQL file in
``sql/check`` returning one ``message`` per fault; the CODA mask rule is python (``coda``).
"""

from __future__ import annotations

import duckdb

from transforms import sqlfile
from transforms.coda import mask_faults

CHECKS = (
    "master_references",
    "duplicate_integration_types",
    "journal_types",
    "integration_type_flags",
    "account_references",
    "overlapping_number_series",
    "billing_sources",
)

# Rules that need the run's lines as well (over ``mapped_lines``): a source with lines needs its
# integration type, collected lines a collective_invoice type, subscriptions no stock items.
LINE_CHECKS = ("missing_integration_types", "subscription_stock_items")


def configuration_faults(con: duckdb.DuckDBPyConnection) -> list[str]:
    messages: list[str] = []
    for name in CHECKS:
        messages.extend(row[0] for row in sqlfile.run(con, "check", name).fetchall())
    masks = con.execute(
        "SELECT admin_id, coda_mask FROM administrations WHERE coda_mask IS NOT NULL ORDER BY 1"
    ).fetchall()
    for admin_id, mask in masks:
        messages.extend(f"administration {admin_id}: {fault}" for fault in mask_faults(mask))
    return messages


def line_faults(con: duckdb.DuckDBPyConnection, reference_date, sources: list[str]) -> list[str]:
    messages: list[str] = []
    params = {"reference_date": reference_date, "sources": sources}
    for name in LINE_CHECKS:
        rows = sqlfile.run(con, "check", name, params).fetchall()
        messages.extend(LineFault(name, row[0]) for row in rows)
    return messages


class LineFault(str):
    """A message of a check over lines, knowing its check (to merge administrations' faults)."""

    def __new__(cls, check: str, message: str):
        fault = super().__new__(cls, message)
        fault.check = check
        return fault


def merge_line_faults(per_chunk: list[list[str]]) -> list[str]:
    """The line checks' messages of several administrations (each in administration order) as
    one run over all lines gives them: check by check."""
    faults = [fault for chunk in per_chunk for fault in chunk]
    order = {name: i for i, name in enumerate(LINE_CHECKS)}
    return [str(f) for f in sorted(faults, key=lambda f: order.get(getattr(f, "check", ""), -1))]
