"""Given rows → expected rows tests of one SQL model (the shape of dbt's unit tests).

``build_model`` makes one model of ``transforms/sql/<stage>/<name>.sql`` in a fresh in-memory work
database holding the tables it reads (transforms/graph.py), empty but for the rows a test gives
(the columns a test leaves out are NULL), and returns the model's rows. The tables' columns are those a run makes:
taken once per session from the stages run over the shipped sample."""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb

from flows.parameters import RunParameters, sample_dataset
from flows.pipeline import STAGES, prepare_session
from transforms import coda, graph, sqlfile, workspace


@functools.cache
def shapes() -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(schema, table) → [(column, type)] of every table and view of the work database."""
    con = duckdb.connect()
    prepare_session(con)
    params = RunParameters.for_period("2026-10", input_dir=sample_dataset(), db_path=Path(":memory:"))
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for _, stage in STAGES:  # (after each stage: a stage drops what no later stage reads)
        stage(con, params)
        for schema, table in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = $w "
                "UNION SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = $w",
                {"w": workspace.WORK}).fetchall():
            found[(schema, table)] = [(c, t) for c, t, *_ in con.execute(
                f"DESCRIBE {workspace.table_sql(schema, table)}").fetchall()]
    return found


def build_model(stage: str, name: str, given: dict[str, list[dict]], params: dict | None = None,
                *, columns: str = "*", order_by: str = "1") -> list[dict]:
    """The rows of model stage/name made from the given rows ({"schema.table": [row, …]})."""
    con = duckdb.connect()
    workspace.open_work(con)
    sqlfile.run_script(con, "common", "macros")
    if "coda_reference(" in sqlfile.load(stage, name):  # (the CODA function: 0.1 s to register)
        coda.register(con)
    model = next(m for m in graph.models() if (m.folder, m.name) == (stage, name))
    inputs = set(model.reads) | {tuple(key.split(".")) for key in given}
    for (schema, table), cols in shapes().items():
        if (schema, table) not in inputs or (schema, table) == (stage, name):
            continue  # (only what the model reads; the model makes its own table)
        con.execute(f"CREATE TABLE {workspace.table_sql(schema, table)} "
                    f"({', '.join(f'{_q(c)} {t}' for c, t in cols)})")
    for key, rows in given.items():
        schema, table = key.split(".")
        for row in rows:
            names = list(row)
            con.execute(f"INSERT INTO {workspace.table_sql(schema, table)} "
                        f"({', '.join(map(_q, names))}) VALUES ({', '.join('?' * len(names))})",
                        [row[n] for n in names])
    sqlfile.build(con, stage, name, params)
    result = con.execute(f"SELECT {columns} FROM {workspace.table_sql(stage, name)} "
                         f"ORDER BY {order_by}")
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
