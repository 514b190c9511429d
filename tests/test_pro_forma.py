"""`journalize run --pro-forma` (SPEC §12): the invoices a run would make, shown as totals per
administration and journal plus the first invoices, the whole list in a file on request
(--out), and nothing written: no database, no folder, no log for books that do not exist, not
a byte of books that do."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from decimal import Decimal
from pathlib import Path

import duckdb
from builders import base_master, integration_type, order_line, query, run, with_be01, write_dataset
from typer.testing import CliRunner

from flows.cli import app
from flows.parameters import RunParameters
from flows.pipeline import pro_forma
from transforms.pro_forma import SHOWN

WIDE = {"COLUMNS": "250"}


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def pro_forma_cli(dataset: Path, db: Path, *more: object):
    return invoke("run", "--input", dataset, "--db", db, "--period", "2026-10", "--pro-forma",
                  *more)


def two_administrations_with_a_credit() -> tuple[dict, dict]:
    """NL01 (journal VK, credit journal VKC) and BE01 (journal VKB). Each line's amount is
    quantity × unit price, rounded to cents; VAT per invoice and code (SPEC §9):
      NL01/VK   O1: L1 1 × 100.00 H (21 %)                  → 100.00 + 21.00 = 121.00
                O2: L2 2 × 100.00 H, L3 3 × 10.00 L (9 %)   → 230.00 + 42.00 + 2.70 = 274.70
      NL01/VKC  O3: L4 1 × 50.00 H, a credit line           → −50.00 − 10.50 = −60.50
      BE01/VKB  OB: B1 1 × 100.00 H                         → 100.00 + 21.00 = 121.00
    Per journal: BE01/VKB 1 invoice, 1 line, 100.00, 21.00, 121.00; NL01/VK 2 invoices,
    3 lines, 330.00, 65.70, 395.70; NL01/VKC 1 invoice, 1 line, −50.00, −10.50, −60.50.
    In all: 4 invoices, 5 lines, 380.00 + 76.20 = 456.20."""
    master = with_be01(base_master())
    master["integration_types"].append(integration_type("sales_invoice", "VKB", admin_id="BE01"))
    lines = {"order_lines": [
        order_line("L1"),
        order_line("L2", "O2", quantity="2"),
        order_line("L3", "O2", quantity="3", unit_price="10", vat_code="L"),
        order_line("L4", "O3", unit_price="50", is_credit="true"),
        order_line("B1", "OB", admin_id="BE01", debtor_id="10002"),
    ]}
    return master, lines


TOTALS = [  # (administration, journal, invoices, lines, excl. VAT, VAT, incl. VAT), by hand
    ("BE01", "VKB", 1, 1, Decimal("100.00"), Decimal("21.00"), Decimal("121.00")),
    ("NL01", "VK", 2, 3, Decimal("330.00"), Decimal("65.70"), Decimal("395.70")),
    ("NL01", "VKC", 1, 1, Decimal("-50.00"), Decimal("-10.50"), Decimal("-60.50")),
]


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def spill_folders() -> list[str]:
    return sorted(p.name for p in Path(tempfile.gettempdir()).glob(
        f"journalize-pro-forma-{os.getpid()}-*"))


# --- what it shows ------------------------------------------------------------------------------


def test_the_totals_per_administration_and_journal_are_the_hand_computed_ones(tmp_path):
    master, lines = two_administrations_with_a_credit()
    dataset = write_dataset(tmp_path / "input", master, **lines)

    result = pro_forma(RunParameters.for_period("2026-10", input_dir=dataset,
                                                db_path=tmp_path / "out.duckdb"))

    summary = result.pro_forma_summary
    assert summary.totals == TOTALS
    assert (summary.invoices, summary.lines) == (4, 5)
    assert result.run_id is None


def test_the_cli_prints_the_totals_and_every_invoice_of_a_small_month(tmp_path):
    master, lines = two_administrations_with_a_credit()
    dataset = write_dataset(tmp_path / "input", master, **lines)

    result = pro_forma_cli(dataset, tmp_path / "out.duckdb")

    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "pro forma (not numbered, nothing written): 4 invoices of 5 lines" in text
    rows = [" ".join(line.replace("│", " ").split()) for line in text.splitlines()]
    for admin, journal, n, lines_, excl, vat, incl in TOTALS:
        assert f"{admin} {journal} {n} {lines_} {excl:,.2f} {vat:,.2f} {incl:,.2f}" in rows
    assert "NL01 VK 10001 [vkf] Verkoopfactuur 2 230.00 44.70 274.70" in rows  # (O2)
    assert "more invoices" not in text  # (all 4 shown)


def test_a_big_month_shows_its_first_invoices_and_counts_the_others(tmp_path):
    """25 orders of one debtor, O01 … O25, order i: i × 100.00 (H 21 %). The first 20 by
    administration, journal, debtor and order are shown, the other 5 counted; the totals cover
    all 25: 100.00 × (1 + … + 25) = 32,500.00, VAT 6,825.00, incl. 39,325.00."""
    dataset = write_dataset(tmp_path / "input", order_lines=[
        order_line(f"L{i:02d}", f"O{i:02d}", quantity=str(i)) for i in range(1, 26)])

    result = pro_forma_cli(dataset, tmp_path / "out.duckdb")
    direct = pro_forma(RunParameters.for_period("2026-10", input_dir=dataset,
                                                db_path=tmp_path / "out.duckdb"))

    assert result.exit_code == 0, result.output
    text = result.stdout
    rows = [" ".join(line.replace("│", " ").split()) for line in text.splitlines()]
    assert "NL01 VK 25 25 32,500.00 6,825.00 39,325.00" in rows
    assert SHOWN == 20
    assert "the first 20 pro forma invoices" in text
    assert sum(row.startswith("NL01 VK 10001 [vkf]") for row in rows) == 20
    assert "NL01 VK 10001 [vkf] Verkoopfactuur 1 2,000.00 420.00 2,420.00" in rows  # O20
    assert "2,100.00" not in text  # O21 is not shown
    assert "… and 5 more invoices (--out FILE.csv or FILE.parquet writes every one)" in text
    # (the rows shown are all the result carries: the list stays in DuckDB)
    assert len(direct.pro_forma) == 20
    assert direct.pro_forma[0][4:] == (1, Decimal("100.00"), Decimal("21.00"), Decimal("121.00"))


def test_json_gives_the_totals_per_journal_and_their_sum(tmp_path):
    master, lines = two_administrations_with_a_credit()
    dataset = write_dataset(tmp_path / "input", master, **lines)

    result = pro_forma_cli(dataset, tmp_path / "out.duckdb", "--json")

    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert (found["outcome"], found["exit_code"], found["pro_forma"], found["run_id"]) == (
        "succeeded", 0, True, None)
    assert found["counts"] == {"invoices": 4, "lines": 5}
    assert found["totals"] == {"total_excl_vat": "380.00", "vat_amount": "76.20",
                               "total_incl_vat": "456.20"}
    assert [(j["admin_id"], j["journal_code"], j["invoices"], j["lines"], j["total_excl_vat"],
             j["vat_amount"], j["total_incl_vat"]) for j in found["invoices_by_journal"]] == [
        (a, j, n, m, str(x), str(v), str(i)) for a, j, n, m, x, v, i in TOTALS]
    assert len(found["first_invoices"]) == 4 and found["out"] is None


# --- what it writes: nothing, or the file asked for ---------------------------------------------


def test_a_pro_forma_without_books_creates_no_file_no_folder_and_no_log(tmp_path):
    dataset = write_dataset(tmp_path / "input", order_lines=[order_line("L1")])
    before = sorted(p.name for p in tmp_path.iterdir())
    db = tmp_path / "new" / "folder" / "books.duckdb"

    result = pro_forma_cli(dataset, db)

    assert result.exit_code == 0, result.output
    assert "1 invoices of 1 lines" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # (no "new" folder, no log)
    assert spill_folders() == []  # (DuckDB's spill folder, if it made one, is gone)


def test_a_pro_forma_on_books_changes_not_a_byte_and_is_logged_beside_them(tmp_path):
    first = write_dataset(tmp_path / "first", order_lines=[order_line("L1")])
    db = tmp_path / "books" / "books.duckdb"
    run(first, db)
    books_before = db.read_bytes()
    second = write_dataset(tmp_path / "second", order_lines=[order_line("L1"),
                                                             order_line("L2", "O2")])
    log = db.with_name("books.duckdb.log.jsonl")
    logged_before = log.read_text().splitlines() if log.exists() else []

    result = pro_forma_cli(second, db)

    assert result.exit_code == 0, result.output
    assert "1 invoices of 1 lines" in result.stdout  # (L1 was invoiced by the first run)
    assert db.read_bytes() == books_before
    assert sorted(p.name for p in db.parent.iterdir()) == ["books.duckdb",
                                                           "books.duckdb.log.jsonl"]
    logged = log.read_text().splitlines()
    assert logged[:-1] == logged_before
    assert (json.loads(logged[-1])["action"], json.loads(logged[-1])["outcome"]) == (
        "pro-forma", "succeeded")
    assert query(db, "SELECT count(*) FROM invoices") == [(1,)]


def test_out_csv_writes_every_invoice_with_its_columns(tmp_path):
    master, lines = two_administrations_with_a_credit()
    dataset = write_dataset(tmp_path / "input", master, **lines)
    out = tmp_path / "list.csv"

    result = pro_forma_cli(dataset, tmp_path / "out.duckdb", "--out", out)

    assert result.exit_code == 0, result.output
    assert f"all 4 pro forma invoices written to {out.resolve()}" in result.stdout
    header, *rows = out.read_text().splitlines()
    assert header.split(",")[:6] == ["admin_id", "journal_code", "integration_type", "debtor_id",
                                     "debtor_name", "invoice_date"]
    assert len(rows) == 4
    with duckdb.connect() as con:
        found = con.execute(
            "SELECT admin_id, journal_code, debtor_id, debtor_name, invoice_date::VARCHAR, "
            "due_date::VARCHAR, is_credit, line_count, total_excl_vat::VARCHAR, "
            "vat_amount::VARCHAR, total_incl_vat::VARCHAR FROM read_csv($p, all_varchar = true)",
            {"p": str(out)}).fetchall()
    # due date: invoice date 2026-10-31 + 30 days' payment term = 2026-11-30
    assert found == [
        ("BE01", "VKB", "10002", "De Vries Bouw", "2026-10-31", "2026-11-30", "false", "1",
         "100.00", "21.00", "121.00"),
        ("NL01", "VK", "10001", "Jansen Installatie BV", "2026-10-31", "2026-11-30", "false",
         "1", "100.00", "21.00", "121.00"),
        ("NL01", "VK", "10001", "Jansen Installatie BV", "2026-10-31", "2026-11-30", "false",
         "2", "230.00", "44.70", "274.70"),
        ("NL01", "VKC", "10001", "Jansen Installatie BV", "2026-10-31", "2026-11-30", "true",
         "1", "-50.00", "-10.50", "-60.50"),
    ]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # (debtors and amounts: private)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input", "list.csv"]


def test_out_parquet_keeps_exact_amounts_and_dates(tmp_path):
    master, lines = two_administrations_with_a_credit()
    dataset = write_dataset(tmp_path / "input", master, **lines)
    out = tmp_path / "List.PARQUET"

    result = pro_forma_cli(dataset, tmp_path / "out.duckdb", "--out", out)

    assert result.exit_code == 0, result.output
    with duckdb.connect() as con:
        types = dict(con.execute("SELECT column_name, column_type FROM "
                                 "(DESCRIBE SELECT * FROM read_parquet($p))",
                                 {"p": str(out)}).fetchall())
        sums = con.execute("SELECT count(*), sum(total_excl_vat), sum(vat_amount), "
                           "sum(total_incl_vat) FROM read_parquet($p)", {"p": str(out)}).fetchone()
    assert types["total_incl_vat"] == "DECIMAL(18,2)" and types["invoice_date"] == "DATE"
    assert sums == (4, Decimal("380.00"), Decimal("76.20"), Decimal("456.20"))


def test_out_with_quotes_and_glob_characters_in_its_name_is_that_file(tmp_path):
    """The path is bound to DuckDB's COPY, never pasted into the statement."""
    dataset = write_dataset(tmp_path / "input", order_lines=[order_line("L1")])
    out = tmp_path / "it's [a] list*; DROP TABLE x.csv"

    result = pro_forma_cli(dataset, tmp_path / "out.duckdb", "--out", out)

    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["input", out.name])


def test_out_refusals_are_usage_errors_that_write_nothing(tmp_path):
    dataset = write_dataset(tmp_path / "input", order_lines=[order_line("L1")])
    db = tmp_path / "out.duckdb"
    before = sorted(p.name for p in tmp_path.iterdir())

    other = pro_forma_cli(dataset, db, "--out", tmp_path / "list.xlsx")
    inside = pro_forma_cli(dataset, db, "--out", dataset / "lines" / "list.csv")
    nowhere = pro_forma_cli(dataset, db, "--out", tmp_path / "missing" / "list.csv")

    assert other.exit_code == 2
    assert "journalize: usage: --out" in other.stderr and ".csv or .parquet" in other.stderr
    assert inside.exit_code == 2 and "inside the input folder" in inside.stderr
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert sorted(p.name for p in (dataset / "lines").iterdir()) == ["order_lines.csv"]
    # a run given --out: refused (and, as a refused run, logged beside the books it names)
    real_run = invoke("run", "--input", dataset, "--db", db, "--period", "2026-10",
                      "--out", tmp_path / "list.csv")
    assert real_run.exit_code == 2 and "give --pro-forma too" in real_run.stderr
    assert not db.exists() and not (tmp_path / "list.csv").exists()


def test_a_failed_pro_forma_leaves_an_earlier_list_as_it_was_and_no_half_file(tmp_path):
    master = base_master()
    master["integration_types"].append(integration_type("sales_invoice", "VK"))  # twice: a fault
    dataset = write_dataset(tmp_path / "input", master, order_lines=[order_line("L1")])
    out = tmp_path / "list.csv"
    out.write_text("the list of yesterday\n")

    result = pro_forma_cli(dataset, tmp_path / "out.duckdb", "--out", out)

    assert result.exit_code == 2, result.output
    assert out.read_text() == "the list of yesterday\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input", "list.csv"]


def test_a_pro_forma_on_a_database_that_is_not_the_books_is_refused_unchanged(tmp_path):
    dataset = write_dataset(tmp_path / "input", order_lines=[order_line("L1")])
    db = tmp_path / "other.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE customers (id INTEGER)")
    before = db.read_bytes()

    result = pro_forma_cli(dataset, db)

    assert result.exit_code == 2, result.output
    assert "is not journalize's books" in result.stderr
    assert db.read_bytes() == before
