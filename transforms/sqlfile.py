"""Loading and running the SQL files that live beside the transforms (package data)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import duckdb


@cache
def load(stage: str, name: str) -> str:
    return resources.files("transforms").joinpath("sql", stage, f"{name}.sql").read_text("utf-8")


def run(
    con: duckdb.DuckDBPyConnection, stage: str, name: str, params: dict[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Run one statement from ``sql/<stage>/<name>.sql`` with named parameters ($name) bound."""
    sql = load(stage, name)
    if not params:
        return con.execute(sql)
    used = {key: value for key, value in params.items() if f"${key}" in sql}
    return con.execute(sql, used)


def run_script(con: duckdb.DuckDBPyConnection, stage: str, name: str) -> None:
    """Run a file of several parameterless statements (DDL, macros)."""
    con.execute(load(stage, name))


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
