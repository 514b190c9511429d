"""Bad input (SPEC §1.2, §2, §11, §12): every kind of bad input gets a clear message — file, row,
column and the rule broken — and the good lines of the same run are still invoiced.
Where the input cannot be run at all (an unreadable file, a missing master table, `--strict`),
the run fails with one readable reason and nothing is written.

tests/test_validate.py already checks the stored (table, row, column, check, value) of the common
line faults; this file adds the message text of every kind, the kinds it does not cover (file
encodings, empty files, unreadable CSV structure, a table given twice, misspelled and extra
columns, `--strict`, the reconciliation), the command line, and a property test that throws
random corruptions at a small dataset.

Expected values come from the spec and the choices the README writes down, never from the
program's output.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Callable
from decimal import Decimal as D
from pathlib import Path

import pytest
from builders import (
    base_master,
    count_rows,
    counter_line,
    course,
    course_line,
    installment_line,
    order_line,
    postcalc_line,
    project,
    query,
    run,
    subscription,
    subscription_line,
    write_dataset,
)
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from flows.cli import app
from flows.pipeline import RunFailed
from schemas import LINE_SCHEMAS, MASTER_SCHEMAS
from transforms.ingest import InputError
from transforms.journalise import UnbalancedEntryError
from transforms.number import NumberingError
from transforms.reconcile import ReconciliationError
from transforms.validate import ConfigurationError

WIDE = {"COLUMNS": "250"}  # rich must not wrap the messages

REJECTIONS = ('SELECT "table", line_id, row_number, "column", "check", value, message '
              'FROM rejected_lines ORDER BY "table", row_number, "column"')

ORDER_COLUMNS = list(LINE_SCHEMAS["order_lines"].columns)
COUNTER_COLUMNS = list(LINE_SCHEMAS["counter_lines"].columns)


# --- helpers ---------------------------------------------------------------------------------------


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def csv_text(columns: list[str], rows: list[dict], newline: str = "\n") -> str:
    """A CSV as a spreadsheet writes it: quotes only where needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(columns)
    writer.writerows([[row.get(c, "") for c in columns] for row in rows])
    return buffer.getvalue()


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def statuses(db: Path, source: str) -> list[tuple]:
    return query(db, "SELECT line_id, status FROM billable_lines WHERE source = $s "
                     "ORDER BY row_number", {"s": source})


def invoiced(db: Path) -> list[tuple]:
    return query(db, "SELECT source, line_id FROM billable_lines WHERE status = 'invoiced' "
                     "ORDER BY ALL")


def total_incl_vat(db: Path) -> D:
    return query(db, "SELECT coalesce(sum(total_incl_vat), 0) FROM invoices")[0][0]


def assert_nothing_written(db: Path) -> None:
    """A failed first run leaves no invoices and no database file (SPEC §11: one transaction)."""
    assert count_rows(db, "invoices") == 0
    assert not db.exists()


OUTPUT_TABLES = ("runs", "invoices", "invoice_lines", "billable_lines", "journal_entries",
                 "open_items", "journal_counters", "rejected_lines", "run_reconciliation")


def snapshot(db: Path) -> dict[str, list[tuple]]:
    return {t: query(db, f"SELECT * FROM {t} ORDER BY ALL") for t in OUTPUT_TABLES}


def counter_dataset(folder: Path, master: dict | None = None, **lines) -> Path:
    """The dataset with one good counter line C1 (1 × 100.00, VAT H 21 % → 121.00), the good line
    of another file that must still be invoiced whatever happens to the file under test."""
    return write_dataset(folder, master, counter_lines=[counter_line("C1")], **lines)


C1_INVOICED = [("counter_lines", "C1")]


# --- one bad line between two good ones: message and the good lines ---------------------------

BUILDERS: dict[str, Callable[..., dict]] = {
    "order_lines": order_line,
    "counter_lines": counter_line,
    "postcalc_lines": postcalc_line,
    "installment_lines": installment_line,
    "subscription_lines": subscription_line,
    "course_lines": course_line,
}

# the master rows a source's lines refer to
MASTER_FOR = {
    "postcalc_lines": ("projects", [project("P1")]),
    "installment_lines": ("projects", [project("P1")]),
    "subscription_lines": ("subscriptions", [subscription("S1")]),
    "course_lines": ("courses", [course("C1")]),
}

# kind: (table, overrides of the bad line L2, column, check, stored value, text the message shows)
# A stored value of ... is not compared; a shown text of None is not looked for.
LINE_FAULTS = {
    # wrong types / unparsable decimals: decimal(18,4)
    "thousands separators 1.234,50": ("order_lines", dict(unit_price="1.234,50"), "unit_price",
                                      "decimal(18,4)", "1.234,50", "'1.234,50'"),
    "thousands separators 1,234.50": ("order_lines", dict(unit_price="1,234.50"), "unit_price",
                                      "decimal(18,4)", "1,234.50", "'1,234.50'"),
    "15 digits before the point": ("order_lines", dict(quantity="123456789012345"), "quantity",
                                   "decimal(18,4)", "123456789012345", "'123456789012345'"),
    "unit price with a currency sign": ("counter_lines", dict(unit_price="€100"), "unit_price",
                                        "decimal(18,4)", "€100", "'€100'"),
    # unparsable dates: iso_date
    "month 13": ("order_lines", dict(line_date="2026-13-45", delivery_date="2026-10-15"),
                 "line_date", "iso_date", "2026-13-45", "'2026-13-45'"),
    "day first": ("order_lines", dict(delivery_date="31-10-2026"), "delivery_date", "iso_date",
                  "31-10-2026", "'31-10-2026'"),
    "slashes": ("course_lines", dict(line_date="2026/10/31"), "line_date", "iso_date",
                "2026/10/31", "'2026/10/31'"),
    # booleans
    "boolean maybe": ("order_lines", dict(manual="maybe"), "manual", "boolean", "maybe",
                      "'maybe'"),
    # empty required values
    "empty vat_code": ("order_lines", dict(vat_code=""), "vat_code", "required", None, None),
    "empty order_id": ("order_lines", dict(order_id=""), "order_id", "required", None, None),
    "empty receipt_id": ("counter_lines", dict(receipt_id=""), "receipt_id", "required", None,
                         None),
    # a value outside its list
    "payment method CASH": ("counter_lines", dict(payment_method="CASH"), "payment_method",
                            "isin", "CASH", "'CASH'"),
    # unknown master data
    "unknown debtor": ("counter_lines", dict(debtor_id="99999"), "debtor_id", "known_debtor",
                       "99999", "99999"),
    "unknown article group": ("course_lines", dict(article_group="NOPE"), "article_group",
                              "known_article_group", "NOPE", "NOPE"),
    "unknown VAT code": ("installment_lines", dict(vat_code="Z"), "vat_code", "known_vat_code",
                         "Z", "Z"),
    "unknown administration": ("counter_lines", dict(admin_id="XX01"), "admin_id",
                               "known_administration", "XX01", "XX01"),
    "unknown integration group": ("order_lines", dict(integration_group="NOPE"),
                                  "integration_group", "known_integration_group", "NOPE",
                                  "NOPE"),
    "postcalc line with unknown project": ("postcalc_lines", dict(project_id="P9"), "project_id",
                                           "known_project", "P9", "P9"),
    "installment line with unknown project": ("installment_lines", dict(project_id="P9"),
                                              "project_id", "known_project", "P9", "P9"),
    "unknown subscription": ("subscription_lines", dict(subscription_id="S9"), "subscription_id",
                             "known_subscription", "S9", "S9"),
    "unknown course": ("course_lines", dict(course_id="C9"), "course_id", "known_course", "C9",
                       "C9"),
    # amounts
    "negative quantity without is_credit": ("order_lines", dict(quantity="-2"), "quantity",
                                            "credit_sign", ..., None),
    "amount beyond DECIMAL(18,2)": ("order_lines",
                                    dict(quantity="99999999999999", unit_price="99999999"),
                                    "unit_price", "amount_range", ..., None),
}


@pytest.mark.parametrize("kind", LINE_FAULTS)
def test_bad_line_message_names_file_row_column_and_rule(dataset_dir, db, kind):
    table, overrides, column, check, value, shows = LINE_FAULTS[kind]
    build = BUILDERS[table]
    master = base_master()
    if table in MASTER_FOR:
        key, rows = MASTER_FOR[table]
        master[key] = rows
    write_dataset(dataset_dir, master, **{table: [
        build("L1"),
        build("L2", **overrides),
        build("L3", quantity="2"),
    ]})

    run(dataset_dir, db)

    [(stored_table, line_id, row, stored_column, stored_check, stored_value, message)] = query(
        db, REJECTIONS)
    assert (stored_table, line_id, row, stored_column, stored_check) == (
        table, "L2", 2, column, check)
    if value is not ...:
        assert stored_value == value
    # file, data row (header not counted), column, rule
    assert message.startswith(f"lines/{table}.csv row 2, column {column}: "), message
    assert f"[rule {check}]" in message
    if shows is not None:
        assert shows in message
    # the good lines of the same file went through: 1 × 100.00 + 2 × 100.00 = 300.00 + 21 % VAT
    assert statuses(db, table) == [("L1", "invoiced"), ("L2", "rejected"), ("L3", "invoiced")]
    assert total_incl_vat(db) == D("363.00")


def test_decimal_comma_message_in_full(dataset_dir, db):
    """A decimal comma's message, word for word: file, row, column, what the value must be, the
    rule and the value."""
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", quantity="1,5")])

    run(dataset_dir, db)

    assert query(db, "SELECT message FROM rejected_lines") == [(
        "lines/order_lines.csv row 2, column quantity: must be a number with '.' as decimal point "
        "and no thousands separators, at most 14 digits before and 4 after it "
        "[rule decimal(18,4)] (value '1,5')",
    )]
    assert invoiced(db) == [("order_lines", "L1")]


def test_every_copy_of_a_duplicated_line_id_is_rejected_with_a_message(dataset_dir, db):
    write_dataset(dataset_dir, counter_lines=[
        counter_line("C1"),
        counter_line("C2", "R2"),
        counter_line("C2", "R3", quantity="3"),
        counter_line("C2", "R4", quantity="5"),
        counter_line("C3", "R5", quantity="2"),
    ])

    run(dataset_dir, db)

    rows = query(db, REJECTIONS)
    assert [r[:6] for r in rows] == [
        ("counter_lines", "C2", n, "line_id", "unique_line_id", "C2") for n in (2, 3, 4)]
    for (*_, n, _c, _k, _v, message) in rows:
        assert message.startswith(f"lines/counter_lines.csv row {n}, column line_id: ")
        assert "C2" in message and "[rule unique_line_id]" in message
    # C1 (121.00) and C3 (242.00) are each their own receipt
    assert invoiced(db) == [("counter_lines", "C1"), ("counter_lines", "C3")]
    assert total_incl_vat(db) == D("363.00")


# --- columns -------------------------------------------------------------------------------------


@pytest.mark.parametrize("table, column", [
    ("counter_lines", "debtor_id"),
    ("order_lines", "line_date"),
    ("order_lines", "admin_id"),
    ("order_lines", "quantity"),
    ("counter_lines", "unit_price"),
    ("order_lines", "is_credit"),
    ("order_lines", "order_id"),
    ("counter_lines", "payment_method"),
])
def test_missing_required_column_rejects_every_row_of_that_file(dataset_dir, db, table, column):
    other = "order_lines" if table == "counter_lines" else "counter_lines"
    build, other_build = BUILDERS[table], BUILDERS[other]
    write_dataset(dataset_dir, **{other: [other_build("G1")]})
    columns = [c for c in LINE_SCHEMAS[table].columns if c != column]
    rows = [build("X1"), build("X2", "K2"), build("X3", "K3")]
    write_bytes(dataset_dir / "lines" / f"{table}.csv", csv_text(columns, rows).encode())

    run(dataset_dir, db)

    rejected = query(db, REJECTIONS)
    assert [(t, n, c, k) for t, _, n, c, k, _, _ in rejected] == [
        (table, n, column, "column_present") for n in (1, 2, 3)]
    for *_, n, _c, _k, _v, message in rejected:
        assert message.startswith(f"lines/{table}.csv row {n}")
        assert f"column {column} is missing from the file" in message
        assert "[rule column_present]" in message
        assert "misspelled" not in message  # no column of the file looks like it
    assert statuses(db, table) == [("X1", "rejected"), ("X2", "rejected"), ("X3", "rejected")]
    assert invoiced(db) == [(other, "G1")]
    assert total_incl_vat(db) == D("121.00")


def test_misspelled_column_is_named_in_the_message(dataset_dir, db):
    counter_dataset(dataset_dir)
    columns = ["vat_cde" if c == "vat_code" else c for c in ORDER_COLUMNS]
    rows = [{**order_line(n), "vat_cde": "H"} for n in ("L1", "L2")]
    write_bytes(dataset_dir / "lines" / "order_lines.csv", csv_text(columns, rows).encode())

    run(dataset_dir, db)

    rejected = query(db, REJECTIONS)
    assert [(t, n, c, k) for t, _, n, c, k, _, _ in rejected] == [
        ("order_lines", 1, "vat_code", "column_present"),
        ("order_lines", 2, "vat_code", "column_present"),
    ]
    for *_, n, _c, _k, _v, message in rejected:
        assert message.startswith(f"lines/order_lines.csv row {n}")
        assert ("column vat_code is missing from the file (the file has 'vat_cde': misspelled?)"
                in message)
    assert statuses(db, "order_lines") == [("L1", "rejected"), ("L2", "rejected")]
    assert invoiced(db) == C1_INVOICED


def test_extra_unknown_columns_are_allowed(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[
        order_line("L1", warehouse="W1", colour_of_the_box="red"),
        order_line("L2", quantity="2", warehouse="W2", colour_of_the_box=""),
    ])

    run(dataset_dir, db)

    assert query(db, REJECTIONS) == []
    assert invoiced(db) == [("order_lines", "L1"), ("order_lines", "L2")]
    assert total_incl_vat(db) == D("363.00")


# --- encodings and line endings ------------------------------------------------------------------


def test_bom_and_windows_line_endings_in_a_master_and_a_line_file(dataset_dir, db):
    write_dataset(dataset_dir)
    debtor_columns = list(MASTER_SCHEMAS["debtors"].columns)
    debtors = base_master()["debtors"]
    write_bytes(dataset_dir / "master" / "debtors.csv",
                ("\ufeff" + csv_text(debtor_columns, debtors, "\r\n")).encode("utf-8"))
    rows = [counter_line("C1", description="Bouten, moeren"), counter_line("C2", quantity="2")]
    write_bytes(dataset_dir / "lines" / "counter_lines.csv",
                ("\ufeff" + csv_text(COUNTER_COLUMNS, rows, "\r\n")).encode("utf-8"))

    run(dataset_dir, db)

    assert query(db, REJECTIONS) == []
    assert query(db, "SELECT line_id, description, payment_method FROM billable_lines "
                     "ORDER BY 1") == [("C1", "Bouten, moeren", "on_account"),
                                       ("C2", "line C2", "on_account")]
    assert invoiced(db) == [("counter_lines", "C1"), ("counter_lines", "C2")]
    assert total_incl_vat(db) == D("363.00")


def test_windows_1252_line_file_rejects_every_row_and_the_other_files_go_on(dataset_dir, db):
    counter_dataset(dataset_dir)
    rows = [order_line("L1", description="Café Noord levering"), order_line("L2")]
    write_bytes(dataset_dir / "lines" / "order_lines.csv",
                csv_text(ORDER_COLUMNS, rows).encode("cp1252"))

    run(dataset_dir, db)

    rejected = query(db, REJECTIONS)
    assert [(t, line, n, k) for t, line, n, _c, k, _v, _m in rejected] == [
        ("order_lines", "L1", 1, "encoding"), ("order_lines", "L2", 2, "encoding")]
    for *_, n, _c, _k, _v, message in rejected:
        assert message.startswith(f"lines/order_lines.csv row {n}")
        assert "not UTF-8" in message
        assert "Windows-1252" in message
    assert statuses(db, "order_lines") == [("L1", "rejected"), ("L2", "rejected")]
    assert invoiced(db) == C1_INVOICED
    assert total_incl_vat(db) == D("121.00")


def test_utf16_line_file_rejects_every_row_and_the_other_files_go_on(dataset_dir, db):
    counter_dataset(dataset_dir)
    rows = [order_line("L1"), order_line("L2"), order_line("L3")]
    write_bytes(dataset_dir / "lines" / "order_lines.csv",
                csv_text(ORDER_COLUMNS, rows).encode("utf-16"))  # with its BOM, as Excel saves

    run(dataset_dir, db)

    rejected = query(db, REJECTIONS)
    assert [(t, n, k) for t, _l, n, _c, k, _v, _m in rejected] == [
        ("order_lines", n, "encoding") for n in (1, 2, 3)]
    for *_, n, _c, _k, _v, message in rejected:
        assert message.startswith(f"lines/order_lines.csv row {n}")
        assert "UTF-16" in message
    assert [s for _, s in statuses(db, "order_lines")] == ["rejected"] * 3
    assert invoiced(db) == C1_INVOICED


def test_non_utf8_master_file_is_a_configuration_error(dataset_dir, db):
    counter_dataset(dataset_dir)
    debtors = base_master()["debtors"]
    debtors[1]["name"] = "Café De Vries"
    write_bytes(dataset_dir / "master" / "debtors.csv",
                csv_text(list(MASTER_SCHEMAS["debtors"].columns), debtors).encode("cp1252"))

    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)

    [message] = [m for m in error.value.messages if "master/debtors.csv" in m]
    assert "not UTF-8" in message
    assert_nothing_written(db)


# --- missing and empty files ---------------------------------------------------------------------


def test_missing_required_master_table(dataset_dir, db):
    counter_dataset(dataset_dir)
    (dataset_dir / "master" / "vat_codes.csv").unlink()

    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)

    assert ("master/vat_codes: required table is missing (no vat_codes.csv or .parquet)"
            in error.value.messages)
    assert_nothing_written(db)


NO_LINES_FOLDER = "the input has no lines/ folder: no line was read, the run invoices nothing"
NO_LINE_FILE = ("lines/ holds no line file (order_lines, counter_lines, postcalc_lines, "
                "installment_lines, subscription_lines, course_lines; .csv or .parquet): no line "
                "was read, the run invoices nothing")


def test_line_tables_are_all_optional(dataset_dir, db):
    """An empty month is allowed, and said (issue 14: it used to run without a word)."""
    write_dataset(dataset_dir)  # master only: no lines folder at all

    result = run(dataset_dir, db)

    assert result.counts["lines_read"] == 0
    assert count_rows(db, "billable_lines") == 0
    assert count_rows(db, "invoices") == 0
    assert count_rows(db, "rejected_lines") == 0
    assert result.notices == [NO_LINES_FOLDER]
    assert result.warnings == [NO_LINES_FOLDER]


def test_a_lines_folder_without_a_line_file_is_said(dataset_dir, db):
    write_dataset(dataset_dir)
    write_bytes(dataset_dir / "lines" / "order_lines.xlsx", b"PK\x03\x04")  # no CSV: not read
    write_bytes(dataset_dir / "lines" / ".DS_Store", b"\x00")

    result = run(dataset_dir, db)

    assert result.counts["lines_read"] == 0
    assert result.notices == [NO_LINE_FILE]
    assert result.warnings == [NO_LINE_FILE]


def test_cli_says_an_empty_month_once_on_stderr_and_in_the_summary(dataset_dir, db):
    write_dataset(dataset_dir)

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"journalize: warning: {NO_LINES_FOLDER}"]
    assert result.stdout.count(f"  note: {NO_LINES_FOLDER}") == 1
    assert count_rows(db, "runs") == 1


def test_a_run_with_lines_has_no_warning(dataset_dir, db):
    counter_dataset(dataset_dir)

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    assert "no line was read" not in result.stdout


def test_empty_line_file_gives_a_notice_and_the_others_go_on(dataset_dir, db):
    counter_dataset(dataset_dir)
    write_bytes(dataset_dir / "lines" / "order_lines.csv", b"")

    result = run(dataset_dir, db)

    assert ("lines/order_lines.csv: the file is empty (not even a header row); no lines read"
            in result.notices)
    assert statuses(db, "order_lines") == []
    assert invoiced(db) == C1_INVOICED
    assert count_rows(db, "rejected_lines") == 0


def test_header_only_line_file_reads_no_lines(dataset_dir, db):
    counter_dataset(dataset_dir, order_lines=[])  # the header row and nothing else
    assert (dataset_dir / "lines" / "order_lines.csv").read_text().strip() == ",".join(
        ORDER_COLUMNS)

    result = run(dataset_dir, db)

    assert statuses(db, "order_lines") == []
    assert invoiced(db) == C1_INVOICED
    assert not any("order_lines" in n for n in result.notices)
    assert count_rows(db, "rejected_lines") == 0


def test_empty_required_master_file_is_a_configuration_error(dataset_dir, db):
    counter_dataset(dataset_dir)
    write_bytes(dataset_dir / "master" / "debtors.csv", b"")

    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)

    assert "master/debtors.csv: the file is empty (not even a header row)" in error.value.messages
    assert_nothing_written(db)


@pytest.mark.parametrize("column, header", [
    ("payment_term_days", None),  # simply absent
    ("payment_term_days", "payment_term_dys"),  # misspelled
])
def test_master_file_missing_a_required_column(dataset_dir, db, column, header):
    counter_dataset(dataset_dir)
    columns = list(MASTER_SCHEMAS["debtors"].columns)
    debtors = base_master()["debtors"]
    if header is None:
        columns.remove(column)
    else:
        columns[columns.index(column)] = header
        debtors = [{**d, header: d[column]} for d in debtors]
    write_bytes(dataset_dir / "master" / "debtors.csv", csv_text(columns, debtors).encode())

    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)

    [message] = [m for m in error.value.messages if column in m]
    assert message.startswith("master/debtors.csv")
    if header is not None:
        assert repr(header) in message
    assert_nothing_written(db)


def test_bad_master_value_names_file_row_and_column(dataset_dir, db):
    master = base_master()
    master["vat_codes"][1]["rate"] = "9%"
    counter_dataset(dataset_dir, master)

    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)

    [message] = [m for m in error.value.messages if "vat_codes" in m]
    assert message.startswith("master/vat_codes.csv row 2, column rate: ")
    assert "'9%'" in message and "[rule " in message
    assert_nothing_written(db)


# --- CSV structure -------------------------------------------------------------------------------


def ragged_order_lines(folder: Path) -> int:
    """order_lines.csv whose second data row has an unquoted decimal comma (quantity 1,5): one
    field more than the header, on line 3 of the file. Returns the header's field count."""
    good = order_line("L1")
    bad = order_line("L2", quantity="1,5")
    text = "\n".join(",".join(r.get(c, "") for c in ORDER_COLUMNS) for r in (good, bad))
    write_bytes(folder / "lines" / "order_lines.csv",
                (",".join(ORDER_COLUMNS) + "\n" + text + "\n").encode())
    return len(ORDER_COLUMNS)


def test_row_with_more_fields_than_the_header_fails_the_run_cleanly(dataset_dir, db):
    counter_dataset(dataset_dir)
    fields = ragged_order_lines(dataset_dir)

    with pytest.raises(InputError) as error:
        run(dataset_dir, db)

    message = str(error.value)
    assert message.startswith("lines/order_lines.csv: cannot be read: ")
    assert f"line 3 has {fields + 1} fields, the header has {fields}" in message
    assert "quotes" in message
    assert_nothing_written(db)


def test_cli_ragged_file_exit_code_2_and_one_line(dataset_dir, db):
    counter_dataset(dataset_dir)
    fields = ragged_order_lines(dataset_dir)

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    [line] = result.stderr.strip().splitlines()
    assert "lines/order_lines.csv" in line
    assert f"line 3 has {fields + 1} fields, the header has {fields}" in line
    assert_nothing_written(db)


def unclosed_quote_order_lines(folder: Path) -> None:
    """order_lines.csv whose first data row (line 2 of the file) opens a quote in its
    description that never closes; four more rows follow."""
    rows = [order_line(f"L{n}") for n in range(1, 6)]
    lines = [",".join(r.get(c, "") for c in ORDER_COLUMNS) for r in rows]
    lines[0] = lines[0].replace(",line L1,", ',"line L1,')
    assert lines[0].count('"') == 1
    write_bytes(folder / "lines" / "order_lines.csv",
                (",".join(ORDER_COLUMNS) + "\n" + "\n".join(lines) + "\n").encode())


def test_unclosed_quote_fails_the_run_naming_the_file(dataset_dir, db):
    counter_dataset(dataset_dir)
    unclosed_quote_order_lines(dataset_dir)

    with pytest.raises(InputError) as error:
        run(dataset_dir, db)

    message = str(error.value)
    assert message.startswith("lines/order_lines.csv: cannot be read: ")
    assert "quote" in message
    assert_nothing_written(db)


def test_unclosed_quote_message_names_the_line_where_the_quote_opens(dataset_dir, db):
    counter_dataset(dataset_dir)
    unclosed_quote_order_lines(dataset_dir)

    with pytest.raises(InputError) as error:
        run(dataset_dir, db)

    assert "line 2" in str(error.value)


def test_cli_unclosed_quote_exit_code_2_and_one_line(dataset_dir, db):
    counter_dataset(dataset_dir)
    unclosed_quote_order_lines(dataset_dir)

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("journalize: ")
    assert "lines/order_lines.csv: cannot be read" in line
    assert_nothing_written(db)


# --- a table given twice -------------------------------------------------------------------------


def test_line_table_as_csv_and_parquet_with_different_columns(dataset_dir, db):
    write_dataset(dataset_dir, fmt="parquet", order_lines=[order_line("L1")])
    columns = [c for c in ORDER_COLUMNS if c != "delivery_date"] + ["x"]
    write_bytes(dataset_dir / "lines" / "order_lines.csv",
                csv_text(columns, [{**order_line("L1"), "x": "1"}]).encode())

    with pytest.raises(InputError) as error:
        run(dataset_dir, db)

    assert str(error.value) == (
        "lines/order_lines: given twice (order_lines.csv and order_lines.parquet) with different "
        "columns (only in order_lines.csv: x; only in order_lines.parquet: delivery_date); "
        "keep one file per table")
    assert_nothing_written(db)


def test_master_table_as_csv_and_parquet_with_the_same_columns(tmp_path, dataset_dir, db):
    counter_dataset(dataset_dir)
    write_dataset(tmp_path / "as_parquet", fmt="parquet")
    shutil.copy(tmp_path / "as_parquet" / "master" / "debtors.parquet",
                dataset_dir / "master" / "debtors.parquet")

    with pytest.raises(InputError) as error:
        run(dataset_dir, db)

    assert str(error.value) == (
        "master/debtors: given twice (debtors.csv and debtors.parquet) with the same columns; "
        "keep one file per table")
    assert_nothing_written(db)


# --- a file that is no table ---------------------------------------------------------------------


@pytest.mark.parametrize("name, message", [
    ("lines/orderlines.csv",
     "lines/orderlines.csv: no table of that name (did you mean order_lines, "
     "lines/order_lines.csv?); rename it, or move it out of lines/ (its rows would not be read)"),
    ("lines/Order_Lines.csv",  # table names are lower case, as the file's columns
     "lines/Order_Lines.csv: no table of that name (did you mean order_lines, "
     "lines/order_lines.csv?); rename it, or move it out of lines/ (its rows would not be read)"),
    ("master/debtor.parquet",
     "master/debtor.parquet: no table of that name (did you mean debtors, "
     "master/debtors.parquet?); rename it, or move it out of master/ (its rows would not be "
     "read)"),
    ("master/orderlines.csv",  # the nearest table is a line table: named with its folder
     "master/orderlines.csv: no table of that name (did you mean order_lines, "
     "lines/order_lines.csv?); rename it, or move it out of master/ (its rows would not be "
     "read)"),
    ("lines/notes.csv",
     "lines/notes.csv: no table of that name; rename it, or move it out of lines/ (its rows "
     "would not be read)"),
])
def test_a_table_file_whose_name_is_no_table_is_refused_with_exit_2(dataset_dir, db, name,
                                                                    message):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    shutil.copy(dataset_dir / "lines" / "order_lines.csv", dataset_dir / name)

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [f"journalize: configuration error: {message}"]
    assert_nothing_written(db)
    checked = invoke("check", "--input", dataset_dir)
    assert checked.exit_code == 2, checked.output
    assert checked.stderr.splitlines() == [f"journalize: configuration error: {message}"]


def test_a_parquet_folder_whose_name_is_no_table_is_refused(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    write_dataset(dataset_dir / "other", fmt="parquet", order_lines=[order_line("L2")])
    (dataset_dir / "lines" / "orders" / "part=1").mkdir(parents=True)
    shutil.move(dataset_dir / "other" / "lines" / "order_lines.parquet",
                dataset_dir / "lines" / "orders" / "part=1" / "x.parquet")

    with pytest.raises(InputError) as error:
        run(dataset_dir, db)

    assert str(error.value) == (
        "lines/orders/: no table of that name (did you mean order_lines, lines/order_lines/?); "
        "rename it, or move it out of lines/ (its rows would not be read)")
    assert_nothing_written(db)


def test_hidden_files_lock_files_and_other_files_are_not_tables(dataset_dir, db):
    """README "Input data": only .csv and .parquet files and Parquet folders are tables; hidden
    names (a '.' first) and Excel's ~$ lock files are none, whatever they end in."""
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    for name in ("lines/.DS_Store", "lines/._order_lines.csv", "lines/~$order_lines.csv",
                 "lines/.~lock.order_lines.csv#", "lines/notes.txt", "lines/order_lines.xlsx",
                 "lines/old/order_lines.csv", "lines/.cache/x.parquet", "master/.debtors.csv",
                 "master/README.md"):
        write_bytes(dataset_dir / name, b"line_id;garbage\n")

    run(dataset_dir, db)

    assert invoiced(db) == [("order_lines", "L1")]


def test_every_file_of_the_shipped_sample_is_a_table_that_is_read():
    from flows.parameters import sample_dataset
    from transforms import ingest

    sample = sample_dataset()
    files = sorted(p.relative_to(sample).as_posix()
                   for p in sample.glob("*/*") if not p.name.startswith("."))
    read = sorted(f"{t.folder}/{t.path.name}" for t in ingest.find_tables(sample).values())
    assert files == read


def test_every_table_the_builders_write_is_read(dataset_dir):
    from transforms import ingest

    master = {table: [] for table in MASTER_SCHEMAS}
    write_dataset(dataset_dir, master, **{table: [] for table in LINE_SCHEMAS})

    found = ingest.find_tables(dataset_dir)
    assert sorted(found) == sorted([*MASTER_SCHEMAS, *LINE_SCHEMAS])


# --- a CSV with another separator (Excel with Dutch or Belgian settings) --------------------------


def excel_csv(columns: list[str], rows: list[dict], delimiter: str = ";",
              comma_decimals: bool = True) -> str:
    """A CSV as Excel with a Dutch or Belgian list separator saves it: ';' between values and
    decimal commas (1,5: no quotes needed, the ',' is no separator there)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        values = [str(row.get(c, "")) for c in columns]
        if comma_decimals:
            values = [v.replace(".", ",") if v.replace(".", "").lstrip("-").isdigit() else v
                      for v in values]
        writer.writerow(values)
    return buffer.getvalue()


SEMICOLON_ORDER_LINES = ("lines/order_lines.csv: the columns are separated by ';', not ','; save "
                         "it as CSV UTF-8 (comma-delimited)")


def test_semicolon_line_file_is_refused_in_one_message(dataset_dir, db):
    counter_dataset(dataset_dir)
    rows = [order_line(f"L{i}", quantity="1.5", unit_price="12.25") for i in range(1, 2001)]
    write_bytes(dataset_dir / "lines" / "order_lines.csv",
                excel_csv(ORDER_COLUMNS, rows).encode("utf-8"))

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"journalize: configuration error: {SEMICOLON_ORDER_LINES}"]
    assert_nothing_written(db)
    checked = invoke("check", "--input", dataset_dir)
    assert checked.exit_code == 2, checked.output
    assert checked.stderr.splitlines() == [
        f"journalize: configuration error: {SEMICOLON_ORDER_LINES}"]


def test_semicolon_master_file_is_refused_not_its_columns_missing(dataset_dir, db):
    counter_dataset(dataset_dir)
    # with a BOM and quoted names, in Windows-1252, as Excel may save it
    debtors = base_master()["debtors"]
    debtors[1]["name"] = "Café De Vries"
    text = excel_csv(list(MASTER_SCHEMAS["debtors"].columns), debtors)
    text = text.replace("debtor_id;", '"debtor_id";', 1)
    write_bytes(dataset_dir / "master" / "debtors.csv", text.encode("cp1252"))

    with pytest.raises(InputError) as error:
        run(dataset_dir, db)

    assert error.value.messages == [
        "master/debtors.csv: the columns are separated by ';', not ','; save it as CSV UTF-8 "
        "(comma-delimited)"]
    assert_nothing_written(db)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])  # utf-16: Excel's "Unicode text"
def test_tab_separated_line_file_is_refused(dataset_dir, db, encoding):
    counter_dataset(dataset_dir)
    write_bytes(dataset_dir / "lines" / "order_lines.csv",
                excel_csv(ORDER_COLUMNS, [order_line("L1")], "\t", False).encode(encoding))

    with pytest.raises(InputError) as error:
        run(dataset_dir, db)

    assert error.value.messages == [
        "lines/order_lines.csv: the columns are separated by tabs, not ','; save it as CSV "
        "UTF-8 (comma-delimited)"]
    assert_nothing_written(db)


def test_several_semicolon_files_are_named_in_one_message(dataset_dir, db):
    counter_dataset(dataset_dir, order_lines=[order_line("L1")])
    for name, columns in (("master/vat_codes.csv", MASTER_SCHEMAS["vat_codes"].columns),
                          ("lines/order_lines.csv", ORDER_COLUMNS)):
        path = dataset_dir / name
        rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
        write_bytes(path, excel_csv(list(columns), rows).encode("utf-8"))

    with pytest.raises(InputError) as error:
        run(dataset_dir, db)

    assert error.value.messages == [
        "2 files have their columns separated by another character than ',': "
        "master/vat_codes.csv (';'), lines/order_lines.csv (';'); save each as CSV UTF-8 "
        "(comma-delimited)"]
    assert_nothing_written(db)


def test_a_semicolon_in_values_or_a_header_of_one_column_is_no_other_separator(dataset_dir, db):
    master = base_master()
    master["issued_invoice_numbers"] = [dict(number="1005")]  # header "number": no separator
    write_dataset(dataset_dir, master, order_lines=[
        order_line("L1", description="bouten; moeren"), order_line("L2", item_code="A;B")])

    run(dataset_dir, db)

    assert invoiced(db) == [("order_lines", "L1"), ("order_lines", "L2")]
    assert query(db, "SELECT DISTINCT description FROM billable_lines ORDER BY 1") == [
        ("bouten; moeren",), ("line L2",)]


# --- --strict ------------------------------------------------------------------------------------


def test_strict_turns_a_rejected_line_into_a_failed_run(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", quantity="1,5")])

    with pytest.raises(RunFailed) as error:
        run(dataset_dir, db, strict=True)

    first, *rest = error.value.messages
    assert first.startswith("--strict: 1 fault(s) in the lines; nothing written")
    assert any(m.startswith("lines/order_lines.csv row 2, column quantity: ") for m in rest)
    assert_nothing_written(db)


def test_strict_without_faults_runs_normally(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", quantity="2")])

    result = run(dataset_dir, db, strict=True)

    assert result.counts["lines_rejected"] == 0
    assert total_incl_vat(db) == D("363.00")


def test_strict_second_run_leaves_the_database_unchanged(tmp_path, db):
    october = write_dataset(tmp_path / "october", order_lines=[order_line("L1")])
    run(october, db)
    before = snapshot(db)
    assert before["invoices"]
    november = write_dataset(tmp_path / "november", order_lines=[
        order_line("L1"),
        order_line("L2", "O2", line_date="2026-11-10"),
        order_line("L3", "O3", line_date="2026-11-10", vat_code="Z"),
    ])

    with pytest.raises(RunFailed) as error:
        run(november, db, "2026-11", strict=True)

    assert error.value.messages[0].startswith("--strict: 1 fault(s) in the lines")
    assert snapshot(db) == before


def test_cli_strict_exit_code_3(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", debtor_id="99999")])

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10", "--strict")

    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert "--strict: 1 fault(s) in the lines; nothing written" in result.stderr
    assert "lines/order_lines.csv row 2, column debtor_id" in result.stderr
    assert_nothing_written(db)


# --- failure of a second run leaves the first one's output -------------------------------------


def test_unreadable_file_in_a_second_run_leaves_the_database_unchanged(tmp_path, db):
    october = counter_dataset(tmp_path / "october")
    run(october, db)
    before = snapshot(db)
    november = counter_dataset(tmp_path / "november")
    unclosed_quote_order_lines(november)

    with pytest.raises(InputError):
        run(november, db, "2026-11")

    assert snapshot(db) == before


# --- reconciliation ------------------------------------------------------------------------------


def reconciliation_dataset(folder: Path) -> Path:
    return write_dataset(
        folder,
        order_lines=[
            order_line("L1"),  # 1 × 100.00: invoiced
            order_line("L2", quantity="abc"),  # unparsable: rejected, amount counts as 0
            order_line("L3", vat_code="Z", quantity="2", unit_price="50"),  # rejected, 100.00
            order_line("L4", "O2", line_date="2026-11-02", quantity="3", unit_price="10"),  # open
        ],
        counter_lines=[counter_line("C1", quantity="2", unit_price="25")],  # invoiced, 50.00
    )


def test_reconciliation_closes_with_rejected_lines(dataset_dir, db):
    reconciliation_dataset(dataset_dir)

    run(dataset_dir, db)

    rows = query(db, """
        SELECT source, lines_read, lines_invoiced, lines_open, lines_rejected, lines_excluded,
               amount_read, amount_invoiced, amount_open, amount_rejected, amount_excluded, closes
        FROM run_reconciliation WHERE run_id = 1 AND lines_read > 0 ORDER BY source""")
    assert rows == [
        # 50.00 = 50.00
        ("counter_lines", 1, 1, 0, 0, 0, D("50.00"), D("50.00"), D("0.00"), D("0.00"), D("0.00"),
         True),
        # 100.00 + 0 + 100.00 + 30.00 = 230.00 = 100.00 invoiced + 30.00 open + 100.00 rejected
        ("order_lines", 4, 1, 1, 2, 0, D("230.00"), D("100.00"), D("30.00"), D("100.00"),
         D("0.00"), True),
    ]
    assert query(db, "SELECT count(*) FROM run_reconciliation WHERE NOT closes") == [(0,)]
    assert query(db, "SELECT lines_read, lines_invoiced, lines_open, lines_rejected, "
                     "lines_excluded FROM runs") == [(5, 2, 1, 2, 0)]


def test_cli_prints_the_reconciliation(dataset_dir, db):
    reconciliation_dataset(dataset_dir)

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "reconciliation (read = invoiced + open + rejected + excluded):" in lines
    [orders] = [line for line in lines if line.startswith("order_lines: ")]
    assert orders.startswith("order_lines: 4 = 1 + 1 + 2 + 0 lines; ")
    assert "230.00" in orders
    [counters] = [line for line in lines if line.startswith("counter_lines: ")]
    assert counters.startswith("counter_lines: 1 = 1 + 0 + 0 + 0 lines; ")
    # the rejections are listed with their messages
    assert any("lines/order_lines.csv row 2, column quantity" in line for line in lines)
    assert any("lines/order_lines.csv row 3, column vat_code" in line for line in lines)


# --- property: random corruptions never give anything but a clean result or a clean failure ----

ALLOWED_FAILURES = (ConfigurationError, InputError, RunFailed, NumberingError,
                    UnbalancedEntryError, ReconciliationError)
FUZZ_TARGETS = ("lines/order_lines.csv", "lines/order_lines.csv", "master/debtors.csv",
                "master/vat_codes.csv")
FUZZ_SETTINGS = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
    derandomize=True,  # the same examples every time: the suite does not flip by chance
    database=None,  # write no .hypothesis folder into the project
    phases=(Phase.explicit, Phase.generate),  # no shrinking: each step is a pipeline run
)


def fuzz_order_lines() -> list[dict]:
    """A small valid dataset: O1 (two lines, H and L), O2 (another debtor), O3 (a credit)."""
    return [
        order_line("L1", description="Bouten, moeren & café"),
        order_line("L2", vat_code="L", article_group="SERV", quantity="2", unit_price="50"),
        order_line("L3", "O2", debtor_id="10002", quantity="3", unit_price="12.5"),
        order_line("L4", "O3", quantity="-1", unit_price="40", is_credit="true"),
    ]


CELL_OPS = (
    st.tuples(st.just("replace_cells"),
              st.lists(st.tuples(st.integers(0, 10), st.integers(0, 40), st.text(max_size=12)),
                       min_size=1, max_size=4)),
    st.tuples(st.just("duplicate_row"), st.integers(0, 10)),
)
HEADER_OPS = (
    st.tuples(st.just("drop_column"), st.integers(0, 40)),
    st.tuples(st.just("rename_column"), st.integers(0, 40), st.text(max_size=12)),
)
BYTE_OPS = st.one_of(
    st.tuples(st.just("insert_bytes"), st.integers(0, 10_000), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("truncate"), st.integers(0, 10_000)),
)
ENCODINGS = st.sampled_from(("utf-8", "utf-8", "utf-8", "utf-8-sig", "cp1252", "latin-1",
                             "utf-16"))


@st.composite
def corruptions(draw, keep_header: bool = False):
    """(target file, row/column operations, encoding, byte operations, line ending). With
    keep_header the header row stays as it is: no column is dropped or renamed, and bytes are
    inserted or the file cut only after the header."""
    row_ops = st.one_of(*CELL_OPS) if keep_header else st.one_of(*CELL_OPS, *HEADER_OPS)
    target = draw(st.sampled_from(FUZZ_TARGETS))
    ops = draw(st.lists(row_ops, max_size=3))
    encoding = draw(ENCODINGS)
    byte_ops = draw(st.lists(BYTE_OPS, max_size=2))
    if not ops and not byte_ops and encoding.startswith("utf-8"):
        ops = [draw(row_ops)]
    newline = draw(st.sampled_from(("\n", "\r\n")))
    return target, ops, encoding, byte_ops, newline, keep_header


def corrupt(text: str, row_ops, encoding: str, byte_ops, newline: str,
            keep_header: bool = False) -> bytes:
    header, *rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    for op in row_ops:
        kind = op[0]
        if kind == "drop_column" and header:
            i = op[1] % len(header)
            header.pop(i)
            for row in rows:
                if i < len(row):
                    row.pop(i)
        elif kind == "rename_column" and header:
            header[op[1] % len(header)] = op[2]
        elif kind == "replace_cells" and rows:
            for r, c, value in op[1]:
                row = rows[r % len(rows)]
                if row:
                    row[c % len(row)] = value
        elif kind == "duplicate_row" and rows:
            rows.append(list(rows[op[1] % len(rows)]))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerow(header)
    head = len(buffer.getvalue().encode(encoding, errors="replace")) if keep_header else 0
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    data = buffer.getvalue().encode(encoding, errors="replace")
    for op in byte_ops:
        at = head + op[1] % (len(data) - head + 1)
        if op[0] == "insert_bytes":
            data = data[:at] + op[2] + data[at:]
        elif op[0] == "truncate":
            data = data[:at]
    return data


def data_rows(data: bytes) -> int:
    """The data rows of a CSV file as a reader sees them (blank lines are no rows), in the
    encoding it is written in: UTF-16 by its BOM, else UTF-8, else a single-byte encoding."""
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        return 0
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
    return max(len(rows) - 1, 0)


def run_corrupted(corruption) -> None:
    """Write the dataset, corrupt one file, run: either every data row of the line file is in
    billable_lines and the reconciliation closes, or the run fails with one of the pipeline's own
    errors and leaves no database behind (a first run)."""
    target, row_ops, encoding, byte_ops, newline, keep_header = corruption
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_dataset(Path(tmp) / "input", order_lines=fuzz_order_lines())
        db = Path(tmp) / "out.duckdb"
        path = folder / target
        data = corrupt(path.read_text(encoding="utf-8"), row_ops, encoding, byte_ops, newline,
                       keep_header)
        path.write_bytes(data)
        note(f"{target}: {data!r}")
        try:
            result = run(folder, db)
        except ALLOWED_FAILURES as error:
            note(f"refused: {type(error).__name__}: {error}")
            assert not db.exists(), "a failed first run must leave no database"
            assert not Path(f"{db}.wal").exists()
            return
        expected = data_rows(data) if target.startswith("lines/") else len(fuzz_order_lines())
        assert count_rows(db, "billable_lines") == expected
        assert result.counts["lines_read"] == expected
        assert query(db, "SELECT count(*) FROM run_reconciliation WHERE NOT closes") == [(0,)]


@settings(max_examples=30, **FUZZ_SETTINGS)
@given(corruption=corruptions(keep_header=True))
def test_random_corruption_of_cells_and_bytes_is_processed_or_refused_cleanly(corruption):
    run_corrupted(corruption)


@settings(max_examples=40, **FUZZ_SETTINGS)
@given(corruption=corruptions())
def test_random_corruption_including_the_header_is_processed_or_refused_cleanly(corruption):
    run_corrupted(corruption)
