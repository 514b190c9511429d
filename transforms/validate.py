"""Stage 2, validate (in load configuration and load lines): check every raw table against its
pandera schema, then cast it; stage the lines in one shape and check the rules across them.

* Master tables are small; any fault is a configuration error. The engine finds the rows that
  break a check (the SQL form of each check) and pandera validates those (none, usually).
* Line tables are large: the engine marks the rows that break a check as it stages them and
  finds which checks they break; pandera validates the rows of the first MAX_FULL_REJECTIONS
  faults of each check, in bounded batches (never one pandas copy of a whole table), and names
  those faults in full; the others are kept with a short message. A bad row does not stop the
  run: it is quarantined in the table ``validate.line_rejections`` (grain: one row per (table, row,
  column, check)) with the rule broken and a readable message, and the other rows go on.
* A value over ingest.MAX_VALUE_BYTES is not read (NULL in the raw table): its row breaks rule
  ``value_size`` (for master data, a configuration error).

The engine casts each table with the SQL type each schema column declares: a master table to its
typed table (``master.<table>``), a line table to the view ``validate.typed_<table>``, which map
reads once to stage the lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import pandas as pd
import pandera.errors
import pandera.pandas as pa

from schemas.columns import is_optional, sql_condition, sql_type
from transforms import sqlfile, workspace
from transforms.faults import ConfigurationFailure
from transforms.ingest import (
    MAX_FULL_REJECTIONS,
    MAX_VALUE_BYTES,
    OVERSIZE,
    ROW,
    TableFile,
    _quote,
    create_empty_raw,
    escaped,
    ingest_raw,
    is_view,
    raw_table_name,
)

BATCH_ROWS = 250_000
SUSPECT_BATCH_ROWS = 20_000  # suspect rows pandera validates at a time (bounds its memory)
VALUE_SIZE = "value_size"  # the rule of a value over ingest.MAX_VALUE_BYTES
VALUE_SIZE_MESSAGE = (f"the value is larger than {MAX_VALUE_BYTES:,} bytes, the most journalize "
                      "reads in one value")
SUSPECT = "__suspect"  # the mark of a row to validate (typed views, staged_lines)


class ConfigurationError(ConfigurationFailure):
    """Master data or settings that a run cannot start on; carries one message per fault."""


@dataclass(frozen=True)
class Fault:
    row: int | None
    column: str | None
    check: str
    value: str | None
    message: str


# --- master data -------------------------------------------------------------------------------


def load_master(
    con: duckdb.DuckDBPyConnection,
    files: dict[str, TableFile],
    schemas: dict[str, pa.DataFrameSchema],
    required: tuple[str, ...],
) -> None:
    """Ingest, validate and cast every master table; raise ConfigurationError listing all faults."""
    messages: list[str] = []
    for table, schema in schemas.items():
        table_file = files.get(table)
        where = f"master/{table}"
        if table_file is None:
            if table in required:
                messages.append(f"{where}: required table is missing (no {table}.csv or .parquet)")
            create_empty_raw(con, table, list(schema.columns))
        else:
            where = table_file.display
            ingested = ingest_raw(con, table_file, copy=True)  # (small; read by several checks)
            if ingested.empty:
                messages.append(f"{where}: the file is empty (not even a header row)")
                create_empty_raw(con, table, list(schema.columns))
                _cast(con, table, table, schema)
                continue
            if ingested.encoding_fault:
                messages.append(f"{where}: {ingested.encoding_fault}")
                continue
            present = ingested.columns
            missing = _missing_columns(schema, present)
            if missing:
                messages.extend(
                    f"{where}: column {c} is missing{_did_you_mean(c, schema, present)}"
                    for c in missing
                )
                continue
            _add_absent_optional_columns(con, table, schema, present)
            big = _oversize(con, table, present)
            messages.extend(
                _describe(where, Fault(row, column, VALUE_SIZE, None, VALUE_SIZE_MESSAGE))
                for row, column in sorted(big))
            # the engine finds the rows that break a check; pandera names the faults of those
            suspects = con.sql(
                f"SELECT * EXCLUDE ({OVERSIZE}) FROM {_quote(raw_table_name(table))} "
                f"WHERE {_breaks_a_check(schema)}").df()
            if len(suspects):
                for fault in _faults(schema, suspects.set_index(ROW)):
                    if (fault.row, fault.column) not in big:  # (NULL there: not "required")
                        messages.append(_describe(where, fault))
        _cast(con, table, table, schema)
    if messages:
        raise ConfigurationError(messages)


# --- billable lines ------------------------------------------------------------------------------


def start_quarantine(con: duckdb.DuckDBPyConnection) -> None:
    """The run's quarantine (validate.line_rejections) and notices (validate.run_notices), empty."""
    sqlfile.build(con, "validate", "line_rejections")
    con.execute(f"CREATE OR REPLACE TABLE {workspace.table_sql('validate', 'run_notices')} "
                "(message VARCHAR)")


def load_lines(
    con: duckdb.DuckDBPyConnection,
    files: dict[str, TableFile],
    schemas: dict[str, pa.DataFrameSchema],
    *,
    quarantine: bool = True,
) -> None:
    """Ingest every line table and put a typed view over it (``typed_<table>``: each value cast,
    and __suspect marking a row whose text breaks a check); nothing is read yet. The lines are
    read once, when map stages them; validate_suspects then names the faults. (quarantine: make
    the quarantine empty first; the stock mutations join the billable lines' quarantine.)"""
    if quarantine:
        start_quarantine(con)
    for table, schema in schemas.items():
        table_file = files.get(table)
        ingested = ingest_raw(con, table_file) if table_file is not None else None
        checked_per_row = False  # a readable file with every required column
        if ingested is None or ingested.empty:
            if ingested is not None:
                notice = f"{table_file.display}: the file is empty (not even a header row); no lines read"
                con.execute("INSERT INTO run_notices VALUES ($m)", {"m": notice})
            create_empty_raw(con, table, list(schema.columns))
        else:
            present = ingested.columns
            missing = _missing_columns(schema, present)
            # every schema column exists afterwards (absent ones empty), so that the later
            # stages see the table's full shape even when a required column was missing
            _add_absent_optional_columns(con, table, schema, present)
            if ingested.encoding_fault:
                _reject_whole_table(con, table_file, "encoding", ingested.encoding_fault)
            elif missing:
                for column in missing:
                    reason = f"column {column} is missing from the file{_did_you_mean(column, schema, present)}"
                    _reject_whole_table(con, table_file, "column_present", reason, column)
            else:
                checked_per_row = True
        _cast(con, table, f"typed_{table}", schema, mark_suspects=checked_per_row, view=True)


def validate_suspects(
    con: duckdb.DuckDBPyConnection,
    files: dict[str, TableFile],
    schemas: dict[str, pa.DataFrameSchema],
    rows: int = BATCH_ROWS,
    staged: str = "staged_lines",
) -> None:
    """The engine marked the rows that break a check while it staged them (each check also has
    its SQL form: staged_lines.__suspect); it now finds which checks each of those rows breaks
    (the same SQL forms, one pass), numbering the faults of each check in row order. The first
    MAX_FULL_REJECTIONS faults of each check are the ones kept in full: pandera validates the
    rows they are on, a bounded batch at a time, and names every fault there with its value and
    message. The faults on the other rows are stored by the engine with a short message (file,
    row, column, rule), so that a file of a million bad rows costs neither a million pandera rows
    nor a million messages in Python (summarise_rejections says so once per check). Good rows
    never leave DuckDB."""
    batch_rows = max(1, min(rows, SUSPECT_BATCH_ROWS))
    for table, schema in schemas.items():
        table_file = files.get(table)
        if table_file is not None:
            _validate_suspects(con, table_file, schema, batch_rows, staged)


def _validate_suspects(con: duckdb.DuckDBPyConnection, table_file: TableFile,
                       schema: pa.DataFrameSchema, batch_rows: int,
                       staged: str = "staged_lines") -> None:
    table = table_file.table
    raw = _quote(raw_table_name(table))
    present = [r[0] for r in con.execute(f"DESCRIBE {raw}").fetchall()]
    file_columns = [c for c in present if c not in (ROW, OVERSIZE)]  # (in the file's order)
    oversize = f"coalesce({OVERSIZE}, [])" if OVERSIZE in present else "[]::INTEGER[]"
    # every kind of fault: (column, check, SQL true when the row breaks it)
    kinds: list[tuple[str, str, str]] = []
    for name, column in schema.columns.items():
        q = _quote(name)
        checks = [c for c in column.checks if c.name != "required"]
        if column.metadata.get("value_required"):
            big = (f" AND NOT list_contains({oversize}, {file_columns.index(name) + 1})"
                   if name in file_columns else "")
            kinds.append((name, "required", f"{q} IS NULL{big}"))
        for check, predicate in zip(checks, column.metadata["sql"], strict=True):
            kinds.append((name, check.name,
                          f"{q} IS NOT NULL AND NOT coalesce(({predicate.format(c=q)}), false)"))
    kinds += [(name, VALUE_SIZE, f"list_contains({oversize}, {i})")
              for i, name in enumerate(file_columns, start=1)]
    con.execute('CREATE OR REPLACE TEMP TABLE fault_kinds '
                '(k INTEGER, "column" VARCHAR, "check" VARCHAR)')
    con.executemany("INSERT INTO fault_kinds VALUES (?, ?, ?)",
                    [(k, name, check) for k, (name, check, _) in enumerate(kinds)])
    broken = ", ".join(f"CASE WHEN {sql} THEN {k} END" for k, (_, _, sql) in enumerate(kinds))
    # the suspect rows' raw values, read once (a Parquet file's raw table is a view of the file,
    # read again by every query of it): the queries below read this copy of the few rows
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE suspect_rows AS SELECT * FROM {raw} "
        f"WHERE {ROW} IN (SELECT row_number FROM {staged} WHERE source = $source AND {SUSPECT})",
        {"source": table})
    if not con.execute("SELECT count(*) FROM suspect_rows").fetchone()[0]:
        con.execute("DROP TABLE suspect_rows")
        return
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE suspect_faults AS
        WITH broken AS (
            SELECT {ROW} AS row_number,
                   unnest(list_filter([{broken}], lambda k: k IS NOT NULL)) AS k
            FROM suspect_rows
        )
        SELECT b.row_number, f."column", f."check",
               row_number() OVER (PARTITION BY f."check" ORDER BY b.row_number, f.k) AS nth
        FROM broken AS b JOIN fault_kinds AS f USING (k)
        """)
    # the rows with a fault kept in full, numbered for the batches
    columns = ", ".join(_quote(c) for c in schema.columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE full_rows AS "
        f"SELECT row_number() OVER (ORDER BY {ROW}) AS __n, {ROW}, {columns} FROM suspect_rows "
        f"WHERE {ROW} IN (SELECT row_number FROM suspect_faults WHERE nth <= $full)",
        {"full": MAX_FULL_REJECTIONS})
    total = con.execute("SELECT count(*) FROM full_rows").fetchone()[0]
    for first in range(0, total, batch_rows):
        bounds = {"a": first, "b": first + batch_rows}
        within = (f"row_number IN (SELECT {ROW} FROM full_rows WHERE __n > $a AND __n <= $b)")
        found = {(row, column, check): nth for row, column, check, nth in con.execute(
            f'SELECT row_number, "column", "check", nth FROM suspect_faults WHERE {within}',
            bounds).fetchall()}
        frame = con.execute("SELECT * EXCLUDE (__n) FROM full_rows WHERE __n > $a AND __n <= $b",
                            bounds).df().set_index(ROW)
        big = {(row, column) for row, column, check in found if check == VALUE_SIZE}
        faults = [Fault(row, column, VALUE_SIZE, None, VALUE_SIZE_MESSAGE)
                  for row, column in sorted(big)]
        faults += [f for f in _faults(schema, frame) if (f.row, f.column) not in big]
        short = {i for i, f in enumerate(faults)
                 if found.get((f.row, f.column, f.check), 0) > MAX_FULL_REJECTIONS}
        _store(con, table_file, faults, short)
    # the faults on the other rows: in the engine, short
    con.execute(
        f"""
        INSERT INTO line_rejections
        SELECT $table, row_number, "column", "check", NULL,
               $where || ' row ' || row_number || ', column ' || escaped("column")
               || ' [rule ' || "check" || ']'
        FROM suspect_faults
        WHERE row_number NOT IN (SELECT {ROW} FROM full_rows)
        ORDER BY row_number, "column", "check"
        """, {"table": table, "where": table_file.display})
    for name in ("suspect_rows", "suspect_faults", "full_rows", "fault_kinds"):
        con.execute(f"DROP TABLE {name}")


def stage_lines(con: duckdb.DuckDBPyConnection) -> None:
    """Every line table in one canonical shape (validate.staged_lines, read once from the typed
    views), and what was read (validate.lines_read) for the reconciliation."""
    sqlfile.build(con, "validate", "staged_lines")


def check_staged_lines(con: duckdb.DuckDBPyConnection) -> None:
    """The rules across rows and tables (unique ids, known master data, …) over all staged lines,
    into the quarantine; then one notice per rule that rejected more rows than are kept in full."""
    sqlfile.build(con, "validate", "reference_rejections", {"full": MAX_FULL_REJECTIONS})
    summarise_rejections(con)  # (and the column checks' rejections: all are in by now)


def summarise_rejections(con: duckdb.DuckDBPyConnection) -> None:
    """One notice per (table, check) that rejected more rows than are kept with a full message."""
    rows = con.execute(
        """
        SELECT r."table", coalesce(any_value(f.display), 'lines/' || r."table"), r."check",
               count(*)
        FROM line_rejections AS r LEFT JOIN input_files AS f USING ("table")
        GROUP BY r."table", r."check" HAVING count(*) > $full ORDER BY 1, 3
        """, {"full": MAX_FULL_REJECTIONS}).fetchall()
    for _, display, check, n in rows:
        notice = (f"{display}: rule {check} rejected {n:,} times; the first "
                  f"{MAX_FULL_REJECTIONS:,} are in rejected_lines with their full message, the "
                  f"other {n - MAX_FULL_REJECTIONS:,} with a short one (file, row, column, rule)")
        con.execute("INSERT INTO run_notices VALUES ($m)", {"m": notice})


def _oversize(con: duckdb.DuckDBPyConnection, table: str,
              present: list[str]) -> set[tuple[int, str]]:
    """(row, column) of every value of a raw table over the size limit."""
    raw = _quote(raw_table_name(table))
    places = con.execute(f"SELECT {ROW}, unnest({OVERSIZE}) FROM {raw} "
                         f"WHERE {OVERSIZE} IS NOT NULL").fetchall()
    return {(row, present[i - 1]) for row, i in places}


def _reject_whole_table(
    con: duckdb.DuckDBPyConnection,
    table_file: TableFile,
    check: str,
    reason: str,
    column: str | None = None,
) -> None:
    """No row of the file can be trusted (a required column is missing, the file is not UTF-8):
    every row is quarantined with the reason, so that each is still accounted for."""
    raw = _quote(raw_table_name(table_file.table))
    place = "" if column is None else f", column {column}"
    # (the rule's rejections so far count too: one per row for each column missing)
    before = con.execute('SELECT count(*) FROM line_rejections WHERE "table" = $t AND "check" = $c',
                         {"t": table_file.table, "c": check}).fetchone()[0]
    con.execute(
        f"INSERT INTO line_rejections SELECT $table, {ROW}, $column, $check, NULL, "
        f"$where || ' row ' || {ROW} || $place || CASE WHEN {ROW} + $before <= $full "
        f"THEN ': ' || $reason || ' [rule ' || $check || ']' ELSE ' [rule ' || $check || ']' END "
        f"FROM {raw}",
        {"table": table_file.table, "column": column, "check": check, "where": table_file.display,
         "place": place, "reason": reason, "full": MAX_FULL_REJECTIONS, "before": before},
    )


def _did_you_mean(column: str, schema: pa.DataFrameSchema, present: list[str]) -> str:
    """A misspelled column: the unknown column of the file that is closest to the missing one."""
    import difflib

    unknown = [c for c in present if c not in schema.columns and c != ROW]
    close = difflib.get_close_matches(column, unknown, n=1, cutoff=0.6)
    return f" (the file has {close[0]!r}: misspelled?)" if close else ""


def _store(con: duckdb.DuckDBPyConnection, table_file: TableFile, faults: list[Fault],
           short: set[int] = frozenset()) -> None:
    """Into line_rejections; a fault whose index is in short (past MAX_FULL_REJECTIONS faults of
    its check) is kept without its value and with a short message: file, row, column and rule."""
    if not faults:
        return
    values = [None if i in short else f.value for i, f in enumerate(faults)]
    messages = [_describe(table_file.display, f, short=i in short) for i, f in enumerate(faults)]
    frame = pd.DataFrame(
        {
            "table": table_file.table,
            "row_number": [f.row for f in faults],
            "column": [f.column for f in faults],
            "check": [f.check for f in faults],
            "value": values,
            "message": messages,
        }
    )
    con.register("fault_rows", frame)  # (explicitly: DuckDB's replacement scans are off in a run)
    try:
        con.execute("INSERT INTO line_rejections SELECT * FROM fault_rows")
    finally:
        con.unregister("fault_rows")


# --- shared ---------------------------------------------------------------------------------------


def _missing_columns(schema: pa.DataFrameSchema, present: list[str]) -> list[str]:
    return [
        name
        for name, column in schema.columns.items()
        if name not in present and not is_optional(column)
    ]


def _add_absent_optional_columns(
    con: duckdb.DuckDBPyConnection, table: str, schema: pa.DataFrameSchema, present: list[str]
) -> None:
    absent = [name for name in schema.columns if name not in present]
    if not absent:
        return
    raw = raw_table_name(table)
    if is_view(con, raw):  # a view over a file: a view on top of it adds the empty columns
        con.execute(f"ALTER VIEW {_quote(raw)} RENAME TO {_quote(raw + '_file')}")
        nulls = ", ".join(f"NULL::VARCHAR AS {_quote(name)}" for name in absent)
        con.execute(f"CREATE VIEW {workspace.table_sql('ingest', raw)} AS SELECT *, {nulls} "
                    f"FROM {_quote(raw + '_file')}")
        return
    for name in absent:
        con.execute(f"ALTER TABLE {_quote(raw)} ADD COLUMN {_quote(name)} VARCHAR")


def _faults(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> Iterator[Fault]:
    """Every failure pandera finds in a frame (lazy: all of them, not the first)."""
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        # pandera reports a check by its error text when it has one: map back to name and text
        checks = {
            (name, check.error or check.name): (check.name, check.error or check.name)
            for name, column in schema.columns.items()
            for check in column.checks
        }
        for case in cases.itertuples(index=False):
            column = case.column if isinstance(case.column, str) else None
            row = None if pd.isna(case.index) else int(case.index)
            value = None if _isna(case.failure_case) else str(case.failure_case)
            rule, message = checks.get((column, str(case.check)), (str(case.check),) * 2)
            yield Fault(row, column, rule, value, message)


def _isna(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _describe(where: str, fault: Fault, short: bool = False) -> str:
    """The message of a fault; a value is shown as Python's repr shows it (control characters
    escaped: \\n, \\x1b…), so that no cell can forge lines or colours where it is printed."""
    place = where if fault.row is None else f"{where} row {fault.row}"
    if fault.column:
        place += f", column {escaped(fault.column)}"
    if short:
        return f"{place} [rule {fault.check}]"
    shown = "" if fault.value is None else f" (value {fault.value!r})"
    return f"{place}: {fault.message} [rule {fault.check}]{shown}"


def _breaks_a_check(schema: pa.DataFrameSchema) -> str:
    """SQL over a raw table: true for a row whose text breaks any column check of the schema
    (the SQL form of each pandera check, schemas.columns)."""
    passes = " AND ".join(sql_condition(name, column) for name, column in schema.columns.items())
    return f"NOT coalesce({passes}, false)"


def _cast(
    con: duckdb.DuckDBPyConnection, table: str, target: str, schema: pa.DataFrameSchema,
    mark_suspects: bool = False, view: bool = False,
) -> None:
    """Typed copy (or, with view, a typed view) of a raw table: schema columns cast to their SQL
    type (columns the schema does not know are left out: no stage reads them); a view also has
    __suspect: whether the row's text breaks any check of the schema (with mark_suspects)."""
    raw = raw_table_name(table)
    present = [row[0] for row in con.execute(f"DESCRIBE {_quote(raw)}").fetchall()]
    selects = [ROW]
    if view:
        suspect = "false"
        if mark_suspects:
            suspect = _breaks_a_check(schema)
            if OVERSIZE in present:  # a value over the size limit (NULL in the raw table)
                suspect = f"({suspect} OR {OVERSIZE} IS NOT NULL)"
        selects.append(f"{suspect} AS {SUSPECT}")
    for name in present:
        if name == ROW:
            continue
        column = schema.columns.get(name)
        if column is None:
            continue  # a column the schema does not know (representative, warehouse…): not used
        elif sql_type(column) == "BOOLEAN":
            selects.append(f"to_bool({_quote(name)}) AS {_quote(name)}")
        else:
            selects.append(f"TRY_CAST({_quote(name)} AS {sql_type(column)}) AS {_quote(name)}")
    if view:
        selects.append(f"{allocation_sql(con, table, present)} AS {ALLOCATION}")
    elif table == "subscriptions":
        selects.append(f"{dimensions_sql(present)} AS {ALLOCATION}")
    kind = "VIEW" if view else "TABLE"
    schema = "validate" if view else "master"  # (typed_<table> views of lines; master tables)
    con.execute(
        f"CREATE OR REPLACE {kind} {workspace.table_sql(schema, target)} AS "
        f"SELECT {', '.join(selects)} FROM {_quote(raw)}"
    )


# --- cost allocation (verbijzondering, SPEC §9) ---------------------------------------------------

ALLOCATION = "allocation"
# the link type (master/allocation_links) of each source's lines
LINK_TYPE = {"order_lines": "sales_orders", "counter_lines": "sales_orders",
             "postcalc_lines": "projects", "installment_lines": "projects",
             "subscription_lines": "subscriptions", "course_lines": "courses"}
DIMENSION = "dim_"  # a subscription's own code on an axis: the column dim_<axis>


def allocation_sql(con: duckdb.DuckDBPyConnection, table: str, present: list[str]) -> str:
    """A line's allocation codes as JSON text, {axis: code} in axis order, for every axis that
    master/allocation_links links to the field of its source's lines (null: the field is empty
    or the file has no such column, a gap); NULL when no axis is linked to the source. Axes and
    fields are identifiers here (quoted), never values."""
    links = con.execute(
        "SELECT axis, field FROM master.allocation_links WHERE link_type = $t ORDER BY axis",
        {"t": LINK_TYPE.get(table)}).fetchall()
    if not links:
        return "NULL::VARCHAR"
    codes = ", ".join(
        f"{_quote(axis)} := "
        + (f"nullif(trim(CAST({_quote(field)} AS VARCHAR)), '')" if field in present
           else "NULL::VARCHAR")
        for axis, field in links)
    return f"to_json(struct_pack({codes}))::VARCHAR"


def dimensions_sql(present: list[str]) -> str:
    """A subscription's own codes (its dim_<axis> columns that are not empty) as JSON text
    {axis: code}, which override those of its lines' fields; NULL without such a column."""
    axes = [name for name in present if name.startswith(DIMENSION) and len(name) > len(DIMENSION)]
    if not axes:
        return "NULL::VARCHAR"
    codes = ", ".join(f"{_quote(name[len(DIMENSION):])} := "
                      f"nullif(trim(CAST({_quote(name)} AS VARCHAR)), '')" for name in sorted(axes))
    # (a merge patch into {} leaves the empty ones out: they override nothing)
    return f"json_merge_patch('{{}}', to_json(struct_pack({codes})))::VARCHAR"
