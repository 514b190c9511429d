"""Stage 7, reconcile: every line read is accounted for, in count and in money, per
source table, before anything is written. A run whose reconciliation does not close fails."""

from __future__ import annotations

import duckdb

from transforms import sqlfile, workspace
from transforms.faults import Failure


class ReconciliationError(Failure):
    """Lines or money went missing (or were counted twice) between reading and invoicing."""


def reconcile(con: duckdb.DuckDBPyConnection) -> None:
    """Tally what became of the lines of the administration the run is at."""
    _tallies(con)
    sqlfile.build(con, "reconcile", "run_invoice_lines")
    sqlfile.build(con, "reconcile", "tally")


def close(con: duckdb.DuckDBPyConnection) -> None:
    """After the last administration: per source, lines read = the tallies summed, in lines and
    in money, or the run fails."""
    _tallies(con)
    sqlfile.build(con, "reconcile", "reconciliation")
    broken = con.execute(
        """
        SELECT source, lines_read, lines_invoiced, lines_open, lines_rejected, lines_excluded,
               amount_read, amount_invoiced, amount_open, amount_rejected, amount_excluded
        FROM reconciliation WHERE NOT closes ORDER BY source
        """
    ).fetchall()
    if broken:
        raise ReconciliationError(
            [
                f"{s}: read {n} lines / {a} but invoiced {ni} / {ai} + open {no} / {ao} + "
                f"rejected {nr} / {ar} + excluded {ne} / {ae} does not close"
                for s, n, ni, no, nr, ne, a, ai, ao, ar, ae in broken
            ]
        )


def _tallies(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {workspace.table_sql('reconcile', 'line_tallies')} "
        "(source VARCHAR, lines_invoiced BIGINT, "
        "lines_open BIGINT, lines_rejected BIGINT, lines_excluded BIGINT, "
        "amount_invoiced DECIMAL(38, 2), amount_open DECIMAL(38, 2), "
        "amount_rejected DECIMAL(38, 2), amount_excluded DECIMAL(38, 2))"
    )
