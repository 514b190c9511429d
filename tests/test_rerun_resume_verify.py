"""Re-running a month (nothing invoiced twice, changed lines reported), `resume` (invoice
the lines earlier runs left open, from the database), `backfill` (one run per month) and `verify`
(audit an output database, also after tampering with a copy of it). SPEC §5, §8, §11, §12.

Expected values are computed by hand: an order line 1 × 100.00 with VAT H (21 %) is an invoice of
100.00 + 21.00 = 121.00; journal VK numbers from 1001, VKC (credit invoices) from C1.
"""

from __future__ import annotations

import shutil
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest
from builders import (
    base_master,
    counter_line,
    course,
    course_line,
    debtor,
    order_line,
    query,
    run,
    write_dataset,
)
from typer.testing import CliRunner

from flows.cli import app
from flows.parameters import sample_dataset
from flows.pipeline import RunFailed, resume, resume_parameters
from transforms.verify import audit

WIDE = {"COLUMNS": "250"}

CHECK_NAMES = ["entries_balance", "numbers_unique", "numbers_gapless", "lines_once", "counters",
               "invoices_booked", "lines_unique", "lines_read_once", "invoice_totals", "entry_vat",
               "open_item_amounts", "entry_periods", "settlements", "reconciliation",
               "master_references", "drafts", "subscription_state", "allocations", "deferrals",
               "sealed", "stock_entries", "intercompany_balance"]
OK_LINES = [
    "ok   every entry balances; no negative debit or credit",
    "ok   invoice numbers unique across the environment",
    "ok   numbers gapless per journal series (skips recorded with their reason)",
    "ok   every invoiced line on exactly one invoice",
    "ok   journal counters equal the highest number issued",
    "ok   every journalised invoice has its entry and one open item",
    "ok   every posted row matches its seal; each administration's and journal's chain holds",
]
BILLABLE = ("SELECT source, line_id, row_number, debtor_id, quantity, unit_price, amount, status, "
            "status_reason, invoice_number, run_id FROM billable_lines ORDER BY source, line_id")


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def joined(text: str) -> str:
    return " ".join(text.split())


def reconciliation(db: Path, run_id: int) -> list[tuple]:
    return query(db, "SELECT source, lines_read, lines_invoiced, lines_open, lines_rejected, "
                     "lines_excluded, amount_read, amount_invoiced, amount_open, closes "
                     "FROM run_reconciliation WHERE run_id = $r ORDER BY source", {"r": run_id})


def assert_reconciliation_closes(db: Path, run_id: int) -> None:
    rows = reconciliation(db, run_id)
    assert rows, f"run {run_id} stored no run_reconciliation rows"
    assert all(row[-1] is True for row in rows), rows


def blocked_master() -> dict:
    master = base_master()
    master["debtors"][1] = debtor("10002", "De Vries Bouw", blocked="true")
    return master


def without_cash_sale(master: dict) -> dict:
    master["integration_types"] = [t for t in master["integration_types"]
                                   if t["integration_type"] != "cash_sale"]
    return master


# --- re-running a month ------------------------------------------------------------------------


def test_rerun_with_the_same_input_keeps_every_row_and_reconciles(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", "O2", quantity="2")])
    first = run(dataset_dir, db)
    lines_before = query(db, BILLABLE)
    invoices_before = query(db, "SELECT * FROM invoices ORDER BY invoice_number")
    entries_before = query(db, "SELECT count(*) FROM journal_entries")

    second = run(dataset_dir, db)

    assert first.counts["invoices"] == 2 and second.counts["invoices"] == 0
    assert second.changed == []
    assert query(db, "SELECT count(*) FROM changed_lines") == [(0,)]
    # the lines keep their row of run 1 (invoice 1001: 121.00, 1002: 2 × 100 + 21 % = 242.00)
    assert query(db, BILLABLE) == lines_before
    assert query(db, "SELECT line_id, status, invoice_number, run_id FROM billable_lines "
                     "ORDER BY 1") == [("L1", "invoiced", "1001", 1), ("L2", "invoiced", "1002", 1)]
    assert query(db, "SELECT * FROM invoices ORDER BY invoice_number") == invoices_before
    assert query(db, "SELECT count(*) FROM journal_entries") == entries_before
    assert query(db, "SELECT run_id, invoices FROM runs ORDER BY 1") == [(1, 2), (2, 0)]
    # both runs reconcile; the re-run counts the lines invoiced by run 1 as invoiced
    assert_reconciliation_closes(db, 1)
    assert_reconciliation_closes(db, 2)
    assert reconciliation(db, 2) == [
        ("order_lines", 2, 2, 0, 0, 0, D("300.00"), D("300.00"), D("0.00"), True)]


def test_line_changed_after_invoicing_is_reported_and_not_invoiced_again(dataset_dir, tmp_path, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", "O2")])
    run(dataset_dir, db)
    corrected = tmp_path / "corrected"
    write_dataset(corrected, order_lines=[order_line("L1", quantity="3"), order_line("L2", "O2")])

    result = run(corrected, db)

    assert result.counts["invoices"] == 0
    assert result.changed == [("order_lines", "L1", "1001", "quantity")]
    assert query(db, "SELECT run_id, source, line_id, row_number, invoice_number, changed_columns "
                     "FROM changed_lines") == [(2, "order_lines", "L1", 1, "1001", "quantity")]
    # the billable line keeps the content it was invoiced with, on its invoice of run 1
    assert query(db, "SELECT line_id, quantity, amount, status, invoice_number, run_id "
                     "FROM billable_lines ORDER BY 1") == [
        ("L1", D("1.0000"), D("100.00"), "invoiced", "1001", 1),
        ("L2", D("1.0000"), D("100.00"), "invoiced", "1002", 1),
    ]
    assert query(db, "SELECT invoice_number, total_incl_vat, run_id FROM invoices ORDER BY 1") == [
        ("1001", D("121.00"), 1), ("1002", D("121.00"), 1)]
    assert query(db, "SELECT count(*) FROM invoice_lines") == [(2,)]
    assert query(db, "SELECT last_invoice_number FROM journal_counters") == [(1002,)]
    assert_reconciliation_closes(db, 2)
    # read: L1 now 3 × 100 = 300.00 and L2 100.00, both invoiced earlier
    assert reconciliation(db, 2) == [
        ("order_lines", 2, 2, 0, 0, 0, D("400.00"), D("400.00"), D("0.00"), True)]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (dict(quantity="2", unit_price="50"), "quantity, unit_price"),
        (dict(debtor_id="10002"), "debtor_id"),
        (dict(description="other text", vat_code="L"), "description, vat_code"),
        (dict(unit_price="80", debtor_id="10003", line_date="2026-10-20", order_id="O9"),
         "debtor_id, line_date, unit_price, order_id"),
    ],
)
def test_changed_columns_are_named_in_comparison_order(dataset_dir, tmp_path, db, changes, expected):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    run(dataset_dir, db)
    corrected = tmp_path / "corrected"
    write_dataset(corrected, order_lines=[order_line("L1", **changes)])

    result = run(corrected, db)

    assert result.counts["invoices"] == 0
    assert result.changed == [("order_lines", "L1", "1001", expected)]
    assert query(db, "SELECT changed_columns FROM changed_lines") == [(expected,)]
    assert query(db, "SELECT debtor_id, invoice_number, run_id FROM billable_lines") == [
        ("10001", "1001", 1)]
    assert_reconciliation_closes(db, 2)


def test_unchanged_free_columns_do_not_count_as_a_change(dataset_dir, tmp_path, db):
    # manual and delivery_date are no comparison columns: a difference there is no change
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    run(dataset_dir, db)
    corrected = tmp_path / "corrected"
    write_dataset(corrected, order_lines=[order_line("L1", delivery_date="2026-10-16")])
    result = run(corrected, db)
    assert result.changed == []
    assert query(db, "SELECT count(*) FROM changed_lines") == [(0,)]


def test_cli_prints_the_changed_line(dataset_dir, tmp_path, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    assert invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10").exit_code == 0
    corrected = tmp_path / "corrected"
    write_dataset(corrected, order_lines=[order_line("L1", quantity="2")])

    result = invoke("run", "--input", corrected, "--db", db, "--period", "2026-10")

    assert result.exit_code == 0, result.output
    assert ("changed after invoicing (not invoiced again): order_lines L1 on 1001: quantity"
            in joined(result.stdout))


def test_corrected_input_with_a_new_line_invoices_only_the_new_line(dataset_dir, tmp_path, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", "O2")])
    run(dataset_dir, db)
    corrected = tmp_path / "corrected"
    write_dataset(corrected, order_lines=[
        order_line("L1"), order_line("L2", "O2"), order_line("L3", "O3", quantity="2")])

    result = run(corrected, db)

    assert result.counts["invoices"] == 1
    assert result.changed == []
    assert query(db, "SELECT invoice_number, total_incl_vat, run_id FROM invoices ORDER BY 1") == [
        ("1001", D("121.00"), 1), ("1002", D("121.00"), 1), ("1003", D("242.00"), 2)]
    assert query(db, "SELECT line_id, invoice_number, run_id FROM billable_lines ORDER BY 1") == [
        ("L1", "1001", 1), ("L2", "1002", 1), ("L3", "1003", 2)]
    assert query(db, "SELECT invoice_number, line_id FROM invoice_lines ORDER BY 1") == [
        ("1001", "L1"), ("1002", "L2"), ("1003", "L3")]
    assert query(db, "SELECT last_invoice_number FROM journal_counters") == [(1003,)]
    assert_reconciliation_closes(db, 2)
    assert reconciliation(db, 2) == [
        ("order_lines", 3, 3, 0, 0, 0, D("400.00"), D("400.00"), D("0.00"), True)]


def test_numbers_are_never_issued_twice_across_runs_with_issued_numbers(dataset_dir, tmp_path, db):
    # run 1: 1002 is used elsewhere → L1 1001, L2 1003 ; run 2 (same lines + L3), 1004 also used
    # elsewhere → L3 1005 ; run 3 repeats run 2's input: nothing
    master = base_master()
    master["issued_invoice_numbers"] = [dict(number="1002")]
    write_dataset(dataset_dir, master, order_lines=[order_line("L1"), order_line("L2", "O2")])
    run(dataset_dir, db)
    second = tmp_path / "second"
    master["issued_invoice_numbers"] = [dict(number="1002"), dict(number="1004")]
    write_dataset(second, master, order_lines=[
        order_line("L1"), order_line("L2", "O2"), order_line("L3", "O3")])
    run(second, db)
    third = run(second, db)

    assert third.counts["invoices"] == 0
    assert query(db, "SELECT invoice_number, run_id FROM invoices ORDER BY 1") == [
        ("1001", 1), ("1003", 1), ("1005", 2)]
    assert query(db, "SELECT count(*) = count(DISTINCT invoice_number) FROM invoices") == [(True,)]
    assert query(db, "SELECT invoice_number, reason, run_id FROM skipped_numbers ORDER BY 1") == [
        ("1002", "listed in issued_invoice_numbers", 1),
        ("1004", "listed in issued_invoice_numbers", 2),
    ]
    assert query(db, "SELECT last_invoice_number FROM journal_counters") == [(1005,)]
    for run_id in (1, 2, 3):
        assert_reconciliation_closes(db, run_id)


def test_same_values_in_another_notation_or_format_are_no_change(dataset_dir, tmp_path, db):
    # 1.50 and 1.5 are one quantity; the same lines as Parquet are the same lines
    lines = [order_line("L1", integration_group="WEB", quantity="1.50", unit_price="99.9900"),
             order_line("L2", "O2")]
    write_dataset(dataset_dir, order_lines=lines)
    run(dataset_dir, db)
    as_parquet = write_dataset(tmp_path / "parquet", fmt="parquet", order_lines=lines)
    renotated = write_dataset(tmp_path / "renotated", order_lines=[
        order_line("L1", integration_group="WEB", quantity="1.5", unit_price="99.99"),
        order_line("L2", "O2")])
    for folder in (as_parquet, renotated):
        result = run(folder, db)
        assert result.counts["invoices"] == 0 and result.changed == []
    assert query(db, "SELECT count(*) FROM changed_lines") == [(0,)]
    assert query(db, "SELECT count(*) FROM invoices") == [(2,)]


def test_invoiced_line_arriving_again_rejected_keeps_its_one_row(dataset_dir, tmp_path, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    run(dataset_dir, db)
    before = query(db, BILLABLE)
    broken = write_dataset(tmp_path / "broken", order_lines=[order_line("L1", quantity="abc")])

    result = run(broken, db)

    assert result.counts["invoices"] == 0
    # the rejection is reported for run 2 ...
    assert query(db, 'SELECT "table", line_id, "column", run_id FROM rejected_lines') == [
        ("order_lines", "L1", "quantity", 2)]
    assert_reconciliation_closes(db, 2)
    # ... and the line is still the one invoiced on 1001, once
    assert query(db, BILLABLE) == before


def test_same_line_id_in_another_source_is_a_new_line(dataset_dir, tmp_path, db):
    # (source, line_id) identifies a line: counter line L1 is not order line L1 changed
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    run(dataset_dir, db)
    second = tmp_path / "second"
    write_dataset(second, order_lines=[order_line("L1")],
                  counter_lines=[counter_line("L1", "R1", quantity="2")])
    result = run(second, db)
    assert result.counts["invoices"] == 1 and result.changed == []
    assert query(db, "SELECT source, line_id, invoice_number, run_id FROM billable_lines "
                     "ORDER BY 1") == [("counter_lines", "L1", "1002", 2),
                                       ("order_lines", "L1", "1001", 1)]
    assert_reconciliation_closes(db, 2)



# --- resume ------------------------------------------------------------------------------------


def _blocked_first_run(dataset_dir: Path, db: Path) -> None:
    write_dataset(dataset_dir, blocked_master(), order_lines=[
        order_line("L1", "O1", debtor_id="10001"),
        order_line("L2", "O2", debtor_id="10002", quantity="2"),
    ])
    first = run(dataset_dir, db)
    assert first.counts["invoices"] == 1
    assert query(db, "SELECT line_id, status, status_reason FROM billable_lines "
                     "WHERE status = 'open'") == [("L2", "open", "debtor 10002 is blocked")]


def test_cli_resume_invoices_the_line_of_an_unblocked_debtor(dataset_dir, tmp_path, db):
    _blocked_first_run(dataset_dir, db)
    run1_invoices = query(db, "SELECT * FROM invoices ORDER BY invoice_number")
    run1_entries = query(db, "SELECT * FROM journal_entries ORDER BY entry_id, line_no")
    fixed = write_dataset(tmp_path / "fixed")  # the master with 10002 no longer blocked

    result = invoke("resume", "--db", db, "--input", fixed)

    assert result.exit_code == 0, result.output
    # L2: 2 × 100.00 = 200.00 + 21 % = 242.00, the next number, the original invoice date
    assert query(db, "SELECT invoice_number, debtor_id, invoice_date::VARCHAR, total_incl_vat, "
                     "run_id FROM invoices ORDER BY 1") == [
        ("1001", "10001", "2026-10-31", D("121.00"), 1),
        ("1002", "10002", "2026-10-31", D("242.00"), 2),
    ]
    assert query(db, "SELECT * FROM invoices WHERE run_id = 1 ORDER BY invoice_number") == run1_invoices
    assert query(db, "SELECT * FROM journal_entries WHERE run_id = 1 "
                     "ORDER BY entry_id, line_no") == run1_entries
    assert query(db, "SELECT line_id, status, invoice_number, run_id FROM billable_lines "
                     "ORDER BY 1") == [("L1", "invoiced", "1001", 1), ("L2", "invoiced", "1002", 2)]
    assert query(db, "SELECT run_id, command, reference_date::VARCHAR, invoice_date::VARCHAR, "
                     "input_dir FROM runs ORDER BY 1") == [
        (1, "run", "2026-10-31", "2026-10-31", str(dataset_dir)),
        (2, "resume", "2026-10-31", "2026-10-31", str(fixed)),
    ]
    assert query(db, "SELECT entry_date::VARCHAR, sum(debit), sum(credit) FROM journal_entries "
                     "WHERE invoice_number = '1002' GROUP BY 1") == [
        ("2026-10-31", D("242.00"), D("242.00"))]
    assert query(db, "SELECT last_invoice_number FROM journal_counters") == [(1002,)]
    assert_reconciliation_closes(db, 2)
    assert query(db, "SELECT sum(lines_open) FROM run_reconciliation WHERE run_id = 2") == [(0,)]


def test_resume_reads_the_open_lines_from_the_database_not_the_files(dataset_dir, db):
    _blocked_first_run(dataset_dir, db)
    # the block is lifted in the run's own folder, and the line files are gone
    write_dataset(dataset_dir)
    shutil.rmtree(dataset_dir / "lines")

    params = resume_parameters(db)
    assert params.input_dir == dataset_dir
    result = resume(params)

    assert result.counts["invoices"] == 1
    assert query(db, "SELECT invoice_number, debtor_id, total_incl_vat, run_id FROM invoices "
                     "ORDER BY 1") == [("1001", "10001", D("121.00"), 1),
                                       ("1002", "10002", D("242.00"), 2)]
    assert query(db, "SELECT command FROM runs WHERE run_id = 2") == [("resume",)]
    assert_reconciliation_closes(db, 2)


def test_resume_ignores_changed_line_files(dataset_dir, tmp_path, db):
    _blocked_first_run(dataset_dir, db)
    # someone edits L2 in the original file after run 1: resume takes the line as run 1 read it
    write_dataset(dataset_dir, blocked_master(), order_lines=[
        order_line("L1", "O1", debtor_id="10001"),
        order_line("L2", "O2", debtor_id="10002", quantity="7"),
        order_line("L9", "O9", debtor_id="10001"),
    ])
    fixed = write_dataset(tmp_path / "fixed")

    result = resume(resume_parameters(db, input_dir=fixed))

    assert result.counts["invoices"] == 1
    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices WHERE run_id = 2") == [
        ("1002", D("242.00"))]
    assert query(db, "SELECT count(*) FROM billable_lines WHERE line_id = 'L9'") == [(0,)]
    assert query(db, "SELECT quantity FROM invoice_lines WHERE line_id = 'L2'") == [(D("2.0000"),)]


def test_resume_parameters_take_the_resumed_runs_settings(dataset_dir, tmp_path, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    run(dataset_dir, db, period="2026-10", sources=["order_lines"], include_credit_lines=True,
        admin="NL01")
    fixed = tmp_path / "fixed"

    latest = resume_parameters(db)
    chosen = resume_parameters(db, run_id=1, input_dir=fixed)

    for params in (latest, chosen):
        assert params.reference_date.isoformat() == "2026-10-31"
        assert params.invoice_date.isoformat() == "2026-10-31"
        assert params.admin == "NL01"
        assert params.sources == ["order_lines"]
        assert params.include_credit_lines is True
        assert params.command == "resume"
        assert params.db_path == db
    assert latest.input_dir == dataset_dir
    assert chosen.input_dir == fixed


def test_resume_of_a_paid_counter_line_after_adding_cash_sale(dataset_dir, tmp_path, db):
    write_dataset(dataset_dir, without_cash_sale(base_master()),
                  counter_lines=[counter_line("C1", "R1", payment_method="pin")])
    first = run(dataset_dir, db)
    assert first.counts["invoices"] == 0
    assert query(db, "SELECT status, status_reason FROM billable_lines") == [
        ("open", "paid pin but administration NL01 has no integration type cash_sale")]
    fixed = write_dataset(tmp_path / "fixed")  # base_master has cash_sale (journal KAS, contra 1000)

    result = invoke("resume", "--db", db, "--input", fixed)

    assert result.exit_code == 0, result.output
    assert query(db, "SELECT invoice_number, journal_code, integration_type, total_incl_vat, "
                     "invoice_date::VARCHAR, run_id FROM invoices") == [
        ("1001", "VK", "counter_invoice", D("121.00"), "2026-10-31", 2)]
    # the cash sale: KAS debits its contra account and credits the debtor; the item is settled
    assert query(db, "SELECT account, debit, credit FROM journal_entries WHERE journal_code = 'KAS' "
                     "ORDER BY line_no") == [("1000", D("121.00"), D("0.00")),
                                             ("1300", D("0.00"), D("121.00"))]
    assert query(db, "SELECT amount, amount_open FROM open_items") == [(D("121.00"), D("0.00"))]
    assert query(db, "SELECT status, invoice_number FROM billable_lines") == [("invoiced", "1001")]
    assert_reconciliation_closes(db, 2)


def test_resume_leaves_lines_dated_after_the_reference_date_open(dataset_dir, tmp_path, db):
    write_dataset(dataset_dir, blocked_master(), order_lines=[
        order_line("L1", "O1", debtor_id="10002"),
        order_line("L2", "O2", debtor_id="10001", line_date="2026-11-05"),
    ])
    run(dataset_dir, db, period="2026-10")
    fixed = write_dataset(tmp_path / "fixed")

    result = resume(resume_parameters(db, input_dir=fixed))

    assert result.counts["invoices"] == 1
    assert query(db, "SELECT line_id, status, status_reason, invoice_number FROM billable_lines "
                     "ORDER BY 1") == [
        ("L1", "invoiced", None, "1001"),
        ("L2", "open", "dated after the reference date 2026-10-31", None),
    ]
    assert query(db, "SELECT invoice_date::VARCHAR FROM invoices") == [("2026-10-31",)]
    assert_reconciliation_closes(db, 2)
    assert query(db, "SELECT sum(lines_invoiced), sum(lines_open) FROM run_reconciliation "
                     "WHERE run_id = 2") == [(1, 1)]


def test_resume_keeps_the_runs_include_credit_lines(dataset_dir, tmp_path, db):
    # a course credit line is invoiced only with include-credit-lines (§7, §8); run 1 had it but the
    # debtor was blocked. -1 × 100.00 → -100.00 - 21.00 = -121.00, a credit invoice in VKC: C1
    master = blocked_master()
    master["courses"] = [course("K")]
    write_dataset(dataset_dir, master, course_lines=[
        course_line("K1", "K", debtor_id="10002", is_credit="true")])
    run(dataset_dir, db, include_credit_lines=True)
    fixed = base_master()
    fixed["courses"] = [course("K")]
    fixed_dir = write_dataset(tmp_path / "fixed", fixed)

    result = resume(resume_parameters(db, input_dir=fixed_dir))

    assert result.counts["invoices"] == 1
    assert query(db, "SELECT invoice_number, journal_code, is_credit, total_incl_vat FROM invoices") == [
        ("C1", "VKC", True, D("-121.00"))]
    assert query(db, "SELECT include_credit_lines FROM runs ORDER BY run_id") == [(True,), (True,)]
    assert_reconciliation_closes(db, 2)


def test_resume_keeps_the_runs_sources(dataset_dir, tmp_path, db):
    write_dataset(dataset_dir, blocked_master(),
                  order_lines=[order_line("L1", debtor_id="10002")],
                  counter_lines=[counter_line("C1", "R1")])
    run(dataset_dir, db, sources=["order_lines"])
    fixed = write_dataset(tmp_path / "fixed")

    resume(resume_parameters(db, input_dir=fixed))

    assert query(db, "SELECT source, status, status_reason, invoice_number FROM billable_lines "
                     "ORDER BY 1") == [
        ("counter_lines", "open", "source counter_lines is not in this run (--sources)", None),
        ("order_lines", "invoiced", None, "1001"),
    ]
    assert_reconciliation_closes(db, 2)


def test_resume_with_run_id_uses_that_runs_dates(dataset_dir, tmp_path, db):
    # run 1 (October) and run 2 (November, nothing new) both leave L1 of the blocked debtor open
    write_dataset(dataset_dir, blocked_master(), order_lines=[order_line("L1", debtor_id="10002")])
    run(dataset_dir, db, period="2026-10")
    run(dataset_dir, db, period="2026-11")
    fixed = write_dataset(tmp_path / "fixed")

    result = invoke("resume", "--db", db, "--run-id", 1, "--input", fixed)

    assert result.exit_code == 0, result.output
    assert query(db, "SELECT invoice_number, invoice_date::VARCHAR, run_id FROM invoices") == [
        ("1001", "2026-10-31", 3)]
    assert query(db, "SELECT command, reference_date::VARCHAR FROM runs WHERE run_id = 3") == [
        ("resume", "2026-10-31")]


def test_resume_of_an_older_run_after_a_later_invoice_stops(dataset_dir, tmp_path, db):
    # SPEC §5: numbering an invoice dated 2026-10-31 after 1002 of 2026-11-30 in VK stops the run
    write_dataset(dataset_dir, blocked_master(), order_lines=[
        order_line("L1", debtor_id="10002"),
        order_line("L2", "O2", debtor_id="10001", line_date="2026-11-05")])
    run(dataset_dir, db, period="2026-10")
    run(dataset_dir, db, period="2026-11")
    assert query(db, "SELECT invoice_number, invoice_date::VARCHAR FROM invoices") == [
        ("1001", "2026-11-30")]
    fixed = write_dataset(tmp_path / "fixed")

    result = invoke("resume", "--db", db, "--run-id", 1, "--input", fixed)

    assert result.exit_code == 3, result.output
    assert "2026-10-31" in result.stderr
    assert query(db, "SELECT count(*) FROM runs") == [(2,)]
    assert query(db, "SELECT invoice_number FROM invoices") == [("1001",)]
    assert query(db, "SELECT status FROM billable_lines WHERE line_id = 'L1'") == [("open",)]


def test_resume_defaults_to_the_latest_run(dataset_dir, tmp_path, db):
    write_dataset(dataset_dir, blocked_master(), order_lines=[order_line("L1", debtor_id="10002")])
    run(dataset_dir, db, period="2026-10")
    run(dataset_dir, db, period="2026-11")
    fixed = write_dataset(tmp_path / "fixed")

    result = invoke("resume", "--db", db, "--input", fixed)

    assert result.exit_code == 0, result.output
    assert query(db, "SELECT invoice_number, invoice_date::VARCHAR, run_id FROM invoices") == [
        ("1001", "2026-11-30", 3)]


def test_resume_without_open_lines_makes_no_invoices(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    run(dataset_dir, db)
    before = query(db, BILLABLE)

    result = resume(resume_parameters(db))

    assert result.counts["invoices"] == 0
    assert query(db, "SELECT count(*) FROM invoices") == [(1,)]
    assert query(db, BILLABLE) == before
    assert query(db, "SELECT run_id, command, invoices FROM runs ORDER BY 1") == [
        (1, "run", 1), (2, "resume", 0)]


def test_resume_twice_invoices_nothing_the_second_time(dataset_dir, tmp_path, db):
    _blocked_first_run(dataset_dir, db)
    fixed = write_dataset(tmp_path / "fixed")
    first = resume(resume_parameters(db, input_dir=fixed))
    second = resume(resume_parameters(db, input_dir=fixed))
    assert (first.counts["invoices"], second.counts["invoices"]) == (1, 0)
    assert query(db, "SELECT invoice_number, run_id FROM invoices ORDER BY 1") == [
        ("1001", 1), ("1002", 2)]
    assert query(db, "SELECT run_id, command FROM runs ORDER BY 1") == [
        (1, "run"), (2, "resume"), (3, "resume")]


def test_resume_skips_issued_numbers_and_never_reuses_one(dataset_dir, tmp_path, db):
    # run 1: 1001 for L1 (10001); the corrected master lists 1002 as used elsewhere → L2 gets 1003
    _blocked_first_run(dataset_dir, db)
    master = base_master()
    master["issued_invoice_numbers"] = [dict(number="1001"), dict(number="1002")]
    fixed = write_dataset(tmp_path / "fixed", master)

    resume(resume_parameters(db, input_dir=fixed))

    assert query(db, "SELECT invoice_number, debtor_id, run_id FROM invoices ORDER BY 1") == [
        ("1001", "10001", 1), ("1003", "10002", 2)]
    assert query(db, "SELECT invoice_number, reason, run_id FROM skipped_numbers") == [
        ("1002", "listed in issued_invoice_numbers", 2)]
    assert query(db, "SELECT last_invoice_number FROM journal_counters") == [(1003,)]
    with duckdb.connect(str(db)) as con:
        assert audit(con).clean


def test_resume_on_a_missing_database_fails(tmp_path):
    missing = tmp_path / "nothing.duckdb"
    with pytest.raises(RunFailed):
        resume(resume_parameters(missing))
    result = invoke("resume", "--db", missing)
    assert result.exit_code == 3
    assert "journalize:" in result.stderr
    assert not missing.exists()


# --- backfill ----------------------------------------------------------------------------------


def test_backfill_makes_one_run_per_month(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[
        order_line("L9", "O9", line_date="2026-09-10"),
        order_line("L10", "O10", line_date="2026-10-10", quantity="2"),
        order_line("L11", "O11", line_date="2026-11-10", quantity="3"),
    ])

    result = invoke("backfill", "--from", "2026-09", "--to", "2026-11", "--input", dataset_dir,
                    "--db", db)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for period, run_id in (("2026-09", 1), ("2026-10", 2), ("2026-11", 3)):
        assert any(line.startswith(f"{period}: run {run_id}, 1 invoices, ") for line in lines), lines
    assert query(db, "SELECT run_id, command, reference_date::VARCHAR, invoice_date::VARCHAR, "
                     "invoices FROM runs ORDER BY 1") == [
        (1, "backfill", "2026-09-30", "2026-09-30", 1),
        (2, "backfill", "2026-10-31", "2026-10-31", 1),
        (3, "backfill", "2026-11-30", "2026-11-30", 1),
    ]
    # each line in the month of its line date: 121.00, 242.00, 363.00
    assert query(db, "SELECT b.line_id, i.invoice_number, i.invoice_date::VARCHAR, i.total_incl_vat, "
                     "i.run_id FROM billable_lines AS b JOIN invoices AS i USING (invoice_number) "
                     "ORDER BY 2") == [
        ("L9", "1001", "2026-09-30", D("121.00"), 1),
        ("L10", "1002", "2026-10-31", D("242.00"), 2),
        ("L11", "1003", "2026-11-30", D("363.00"), 3),
    ]
    # run 1 leaves the later lines open; run 3 counts the lines invoiced by runs 1 and 2
    assert reconciliation(db, 1) == [
        ("order_lines", 3, 1, 2, 0, 0, D("600.00"), D("100.00"), D("500.00"), True)]
    assert reconciliation(db, 3) == [
        ("order_lines", 3, 3, 0, 0, 0, D("600.00"), D("600.00"), D("0.00"), True)]
    for run_id in (1, 2, 3):
        assert_reconciliation_closes(db, run_id)


def test_backfill_from_after_to_is_a_usage_error(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    result = invoke("backfill", "--from", "2026-11", "--to", "2026-09", "--input", dataset_dir,
                    "--db", db)
    assert result.exit_code == 2
    assert not db.exists()


# --- verify ------------------------------------------------------------------------------------


@pytest.fixture
def clean_db(tmp_path) -> Path:
    """Three runs. Run 1 (October): L1 → 1001, L2 → 1002, L3 → 1003 and credit line L4 → C1; run 2
    (November) with 1004 and 1005 listed in issued_invoice_numbers: L5 → 1006; run 3 repeats run 2.
    4 + 1 = 5 invoices, each an entry of 3 lines (debtor, revenue, VAT H), 5 billable lines."""
    db = tmp_path / "clean.duckdb"
    october = write_dataset(tmp_path / "oct", order_lines=[
        order_line("L1", "O1"), order_line("L2", "O2"), order_line("L3", "O3"),
        order_line("L4", "O4", is_credit="true"),
    ])
    run(october, db, period="2026-10")
    master = base_master()
    master["issued_invoice_numbers"] = [dict(number="1004"), dict(number="1005")]
    november = write_dataset(tmp_path / "nov", master, order_lines=[
        order_line("L5", "O5", line_date="2026-11-05")])
    run(november, db, period="2026-11")
    run(november, db, period="2026-11")
    assert query(db, "SELECT invoice_number FROM invoices ORDER BY 1") == [
        ("1001",), ("1002",), ("1003",), ("1006",), ("C1",)]
    return db


def tampered(clean_db: Path, *statements: str) -> Path:
    copy = clean_db.with_name("tampered.duckdb")
    shutil.copy(clean_db, copy)
    with duckdb.connect(str(copy)) as con:
        for statement in statements:
            con.execute(statement)
    return copy


def findings(db: Path):
    with duckdb.connect(str(db)) as con:
        return audit(con)


def test_a_clean_database_passes_the_audit(clean_db):
    result = findings(clean_db)
    assert result.clean
    assert sorted(result.findings) == sorted(CHECK_NAMES)
    assert all(found == [] for found in result.findings.values())


def verified_clean(result) -> str:
    """`journalize verify` exited 0 and printed every check as OK; its output, joined."""
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines()]
    for ok in OK_LINES:
        assert ok.strip() in lines, result.stdout
    return joined(result.stdout)


def test_cli_verify_on_a_clean_database(clean_db):
    out = verified_clean(invoke("verify", "--db", clean_db))
    assert "3 runs" in out and "5 invoices" in out and "5 entries (15 lines)" in out
    assert "5 billable lines" in out and "2 skipped numbers" in out
    assert "skipped in NL01/VK: 2 × listed in issued_invoice_numbers" in out
    assert "FAIL" not in out


def _entry_of(db: Path, invoice_number: str) -> int:
    ((entry_id,),) = query(db, "SELECT DISTINCT entry_id FROM journal_entries "
                               "WHERE invoice_number = $n", {"n": invoice_number})
    return entry_id


def test_audit_finds_an_unbalanced_entry(clean_db):
    entry_id = _entry_of(clean_db, "1001")
    db = tampered(clean_db, f"UPDATE journal_entries SET debit = debit + 0.01 "
                            f"WHERE entry_id = {entry_id} AND debit > 0")
    result = findings(db)
    assert not result.clean
    (finding,) = result.findings["entries_balance"]
    assert f"entry {entry_id} " in finding and "1001" in finding
    assert "121.01" in finding and "121.00" in finding


def test_audit_finds_a_negative_side(clean_db):
    # the debtor line of 1001 moved to a negative credit: still balanced, but a negative side.
    # The books refuse that write (CHECK debit >= 0 AND credit >= 0); books of an earlier
    # version, whose journal_entries were made without the rule, take it.
    entry_id = _entry_of(clean_db, "1001")
    negative = (f"UPDATE journal_entries SET credit = -debit, debit = 0 "
                f"WHERE entry_id = {entry_id} AND debit > 0")
    with pytest.raises(duckdb.ConstraintException):
        tampered(clean_db, negative)
    db = tampered(clean_db,
                  "CREATE TABLE unruled AS SELECT * FROM journal_entries",
                  "DROP TABLE journal_entries",
                  "ALTER TABLE unruled RENAME TO journal_entries",
                  negative)
    (finding,) = findings(db).findings["entries_balance"]
    assert f"entry {entry_id} " in finding and "negative" in finding


def test_audit_finds_a_duplicate_invoice_number(clean_db):
    db = tampered(clean_db, "INSERT INTO invoices SELECT * FROM invoices WHERE invoice_number = '1002'")
    result = findings(db)
    (finding,) = result.findings["numbers_unique"]
    assert "1002" in finding and "2 times" in finding


def test_audit_finds_a_gap_in_the_number_series(clean_db):
    # 1002 deleted with everything that belongs to it: only the gap is left
    db = tampered(
        clean_db,
        "DELETE FROM billable_lines WHERE invoice_number = '1002'",
        "DELETE FROM invoice_vat WHERE invoice_number = '1002'",
        "DELETE FROM journal_entries WHERE invoice_number = '1002'",
        "DELETE FROM open_items WHERE invoice_number = '1002'",
        "DELETE FROM invoices WHERE invoice_number = '1002'",
    )
    result = findings(db)
    (finding,) = result.findings["numbers_gapless"]
    assert "NL01/VK" in finding and "number(s) 1002 missing" in finding
    found = {name: found for name, found in result.findings.items() if found}
    assert any("invoices of NL01/VK, run 1" in f for f in found.pop("sealed"))  # (tests/test_seal)
    assert found == {"numbers_gapless": [finding]}


def test_audit_finds_a_counter_that_is_not_the_highest_number(clean_db):
    db = tampered(clean_db, "UPDATE journal_counters SET last_invoice_number = "
                            "last_invoice_number + 5 WHERE journal_code = 'VK'")
    (finding,) = findings(db).findings["counters"]
    assert "NL01/VK" in finding and "1011" in finding and "1006" in finding


def test_audit_finds_every_counter_moved(clean_db):
    db = tampered(clean_db, "UPDATE journal_counters SET last_invoice_number = last_invoice_number + 5")
    found = findings(db).findings["counters"]
    assert len(found) == 2  # VK (1006 → 1011) and VKC (1 → 6)
    assert any("NL01/VKC" in f and "6" in f for f in found)


def test_audit_finds_an_invoiced_line_missing_from_its_invoice(clean_db):
    db = tampered(clean_db, "DELETE FROM billable_lines WHERE line_id = 'L3'")
    (finding,) = findings(db).findings["lines_once"]
    assert "invoice 1003 has 1 line(s) but 0 invoiced line(s) name it" in finding


def test_audit_finds_a_line_invoiced_on_an_invoice_that_does_not_exist(clean_db):
    db = tampered(clean_db, "UPDATE billable_lines SET invoice_number = '9999' WHERE line_id = 'L3'")
    found = findings(db).findings["lines_once"]
    assert any("L3" in f and "9999" in f and "not in invoices" in f for f in found), found
    assert any("invoice 1003" in f for f in found), found


def test_audit_finds_a_line_on_two_invoices(clean_db):
    db = tampered(clean_db, "INSERT INTO billable_lines SELECT * REPLACE ('1003' AS invoice_number) "
                            "FROM billable_lines WHERE line_id = 'L1'")
    found = findings(db).findings["lines_once"]
    assert any("L1" in f and "1001" in f and "1003" in f for f in found), found


def test_audit_finds_an_invoice_without_its_open_item(clean_db):
    db = tampered(clean_db, "DELETE FROM open_items WHERE invoice_number = '1006'")
    (finding,) = findings(db).findings["invoices_booked"]
    assert "1006" in finding


def test_audit_finds_an_invoice_without_its_entry(clean_db):
    db = tampered(clean_db, "DELETE FROM journal_entries WHERE invoice_number = '1003'")
    result = findings(db)
    assert any("1003" in f for f in result.findings["invoices_booked"])
    assert result.findings["entries_balance"] == []


def test_cli_verify_prints_the_failing_check_and_exits_1(clean_db):
    entry_id = _entry_of(clean_db, "1001")
    db = tampered(clean_db, f"UPDATE journal_entries SET debit = debit + 0.01 "
                            f"WHERE entry_id = {entry_id} AND debit > 0",
                  "DELETE FROM open_items WHERE invoice_number = '1006'")
    result = invoke("verify", "--db", db)
    assert result.exit_code == 1, result.output
    lines = [line.strip() for line in result.stdout.splitlines()]
    failing = "FAIL every entry balances; no negative debit or credit: 1 finding(s)"
    assert failing in lines
    following = lines[lines.index(failing) + 1]
    assert following.startswith(f"entry {entry_id} ")
    # 1001's debtor line (121.01) no longer carries its total (121.00), and 1006 has no open item
    assert "FAIL every journalised invoice has its entry and one open item: 2 finding(s)" in lines
    for ok in OK_LINES[1:5]:
        assert ok.strip() in lines


def test_audit_of_invoices_not_journalised_is_clean(dataset_dir, db):
    # --no-journalize: numbered invoices without entries or open items are no finding
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", "O2")])
    run(dataset_dir, db, journalize=False)
    assert query(db, "SELECT count(*), bool_or(journalized) FROM invoices") == [(2, False)]
    assert findings(db).clean


def test_audit_of_a_prefixed_series_with_skips_is_clean(dataset_dir, tmp_path, db):
    # V[JJJJ] from 8: V20269, V202611 (V202610 used elsewhere); then November V202612
    master = base_master()
    master["journals"][0].update(number_prefix="V[JJJJ]", last_invoice_number="8",
                                 number_range_end="")
    master["issued_invoice_numbers"] = [dict(number="V202610")]
    write_dataset(dataset_dir, master, order_lines=[order_line("L1"), order_line("L2", "O2")])
    run(dataset_dir, db, period="2026-10")
    november = tmp_path / "nov"
    write_dataset(november, master, order_lines=[order_line("L3", "O3", line_date="2026-11-03")])
    run(november, db, period="2026-11")
    assert query(db, "SELECT invoice_number FROM invoices "
                     "ORDER BY invoice_date, length(invoice_number), 1") == [
        ("V20269",), ("V202611",), ("V202612",)]
    result = findings(db)
    assert result.clean, result.findings
    # without the recorded skip V202610 is a gap
    gap = tampered(db, "DELETE FROM skipped_numbers")
    (finding,) = findings(gap).findings["numbers_gapless"]
    assert "number(s) V202610 missing" in finding


# --- the shipped sample ------------------------------------------------------------------------


def test_backfilled_sample_verifies_clean(tmp_path):
    db = tmp_path / "sample.duckdb"
    result = invoke("backfill", "--from", "2025-12", "--to", "2026-11", "--db", db)
    assert result.exit_code == 0, result.output
    assert len([line for line in result.stdout.splitlines() if ": run " in line]) == 12
    assert query(db, "SELECT count(*), min(command), max(command), "
                     "min(input_dir) = max(input_dir) FROM runs") == [(12, "backfill", "backfill", True)]
    assert query(db, "SELECT DISTINCT input_dir FROM runs") == [(str(sample_dataset()),)]
    assert query(db, "SELECT count(*) FROM run_reconciliation WHERE NOT closes") == [(0,)]

    out = verified_clean(invoke("verify", "--db", db))
    assert "12 runs" in out
    assert "skipped in NL01/VK: 2 × listed in issued_invoice_numbers" in out
