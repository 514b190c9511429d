"""Stage 3, map (SPEC §4): decide per line of the administration the run is at its integration
type, revenue account, amount and status in this run (``map.mapped_lines``: one row per staged
line, a view that group makes into the run's one wide table as it keys the lines), from the
lines validate staged (``validate.staged_lines``)."""

from __future__ import annotations

import datetime as dt

import duckdb

from schemas.lines import CREDIT_ON_REQUEST
from transforms import sqlfile


def map_lines(
    con: duckdb.DuckDBPyConnection,
    *,
    reference_date: dt.date,
    admin: str | None,
    sources: list[str],
    include_credit_lines: bool = False,
) -> None:
    """map.mapped_lines: a view of every staged line, mapped with the run's settings."""
    sqlfile.build(con, "map", "debtor_profiles")
    sqlfile.build(
        con,
        "map",
        "run_settings",
        {
            "reference_date": reference_date,
            "admin": admin,
            "sources": sources,
            "include_credit_lines": include_credit_lines,
            "credit_on_request": list(CREDIT_ON_REQUEST),
        },
    )
    sqlfile.build(con, "map", "mapped_lines")
