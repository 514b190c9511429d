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


# SPEC §7: the subscription items of the sample whose periods lines/subscription_lines does not
# already bill (data/make_sample.py; reference date 2026-10-31):
#   S0003/ABO-6003 monthly from 2026-08-01, nothing billed: August and September (October is
#     SL-000005's), 2 × 65.00 = 130.00 each;
#   S0005/LIC-4002 yearly from 2026-10-15: 2026-10-15 … 2027-10-14, 2 × 480.00 = 960.00;
#   S0008/ONH-5002 half-yearly, billed through 2026-06-30: July – December, 1 × 780.00.
# The other items' October periods (and S0007/ONH-5001's credit) are the given lines'.
GENERATED = [
    ("S0003|ABO-6003|2026-08-01", D("2"), D("65"), D("130.00"), "2026-08-01", "2026-08-31"),
    ("S0003|ABO-6003|2026-09-01", D("2"), D("65"), D("130.00"), "2026-09-01", "2026-09-30"),
    ("S0005|LIC-4002|2026-10-15", D("2"), D("480"), D("960.00"), "2026-10-15", "2027-10-14"),
    ("S0008|ONH-5002|2026-07-01", D("1"), D("780"), D("780.00"), "2026-07-01", "2026-12-31"),
]


def test_every_line_is_accounted_for(sample_db):
    read = sum(_rows(table) for table in SOURCES) + len(GENERATED)
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


def test_the_subscription_items_bill_the_periods_no_given_line_bills(sample_db):
    assert query(sample_db, "SELECT line_id, quantity, unit_price, amount, "
                            "strftime(period_start, '%Y-%m-%d'), strftime(period_end, '%Y-%m-%d') "
                            "FROM billable_lines WHERE row_number IS NULL ORDER BY 1") == GENERATED
    assert query(sample_db, "SELECT DISTINCT status, line_date = period_start FROM billable_lines "
                            "WHERE row_number IS NULL") == [("invoiced", True)]
    # S0003 (debtor 10007, no profile: one invoice per subscription): SL-000005 130.00 + August
    # 130.00 + September 130.00 = 390.00, VAT 21 % 81.90, total 471.90
    assert query(sample_db, "SELECT i.total_excl_vat, i.vat_amount, i.total_incl_vat, i.line_count "
                            "FROM invoices AS i JOIN billable_lines AS b USING (invoice_number) "
                            "WHERE b.line_id = 'SL-000005'") == [
        (D("390.00"), D("81.90"), D("471.90"), 3)]


def test_subscription_state_holds_how_far_the_run_billed_each_item(sample_db):
    # every item with a period invoiced now, through the end of its latest invoiced period; not
    # S0003/ABO-6001 (starts 2026-11-01) nor S0007/ONH-5001 (its credit line stays open)
    assert query(sample_db, "SELECT subscription_id, item_code, strftime(billed_through, '%Y-%m-%d') "
                            "FROM subscription_state ORDER BY 1, 2") == [
        ("S0001", "ABO-6001", "2026-10-31"), ("S0001", "ABO-6002", "2026-10-31"),
        ("S0002", "LIC-4001", "2027-09-30"), ("S0002", "ONH-5002", "2026-12-31"),
        ("S0003", "ABO-6003", "2026-10-31"),
        ("S0004", "ABO-6004", "2026-10-31"), ("S0004", "ONH-5001", "2026-12-31"),
        ("S0005", "ABO-6002", "2026-10-31"), ("S0005", "LIC-4002", "2027-10-14"),
        ("S0006", "ABO-6001", "2026-10-31"),
        ("S0007", "ABO-6002", "2026-10-31"),
        ("S0008", "ABO-6004", "2026-10-31"), ("S0008", "ONH-5002", "2026-12-31"),
    ]


def test_revenue_is_split_per_allocation_codes(sample_db):
    # SPEC §9: order O26-0009 (invoice 26000004, R010) has two OND lines on 8010/H: OL-000021
    # 1 x 12.3250 = 12.33 from warehouse EDE and OL-000022 1 x 18.7450 = 18.75 from ZWL
    # (master/allocation_links: department = representative, warehouse = warehouse)
    assert query(sample_db, """
        SELECT e.credit, list(a.axis || '=' || a.code ORDER BY a.axis)
        FROM journal_entries AS e JOIN entry_allocations AS a USING (entry_id, line_no)
        WHERE e.invoice_number = '26000004' AND e.account = '8010' GROUP BY e.entry_id, e.line_no,
              e.credit ORDER BY e.credit""") == [
        (D("12.33"), ["department=R010", "warehouse=EDE"]),
        (D("18.75"), ["department=R010", "warehouse=ZWL"])]


# SPEC §9 stock, by hand from data/make_sample.py's seven mutations (entries per day, the
# default; BE01 before NL01, each administration's stock journal MEM):
#   SM-0001 NL01 delivery 4 x 301.50 = 1206.00 (HG: 7000/3000), SM-0002 10 x 2.345 = 23.45 (OND:
#   7010/3010), both on 10-05; SM-0003 NL01 stock invoiced by BE01, 3 x 12.335 = 37.005 -> 37.01
#   (NL01 1350/3000, BE01 604000/489000) on 10-12; SM-0006 BE01's own delivery 95.50
#   (604000/340000) on 10-12; SM-0004 transfer NL01 -> BE01, 5 x 200 = 1000.00 at cost, 5 x 220
#   = 1100.00 at the transfer price (NL01: 1350 +1100, 3000 -1000, 8950 -100; BE01: 340000 +1100,
#   489000 -1100) and SM-0005 1 x 80.00 without a transfer price (80 both ways), on 10-20;
#   SM-0007 (11-03) is after the reference date: open.
STOCK_ENTRY_LINES = [
    ("BE01", "2026-10-12", "604000", D("132.51"), D("0.00")),
    ("BE01", "2026-10-12", "340000", D("0.00"), D("95.50")),
    ("BE01", "2026-10-12", "489000", D("0.00"), D("37.01")),
    ("BE01", "2026-10-20", "340000", D("1180.00"), D("0.00")),
    ("BE01", "2026-10-20", "489000", D("0.00"), D("1180.00")),
    ("NL01", "2026-10-05", "7000", D("1206.00"), D("0.00")),
    ("NL01", "2026-10-05", "7010", D("23.45"), D("0.00")),
    ("NL01", "2026-10-05", "3000", D("0.00"), D("1206.00")),
    ("NL01", "2026-10-05", "3010", D("0.00"), D("23.45")),
    ("NL01", "2026-10-12", "1350", D("37.01"), D("0.00")),
    ("NL01", "2026-10-12", "3000", D("0.00"), D("37.01")),
    ("NL01", "2026-10-20", "1350", D("1180.00"), D("0.00")),
    ("NL01", "2026-10-20", "3000", D("0.00"), D("1080.00")),
    ("NL01", "2026-10-20", "8950", D("0.00"), D("100.00")),
]


def test_the_stock_mutations_are_journalised_per_day(sample_db):
    assert query(sample_db, "SELECT admin_id, strftime(entry_date, '%Y-%m-%d'), account, debit, "
                            "credit FROM journal_entries WHERE source = 'vrd' "
                            "ORDER BY entry_id, line_no") == STOCK_ENTRY_LINES
    # five entries (one per administration and day), numbered after every invoice entry
    assert query(sample_db, "SELECT count(DISTINCT entry_id), min(entry_id) > (SELECT max(entry_id) "
                            "FROM journal_entries WHERE source <> 'vrd'), "
                            "bool_and(journal_code = 'MEM' AND invoice_number IS NULL "
                            "AND description = '[vrd] Voorraad') "
                            "FROM journal_entries WHERE source = 'vrd'") == [(5, True, True)]
    assert query(sample_db, "SELECT * FROM intercompany_balance") == [
        ("BE01", "NL01", 2026, 10, D("-1217.01"), D("1217.01"), True)]
    # read 7 / 3044.96 = booked 6 / 2441.96 + open 1 / 603.00 (SM-0007)
    assert query(sample_db, "SELECT lines_read, lines_invoiced, lines_open, lines_rejected, "
                            "amount_read, amount_invoiced, amount_open, closes "
                            "FROM run_reconciliation WHERE source = 'stock_mutations'") == [
        (7, 6, 1, 0, D("3044.96"), D("2441.96"), D("603.00"), True)]
    assert query(sample_db, "SELECT count(*), count(DISTINCT mutation_id) FROM stock_mutations") \
        == [(6, 6)]
