"""Stage 3, map (SPEC §4): put every line table in one canonical shape (``staged_lines``), check
the rules across rows and tables, and decide per line its administration, integration type,
revenue account, amount and status in this run (``mapped_lines``: one row per input line)."""

from __future__ import annotations

import datetime as dt

import duckdb

from schemas.lines import CREDIT_ON_REQUEST
from transforms import sqlfile
from transforms.ingest import MAX_FULL_REJECTIONS
from transforms.validate import summarise_rejections


def stage_lines(con: duckdb.DuckDBPyConnection) -> None:
    sqlfile.run(con, "map", "staged_lines")


def check_staged_lines(con: duckdb.DuckDBPyConnection) -> None:
    """The rules across rows and tables (unique ids, known master data, …) over all staged lines."""
    sqlfile.run(con, "validate", "reference_rejections", {"full": MAX_FULL_REJECTIONS})
    summarise_rejections(con)  # (and the column checks' rejections: all are in by now)


def map_lines(
    con: duckdb.DuckDBPyConnection,
    *,
    reference_date: dt.date,
    admin: str | None,
    sources: list[str],
    include_credit_lines: bool = False,
) -> None:
    sqlfile.run(
        con,
        "map",
        "mapped_lines",
        {
            "reference_date": reference_date,
            "admin": admin,
            "sources": sources,
            "include_credit_lines": include_credit_lines,
            "credit_on_request": list(CREDIT_ON_REQUEST),
        },
    )
