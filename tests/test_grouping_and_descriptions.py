"""SPEC §8 (one invoice per order / receipt, reference date, blocked debtors) and §6 descriptions."""

import pytest
from builders import (
    base_master,
    count_rows,
    counter_line,
    debtor,
    integration_type,
    order_line,
    query,
    run,
    with_be01,
    write_dataset,
)

from transforms.validate import ConfigurationError


def test_one_invoice_per_administration_debtor_and_order(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[
        order_line("L1", "O1", debtor_id="10001"),
        order_line("L2", "O1", debtor_id="10001"),
        order_line("L3", "O2", debtor_id="10001"),
        order_line("L4", "O1", debtor_id="10002"),  # the same order id for another debtor
    ])
    run(dataset_dir, db)
    assert query(db, "SELECT debtor_id, line_count FROM invoices ORDER BY invoice_number") == [
        ("10001", 2), ("10001", 1), ("10002", 1),
    ]
    assert query(db, "SELECT count(DISTINCT collect_key) FROM billable_lines") == [(3,)]


def test_one_invoice_per_receipt(dataset_dir, db):
    write_dataset(dataset_dir, counter_lines=[
        counter_line("C1", "R1"), counter_line("C2", "R1"), counter_line("C3", "R2"),
    ])
    run(dataset_dir, db)
    assert query(db, "SELECT line_count FROM invoices ORDER BY invoice_number") == [(2,), (1,)]


def test_lines_after_the_reference_date_stay_open_and_are_invoiced_later(dataset_dir, tmp_path, db):
    write_dataset(dataset_dir, order_lines=[
        order_line("L1", "O1", line_date="2026-10-31"),
        order_line("L2", "O2", line_date="2026-11-01"),
    ])
    run(dataset_dir, db, period="2026-10")
    assert query(db, "SELECT line_id, status, status_reason FROM billable_lines ORDER BY 1") == [
        ("L1", "invoiced", None),
        ("L2", "open", "dated after the reference date 2026-10-31"),
    ]
    run(dataset_dir, db, period="2026-11")
    assert query(db, "SELECT line_id, status, invoice_number FROM billable_lines ORDER BY 1") == [
        ("L1", "invoiced", "1001"), ("L2", "invoiced", "1002"),
    ]


def test_blocked_debtor_lines_stay_open_until_the_block_is_lifted(dataset_dir, db):
    master = base_master()
    master["debtors"][1] = debtor("10002", "De Vries Bouw", blocked="true")
    lines = [order_line("L1", debtor_id="10001"), order_line("L2", "O2", debtor_id="10002")]
    write_dataset(dataset_dir, master, order_lines=lines)
    run(dataset_dir, db)
    assert query(db, "SELECT line_id, status, status_reason FROM billable_lines ORDER BY 1") == [
        ("L1", "invoiced", None), ("L2", "open", "debtor 10002 is blocked"),
    ]
    master["debtors"][1]["blocked"] = "false"
    write_dataset(dataset_dir, master, order_lines=lines)
    run(dataset_dir, db)
    assert query(db, "SELECT line_id, invoice_number, run_id FROM billable_lines ORDER BY 1") == [
        ("L1", "1001", 1), ("L2", "1002", 2),
    ]


def test_a_source_with_lines_but_no_integration_type_is_a_configuration_error(dataset_dir, db):
    # SPEC §3/§4: the check rejects it, the run never starts and writes nothing
    master = base_master()
    master["integration_types"] = [t for t in master["integration_types"]
                                   if t["integration_type"] != "counter_invoice"]
    write_dataset(dataset_dir, master, counter_lines=[counter_line("C1")])
    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)
    assert error.value.messages == [
        "administration NL01: 1 line(s) of counter_lines to invoice but there is no "
        "integration type counter_invoice"
    ]
    assert count_rows(db, "billable_lines") == 0


def test_only_the_administration_asked_for_is_invoiced(dataset_dir, db):
    # (an --admin that names no administration is refused: tests/test_cli.py)
    write_dataset(dataset_dir, with_be01(base_master()), order_lines=[order_line("L1")])
    run(dataset_dir, db, admin="BE01")
    assert query(db, "SELECT status, status_reason FROM billable_lines") == [
        ("excluded", "administration NL01 is not in this run (--admin BE01)")
    ]


@pytest.mark.parametrize(
    "option, expected",
    [
        ("source_description", "[vkf] Verkoopfactuur"),
        ("source_debtor_name", "[vkf] Jansen Installatie BV"),
        ("source_debtor_number_name", "[vkf] 10001 - Jansen Installatie BV"),
        # 2026-10-20 is in ISO week 43
        ("source_delivery_week", "[vkf] week 2026-43"),
        # no project on an order invoice: project-based options fall back to the debtor name
        ("source_project_description", "[vkf] Jansen Installatie BV"),
        ("source_project_number_description", "[vkf] Jansen Installatie BV"),
        ("source_project_phase_description", "[vkf] Jansen Installatie BV"),
    ],
)
def test_financial_description_options(dataset_dir, db, option, expected):
    master = base_master()
    master["integration_types"][0] = integration_type(
        "sales_invoice", "VK", financial_description=option)
    write_dataset(dataset_dir, master, order_lines=[
        order_line("L1", delivery_date="2026-10-22"), order_line("L2", delivery_date="2026-10-20"),
    ])
    run(dataset_dir, db)
    assert query(db, "SELECT description FROM invoices") == [(expected,)]
    assert query(db, "SELECT DISTINCT description, source FROM journal_entries") == [(expected, "vkf")]


def test_delivery_week_uses_the_iso_year(dataset_dir, db):
    # 2027-01-01 is a Friday in ISO week 53 of 2026
    master = base_master()
    master["integration_types"][0] = integration_type(
        "sales_invoice", "VK", financial_description="source_delivery_week")
    write_dataset(dataset_dir, master, order_lines=[
        order_line("L1", line_date="2027-01-01", delivery_date="2027-01-01")])
    run(dataset_dir, db, period="2027-01")
    assert query(db, "SELECT description FROM invoices") == [("[vkf] week 2026-53",)]


def test_counter_source_code_and_cash_entry_description(dataset_dir, db):
    master = base_master()
    master["integration_types"][1] = integration_type(
        "counter_invoice", "VK", financial_description="source_debtor_number_name")
    write_dataset(dataset_dir, master, counter_lines=[counter_line("C1", payment_method="cash")])
    run(dataset_dir, db)
    assert query(db, "SELECT journal_code, description FROM journal_entries "
                     "WHERE line_no = 1 ORDER BY journal_code") == [
        ("KAS", "[bdf] Balie-/directfactuur"),
        ("VK", "[bdf] 10001 - Jansen Installatie BV"),
    ]
