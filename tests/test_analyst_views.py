"""The analysts' views and the ageing macro of the books (transforms/sql/persist/views.sql), given
rows → expected rows: the books' schema and views in a fresh database holding only the rows a test
gives (the columns a test leaves out are NULL), then a whole run of a small dataset. Every
expected figure is worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import duckdb
import pytest
from builders import order_line, query, run, write_dataset

from flows.post import post
from transforms import persist


def books(given: dict[str, list[dict]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    persist.create_output_tables(con)
    for table, rows in given.items():
        for row in rows:
            names = list(row)
            con.execute(f'INSERT INTO "{table}" ({", ".join(names)}) '
                        f"VALUES ({', '.join('?' * len(names))})", [row[n] for n in names])
    return con


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def entry(entry_id, line_no, account, debit, credit, *, date="2026-10-31", journal="VK",
          run_id=1, source="vkf", invoice=None, admin="NL01"):
    day = dt.date.fromisoformat(date)
    return dict(admin_id=admin, journal_code=journal, entry_id=entry_id, line_no=line_no,
                entry_date=day, fiscal_year=day.year, period=day.month, account=account,
                invoice_number=invoice, debit=D(debit), credit=D(credit), source=source,
                run_id=run_id)


# run 1 recorded every account it used; run 2 (a post run, say) only the balance accounts, so
# 8000 takes its type from run 1; 9999 was never recorded (its type is unknown)
ACCOUNTS = [dict(run_id=1, admin_id="NL01", account=a, account_type=t) for a, t in (
    ("1300", "balance"), ("1500", "balance"), ("3000", "balance"), ("7000", "result"),
    ("8000", "result"), ("8001", "result"), ("8900", "result"))] + [
    dict(run_id=2, admin_id="NL01", account=a, account_type="balance") for a in ("1300", "1500")]
ENTRIES = [
    # 1001: revenue 100.00 on 8000, invoice discount 5.00 on 8900, VAT 21 % of 95.00 = 19.95
    entry(1, 1, "1300", "114.95", "0", invoice="1001"),
    entry(1, 2, "8000", "0", "100.00", invoice="1001"),
    entry(1, 3, "8900", "5.00", "0", invoice="1001"),
    entry(1, 4, "1500", "0", "19.95", invoice="1001"),
    # credit note C1: 50.00 on the credit account 8001, VAT 10.50
    entry(2, 1, "1300", "0", "60.50", journal="VKC", invoice="C1"),
    entry(2, 2, "8001", "50.00", "0", journal="VKC", invoice="C1"),
    entry(2, 3, "1500", "10.50", "0", journal="VKC", invoice="C1"),
    # 1002 in November, written by run 2: 200.00 on 8000
    entry(3, 1, "1300", "242.00", "0", date="2026-11-30", run_id=2, source="pro", invoice="1002"),
    entry(3, 2, "8000", "0", "200.00", date="2026-11-30", run_id=2, source="pro", invoice="1002"),
    entry(3, 3, "1500", "0", "42.00", date="2026-11-30", run_id=2, source="pro", invoice="1002"),
    # a stock entry: cost of sales is a result account, but no revenue
    entry(4, 1, "7000", "30.00", "0", journal="MEM", source="vrd"),
    entry(4, 2, "3000", "0", "30.00", journal="MEM", source="vrd"),
    # an account no run recorded: not counted
    entry(5, 1, "9999", "0", "7.00", journal="MEM", source="vkf"),
    entry(5, 2, "1300", "7.00", "0", journal="MEM", source="vkf"),
]
# revenue = credit − debit on the result accounts, stock entries left out:
#   October 8000 +100.00, 8001 −50.00, 8900 −5.00; November 8000 +200.00 (total 245.00)
REVENUE = [
    ("NL01", 2026, 10, "8000", D("100.00"), 1),
    ("NL01", 2026, 10, "8001", D("-50.00"), 1),
    ("NL01", 2026, 10, "8900", D("-5.00"), 1),
    ("NL01", 2026, 11, "8000", D("200.00"), 1),
]


def test_revenue_per_administration_period_and_account():
    con = books({"run_accounts": ACCOUNTS, "journal_entries": ENTRIES})
    assert rows(con, "SELECT * FROM revenue") == REVENUE
    assert rows(con, "SELECT entry_id, line_no, revenue FROM revenue_entry_lines "
                     "ORDER BY ALL") == [
        (1, 2, D("100.00")), (1, 3, D("-5.00")), (2, 2, D("-50.00")), (3, 2, D("200.00"))]


def test_revenue_by_allocation_without_allocations_is_the_revenue():
    con = books({"run_accounts": ACCOUNTS, "journal_entries": ENTRIES})
    assert rows(con, "SELECT admin_id, fiscal_year, period, account, axis, code, revenue "
                     "FROM revenue_by_allocation") == [
        (a, y, p, account, None, None, amount) for a, y, p, account, amount, _ in REVENUE]


def test_revenue_by_allocation_adds_up_per_axis():
    # entry 1 line 2 (8000, 100.00) has cost centre KP1 and project P1; entry 3 line 2 (8000,
    # 200.00, November) cost centre KP2 only: on each axis every revenue line once, under its
    # code there or NULL
    allocations = [dict(entry_id=1, line_no=2, axis="kostenplaats", code="KP1"),
                   dict(entry_id=1, line_no=2, axis="project", code="P1"),
                   dict(entry_id=3, line_no=2, axis="kostenplaats", code="KP2")]
    con = books({"run_accounts": ACCOUNTS, "journal_entries": ENTRIES,
                 "entry_allocations": allocations})
    assert rows(con, "SELECT period, account, axis, code, revenue, entry_lines "
                     "FROM revenue_by_allocation") == [
        (10, "8000", "kostenplaats", "KP1", D("100.00"), 1),
        (10, "8000", "project", "P1", D("100.00"), 1),
        (10, "8001", "kostenplaats", None, D("-50.00"), 1),
        (10, "8001", "project", None, D("-50.00"), 1),
        (10, "8900", "kostenplaats", None, D("-5.00"), 1),
        (10, "8900", "project", None, D("-5.00"), 1),
        (11, "8000", "kostenplaats", "KP2", D("200.00"), 1),
        (11, "8000", "project", None, D("200.00"), 1),
    ]
    assert rows(con, "SELECT axis, sum(revenue) FROM revenue_by_allocation GROUP BY ALL "
                     "ORDER BY 1") == [("kostenplaats", D("245.00")), ("project", D("245.00"))]


def invoice(number, date, debtor, excl, vat, *, journal="VK", collective=False, sources="",
            lines=1):
    excl, vat = D(excl), D(vat)
    return dict(admin_id="NL01", invoice_number=number, journal_code=journal, debtor_id=debtor,
                invoice_date=dt.date.fromisoformat(date), is_credit=excl + vat < 0,
                is_collective=collective, sources=sources, total_excl_vat=excl, vat_amount=vat,
                total_incl_vat=excl + vat, line_count=lines, run_id=1, journalized=True)


def line(source, line_id, amount, invoice_number=None, status="invoiced"):
    return dict(source=source, line_id=line_id, admin_id="NL01", amount=D(amount),
                status=status, invoice_number=invoice_number, run_id=1)


INVOICES = [
    # collective 1001: postcalc 40.00 + 60.00 and course 25.00 = 125.00, VAT 26.25
    invoice("1001", "2026-10-31", "10001", "125.00", "26.25", collective=True,
            sources="course_lines,postcalc_lines", lines=3),
    invoice("1002", "2026-10-15", "10002", "10.00", "2.10", sources="order_lines"),
    invoice("C1", "2026-10-31", "10001", "-50.00", "-10.50", journal="VKC", sources="order_lines"),
    invoice("1003", "2026-11-30", "10001", "7.00", "1.47", sources="order_lines"),
]
LINES = [
    line("postcalc_lines", "PC1", "40.00", "1001"), line("postcalc_lines", "PC2", "60.00", "1001"),
    line("course_lines", "CO1", "25.00", "1001"), line("order_lines", "OR1", "10.00", "1002"),
    line("order_lines", "OR2", "-50.00", "C1"), line("order_lines", "OR3", "7.00", "1003"),
    line("order_lines", "OR4", "99.00", status="open"),  # (not invoiced: not counted)
]


def test_invoices_per_source_and_journal():
    con = books({"invoices": INVOICES, "billable_lines": LINES})
    assert rows(con, "SELECT * FROM invoices_by_source") == [
        # admin, year, period, source, journal, invoices, collective, credit, lines, amount
        ("NL01", 2026, 10, "course_lines", "VK", 1, 1, 0, 1, D("25.00")),
        ("NL01", 2026, 10, "order_lines", "VK", 1, 0, 0, 1, D("10.00")),
        ("NL01", 2026, 10, "order_lines", "VKC", 1, 0, 1, 1, D("-50.00")),
        ("NL01", 2026, 10, "postcalc_lines", "VK", 1, 1, 0, 2, D("100.00")),
        ("NL01", 2026, 11, "order_lines", "VK", 1, 0, 0, 1, D("7.00")),
    ]


def test_collective_against_separate_invoices():
    con = books({"invoices": INVOICES, "billable_lines": LINES})
    assert rows(con, "SELECT * FROM collective_vs_separate_invoices") == [
        # admin, year, period, kind, invoices, credit, debtors, lines, excl, VAT, incl
        ("NL01", 2026, 10, "collective", 1, 0, 1, 3, D("125.00"), D("26.25"), D("151.25")),
        # 1002 (10.00 + 2.10) and C1 (−50.00 − 10.50) of debtors 10002 and 10001
        ("NL01", 2026, 10, "separate", 2, 1, 2, 2, D("-40.00"), D("-8.40"), D("-48.40")),
        ("NL01", 2026, 11, "separate", 1, 0, 1, 1, D("7.00"), D("1.47"), D("8.47")),
    ]


def item(number, invoice_date, due_date, amount, amount_open=None):
    return dict(admin_id="NL01", debtor_id="10001", invoice_number=number,
                invoice_date=dt.date.fromisoformat(invoice_date),
                due_date=dt.date.fromisoformat(due_date), amount=D(amount),
                amount_open=D(amount if amount_open is None else amount_open), run_id=1)


# as of 2026-12-31: days since the invoice date / days past the due date
OPEN_ITEMS = [
    item("A", "2026-12-31", "2027-01-30", "10.00"),   # 0 / −30
    item("B", "2026-12-01", "2026-12-31", "20.00"),   # 30 / 0
    item("C", "2026-11-30", "2026-12-14", "30.00"),   # 31 / 17
    item("D", "2026-11-01", "2026-11-01", "40.00"),   # 60 / 60
    item("E", "2026-10-31", "2026-11-30", "50.00"),   # 61 / 31
    item("F", "2026-10-02", "2026-10-02", "60.00"),   # 90 / 90
    item("G", "2026-10-01", "2026-10-31", "70.00"),   # 91 / 61
    item("H", "2026-09-01", "2026-09-01", "-60.50"),  # 121 / 121: a credit note, still open
    item("S", "2026-10-15", "2026-11-14", "99.00", "0"),  # settled (a cash sale): left out
    item("L", "2027-01-05", "2027-02-04", "88.00"),   # after the date: left out
]


def test_open_items_ageing_by_invoice_date():
    con = books({"open_items": OPEN_ITEMS})
    assert rows(con, "SELECT invoice_number, days_since_invoice, days_overdue, bucket "
                     "FROM open_items_ageing_at(DATE '2026-12-31') ORDER BY 1") == [
        ("A", 0, -30, "0-30"), ("B", 30, 0, "0-30"), ("C", 31, 17, "31-60"),
        ("D", 60, 60, "31-60"), ("E", 61, 31, "61-90"), ("F", 90, 90, "61-90"),
        ("G", 91, 61, ">90"), ("H", 121, 121, ">90")]
    assert rows(con, "SELECT bucket, count(*), sum(amount_open) FROM "
                     "open_items_ageing_at('2026-12-31') GROUP BY ALL ORDER BY 1") == [
        # 10 + 20; 30 + 40; 50 + 60; 70 − 60.50 (the labels sort in bucket order)
        ("0-30", 2, D("30.00")), ("31-60", 2, D("70.00")), ("61-90", 2, D("110.00")),
        (">90", 2, D("9.50"))]


def test_open_items_ageing_by_due_date():
    con = books({"open_items": OPEN_ITEMS})
    assert rows(con, "SELECT bucket, string_agg(invoice_number, '' ORDER BY invoice_number), "
                     "sum(amount_open) FROM open_items_ageing_at(DATE '2026-12-31', "
                     "basis := 'due_date') GROUP BY ALL ORDER BY 1") == [
        ("0-30", "BC", D("50.00")), ("31-60", "DE", D("90.00")), ("61-90", "FG", D("130.00")),
        (">90", "H", D("-60.50")), ("not due", "A", D("10.00"))]


def test_open_items_ageing_refuses_an_unknown_basis():
    con = books({"open_items": OPEN_ITEMS})
    with pytest.raises(duckdb.Error, match="basis must be 'invoice_date' or 'due_date', not "
                                           "'vervaldatum'"):
        rows(con, "FROM open_items_ageing_at(DATE '2026-12-31', basis := 'vervaldatum')")


def test_open_items_ageing_today_is_the_macro_as_of_the_current_date():
    today = dt.date.today()
    con = books({"open_items": [item("T", str(today - dt.timedelta(days=45)),
                                     str(today - dt.timedelta(days=15)), "12.34")]})
    assert rows(con, "SELECT invoice_number, as_of_date, days_since_invoice, bucket "
                     "FROM open_items_ageing") == [("T", today, 45, "31-60")]


def test_the_views_of_a_run_and_a_post(dataset_dir, db):
    # two October orders of debtor 10001, VAT H 21 %: O1 = 2 × 50.00 = 100.00 on 8000 (GOODS),
    # O2 = 3 × 10.00 = 30.00 on 8200 (integration group WEB), manual; invoiced with
    # --no-journalize, then posted
    write_dataset(dataset_dir, order_lines=[
        order_line("L1", "O1", quantity="2", unit_price="50"),
        order_line("L2", "O2", quantity="3", unit_price="10", integration_group="WEB",
                   manual="true")])
    run(dataset_dir, db, journalize=False)
    assert query(db, "SELECT invoice_number, total_incl_vat FROM cockpit_unprocessed_invoices "
                     "ORDER BY 1") == [("1001", D("121.00")), ("1002", D("36.30"))]
    assert query(db, "SELECT line_id, line_status FROM cockpit_all_invoice_lines "
                     "ORDER BY 1") == [("L1", "processed"), ("L2", "active")]
    assert query(db, "SELECT count(*) FROM revenue") == [(0,)]  # nothing booked yet

    post(db)

    assert query(db, "SELECT count(*) FROM cockpit_unprocessed_invoices") == [(0,)]
    assert query(db, "SELECT line_id, line_status FROM cockpit_all_invoice_lines "
                     "ORDER BY 1") == [("L1", "processed"), ("L2", "processed")]
    assert query(db, "SELECT * FROM revenue") == [
        ("NL01", 2026, 10, "8000", D("100.00"), 1), ("NL01", 2026, 10, "8200", D("30.00"), 1)]
    assert query(db, "SELECT source, journal_code, invoices, lines, amount "
                     "FROM invoices_by_source") == [("order_lines", "VK", 2, 2, D("130.00"))]
    assert query(db, "SELECT invoice_kind, invoices, total_incl_vat "
                     "FROM collective_vs_separate_invoices") == [("separate", 2, D("157.30"))]
    # both dated 2026-10-31: 30 days old on 2026-11-30 (their due date), 31 the day after
    assert query(db, "SELECT invoice_number, bucket, amount_open, days_overdue FROM "
                     "open_items_ageing_at(DATE '2026-11-30') ORDER BY 1") == [
        ("1001", "0-30", D("121.00"), 0), ("1002", "0-30", D("36.30"), 0)]
    assert query(db, "SELECT DISTINCT bucket FROM open_items_ageing_at(DATE '2026-12-01')") == [
        ("31-60",)]
    # the views (not the macro, see docs/analyst-views.md) also read through an ATTACH
    with duckdb.connect() as con:
        con.execute("ATTACH $path AS b (READ_ONLY)", {"path": str(db)})
        assert con.execute("SELECT sum(revenue) FROM b.revenue").fetchall() == [(D("130.00"),)]
        assert con.execute("SELECT count(*) FROM b.open_items_ageing").fetchall() == [(2,)]
