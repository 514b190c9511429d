"""SPEC §12 `run --pro-forma`, after group: the invoices a run would make, without numbering or
writing anything.

Each administration's draft invoices are added to ``group.pro_forma_invoices`` (one row per
invoice, the columns a user checks: ``sql/group/pro_forma_invoices.sql``); what is shown of them
is computed here in DuckDB (the totals per administration and journal, the first invoices), and
the whole list leaves DuckDB only as a file a user asked for (``write``, DuckDB's COPY with the
path bound), never as rows in Python: a 1M-line month makes about 300,000 invoices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from transforms import sqlfile, workspace

# the list's columns (the model's SELECT), made before the first administration is added
COLUMNS = (
    ("admin_id", "VARCHAR"), ("journal_code", "VARCHAR"), ("integration_type", "VARCHAR"),
    ("debtor_id", "VARCHAR"), ("debtor_name", "VARCHAR"), ("invoice_date", "DATE"),
    ("due_date", "DATE"), ("is_credit", "BOOLEAN"), ("is_collective", "BOOLEAN"),
    ("sources", "VARCHAR"), ("description", "VARCHAR"), ("line_count", "BIGINT"),
    ("currency", "VARCHAR"), ("total_excl_vat", "DECIMAL(18, 2)"),
    ("vat_amount", "DECIMAL(18, 2)"), ("total_incl_vat", "DECIMAL(18, 2)"),
    ("collect_key", "VARCHAR"), ("first_line_id", "VARCHAR"),
)
# the order the list is shown and written in: per administration and journal, then by debtor
ORDER = "admin_id, journal_code, debtor_id, collect_key"
# the output formats of --out, by the file's extension; the COPY options are fixed text
FORMATS = {".csv": "FORMAT csv, HEADER true", ".parquet": "FORMAT parquet"}
SHOWN = 20  # invoices a pro forma shows (its totals cover all of them; --out writes all)

_TABLE = workspace.table_sql("group", "pro_forma_invoices")


@dataclass
class Summary:
    """What a pro forma shows: per (administration, journal) its invoices, lines, excl. VAT, VAT
    and incl. VAT; the first SHOWN invoices (administration, journal, debtor, description, lines,
    excl. VAT, VAT, incl. VAT); how many invoices there are in all."""

    totals: list[tuple] = field(default_factory=list)
    first: list[tuple] = field(default_factory=list)
    invoices: int = 0

    @property
    def lines(self) -> int:
        return sum(row[3] for row in self.totals)


def start(con: duckdb.DuckDBPyConnection) -> None:
    """The empty list, before the run's first administration."""
    columns = ", ".join(f'"{name}" {dtype}' for name, dtype in COLUMNS)
    con.execute(f"CREATE OR REPLACE TABLE {_TABLE} ({columns})")


def add(con: duckdb.DuckDBPyConnection) -> None:
    """The draft invoices of the administration the run is at, added to the list."""
    sqlfile.build(con, "group", "pro_forma_invoices")


def summary(con: duckdb.DuckDBPyConnection, shown: int = SHOWN) -> Summary:
    totals = con.execute(
        f"SELECT admin_id, journal_code, count(*), sum(line_count), sum(total_excl_vat), "
        f"sum(vat_amount), sum(total_incl_vat) FROM {_TABLE} GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    first = con.execute(
        f"SELECT admin_id, journal_code, debtor_id, description, line_count, total_excl_vat, "
        f"vat_amount, total_incl_vat FROM {_TABLE} ORDER BY {ORDER} LIMIT $shown",
        {"shown": shown},
    ).fetchall()
    return Summary(totals, first, sum(row[2] for row in totals))


def out_format(path: Path) -> str:
    """The COPY options for a file of the list: by its extension, .csv or .parquet (ValueError
    for any other)."""
    options = FORMATS.get(Path(path).suffix.lower())
    if options is None:
        raise ValueError(f"--out {path}: give a file ending in .csv or .parquet (one row per "
                         "invoice)")
    return options


def write(con: duckdb.DuckDBPyConnection, path: Path, file_format: Path | None = None) -> None:
    """The whole list, in ORDER, into the file ``path`` (one row per invoice; CSV with a header,
    or Parquet with the columns' types), in the format of ``file_format``'s extension (default:
    the path's own). DuckDB's COPY, the path bound as a parameter."""
    options = out_format(file_format or path)
    con.execute(f"COPY (SELECT * FROM {_TABLE} ORDER BY {ORDER}) TO $path ({options})",
                {"path": str(path)})


def totals_json(summary: Summary) -> dict[str, str]:
    """The list's amounts summed over every administration and journal, as exact text."""
    return {name: str(sum((row[column] for row in summary.totals), Decimal(0)))
            for name, column in (("total_excl_vat", 4), ("vat_amount", 5),
                                 ("total_incl_vat", 6))}
