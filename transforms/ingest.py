"""Stage 1, ingest: read every table of an input dataset (SPEC §2) into DuckDB as raw text.

Grain: one row per row of the file, all columns VARCHAR (trimmed, empty → NULL), plus
``__row`` — the 1-based data row number in the file (the header is not counted) — so every later
message can name the row. CSV and Parquet give the same raw table: Parquet values are rendered as
the text a CSV would hold. Nothing is parsed here; ``validate`` decides what a value means.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

FORMATS = (".csv", ".parquet")
ROW = "__row"


class InputError(Exception):
    """The input dataset cannot be read (a missing folder or file, an unreadable file)."""


@dataclass(frozen=True)
class TableFile:
    table: str
    folder: str  # "master" or "lines"
    path: Path

    @property
    def display(self) -> str:
        return f"{self.folder}/{self.path.name}"


def find_tables(input_dir: Path) -> dict[str, TableFile]:
    """The tables of a dataset folder, by name. A table given as both CSV and Parquet is an error."""
    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise InputError(f"input folder {input_dir} does not exist")
    found: dict[str, TableFile] = {}
    for folder in ("master", "lines"):
        for path in sorted((input_dir / folder).glob("*")):
            if path.suffix.lower() not in FORMATS or not path.is_file():
                continue
            table = path.stem
            if table in found:
                raise InputError(
                    f"{folder}/{table}: given twice ({found[table].path.name} and {path.name}); "
                    "keep one file per table"
                )
            found[table] = TableFile(table, folder, path)
    return found


def raw_table_name(table: str) -> str:
    return f"raw_{table}"


def ingest_raw(con: duckdb.DuckDBPyConnection, table_file: TableFile) -> list[str]:
    """Load one file into TEMP table raw_<table>; returns its (normalised) column names."""
    source = _reader(table_file)
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {source}", {"path": str(table_file.path)})
        columns = [(name, dtype) for name, dtype, *_ in described.fetchall()]
    except duckdb.Error as error:
        raise InputError(f"{table_file.display}: cannot be read: {_first_line(error)}") from error
    names = [_normalise(name) for name, _ in columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(f"{table_file.display}: column(s) {', '.join(duplicates)} appear twice")
    selects = ", ".join(
        f"nullif(trim({_as_text(name, dtype)}), '') AS {_quote(norm)}"
        for (name, dtype), norm in zip(columns, names)
    )
    target = raw_table_name(table_file.table)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_quote(target)} AS "
            f"SELECT row_number() OVER () AS {ROW}, {selects} FROM {source}",
            {"path": str(table_file.path)},
        )
    except duckdb.Error as error:
        raise InputError(f"{table_file.display}: cannot be read: {_first_line(error)}") from error
    return names


def create_empty_raw(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> None:
    """An absent optional table reads as an empty one with the schema's columns."""
    cols = ", ".join(f"{_quote(c)} VARCHAR" for c in columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_quote(raw_table_name(table))} ({ROW} BIGINT, {cols})")


def _reader(table_file: TableFile) -> str:
    if table_file.path.suffix.lower() == ".parquet":
        return "read_parquet($path)"
    return "read_csv($path, header = true, all_varchar = true, delim = ',', quote = '\"')"


def _as_text(name: str, dtype: str) -> str:
    column = _quote(name)
    if dtype.startswith("TIMESTAMP"):
        return f"strftime({column}::DATE, '%Y-%m-%d')"
    return f"CAST({column} AS VARCHAR)"


def _normalise(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]
