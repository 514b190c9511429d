"""Bad input lines (SPEC §2, §11 rejected_lines): quarantined with the table, 1-based data row
(header not counted), column, check and value; the good lines of the same file go on."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from builders import counter_line, order_line, query, run, write_dataset

from schemas import LINE_SCHEMAS

REJECTED = (
    'SELECT "table", line_id, row_number, "column", "check", value FROM rejected_lines '
    'ORDER BY row_number, "column"'
)


def statuses(db: Path, source: str) -> list[tuple]:
    return query(db, "SELECT line_id, status FROM billable_lines WHERE source = $s "
                     "ORDER BY row_number", {"s": source})


# --- one bad order line between two good ones ----------------------------------------------------

# (overrides of the bad line L2, column, check, value stored)
BAD_ORDER_LINES = {
    "quantity_not_a_number": (dict(quantity="abc"), "quantity", "decimal(18,4)", "abc"),
    "decimal_comma": (dict(quantity="1,5"), "quantity", "decimal(18,4)", "1,5"),
    "unit_price_too_many_decimals": (dict(unit_price="10.12345"), "unit_price", "decimal(18,4)",
                                     "10.12345"),
    "impossible_date": (dict(line_date="2026-02-30", delivery_date="2026-02-15"), "line_date",
                        "iso_date", "2026-02-30"),
    "dutch_date": (dict(line_date="15-10-2026", delivery_date="2026-10-15"), "line_date",
                   "iso_date", "15-10-2026"),
    "unknown_vat_code": (dict(vat_code="Z"), "vat_code", "known_vat_code", "Z"),
    "unknown_debtor": (dict(debtor_id="99999"), "debtor_id", "known_debtor", "99999"),
    "unknown_article_group": (dict(article_group="NOPE"), "article_group", "known_article_group",
                              "NOPE"),
    "unknown_administration": (dict(admin_id="XX01"), "admin_id", "known_administration", "XX01"),
    "empty_item_code": (dict(item_code=""), "item_code", "required", None),
    "bad_boolean": (dict(is_credit="maybe"), "is_credit", "boolean", "maybe"),
}


@pytest.mark.parametrize("case", BAD_ORDER_LINES)
def test_bad_order_line_is_rejected_and_the_good_lines_invoiced(dataset_dir, db, case):
    overrides, column, check, value = BAD_ORDER_LINES[case]
    write_dataset(dataset_dir, order_lines=[
        order_line("L1"),
        order_line("L2", **overrides),
        order_line("L3", quantity="2"),
    ])

    run(dataset_dir, db)

    assert query(db, REJECTED) == [("order_lines", "L2", 2, column, check, value)]
    # L1 + L3 of order O1: 100.00 + 200.00, VAT H 21 % = 63.00
    assert query(db, "SELECT invoice_number, total_excl_vat, vat_amount, total_incl_vat "
                     "FROM invoices") == [("1001", Decimal("300.00"), Decimal("63.00"),
                                           Decimal("363.00"))]
    assert statuses(db, "order_lines") == [("L1", "invoiced"), ("L2", "rejected"), ("L3", "invoiced")]


def test_rejection_message_names_file_row_column_and_value(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", quantity="1,5")])

    run(dataset_dir, db)

    [(message,)] = query(db, "SELECT message FROM rejected_lines")
    assert "order_lines.csv" in message
    assert "row 2" in message
    assert "quantity" in message
    assert "1,5" in message


def test_negative_quantity_without_is_credit(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", quantity="-1")])

    run(dataset_dir, db)

    [(table, line_id, row, column, check, value)] = query(db, REJECTED)
    assert (table, line_id, row, column, check) == ("order_lines", "L2", 2, "quantity", "credit_sign")
    assert Decimal(value) == Decimal("-1")
    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices") == [("1001", 121)]
    assert statuses(db, "order_lines") == [("L1", "invoiced"), ("L2", "rejected")]


def test_negative_quantity_marked_is_credit_is_accepted(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[
        order_line("L1", quantity="2"),
        order_line("L2", quantity="-1", is_credit="true"),
    ])

    run(dataset_dir, db)

    assert query(db, REJECTED) == []
    # 200.00 − 100.00 = 100.00 + 21 % VAT
    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices") == [("1001", 121)]


def test_duplicate_line_id_rejects_both_rows(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[
        order_line("L1"),
        order_line("L2", "O2"),
        order_line("L2", "O3", quantity="3"),
    ])

    run(dataset_dir, db)

    assert query(db, REJECTED) == [
        ("order_lines", "L2", 2, "line_id", "unique_line_id", "L2"),
        ("order_lines", "L2", 3, "line_id", "unique_line_id", "L2"),
    ]
    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices") == [("1001", 121)]
    assert query(db, "SELECT status, count(*) FROM billable_lines GROUP BY 1 ORDER BY 1") == [
        ("invoiced", 1), ("rejected", 2)]


def test_counter_line_with_unknown_payment_method(dataset_dir, db):
    write_dataset(dataset_dir, counter_lines=[
        counter_line("C1"),
        counter_line("C2", "R2", payment_method="cheque"),
    ])

    run(dataset_dir, db)

    assert query(db, REJECTED) == [("counter_lines", "C2", 2, "payment_method", "isin", "cheque")]
    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices") == [("1001", 121)]
    assert statuses(db, "counter_lines") == [("C1", "invoiced"), ("C2", "rejected")]


def test_one_line_breaking_two_rules_gives_two_rejection_rows(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[
        order_line("L1", quantity="x", unit_price="y"),
        order_line("L2"),
    ])

    run(dataset_dir, db)

    assert query(db, REJECTED) == [
        ("order_lines", "L1", 1, "quantity", "decimal(18,4)", "x"),
        ("order_lines", "L1", 1, "unit_price", "decimal(18,4)", "y"),
    ]
    assert statuses(db, "order_lines") == [("L1", "rejected"), ("L2", "invoiced")]
    assert query(db, "SELECT count(*) FROM invoices") == [(1,)]


# --- file formats --------------------------------------------------------------------------------


def mixed_dataset() -> dict:
    return dict(
        order_lines=[
            order_line("L1", quantity="3", unit_price="12.3456"),  # 37.0368 → 37.04
            order_line("L2", vat_code="L", article_group="SERV", integration_group="WEB"),
            order_line("L3", "O2", debtor_id="10002", quantity="-1", unit_price="40",
                       is_credit="true"),
            order_line("L4", "O3", line_date="2026-11-02"),  # after the reference date: open
        ],
        counter_lines=[
            counter_line("C1", "R1", payment_method="pin", quantity="2", unit_price="7.5"),
            counter_line("C2", "R2", vat_code="0"),
        ],
    )


def all_rows(db: Path, table: str, order: str) -> list[tuple]:
    return query(db, f"SELECT * EXCLUDE (run_id) FROM {table} ORDER BY {order}")


def test_csv_and_parquet_give_identical_output(tmp_path):
    csv_in = write_dataset(tmp_path / "csv", fmt="csv", **mixed_dataset())
    parquet_in = write_dataset(tmp_path / "parquet", fmt="parquet", **mixed_dataset())
    assert not list((parquet_in / "lines").glob("*.csv"))
    csv_db, parquet_db = tmp_path / "csv.duckdb", tmp_path / "parquet.duckdb"

    run(csv_in, csv_db)
    run(parquet_in, parquet_db)

    invoices = all_rows(csv_db, "invoices", "invoice_number")
    assert len(invoices) == 4  # O1, O2 (credit), R1, R2
    assert invoices == all_rows(parquet_db, "invoices", "invoice_number")
    entries = all_rows(csv_db, "journal_entries", "entry_id, line_no")
    assert entries
    assert entries == all_rows(parquet_db, "journal_entries", "entry_id, line_no")
    assert all_rows(csv_db, "billable_lines", "source, line_id") == all_rows(
        parquet_db, "billable_lines", "source, line_id")


def test_parquet_bad_line_is_rejected_with_its_row(dataset_dir, db):
    write_dataset(dataset_dir, fmt="parquet",
                  order_lines=[order_line("L1"), order_line("L2", quantity="1,5")])

    run(dataset_dir, db)

    assert query(db, REJECTED) == [("order_lines", "L2", 2, "quantity", "decimal(18,4)", "1,5")]
    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices") == [("1001", 121)]


def write_parquet_lines(path: Path, rows: list[dict], columns: list[str], row_group_size=None):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in columns})
    pq.write_table(table, path, row_group_size=row_group_size)


def test_parquet_without_its_optional_columns_reads_them_as_empty(dataset_dir, db):
    """A Parquet file is read in place (a view); optional columns it lacks read as empty, and a
    bad row in it is still found and named by its row."""
    write_dataset(dataset_dir)
    required = [c for c in LINE_SCHEMAS["order_lines"].columns
                if c not in ("integration_group", "description", "delivery_date")]
    write_parquet_lines(dataset_dir / "lines" / "order_lines.parquet",
                        [order_line("L1"), order_line("L2", line_date="2026-13-01")], required)

    run(dataset_dir, db)

    assert query(db, REJECTED) == [("order_lines", "L2", 2, "line_date", "iso_date", "2026-13-01")]
    assert query(db, "SELECT line_id, description, delivery_date FROM billable_lines "
                     "WHERE status = 'invoiced'") == [("L1", None, None)]
    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices") == [("1001", 121)]


def test_parquet_without_a_required_column_quarantines_every_row(dataset_dir, db):
    write_dataset(dataset_dir)
    columns = [c for c in LINE_SCHEMAS["order_lines"].columns if c != "vat_code"]
    write_parquet_lines(dataset_dir / "lines" / "order_lines.parquet",
                        [order_line("L1"), order_line("L2")], columns)

    run(dataset_dir, db)

    assert query(db, 'SELECT line_id, row_number, "column", "check" FROM rejected_lines '
                     "ORDER BY row_number") == [("L1", 1, "vat_code", "column_present"),
                                                ("L2", 2, "vat_code", "column_present")]
    assert query(db, "SELECT count(*) FROM invoices") == [(0,)]


def test_parquet_rows_are_numbered_across_row_groups(dataset_dir, db):
    """Row numbers are the place in the file, whatever its row groups (here of 3 rows)."""
    write_dataset(dataset_dir)
    rows = [order_line(f"L{i}", order_id=f"O{i}") for i in range(1, 11)]
    rows[7]["quantity"] = "x"  # row 8, in the third row group
    write_parquet_lines(dataset_dir / "lines" / "order_lines.parquet", rows,
                        list(LINE_SCHEMAS["order_lines"].columns), row_group_size=3)

    run(dataset_dir, db)

    assert query(db, REJECTED) == [("order_lines", "L8", 8, "quantity", "decimal(18,4)", "x")]
    assert query(db, "SELECT line_id, row_number FROM billable_lines ORDER BY row_number") == [
        (f"L{i}", i) for i in range(1, 11)]


def write_csv_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def test_csv_with_bom_and_windows_line_endings(dataset_dir, db):
    write_dataset(dataset_dir)
    columns = list(LINE_SCHEMAS["order_lines"].columns)
    rows = [order_line("L1"), order_line("L2", quantity="2")]
    text = "\ufeff" + ",".join(columns) + "\r\n" + "".join(
        ",".join(row.get(c, "") for c in columns) + "\r\n" for row in rows)
    write_csv_text(dataset_dir / "lines" / "order_lines.csv", text)

    run(dataset_dir, db)

    assert query(db, REJECTED) == []
    # 100.00 + 200.00 = 300.00, VAT 63.00
    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices") == [("1001", 363)]
    assert query(db, "SELECT line_id, delivery_date::VARCHAR FROM billable_lines ORDER BY 1") == [
        ("L1", "2026-10-15"), ("L2", "2026-10-15")]


def test_line_table_missing_a_required_column(dataset_dir, db):
    write_dataset(dataset_dir, counter_lines=[counter_line("C1")])
    columns = [c for c in LINE_SCHEMAS["order_lines"].columns if c != "vat_code"]
    rows = [order_line("L1"), order_line("L2")]
    text = ",".join(columns) + "\n" + "".join(
        ",".join(row.get(c, "") for c in columns) + "\n" for row in rows)
    write_csv_text(dataset_dir / "lines" / "order_lines.csv", text)

    run(dataset_dir, db)

    assert query(db, 'SELECT "table", row_number, "column", "check" FROM rejected_lines '
                     "ORDER BY row_number") == [
        ("order_lines", 1, "vat_code", "column_present"),
        ("order_lines", 2, "vat_code", "column_present"),
    ]
    assert statuses(db, "order_lines") == [("L1", "rejected"), ("L2", "rejected")]
    # the counter line still processes
    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices") == [("1001", 121)]
    assert statuses(db, "counter_lines") == [("C1", "invoiced")]


def test_missing_optional_column_is_fine(dataset_dir, db):
    write_dataset(dataset_dir)
    columns = [c for c in LINE_SCHEMAS["order_lines"].columns
               if c not in ("integration_group", "description", "delivery_date")]
    row = order_line("L1")
    write_csv_text(dataset_dir / "lines" / "order_lines.csv",
                   ",".join(columns) + "\n" + ",".join(row.get(c, "") for c in columns) + "\n")

    run(dataset_dir, db)

    assert query(db, REJECTED) == []
    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices") == [("1001", 121)]


# --- accounting for every line ---------------------------------------------------------------------


def test_status_counts_account_for_every_line(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[
        order_line("L1"),
        order_line("L2", quantity="abc"),
        order_line("L3", vat_code="Z"),
        order_line("L4", line_date="2026-11-05"),  # after the reference date 2026-10-31
    ])

    result = run(dataset_dir, db)

    assert query(db, "SELECT line_id, status FROM billable_lines ORDER BY line_id") == [
        ("L1", "invoiced"), ("L2", "rejected"), ("L3", "rejected"), ("L4", "open")]
    assert query(db, "SELECT lines_read, lines_invoiced, lines_open, lines_rejected, "
                     "lines_excluded FROM runs") == [(4, 1, 1, 2, 0)]
    assert result.counts["lines_rejected"] == 2
    # every rejected billable line has its reason; the rejection rows name them
    assert query(db, "SELECT line_id FROM billable_lines WHERE status = 'rejected' "
                     "AND status_reason IS NOT NULL ORDER BY 1") == [("L2",), ("L3",)]
    assert query(db, "SELECT DISTINCT line_id FROM rejected_lines ORDER BY 1") == [("L2",), ("L3",)]
