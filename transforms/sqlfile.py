"""Loading and running the SQL files that live beside the transforms (package data).

A *model* (``sql/<stage>/<name>.sql``) is one SELECT; ``build`` makes the table named after
its file in its stage's schema of the work database (``transforms.workspace``), or a view when
its first lines say ``-- materialized: view``, or adds its rows to an existing table when they
say ``-- materialized: append to <schema>.<table>``. A *rule* is a SELECT whose rows are faults,
their message first; ``faults`` returns those messages. Parameters are ``$name``; a file is run
with exactly the parameters it uses: one it does not use, or one it uses and was not given, is a
programming error (``ParameterError``), never silently dropped.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import duckdb

from transforms import workspace

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT_OR_TEXT = re.compile(r"--[^\n]*|'(?:[^']|'')*'")
_MATERIALIZED = re.compile(r"^--\s*materialized:\s*(table|view|append to\s+(\w+)\.(\w+))\s*$",
                           re.MULTILINE)


class ParameterError(Exception):
    """A SQL file run with parameters that do not match the ones it uses."""


@cache
def load(stage: str, name: str) -> str:
    return resources.files("transforms").joinpath("sql", stage, f"{name}.sql").read_text("utf-8")


def parameters(sql: str) -> set[str]:
    """The ``$name`` parameters a statement uses (not those in comments or text)."""
    return set(_PARAMETER.findall(_COMMENT_OR_TEXT.sub(" ", sql)))


def materialization(sql: str) -> tuple[str, tuple[str, str] | None]:
    """How a model is made: ("table" | "view" | "append", the appended table)."""
    found = _MATERIALIZED.search(sql)
    if not found or found.group(1) == "table":
        return "table", None
    if found.group(1) == "view":
        return "view", None
    return "append", (found.group(2), found.group(3))


def bound(stage: str, name: str, sql: str, params: dict[str, Any] | None) -> dict[str, Any]:
    given = dict(params or {})
    used = parameters(sql)
    missing, unused = sorted(used - set(given)), sorted(set(given) - used)
    if missing or unused:
        raise ParameterError(
            f"sql/{stage}/{name}.sql: "
            + "; ".join(([f"uses ${', $'.join(missing)} but was not given it"] if missing else [])
                        + ([f"was given ${', $'.join(unused)}, which it does not use"]
                           if unused else [])))
    return given


def run(con: duckdb.DuckDBPyConnection, stage: str, name: str,
        params: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """Run one statement from ``sql/<stage>/<name>.sql`` with its parameters bound."""
    sql = load(stage, name)
    given = bound(stage, name, sql, params)
    return con.execute(sql, given) if given else con.execute(sql)


def build(con: duckdb.DuckDBPyConnection, stage: str, name: str,
          params: dict[str, Any] | None = None) -> None:
    """Make the model ``sql/<stage>/<name>.sql`` in the work database: the table (or view)
    ``<stage>.<name>``, or its rows added to the table it appends to."""
    sql = load(stage, name)
    given = bound(stage, name, sql, params)
    kind, target = materialization(sql)
    if kind == "append":
        statement = f"INSERT INTO {workspace.table_sql(*target)} BY NAME {sql}"
    else:
        statement = (f"CREATE OR REPLACE {kind.upper()} {workspace.table_sql(stage, name)} AS "
                     f"{sql}")
    con.execute(statement, given) if given else con.execute(statement)


def faults(con: duckdb.DuckDBPyConnection, stage: str, name: str,
           params: dict[str, Any] | None = None) -> list[str]:
    """The messages of the faults the rule ``sql/<stage>/<name>.sql`` finds (none: [])."""
    return [row[0] for row in run(con, stage, name, params).fetchall()]


def run_script(con: duckdb.DuckDBPyConnection, stage: str, name: str) -> None:
    """Run a file of several parameterless statements (DDL, macros)."""
    con.execute(load(stage, name))


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
