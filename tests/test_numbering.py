"""SPEC §5: invoice numbers from the journals' counters."""

import duckdb
import pytest
from builders import base_master, count_rows, debtor, order_line, query, run, write_dataset

from transforms.number import NumberingError


def test_numbers_follow_the_counter_in_deterministic_order(dataset_dir, db):
    # ordered by invoice date, debtor, grouping key: 10001/O1, 10001/O2, 10002/O0
    write_dataset(dataset_dir, order_lines=[
        order_line("L1", "O0", debtor_id="10002"),
        order_line("L2", "O2", debtor_id="10001"),
        order_line("L3", "O1", debtor_id="10001"),
    ])
    run(dataset_dir, db)
    assert query(db, "SELECT invoice_number, debtor_id FROM invoices ORDER BY invoice_number") == [
        ("1001", "10001"), ("1002", "10001"), ("1003", "10002"),
    ]
    assert query(db, "SELECT line_id, invoice_number FROM invoice_lines ORDER BY line_id") == [
        ("L1", "1003"), ("L2", "1002"), ("L3", "1001"),
    ]
    assert query(db, "SELECT journal_code, last_invoice_number FROM journal_counters") == [("VK", 1003)]


def test_counters_persist_and_continue_across_runs(dataset_dir, tmp_path, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1", line_date="2026-10-05")])
    run(dataset_dir, db, period="2026-10")
    november = tmp_path / "nov"
    write_dataset(november, order_lines=[order_line("L2", "O2", line_date="2026-11-05")])
    run(november, db, period="2026-11")
    assert query(db, "SELECT invoice_number, invoice_date::VARCHAR FROM invoices ORDER BY 1") == [
        ("1001", "2026-10-31"), ("1002", "2026-11-30"),
    ]
    assert query(db, "SELECT last_invoice_number FROM journal_counters") == [(1002,)]


def test_rerunning_the_same_input_invoices_nothing_twice(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", "O2")])
    first = run(dataset_dir, db)
    second = run(dataset_dir, db)
    assert first.counts["invoices"] == 2 and second.counts["invoices"] == 0
    assert query(db, "SELECT count(*), count(DISTINCT invoice_number) FROM invoices") == [(2, 2)]
    assert query(db, "SELECT count(*) FROM journal_entries WHERE run_id = 2") == [(0,)]
    assert query(db, "SELECT line_id, status, invoice_number, run_id FROM billable_lines ORDER BY 1") == [
        ("L1", "invoiced", "1001", 1), ("L2", "invoiced", "1002", 1),
    ]
    assert query(db, "SELECT last_invoice_number FROM journal_counters") == [(1002,)]


def test_used_numbers_are_skipped_and_reported(dataset_dir, db):
    master = base_master()
    master["issued_invoice_numbers"] = [dict(number="1001"), dict(number="1003"), dict(number="C9")]
    write_dataset(dataset_dir, master, order_lines=[
        order_line("L1", "O1"), order_line("L2", "O2"), order_line("L3", "O3"),
    ])
    run(dataset_dir, db)
    # free numbers above 1000: 1002, 1004, 1005
    assert query(db, "SELECT invoice_number FROM invoices ORDER BY 1") == [("1002",), ("1004",), ("1005",)]
    assert query(db, "SELECT journal_code, invoice_number, reason FROM skipped_numbers ORDER BY 2") == [
        ("VK", "1001", "listed in issued_invoice_numbers"),
        ("VK", "1003", "listed in issued_invoice_numbers"),
    ]


def test_a_number_already_in_the_database_is_never_issued_again(dataset_dir, tmp_path, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1", line_date="2026-10-05")])
    run(dataset_dir, db, period="2026-10")
    # the master's counter is set back (as after restoring an old configuration): 1001 is taken
    november = tmp_path / "nov"
    master = base_master()
    write_dataset(november, master, order_lines=[order_line("L2", "O2", line_date="2026-11-05")])
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM journal_counters")
    run(november, db, period="2026-11")
    assert query(db, "SELECT invoice_number FROM invoices ORDER BY 1") == [("1001",), ("1002",)]
    assert query(db, "SELECT invoice_number, reason FROM skipped_numbers") == [
        ("1001", "already used by an invoice in the database")
    ]


def test_prefix_with_year_placeholder(dataset_dir, db):
    master = base_master()
    master["journals"][0].update(number_prefix="V[JJJJ]", last_invoice_number="41")
    write_dataset(dataset_dir, master, order_lines=[order_line("L1")])
    run(dataset_dir, db)
    assert query(db, "SELECT invoice_number FROM invoices") == [("V202642",)]


def test_yyyy_placeholder_too(dataset_dir, db):
    master = base_master()
    master["journals"][0].update(number_prefix="F[YYYY]-", last_invoice_number="0")
    write_dataset(dataset_dir, master, order_lines=[order_line("L1")])
    run(dataset_dir, db)
    assert query(db, "SELECT invoice_number FROM invoices") == [("F2026-1",)]


def _expect_failure(dataset_dir, db, match):
    with pytest.raises(NumberingError, match=match):
        run(dataset_dir, db)
    assert count_rows(db, "invoices") == 0


def test_number_longer_than_12_characters_fails_and_writes_nothing(dataset_dir, db):
    master = base_master()
    master["journals"][0].update(number_prefix="ABCDEFGHIJ", number_range_end="")
    write_dataset(dataset_dir, master, order_lines=[order_line("L1")])
    _expect_failure(dataset_dir, db, "ABCDEFGHIJ1001 of journal VK is longer than 12 characters")


def test_running_past_the_range_end_fails(dataset_dir, db):
    master = base_master()
    master["journals"][0].update(last_invoice_number="1000", number_range_end="1001")
    write_dataset(dataset_dir, master, order_lines=[order_line("L1", "O1"), order_line("L2", "O2")])
    _expect_failure(dataset_dir, db, "runs out of numbers: 1002 is past number_range_end 1001")


def test_backfilling_before_the_latest_numbered_invoice_fails(dataset_dir, tmp_path, db):
    november = tmp_path / "nov"
    write_dataset(november, order_lines=[order_line("L2", "O2", line_date="2026-11-05")])
    run(november, db, period="2026-11")
    write_dataset(dataset_dir, order_lines=[order_line("L1", line_date="2026-10-05")])
    with pytest.raises(NumberingError, match="dated up to 2026-11-30; numbering invoices dated 2026-10-31"):
        run(dataset_dir, db, period="2026-10")
    assert query(db, "SELECT invoice_number FROM invoices") == [("1001",)]


def test_profile_journal_overrides_and_default_profile(dataset_dir, db):
    master = base_master()
    master["journals"].append(dict(admin_id="NL01", journal_code="VKP", journal_type="sales",
                                   description="Profiel", last_invoice_number="0", number_prefix="P"))
    master["sales_relation_profiles"] = [
        dict(profile_id="PRJ", invoice_journal_code="VKP", collect_postcalc="false",
             collect_subscriptions="false", collect_installments="false", collect_courses="false",
             collect_method="per_sales_relation", collect_period="none"),
        dict(profile_id="*****", credit_journal_code="VKP", collect_postcalc="false",
             collect_subscriptions="false", collect_installments="false", collect_courses="false",
             collect_method="per_sales_relation", collect_period="none"),
    ]
    master["debtors"][0] = debtor("10001", "Jansen", profile_id="PRJ")
    write_dataset(dataset_dir, master, order_lines=[
        order_line("L1", debtor_id="10001"),                       # PRJ: invoice journal VKP
        order_line("L2", "O2", debtor_id="10001", is_credit="true"),  # PRJ has no credit journal: VKC
        order_line("L3", "O3", debtor_id="10002"),                 # default profile: no invoice journal
        order_line("L4", "O4", debtor_id="10002", is_credit="true"),  # default profile credit: VKP
    ])
    run(dataset_dir, db)
    assert query(db, "SELECT debtor_id, is_credit, journal_code, invoice_number FROM invoices "
                     "ORDER BY debtor_id, is_credit") == [
        ("10001", False, "VKP", "P1"),
        ("10001", True, "VKC", "C1"),
        ("10002", False, "VK", "1001"),
        ("10002", True, "VKP", "P2"),
    ]
