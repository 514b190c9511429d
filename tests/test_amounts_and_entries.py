"""SPEC §9: amounts per invoice and VAT code, and the journal entry of each invoice.
Every expected figure below is worked out by hand in the comments."""

from decimal import Decimal as D

import pytest
from builders import (
    base_master,
    counter_line,
    debtor,
    integration_type,
    order_line,
    query,
    run,
    write_dataset,
)


def _discount_master():
    master = base_master()
    master["integration_types"][0] = integration_type(
        "sales_invoice", "VK", credit_journal_code="VKC",
        use_invoice_discount="true", invoice_discount_account="8900",
        use_credit_restriction="true", credit_restriction_account="8910",
    )
    master["debtors"][0] = debtor("10001", "Jansen Installatie BV",
                                  invoice_discount_pct="2.5", credit_restriction_pct="2")
    return master


def test_rounding_discount_vat_and_credit_restriction(dataset_dir, db):
    # L1: 3 × 19.995 = 59.985 → 59.99 (half-up; banker's rounding would give 59.98)
    # L2: 1 × 10.005 = 10.005 → 10.01
    # H: gross 59.99, discount 2.5 % = 1.49975 → 1.50, net 58.49, VAT 21 % = 12.2829 → 12.28,
    #    credit restriction 2 % of 58.49 = 1.1698 → 1.17
    # L: gross 10.01, discount 0.25025 → 0.25, net 9.76, VAT 9 % = 0.8784 → 0.88, CR 0.1952 → 0.20
    # excl = 58.49 + 9.76 + 1.17 + 0.20 = 69.62; VAT 13.16; incl 82.78
    write_dataset(dataset_dir, _discount_master(), order_lines=[
        order_line("L1", quantity="3", unit_price="19.995"),
        order_line("L2", quantity="1", unit_price="10.005", vat_code="L"),
    ])
    run(dataset_dir, db)
    assert query(db, "SELECT vat_code, gross, invoice_discount, net, vat, credit_restriction "
                     "FROM invoice_vat ORDER BY vat_code") == [
        ("H", D("59.99"), D("1.50"), D("58.49"), D("12.28"), D("1.17")),
        ("L", D("10.01"), D("0.25"), D("9.76"), D("0.88"), D("0.20")),
    ]
    assert query(db, "SELECT total_excl_vat, vat_amount, total_incl_vat, is_credit FROM invoices") == [
        (D("69.62"), D("13.16"), D("82.78"), False)
    ]
    entry = query(db, "SELECT line_no, account, vat_code, debit, credit, debtor_id "
                      "FROM journal_entries ORDER BY line_no")
    assert entry == [
        (1, "1300", None, D("82.78"), D("0.00"), "10001"),   # debtor
        (2, "8000", "H", D("0.00"), D("59.99"), None),        # revenue per account and VAT code
        (3, "8000", "L", D("0.00"), D("10.01"), None),
        (4, "1500", "H", D("0.00"), D("12.28"), None),        # VAT per code
        (5, "1510", "L", D("0.00"), D("0.88"), None),
        (6, "8900", "H", D("1.50"), D("0.00"), None),         # invoice discount per code
        (7, "8900", "L", D("0.25"), D("0.00"), None),
        (8, "8910", None, D("0.00"), D("1.37"), None),        # credit restriction
    ]


def test_discount_flag_off_ignores_the_debtors_percentage(dataset_dir, db):
    master = _discount_master()
    master["integration_types"][0] = integration_type("sales_invoice", "VK", credit_journal_code="VKC")
    write_dataset(dataset_dir, master, order_lines=[order_line("L1", unit_price="100")])
    run(dataset_dir, db)
    assert query(db, "SELECT total_excl_vat, vat_amount, total_incl_vat FROM invoices") == [
        (D("100.00"), D("21.00"), D("121.00"))
    ]


def test_vat_is_rounded_once_per_invoice_and_code_not_per_line(dataset_dir, db):
    # three lines of 0.07 at 21 %: per line 0.0147 → 0.01 (0.03 in all);
    # once per invoice and code: 0.21 × 0.21 = 0.0441 → 0.04
    write_dataset(dataset_dir, order_lines=[
        order_line(f"L{i}", unit_price="0.07") for i in range(3)
    ])
    run(dataset_dir, db)
    assert query(db, "SELECT vat_amount FROM invoices") == [(D("0.04"),)]


def test_credit_invoice_goes_to_the_credit_journal_with_sides_swapped(dataset_dir, db):
    # is_credit line 2 × 50.00 → -100.00 on the credit account 8001; VAT -21.00; total -121.00
    write_dataset(dataset_dir, order_lines=[
        order_line("L1", quantity="2", unit_price="50", is_credit="true"),
    ])
    run(dataset_dir, db)
    assert query(db, "SELECT invoice_number, journal_code, is_credit, total_incl_vat FROM invoices") == [
        ("C1", "VKC", True, D("-121.00"))
    ]
    assert query(db, "SELECT account, debit, credit FROM journal_entries ORDER BY line_no") == [
        ("1300", D("0.00"), D("121.00")),
        ("8001", D("100.00"), D("0.00")),
        ("1500", D("21.00"), D("0.00")),
    ]


def test_integration_group_accounts_override_the_article_group(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[
        order_line("L1", unit_price="10", integration_group="WEB"),
        order_line("L2", unit_price="4", integration_group="WEB", is_credit="true"),
        order_line("L3", unit_price="1"),
    ])
    run(dataset_dir, db)
    assert query(db, "SELECT line_id, account, amount FROM invoice_lines ORDER BY line_id") == [
        ("L1", "8200", D("10.00")), ("L2", "8201", D("-4.00")), ("L3", "8000", D("1.00")),
    ]


def test_zero_vat_writes_no_vat_line(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1", unit_price="80", vat_code="0")])
    run(dataset_dir, db)
    assert query(db, "SELECT account, debit, credit FROM journal_entries ORDER BY line_no") == [
        ("1300", D("80.00"), D("0.00")), ("8000", D("0.00"), D("80.00")),
    ]


def test_entry_date_period_due_date_and_payment_discount(dataset_dir, db):
    master = base_master()
    master["integration_types"][0] = integration_type(
        "sales_invoice", "VK", use_payment_discount="true", payment_discount_days="8")
    master["debtors"][0] = debtor("10001", "Jansen", payment_term_days="14",
                                  payment_discount_pct="1.5", receivables_account="1310")
    write_dataset(dataset_dir, master, order_lines=[order_line("L1")])
    run(dataset_dir, db)
    # invoice date 2026-10-31 + 14 days = 2026-11-14; discount date + 8 days = 2026-11-08
    assert query(db, "SELECT entry_date::VARCHAR, fiscal_year, period, account, due_date::VARCHAR "
                     "FROM journal_entries WHERE line_no = 1") == [
        ("2026-10-31", 2026, 10, "1310", "2026-11-14")
    ]
    assert query(db, "SELECT debtor_id, amount, amount_open, due_date::VARCHAR, "
                     "payment_discount_pct, payment_discount_date::VARCHAR FROM open_items") == [
        ("10001", D("121.00"), D("121.00"), "2026-11-14", D("1.5000"), "2026-11-08")
    ]


@pytest.mark.parametrize("method", ["cash", "pin", "chip"])
def test_counter_sale_paid_at_once_is_settled_through_cash_sale(dataset_dir, db, method):
    # 2 × 25.00 = 50.00 + 21 % 10.50 = 60.50
    write_dataset(dataset_dir, counter_lines=[
        counter_line("C1", payment_method=method, quantity="2", unit_price="25"),
    ])
    run(dataset_dir, db)
    rows = query(db, "SELECT journal_code, account, debit, credit, debtor_id, source "
                     "FROM journal_entries ORDER BY entry_id, line_no")
    assert rows == [
        ("KAS", "1000", D("60.50"), D("0.00"), None, "bdf"),
        ("KAS", "1300", D("0.00"), D("60.50"), "10001", "bdf"),
        ("VK", "1300", D("60.50"), D("0.00"), "10001", "bdf"),
        ("VK", "8000", D("0.00"), D("50.00"), None, "bdf"),
        ("VK", "1500", D("0.00"), D("10.50"), None, "bdf"),
    ]
    assert query(db, "SELECT amount, amount_open FROM open_items") == [(D("60.50"), D("0.00"))]


def test_counter_sale_on_account_stays_open_as_a_receivable(dataset_dir, db):
    write_dataset(dataset_dir, counter_lines=[counter_line("C1", payment_method="on_account")])
    run(dataset_dir, db)
    assert query(db, "SELECT DISTINCT journal_code FROM journal_entries") == [("VK",)]
    assert query(db, "SELECT amount_open FROM open_items") == [(D("121.00"),)]


def test_cash_payment_without_cash_sale_type_stays_open(dataset_dir, db):
    master = base_master()
    master["integration_types"] = master["integration_types"][:2]  # no cash_sale
    write_dataset(dataset_dir, master, counter_lines=[
        counter_line("C1", "R1", payment_method="pin"),
        counter_line("C2", "R2", payment_method="on_account"),
    ])
    run(dataset_dir, db)
    assert query(db, "SELECT line_id, status, status_reason FROM billable_lines ORDER BY line_id") == [
        ("C1", "open", "paid pin but administration NL01 has no integration type cash_sale"),
        ("C2", "invoiced", None),
    ]


def test_manual_lines_are_active_until_journalised(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[
        order_line("L1", manual="true"), order_line("L2"),
    ])
    run(dataset_dir, db, journalize=False)
    assert query(db, "SELECT line_id, line_status FROM invoice_lines ORDER BY line_id") == [
        ("L1", "active"), ("L2", "processed"),
    ]
    assert query(db, "SELECT count(*) FROM journal_entries") == [(0,)]
    assert query(db, "SELECT invoice_number FROM cockpit_unprocessed_invoices") == [("1001",)]
