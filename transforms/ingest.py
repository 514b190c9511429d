"""Stage 1, ingest (in load configuration and load lines): read every table of an input dataset (SPEC §2) into DuckDB as raw text.

Grain: one row per row of the file, all columns VARCHAR (trimmed, empty → NULL), plus
``__row`` — the 1-based data row number in the file (the header is not counted) — so every later
message can name the row. CSV and Parquet give the same raw table: Parquet values are rendered as
the text a CSV would hold. Nothing is parsed here; ``validate`` decides what a value means.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb

from transforms import workspace
from transforms.faults import ConfigurationFailure

FORMATS = (".csv", ".parquet")
# Names in master/ and lines/ that are no table and are not read (README "Input data"): hidden
# files and folders (.DS_Store, macOS's ._x.csv, LibreOffice's .~lock.x.csv#) and the lock file
# Excel keeps beside a file it has open (~$x.csv). Other files that are no CSV or Parquet (a .txt,
# an .xlsx) and folders without Parquet files are not read either.
IGNORED_PREFIXES = (".", "~$")
# The bytes of a CSV read to find its header row's separator (a header of MAX_COLUMNS names fits)
HEADER_BYTES = 256 * 1024
ROW = "__row"
# the places of a row's values over MAX_VALUE_BYTES (1-based in the file's columns), else NULL
OVERSIZE = "__oversize"
RESERVED_COLUMNS = (ROW, OVERSIZE, "__suspect")

# Limits on what one small input may cost (README "Limits on input"):
MAX_COLUMNS = 1_000  # columns per file (SPEC §2 tables have about 20)
MAX_VALUE_BYTES = 64 * 1024  # bytes per value (a real month has up to ~17 KB of text per line)
MAX_FULL_REJECTIONS = 1_000  # rejected rows per (table, check) kept with value and full message


# Characters that would act on a terminal or on how text reads (controls, line and paragraph
# separators, zero-width and direction marks), shown escaped wherever a value is put in a
# message: `escaped` here, the SQL macro escaped() in sql/common/macros.sql (the same set).
_UNSAFE = re.compile("[\\x00-\\x1f\\x7f-\\x9f\\\\\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def escaped(text: str, *, backslashes: bool = True) -> str:
    """text with every unsafe character written as Python writes it in a repr (\\n, \\x1b,
    \\u202e) and a backslash doubled, so that a value cannot forge a line or a colour. Without
    backslashes (text that is shown, made of messages escaped already) a backslash stays one."""
    def one(match: re.Match) -> str:
        c = match.group()
        if c == "\\":
            return "\\\\" if backslashes else c
        if c in "\n\r\t":
            return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[c]
        return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"

    return _UNSAFE.sub(one, str(text))


class InputError(ConfigurationFailure):
    """The input dataset cannot be read (a missing folder or file, an unreadable file)."""


@dataclass(frozen=True)
class TableFile:
    table: str
    folder: str  # "master" or "lines"
    path: Path

    @property
    def display(self) -> str:
        suffix = "/" if self.path.is_dir() else ""
        return f"{self.folder}/{self.path.name}{suffix}"


def find_tables(input_dir: Path) -> dict[str, TableFile]:
    """The tables of a dataset folder, by name. A table given as both CSV and Parquet is an error
    (which one holds the truth?); the message says how their columns differ. So is a master table
    in lines/ or a line table in master/, a table file whose name is no table (its rows would
    never be read), a CSV whose header is separated by ';' or a tab, and a link that leads out of
    the input folder."""
    from schemas import LINES_FOLDER_SCHEMAS as LINE_SCHEMAS
    from schemas import MASTER_SCHEMAS

    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise InputError(f"input folder {input_dir} does not exist")
    root = input_dir.resolve()
    found: dict[str, TableFile] = {}
    for folder, own, others, other_folder, kind in (
            ("master", MASTER_SCHEMAS, LINE_SCHEMAS, "lines", "line"),
            ("lines", LINE_SCHEMAS, MASTER_SCHEMAS, "master", "master")):
        for path in sorted((input_dir / folder).glob("*")):
            if path.name.startswith(IGNORED_PREFIXES):
                continue  # hidden, or a lock file: no table (IGNORED_PREFIXES)
            if path.is_dir() and any(path.rglob("*.parquet")):
                pass  # a partitioned table: a folder of Parquet files (hive partitions allowed)
            elif path.suffix.lower() not in FORMATS or not path.is_file():
                continue
            table = path.stem
            _refuse_links_out(root, path, f"{folder}/{path.name}")
            if table in others:
                raise InputError(
                    f"{folder}/{path.name}: {table} is a {kind} table; it belongs in "
                    f"{other_folder}/, not in {folder}/")
            if table not in own:
                raise InputError(_no_such_table(folder, path))
            if table in found:
                first = found[table]
                names = ((first.path.name, path.name) if first.folder == folder
                         else (f"{first.folder}/{first.path.name}", f"{folder}/{path.name}"))
                raise InputError(
                    f"{folder}/{escaped(table)}: given twice ({escaped(names[0])} and "
                    f"{escaped(names[1])})"
                    f"{_schema_difference(first.path, path)}; keep one file per table"
                )
            found[table] = TableFile(table, folder, path)
    _refuse_other_separators(found)
    return found


def _no_such_table(folder: str, path: Path) -> str:
    """The message for a table file whose name is no table: the table name nearest to it (of
    either folder, a line table's name in master/ is a slip too), when one is close."""
    import difflib

    from schemas import LINES_FOLDER_SCHEMAS as LINE_SCHEMAS
    from schemas import MASTER_SCHEMAS

    slash = "/" if path.is_dir() else ""
    folders = {**dict.fromkeys(MASTER_SCHEMAS, "master"), **dict.fromkeys(LINE_SCHEMAS, "lines")}
    close = difflib.get_close_matches(path.stem.lower(), list(folders), n=1)
    if close:
        name = close[0]
        hint = (f"no table of that name (did you mean {name}, "
                f"{folders[name]}/{name}{path.suffix.lower()}{slash}?)")
    else:
        hint = "no table of that name"
    return (f"{escaped(f'{folder}/{path.name}{slash}')}: {hint}; rename it, or move it out of "
            f"{folder}/ (its rows would not be read)")


def _refuse_other_separators(found: dict[str, TableFile]) -> None:
    """A CSV whose header row has no ',' but splits on ';' (what Excel writes where the list
    separator is ';', as in Dutch and Belgian settings) or on a tab into names that include
    every required column of its table is refused, in one message: read with ',' each row would
    be one value, and every row of the file rejected (or every master column "missing")."""
    from schemas import LINES_FOLDER_SCHEMAS as LINE_SCHEMAS
    from schemas import MASTER_SCHEMAS
    from schemas.columns import is_optional

    schemas = {**MASTER_SCHEMAS, **LINE_SCHEMAS}
    faults = []
    for table_file in found.values():
        if not _is_csv(table_file):
            continue
        columns = schemas[table_file.table].columns
        required = {name for name, column in columns.items() if not is_optional(column)}
        separator = _other_separator(table_file.path, required)
        if separator:
            faults.append((table_file.display, "';'" if separator == ";" else "tabs"))
    if not faults:
        return
    if len(faults) == 1:
        [(display, separator)] = faults
        raise InputError(f"{display}: the columns are separated by {separator}, not ','; save "
                         "it as CSV UTF-8 (comma-delimited)")
    # (one message all the same: Excel users save every file the same way)
    files = ", ".join(f"{display} ({separator})" for display, separator in faults)
    raise InputError(f"{len(faults)} files have their columns separated by another character "
                     f"than ',': {files}; save each as CSV UTF-8 (comma-delimited)")


def _other_separator(path: Path, required: set[str]) -> str | None:
    """';' or a tab when the header row of the CSV at path is separated by it (see
    _refuse_other_separators), else None. Reads the first HEADER_BYTES only, in UTF-16 when the
    file starts with its BOM, else as UTF-8 (a name that is not is no column name anyway)."""
    with open(path, "rb") as handle:
        head = handle.read(HEADER_BYTES)
    if head[:2] in _UTF16_BOMS:
        text = head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace")
    header = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"), maxsplit=1)[0]
    if "," in header:
        return None
    for separator in (";", "\t"):
        names = {_normalise(name.strip().strip('"')) for name in header.split(separator)}
        if separator in header and required and required <= names:
            return separator
    return None


def _refuse_links_out(root: Path, path: Path, display: str) -> None:
    """A link (to a file, or a folder on the way) whose target is outside the input folder is
    refused: the input folder is what the run reads, nothing else. Links inside it are fine. For
    a partitioned table every file and folder below it is checked, as DuckDB follows them."""
    target = path.resolve()
    if not target.is_relative_to(root):
        raise InputError(f"{escaped(display)}: is a link to {escaped(target)}, outside the "
                         f"input folder {escaped(root)}; copy the file into the input folder "
                         "instead")
    if not path.is_dir():
        return
    seen: set[Path] = set()
    for folder, dirs, files in os.walk(path, followlinks=True):
        real = Path(folder).resolve()
        if real in seen:  # a link back up: DuckDB's ** does not loop, nor do we
            dirs.clear()
            continue
        seen.add(real)
        for name in dirs + files:
            entry = Path(folder) / name
            if entry.is_symlink() and not entry.resolve().is_relative_to(root):
                shown = escaped(f"{display.rstrip('/')}/{entry.relative_to(path).as_posix()}")
                raise InputError(f"{shown}: is a link to {escaped(entry.resolve())}, outside the "
                                 f"input folder {escaped(root)}; copy the file into the input "
                                 "folder instead")


def _schema_difference(first: Path, second: Path) -> str:
    """How the columns of two files of one table differ, for the message."""
    con = duckdb.connect()
    same_name = first.name == second.name  # one table name in master/ and lines/
    try:
        columns = {}
        for path in (first, second):
            reader = _reader(TableFile("t", "lines", path))
            described = con.execute(f"DESCRIBE SELECT * FROM {reader}", {"path": duckdb_path(path)})
            label = f"{path.parent.name}/{path.name}" if same_name else path.name
            columns[label] = [_normalise(row[0]) for row in described.fetchall()]
    except duckdb.Error:
        return ""
    finally:
        con.close()
    (a, cols_a), (b, cols_b) = columns.items()
    only_a = [c for c in cols_a if c not in cols_b]
    only_b = [c for c in cols_b if c not in cols_a]
    if not only_a and not only_b:
        return " with the same columns"
    parts = [f"only in {name}: {', '.join(cols)}" for name, cols in ((a, only_a), (b, only_b)) if cols]
    return f" with different columns ({'; '.join(parts)})"


# what DuckDB's file readers take as a pattern (a bound parameter is globbed too: DuckDB 2.0.1
# has no "literal path" option); each is matched literally as a one-character class, [*]
GLOB_CHARACTERS = "*?[]"


def duckdb_path(path: Path) -> str:
    """The path as DuckDB must be given it to read that one file or folder and nothing else: the
    absolute path (DuckDB expands a leading ~), every glob character as a class of its own
    (`in[12]` → `in[[]12[]]`), so that a folder named `a*` or `in[12]` reads only itself."""
    text = os.path.abspath(path)
    return "".join(f"[{c}]" if c in GLOB_CHARACTERS else c for c in text)


def raw_table_name(table: str) -> str:
    return f"raw_{table}"


@dataclass(frozen=True)
class Ingested:
    """What ingest_raw read: the normalised column names, and why the file cannot be trusted row
    by row (it is empty, or not UTF-8: every row is then quarantined with that reason)."""

    columns: list[str]
    empty: bool = False
    encoding_fault: str | None = None


def ingest_raw(con: duckdb.DuckDBPyConnection, table_file: TableFile, *,
               copy: bool = False) -> Ingested:
    """Load one file as the table ingest.raw_<table> (for a single Parquet file a view over it: the
    rows are read where they are used, not copied as text first; with copy, a table all the
    same, for a small file that several queries read).

    A CSV is checked before DuckDB reads it: a failed read would abort the run's transaction,
    so a file that is not UTF-8 is found first (streamed, in Python) and then read in the
    encoding it seems to be in, for each of its rows to be quarantined with the reason."""
    if _is_empty(table_file.path):
        return Ingested([], empty=True)
    if not _is_csv(table_file):
        return Ingested(_load(con, table_file, "utf-8", copy))
    fault, encoding = _encoding_fault(table_file.path)
    return Ingested(_load(con, table_file, encoding), encoding_fault=fault)


def _is_parquet_file(table_file: TableFile) -> bool:
    return table_file.path.is_file() and table_file.path.suffix.lower() == ".parquet"


def is_view(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name = $n AND database_name = $work",
        {"n": name, "work": workspace.WORK}).fetchone()[0] > 0


def drop(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a work table or view of that name (found on the search path), if there is one."""
    kind = "VIEW" if is_view(con, name) else "TABLE"
    con.execute(f"DROP {kind} IF EXISTS {_quote(name)}")


def _is_csv(table_file: TableFile) -> bool:
    return table_file.path.is_file() and table_file.path.suffix.lower() == ".csv"


def _load(con: duckdb.DuckDBPyConnection, table_file: TableFile, encoding: str,
          copy: bool = False) -> list[str]:
    if _is_csv(table_file):
        header = _csv_header(table_file, encoding)
        _refuse_too_many_columns(table_file, len(header))
        source = _reader(table_file, encoding, header)
        columns = [(name, "VARCHAR") for name in header]
    else:
        source = _reader(table_file, encoding)
        try:
            described = con.execute(f"DESCRIBE SELECT * FROM {source}",
                                    {"path": duckdb_path(table_file.path)})
            columns = [(name, dtype) for name, dtype, *_ in described.fetchall()]
        except duckdb.OutOfMemoryException:
            raise  # not the file's fault
        except duckdb.Error as error:
            raise InputError(f"{table_file.display}: cannot be read: {_first_line(error)}") from error
        _refuse_too_many_columns(table_file, len(columns))
        _refuse_types(table_file, columns)
    names = [_normalise(name) for name, _ in columns]
    counts = Counter(names)
    duplicates = sorted(n for n, k in counts.items() if k > 1)
    if duplicates:
        raise InputError(
            f"{table_file.display}: column(s) {escaped(', '.join(duplicates))} appear twice")
    reserved = sorted(set(names) & {*RESERVED_COLUMNS, *_reader_columns(table_file)})
    if reserved:
        raise InputError(
            f"{table_file.display}: column(s) {', '.join(reserved)}: a name journalize uses for "
            "its own bookkeeping of the file's rows; rename the column (it is not a column of "
            "SPEC §2)")
    selects = [_raw_value(name, dtype, norm) for (name, dtype), norm in zip(columns, names, strict=True)]
    # which values are over the size limit (their place in the file's columns, 1-based): they
    # are not copied (NULL in the raw table), and validate rejects the row (rule value_size)
    sizes = [(i, _size(name, dtype)) for i, (name, dtype) in enumerate(columns, start=1)
             if _size(name, dtype)]
    sized = [f"CASE WHEN {size} > {MAX_VALUE_BYTES} THEN {i} END" for i, size in sizes]
    # (the list is built only on a row with a value over the limit: greatest() of the sizes is
    # one cheap comparison per row, a list per row is not)
    oversize = (f"CASE WHEN greatest({', '.join(size for _, size in sizes)}) > {MAX_VALUE_BYTES} "
                f"THEN nullif(list_filter([{', '.join(sized)}], lambda i: i IS NOT NULL), "
                "[]::INTEGER[]) END" if sizes else "NULL::INTEGER[]")
    selects.append(f"{oversize} AS {OVERSIZE}")
    selects = ", ".join(selects)
    target = raw_table_name(table_file.table)
    if _is_parquet_file(table_file) and not copy:
        # a view, not a copy: the file is read where its rows are needed (the cast, the faults),
        # its rows numbered by their place in the file
        # (a view cannot hold a bound parameter: the path is in a variable the view reads)
        variable = f"journalize_file_{table_file.table}"
        con.execute(f"SET VARIABLE {_quote(variable)} = $path",
                    {"path": duckdb_path(table_file.path)})
        source = f"read_parquet(getvariable('{variable}'), file_row_number = true)"
        con.execute(
            f"CREATE OR REPLACE VIEW {workspace.table_sql('ingest', target)} AS "
            f"SELECT file_row_number + 1 AS {ROW}, {selects} FROM {source}"
        )
        return names
    numbered = "row_number() OVER ()"
    if _is_parquet_file(table_file):  # (a copy: numbered by place in the file all the same)
        source, numbered = "read_parquet($path, file_row_number = true)", "file_row_number + 1"
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {workspace.table_sql('ingest', target)} AS "
            f"SELECT {numbered} AS {ROW}, {selects} FROM {source}",
            {"path": duckdb_path(table_file.path)},
        )
    except duckdb.OutOfMemoryException:
        raise  # not the file's fault
    except duckdb.Error as error:
        # DuckDB (strict mode) refused the file: say where, in the words of the CSV module
        reason = None
        if _is_csv(table_file):
            reason = _csv_structure_fault(table_file.path, encoding, len(columns))
        raise InputError(f"{table_file.display}: cannot be read: {reason or _first_line(error)}") from error
    return names


def _reader_columns(table_file: TableFile) -> list[str]:
    """Columns the reader adds to a file's own (read_parquet's file_row_number)."""
    return ["file_row_number"] if _is_parquet_file(table_file) else []


def _refuse_too_many_columns(table_file: TableFile, count: int) -> None:
    if count > MAX_COLUMNS:
        raise InputError(
            f"{table_file.display}: has {count:,} columns, more than the {MAX_COLUMNS:,} "
            "journalize reads per file (SPEC §2 tables have about 20); is it the right file?")


_NESTED = re.compile(r"^(STRUCT|MAP|UNION|VARIANT)\b|\]$")


def _refuse_types(table_file: TableFile, columns: list[tuple[str, str]]) -> None:
    """Parquet types whose text form is not one value of SPEC §2: nested values (a struct, a list,
    a map) and timestamps with a time zone (their day depends on the zone they are read in)."""
    nested = [f"{escaped(name)} ({escaped(dtype)})"
              for name, dtype in columns if _NESTED.search(dtype)]
    if nested:
        raise InputError(
            f"{table_file.display}: column(s) {', '.join(nested)} hold nested values (a struct, "
            "list or map); SPEC §2 columns hold one value each: write them as text or numbers")
    zoned = [escaped(name)
             for name, dtype in columns if dtype.startswith("TIMESTAMP WITH TIME ZONE")]
    if zoned:
        raise InputError(
            f"{table_file.display}: column(s) {', '.join(zoned)} are TIMESTAMP WITH TIME ZONE: "
            "which day such a moment is depends on a time zone, and journalize does not guess "
            "one; write the date as DATE (or text YYYY-MM-DD, or a timestamp without a zone)")


def _raw_value(name: str, dtype: str, norm: str) -> str:
    text = f"nullif(trim({_as_text(name, dtype)}), '')"
    size = _size(name, dtype)
    if size:  # a value over the limit is not copied (not even trimmed)
        text = f"CASE WHEN {size} > {MAX_VALUE_BYTES} THEN NULL ELSE {text} END"
    return f"{text} AS {_quote(norm)}"


def _size(name: str, dtype: str) -> str | None:
    """SQL for the size of a value in bytes, for the types whose values can be large."""
    if dtype == "VARCHAR" or dtype.startswith("JSON"):
        return f"strlen({_quote(name)})"
    if dtype == "BLOB":
        return f"octet_length({_quote(name)})"
    return None


def _csv_header(table_file: TableFile, encoding: str) -> list[str]:
    """The header row, read as the CSV module reads it (names as written; BOM dropped)."""
    import csv

    with open(table_file.path, encoding=_python_encoding(encoding), newline="") as handle:
        try:
            header = next(csv.reader(handle, strict=True), [])
        except (csv.Error, UnicodeError) as error:
            raise InputError(f"{table_file.display}: cannot read the header row: {error}") from error
    header = [name.removeprefix("\ufeff") for name in header]
    blank = [str(i) for i, name in enumerate(header, start=1) if not name.strip()]
    if blank:
        raise InputError(
            f"{table_file.display}: the header row has no name for column(s) {', '.join(blank)}")
    return header


def _python_encoding(encoding: str) -> str:
    return {"utf-8": "utf-8-sig", "latin-1": "latin-1", "utf-16": "utf-16"}[encoding]


def _csv_structure_fault(path: Path, encoding: str, fields: int) -> str | None:
    """Where a CSV breaks its own structure (a row with more or fewer fields than the header, or a
    quote that never closes), with the line it starts on: the message when DuckDB refuses it."""
    import csv

    with open(path, encoding=_python_encoding(encoding), newline="") as handle:
        reader = csv.reader(handle, strict=True)
        start = 1
        try:
            next(reader, None)
            start = reader.line_num + 1
            for row in reader:
                if row and len(row) != fields:
                    return (
                        f"line {start} has {len(row)} fields, the header has {fields} "
                        "(a ',' inside a value needs quotes)"
                    )
                start = reader.line_num + 1
        except csv.Error as error:
            return f"line {start}: {error} (a quote that is never closed?)"
        except UnicodeError as error:
            return f"line {start}: cannot be decoded as {encoding}: {error}"
    return None


def _is_empty(path: Path) -> bool:
    """No bytes at all (or only a BOM and white space): not even a header row."""
    if path.suffix.lower() != ".csv":
        return path.stat().st_size == 0
    with open(path, "rb") as handle:
        head = handle.read(64)
    return not head.removeprefix(b"\xef\xbb\xbf").strip()


# Encodings DuckDB can read besides UTF-8, so that the rows of a wrongly encoded file can still be
# counted and quarantined one by one.
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _encoding_fault(path: Path) -> tuple[str | None, str]:
    """(None, "utf-8") for a UTF-8 file; else a message naming the encoding it seems to be in and
    the first offending line, and the encoding to read it with. Streams the file in chunks.

    Hand-rolled on purpose: SPEC §2 allows UTF-8 only, so all we need is where UTF-8 breaks and a
    fair name for the usual culprits (UTF-16 from Excel "Unicode text", Windows-1252 from
    "CSV (comma delimited)"); a statistical detector would be a dependency for a guess."""
    import codecs

    with open(path, "rb") as handle:
        head = handle.read(2)
        if head in _UTF16_BOMS:
            return ("the file is UTF-16 encoded, not UTF-8; save it as CSV UTF-8", "utf-16")
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        line = 1
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line += chunk[: error.start].count(b"\n")
                byte = chunk[error.start]
                try:
                    bytes([byte]).decode("cp1252")
                    guess = "Windows-1252 (or ISO-8859-1)"
                except UnicodeDecodeError:
                    guess = "ISO-8859-1"
                return (
                    f"the file is not UTF-8: byte 0x{byte:02x} on line {line} (counting the header) "
                    f"looks like {guess}; save it as CSV UTF-8",
                    "latin-1",
                )
            line += chunk.count(b"\n")
    return None, "utf-8"


def create_empty_raw(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> None:
    """An absent optional table reads as an empty one with the schema's columns."""
    cols = ", ".join(f"{_quote(c)} VARCHAR" for c in columns)
    con.execute(f"CREATE OR REPLACE TABLE {workspace.table_sql('ingest', raw_table_name(table))} "
                f"({ROW} BIGINT, {cols})")


def _reader(table_file: TableFile, encoding: str = "utf-8", header: list[str] | None = None) -> str:
    if table_file.path.is_dir():
        return ("read_parquet($path || '/**/*.parquet', hive_partitioning = true, "
                "union_by_name = true)")
    if table_file.path.suffix.lower() == ".parquet":
        return "read_parquet($path)"
    if header is None:  # only to compare a CSV's columns with a sibling's
        return "read_csv($path, header = true, all_varchar = true, delim = ',', quote = '\"')"
    # the header was read and the structure checked already: no sniffing, every value text
    columns = ", ".join(f"'{name.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for name in header)
    return (
        "read_csv($path, header = true, auto_detect = false, delim = ',', quote = '\"', "
        f"escape = '\"', columns = {{{columns}}}, encoding = '{encoding}', strict_mode = true)"
    )


def _as_text(name: str, dtype: str) -> str:
    column = _quote(name)
    if dtype.startswith("TIMESTAMP"):  # (with a time zone: refused, _refuse_types)
        return f"strftime({column}::DATE, '%Y-%m-%d')"
    if dtype.startswith("DECIMAL"):
        # an exact decimal as the shortest text of its value (4.000000 → 4, 4.120 → 4.12): the
        # column's own format then decides, as for a CSV (4.12345 has too many decimals for
        # DECIMAL(18,4) and is rejected, not rounded)
        text = f"CAST({column} AS VARCHAR)"
        return (f"CASE WHEN contains({text}, '.') THEN rtrim(rtrim({text}, '0'), '.') "
                f"ELSE {text} END")
    return f"CAST({column} AS VARCHAR)"


def _normalise(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _first_line(error: Exception) -> str:
    """DuckDB's reason, without its hints: the first line, plus the CSV line it names."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    reason = lines[0]
    for line in lines[1:4]:
        if line.lower().startswith(("invalid unicode", "expected number", "original line")):
            reason += f" ({line})"
    return reason
