"""The shipped sample (data/sample) run end to end: what data/make_sample.py planted in it."""

import csv
from decimal import Decimal as D
from pathlib import Path

import pytest
from builders import query

from flows.parameters import RunParameters, sample_dataset
from flows.pipeline import run_month_end
from schemas.lines import SOURCES

SAMPLE = sample_dataset()


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("sample") / "journalize.duckdb"
    run_month_end(RunParameters.for_period("2026-10", db_path=db))
    return db


def _rows(table: str) -> int:
    with open(SAMPLE / "lines" / f"{table}.csv", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_the_planted_bad_lines_are_rejected_with_file_row_column_and_rule(sample_db):
    assert query(sample_db, 'SELECT "table", row_number, "column", "check", line_id '
                            "FROM rejected_lines ORDER BY ALL") == [
        ("counter_lines", 21, "debtor_id", "known_debtor", "CL-000021"),
        ("counter_lines", 35, "payment_method", "isin", "CL-000035"),
        ("order_lines", 67, "quantity", "decimal(18,4)", "OL-000067"),
        ("order_lines", 109, "vat_code", "known_vat_code", "OL-000109"),
        ("order_lines", 161, "line_date", "iso_date", "OL-000161"),
    ]
    (message,) = query(sample_db, "SELECT message FROM rejected_lines WHERE row_number = 67")[0]
    assert message.startswith("lines/order_lines.csv row 67, column quantity:") and "'abc'" in message


def test_every_line_is_accounted_for(sample_db):
    read = sum(_rows(table) for table in SOURCES)
    assert query(sample_db, "SELECT count(*) FROM billable_lines") == [(read,)]
    assert query(sample_db, "SELECT lines_read, lines_invoiced + lines_open + lines_rejected "
                            "+ lines_excluded FROM runs") == [(read, read)]


def test_every_entry_balances_and_sides_are_never_negative(sample_db):
    assert query(sample_db, "SELECT count(*) FROM (SELECT entry_id FROM journal_entries "
                            "GROUP BY entry_id HAVING sum(debit) <> sum(credit))") == [(0,)]
    assert query(sample_db, "SELECT count(*) FROM journal_entries WHERE debit < 0 OR credit < 0") == [(0,)]
    assert query(sample_db, "SELECT sum(balance) FROM trial_balance") == [(D("0.00"),)]


def test_the_belgian_invoices_carry_coda_references(sample_db):
    # SPEC §10's own example: invoice 27000001 of 2026-10-31, free code 4711, mask YYMMVVFFFF
    assert query(sample_db, "SELECT invoice_number, debtor_id, coda_reference FROM invoices "
                            "WHERE invoice_number = '27000001'") == [
        ("27000001", "20001", "+++261/0110/00151+++")
    ]
    assert query(sample_db, "SELECT count(*) FROM invoices WHERE admin_id = 'NL01' "
                            "AND coda_reference IS NOT NULL") == [(0,)]
    assert query(sample_db, "SELECT count(*) FROM invoices WHERE admin_id = 'BE01' "
                            "AND coda_reference IS NULL") == [(0,)]


def test_numbers_listed_as_issued_are_skipped(sample_db):
    assert query(sample_db, "SELECT journal_code, invoice_number FROM skipped_numbers ORDER BY 2") == [
        ("VK", "26000003"), ("VK", "26000007"),
    ]


def test_blocked_debtors_and_late_lines_stay_open(sample_db):
    reasons = dict(query(sample_db, "SELECT status_reason, count(*) FROM billable_lines "
                                    "WHERE status = 'open' GROUP BY 1"))
    assert set(reasons) == {
        "dated after the reference date 2026-10-31",
        "debtor 10013 is blocked",
        "debtor 20009 is blocked",
        "credit line of course_lines: invoiced only with --include-credit-lines",
        "credit line of subscription_lines: invoiced only with --include-credit-lines",
    }
