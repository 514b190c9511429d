"""`journalize verify` cross-checks what can be derived from the books themselves, and the
output tables declare their keys and rules. Each test edits a copy of clean books with plain SQL
(as someone with write access to the file could) and expects verify to name what changed; the
untampered books verify clean. SPEC §9, §11.

The mixed dataset, by hand (VAT H 21 %, L 9 %):
- order O1, debtor 10001 (invoice discount 2 %, credit restriction 1.5 % on sales_invoice):
  1 × 100.00 H: discount 2.00, net 98.00, VAT 20.58, credit restriction 1.47 →
  excl. 99.47, incl. 120.05;
- order O2, debtor 10002: 2 × 50.00 L: 100.00 + 9.00 = 109.00;
- counter R1, paid cash: 50.00 H = 60.50, settled in KAS (debit 1000, credit 1300);
  counter R2, paid pin: 20.00 L = 21.80; counter R3 on account: 10.00 H = 12.10;
- debtor 10003 collects postcalc and courses: 100.00 H (project P1) + 200.00 H (course C1) on
  one collective invoice: 300.00 + 63.00 = 363.00.
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
    integration_type,
    order_line,
    postcalc_line,
    profile,
    project,
    query,
    run,
    with_be01,
    write_dataset,
)
from typer.testing import CliRunner

from flows.cli import app
from flows.parameters import RunParameters, sample_dataset
from flows.pipeline import resume, resume_parameters, run_month_end
from transforms.verify import CHECKS, audit

WIDE = {"COLUMNS": "250"}


def mixed_master() -> dict:
    master = base_master()
    master["integration_types"][0] = integration_type(
        "sales_invoice", "VK", credit_journal_code="VKC", use_invoice_discount="true",
        invoice_discount_account="8900", use_credit_restriction="true",
        credit_restriction_account="8910")
    master["debtors"] = [
        debtor("10001", "Jansen Installatie BV", invoice_discount_pct="2",
               credit_restriction_pct="1.5"),
        debtor("10002", "De Vries Bouw"),
        debtor("10003", "Bakker Techniek", profile_id="COLL"),
    ]
    master["sales_relation_profiles"] = [profile("COLL", collect="postcalc,courses")]
    master["projects"] = [project("P1")]
    master["courses"] = [course("C1")]
    return master


@pytest.fixture(scope="module")
def mixed_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mixed")
    write_dataset(
        folder / "input", mixed_master(),
        order_lines=[order_line("L1", "O1"),
                     order_line("L2", "O2", debtor_id="10002", quantity="2", unit_price="50",
                                vat_code="L")],
        counter_lines=[counter_line("K1", "R1", payment_method="cash", debtor_id="10002",
                                    unit_price="50"),
                       counter_line("K2", "R2", payment_method="pin", debtor_id="10002",
                                    unit_price="20", vat_code="L"),
                       counter_line("K3", "R3", debtor_id="10002", unit_price="10")],
        postcalc_lines=[postcalc_line("P1L", "P1", debtor_id="10003")],
        course_lines=[course_line("C1L", "C1", debtor_id="10003", unit_price="200")],
    )
    db = folder / "books.duckdb"
    run(folder / "input", db)
    return db


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("sample") / "books.duckdb"
    run_month_end(RunParameters.for_period("2026-10", input_dir=sample_dataset(), db_path=db))
    return db


def invoice_of(db: Path, line_id: str) -> str:
    ((number,),) = query(db, "SELECT invoice_number FROM billable_lines WHERE line_id = $l",
                         {"l": line_id})
    return number


def entry_of(db: Path, number: str, journal: str = "VK") -> int:
    ((entry_id,),) = query(db, "SELECT DISTINCT entry_id FROM journal_entries "
                               "WHERE invoice_number = $n AND journal_code = $j",
                           {"n": number, "j": journal})
    return entry_id


def tampered(db: Path, *statements: str, params: dict | None = None) -> Path:
    copy = db.with_name(f"tampered-{db.stem}.duckdb")
    shutil.copy(db, copy)
    with duckdb.connect(str(copy)) as con:
        for statement in statements:
            con.execute(statement, params or {})
    return copy


def findings(db: Path) -> dict[str, list[str]]:
    """The cross-checks that found something (every edit of posted rows also breaks their seal:
    tests/test_seal.py; here each edit must be found by the cross-check that derives it)."""
    with duckdb.connect(str(db), read_only=True) as con:
        result = audit(con)
    assert not result.unchecked, result.unchecked
    return {name: found for name, found in result.findings.items() if found and name != "sealed"}


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


# --- untampered books --------------------------------------------------------------------------


def test_mixed_books_are_what_the_spec_says(mixed_db):
    rows = dict((r[0], r[1:]) for r in query(
        mixed_db, "SELECT b.line_id, i.total_excl_vat, i.vat_amount, i.total_incl_vat, "
                  "i.is_collective, i.payment_method FROM billable_lines AS b "
                  "JOIN invoices AS i USING (invoice_number) ORDER BY 1"))
    assert rows["L1"] == (D("99.47"), D("20.58"), D("120.05"), False, None)
    assert rows["L2"] == (D("100.00"), D("9.00"), D("109.00"), False, None)
    assert rows["K1"][2:] == (D("60.50"), False, "cash")
    assert rows["K2"][2:] == (D("21.80"), False, "pin")
    assert rows["K3"][2:] == (D("12.10"), False, "on_account")
    assert rows["P1L"] == rows["C1L"] == (D("300.00"), D("63.00"), D("363.00"), True, None)
    assert query(mixed_db, "SELECT invoice_discount, credit_restriction FROM invoice_vat "
                           "WHERE invoice_number = $n", {"n": invoice_of(mixed_db, "L1")}) == [
        (D("2.00"), D("1.47"))]
    # the cash sale's settlement in KAS, its open item settled
    k1 = invoice_of(mixed_db, "K1")
    assert query(mixed_db, "SELECT account, debit, credit, debtor_id FROM journal_entries "
                           "WHERE invoice_number = $n AND journal_code = 'KAS' ORDER BY line_no",
                 {"n": k1}) == [("1000", D("60.50"), D("0.00"), None),
                                ("1300", D("0.00"), D("60.50"), "10002")]
    assert query(mixed_db, "SELECT amount, amount_open FROM open_items WHERE invoice_number = $n",
                 {"n": k1}) == [(D("60.50"), D("0.00"))]


def test_mixed_books_verify_clean(mixed_db):
    assert findings(mixed_db) == {}


def test_sample_verifies_clean(sample_db):
    assert findings(sample_db) == {}
    result = invoke("verify", "--db", sample_db)
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines()]
    for title in CHECKS.values():
        assert f"ok   {title}" in lines, result.stdout


def test_books_after_resume_admin_and_no_journalize_verify_clean(dataset_dir, tmp_path, db):
    # run 1: 10002 blocked (L2 open), only NL01 … ; run 2: resume after the block is lifted;
    # run 3: --no-journalize; run 4: --admin BE01
    master = base_master()
    master["debtors"][1] = debtor("10002", "De Vries Bouw", blocked="true")
    write_dataset(dataset_dir, master, order_lines=[order_line("L1"),
                                                    order_line("L2", "O2", debtor_id="10002")])
    run(dataset_dir, db)
    assert findings(db) == {}
    fixed = write_dataset(tmp_path / "fixed")
    resume(resume_parameters(db, input_dir=fixed))
    assert query(db, "SELECT line_id, status, run_id FROM billable_lines ORDER BY 1") == [
        ("L1", "invoiced", 1), ("L2", "invoiced", 2)]
    assert findings(db) == {}
    november = write_dataset(tmp_path / "nov", order_lines=[
        order_line("L3", "O3", line_date="2026-11-04")])
    run(november, db, period="2026-11", journalize=False)
    assert findings(db) == {}
    # run 4: --admin BE01 reads L3 (invoiced in run 3) and L4 (an NL01 line: excluded)
    both = write_dataset(tmp_path / "both", with_be01(base_master()), order_lines=[
        order_line("L3", "O3", line_date="2026-11-04"), order_line("L4", "O4", line_date="2026-11-05")])
    run(both, db, period="2026-11", admin="BE01")
    assert query(db, "SELECT line_id, status, run_id FROM billable_lines WHERE line_id >= 'L3' "
                     "ORDER BY 1") == [("L3", "invoiced", 3), ("L4", "excluded", 4)]
    assert findings(db) == {}


def test_a_credit_counter_sale_paid_cash_verifies_clean(dataset_dir, db):
    # −1 × 40.00 H paid cash: a credit invoice of −48.40 in VKC, settled in KAS the other way round
    write_dataset(dataset_dir, counter_lines=[
        counter_line("K1", "R1", payment_method="cash", unit_price="40", is_credit="true")])
    run(dataset_dir, db)
    n = invoice_of(db, "K1")
    assert query(db, "SELECT journal_code, total_incl_vat FROM invoices") == [("VKC", D("-48.40"))]
    assert query(db, "SELECT account, debit, credit FROM journal_entries WHERE journal_code = 'KAS' "
                     "ORDER BY line_no") == [("1000", D("0.00"), D("48.40")),
                                             ("1300", D("48.40"), D("0.00"))]
    assert findings(db) == {}
    # the settlement's sides swapped: still balanced, but it no longer settles the credit
    entry = entry_of(db, n, "KAS")
    swapped = tampered(db, "UPDATE journal_entries SET debit = credit, credit = debit "
                           "WHERE entry_id = $e", params={"e": entry})
    (finding,) = findings(swapped)["settlements"]
    assert "credits the debtor 48.40" in finding and "debits 1000 48.40" in finding


def test_a_run_records_the_master_data_it_used(mixed_db):
    # base_master: 15 accounts, 4 journals, 3 VAT codes; debtors: only those the invoices name
    assert query(mixed_db, "SELECT (SELECT count(*) FROM run_accounts), "
                           "(SELECT count(*) FROM run_journals), "
                           "(SELECT count(*) FROM run_vat_codes)") == [(15, 4, 3)]
    assert query(mixed_db, "SELECT run_id, debtor_id FROM run_debtors ORDER BY 2") == [
        (1, "10001"), (1, "10002"), (1, "10003")]
    assert query(mixed_db, "SELECT journal_type, contra_account FROM run_journals "
                           "WHERE journal_code = 'KAS'") == [("cash", "1000")]
    assert query(mixed_db, "SELECT rate, payable_account FROM run_vat_codes "
                           "WHERE vat_code = 'H'") == [(D("0.2100"), "1500")]


# --- each cross-check, tampered ----------------------------------------------------------------


def test_invoice_total_changed(mixed_db):
    n = invoice_of(mixed_db, "L2")
    db = tampered(mixed_db, "UPDATE invoices SET total_excl_vat = total_excl_vat + 1, "
                            "total_incl_vat = total_incl_vat + 1 WHERE invoice_number = $n",
                  params={"n": n})
    (finding,) = findings(db)["invoice_totals"]
    assert f"invoice {n} " in finding and "total_excl_vat 101.00" in finding
    assert "100.00" in finding


def test_invoice_vat_gross_changed(mixed_db):
    n = invoice_of(mixed_db, "L2")
    db = tampered(mixed_db, "UPDATE invoice_vat SET gross = gross + 1, net = net + 1 "
                            "WHERE invoice_number = $n", params={"n": n})
    found = findings(db)["invoice_totals"]
    assert any(f"invoice {n} VAT code L" in f and "gross 101.00" in f and "sum to 100.00" in f
               for f in found), found


def test_invoiced_line_amount_changed(mixed_db):
    n = invoice_of(mixed_db, "L1")
    db = tampered(mixed_db, "UPDATE billable_lines SET amount = 90 WHERE line_id = 'L1'")
    (finding,) = findings(db)["invoice_totals"]
    assert f"invoice {n} VAT code H" in finding and "sum to 90.00" in finding


def test_vat_row_not_at_its_rate(mixed_db):
    # 20.58 → 20.68 on invoice and VAT row alike: the totals still add up, the rate does not
    n = invoice_of(mixed_db, "L1")
    db = tampered(mixed_db,
                  "UPDATE invoice_vat SET vat = vat + 0.10 WHERE invoice_number = $n",
                  "UPDATE invoices SET vat_amount = vat_amount + 0.10, "
                  "total_incl_vat = total_incl_vat + 0.10 WHERE invoice_number = $n",
                  params={"n": n})
    found = findings(db)
    assert any("VAT 20.68 is not 20.58" in f for f in found["invoice_totals"]), found
    assert any(f"invoice {n} VAT code H" in f and "20.58" in f for f in found["entry_vat"]), found


def test_entry_vat_moved_to_revenue(mixed_db):
    # still balanced: 1.00 of the VAT credited as revenue instead
    n = invoice_of(mixed_db, "L2")
    db = tampered(mixed_db,
                  "UPDATE journal_entries SET credit = credit - 1 WHERE invoice_number = $n "
                  "AND account = '1510'",
                  "UPDATE journal_entries SET credit = credit + 1 WHERE invoice_number = $n "
                  "AND account = '8000'", params={"n": n})
    found = findings(db)
    assert set(found) == {"entry_vat"}, found
    (finding,) = found["entry_vat"]
    assert f"invoice {n} VAT code L" in finding
    assert "VAT booked on 1510 is 8.00 but the invoice's VAT is 9.00" in finding


def test_entry_line_vat_code_changed(mixed_db):
    n = invoice_of(mixed_db, "L1")
    db = tampered(mixed_db, "UPDATE journal_entries SET vat_code = 'L' WHERE invoice_number = $n "
                            "AND account = '8000'", params={"n": n})
    found = findings(db)["entry_vat"]
    assert any(f"invoice {n} VAT code L" in f and "no invoice_vat row" in f for f in found), found
    assert any(f"invoice {n} VAT code H" in f for f in found), found


def test_open_item_amount_changed(mixed_db):
    n = invoice_of(mixed_db, "L2")
    db = tampered(mixed_db, "UPDATE open_items SET amount = 100, amount_open = 100 "
                            "WHERE invoice_number = $n", params={"n": n})
    (finding,) = findings(db)["open_item_amounts"]
    assert f"open item of invoice {n}" in finding and "the debtor line of its entry is 109.00" in finding


def test_open_item_debtor_changed(mixed_db):
    n = invoice_of(mixed_db, "L2")
    db = tampered(mixed_db, "UPDATE open_items SET debtor_id = '10001' WHERE invoice_number = $n",
                  params={"n": n})
    (finding,) = findings(db)["open_item_amounts"]
    assert f"invoice {n}" in finding and "names debtor 10002" in finding


def test_entry_period_changed(mixed_db):
    n = invoice_of(mixed_db, "L1")
    entry = entry_of(mixed_db, n)
    db = tampered(mixed_db, "UPDATE journal_entries SET period = 11 WHERE entry_id = $e "
                            "AND line_no = 2", params={"e": entry})
    (finding,) = findings(db)["entry_periods"]
    assert f"entry {entry} line 2" in finding and "period 11, not 2026 period 10" in finding


def test_entry_fiscal_year_changed(mixed_db):
    entry = entry_of(mixed_db, invoice_of(mixed_db, "L2"))
    db = tampered(mixed_db, "UPDATE journal_entries SET fiscal_year = 2025 WHERE entry_id = $e",
                  params={"e": entry})
    found = findings(db)["entry_periods"]
    assert len(found) == 3 and all(f"entry {entry} line" in f and "fiscal year 2025" in f
                                   for f in found), found


def test_entry_redated(mixed_db):
    n = invoice_of(mixed_db, "L2")
    entry = entry_of(mixed_db, n)
    db = tampered(mixed_db, "UPDATE journal_entries SET entry_date = '2026-11-02', period = 11 "
                            "WHERE entry_id = $e", params={"e": entry})
    (finding,) = findings(db)["entry_periods"]
    assert f"entry {entry} of invoice {n} is dated 2026-11-02 but the invoice 2026-10-31" in finding


def test_settlement_entry_deleted(mixed_db):
    n = invoice_of(mixed_db, "K1")
    db = tampered(mixed_db, "DELETE FROM journal_entries WHERE invoice_number = $n "
                            "AND journal_code = 'KAS'", params={"n": n})
    (finding,) = findings(db)["settlements"]
    assert finding == f"invoice {n} (NL01, paid cash, 60.50) has no settlement entry"


def test_settlement_on_another_account(mixed_db):
    n = invoice_of(mixed_db, "K2")
    entry = entry_of(mixed_db, n, "KAS")
    db = tampered(mixed_db, "UPDATE journal_entries SET account = '1100' WHERE entry_id = $e "
                            "AND debtor_id IS NULL", params={"e": entry})
    (finding,) = findings(db)["settlements"]
    assert f"settlement entry {entry} of invoice {n}" in finding
    assert "journal KAS's contra account is 1000, not 1100" in finding


def test_settlement_amount_changed(mixed_db):
    n = invoice_of(mixed_db, "K1")
    entry = entry_of(mixed_db, n, "KAS")
    db = tampered(mixed_db, "UPDATE journal_entries SET debit = debit - 10 WHERE entry_id = $e "
                            "AND debit > 0",
                  "UPDATE journal_entries SET credit = credit - 10 WHERE entry_id = $e "
                  "AND credit > 0", params={"e": entry})
    (finding,) = findings(db)["settlements"]
    assert "credits the debtor 50.50" in finding and "debits 1000 50.50" in finding


def test_cash_sale_left_open(mixed_db):
    n = invoice_of(mixed_db, "K1")
    db = tampered(mixed_db, "UPDATE open_items SET amount_open = amount WHERE invoice_number = $n",
                  params={"n": n})
    (finding,) = findings(db)["settlements"]
    assert f"open item of invoice {n} (paid cash) is open for 60.50" in finding


def test_settlement_of_a_sale_on_account(mixed_db):
    n = invoice_of(mixed_db, "K1")
    db = tampered(mixed_db, "UPDATE invoices SET payment_method = 'on_account' "
                            "WHERE invoice_number = $n", params={"n": n})
    (finding,) = findings(db)["settlements"]
    assert f"invoice {n} (on_account) is not paid at once but has settlement entry" in finding


def test_reconciliation_that_does_not_close(mixed_db):
    db = tampered(mixed_db, "UPDATE run_reconciliation SET lines_open = lines_open + 1 "
                            "WHERE source = 'order_lines'")
    found = findings(db)["reconciliation"]
    assert any("run 1 order_lines: read 2 / 200.00" in f and "does not close" in f
               and "closes = true" in f for f in found), found


def test_runs_counts_changed(mixed_db):
    db = tampered(mixed_db, "UPDATE runs SET lines_read = lines_read + 1")
    (finding,) = findings(db)["reconciliation"]
    assert finding == ("run 1: runs says lines_read 8 but its reconciliation sums to read 7, "
                       "invoiced 7, open 0, rejected 0, excluded 0")


def test_line_status_changed(mixed_db):
    # an invoiced line turned open (and off its invoice): the reconciliation no longer agrees
    db = tampered(mixed_db, "UPDATE billable_lines SET status = 'open', invoice_number = NULL "
                            "WHERE line_id = 'K3'")
    found = findings(db)
    assert any("run 1 counter_lines (the latest run) against billable_lines" in f
               and "open 0 / 0.00 but its open lines are 1 / 10.00" in f
               and "invoiced 3 / 80.00 but the lines it invoiced are 2 / 70.00" in f
               for f in found["reconciliation"]), found
    assert found["lines_once"]  # (and its invoice lacks a line)


def test_rejected_line_turned_open(sample_db):
    db = tampered(sample_db, "UPDATE billable_lines SET status = 'open' WHERE source = "
                             "'order_lines' AND status = 'rejected'")
    found = findings(db)["reconciliation"]
    assert any("order_lines (the latest run)" in f and "but its rejected lines are 0 / 0.00" in f
               for f in found), found


def test_account_not_in_master_data(mixed_db):
    n = invoice_of(mixed_db, "L2")
    entry = entry_of(mixed_db, n)
    db = tampered(mixed_db, "UPDATE journal_entries SET account = '8999' WHERE entry_id = $e "
                            "AND account = '8000'", params={"e": entry})
    (finding,) = findings(db)["master_references"]
    assert finding.startswith("journal_entries: account 8999 of NL01 is not in the master data "
                              "of run 1 (1 row(s), e.g. entry ")


def test_debtor_not_in_master_data(mixed_db):
    n = invoice_of(mixed_db, "L2")
    db = tampered(mixed_db, "UPDATE invoices SET debtor_id = '99999' WHERE invoice_number = $n",
                  params={"n": n})
    (finding,) = findings(db)["master_references"]
    assert finding == ("invoices: debtor 99999 is not in the master data of run 1 (1 row(s), "
                       f"e.g. invoice {n})")


def test_vat_code_and_journal_not_in_master_data(mixed_db):
    n = invoice_of(mixed_db, "L2")
    db = tampered(mixed_db, "UPDATE invoice_vat SET vat_code = 'X' WHERE invoice_number = $n",
                  "UPDATE invoices SET journal_code = 'VZ' WHERE invoice_number = $n",
                  params={"n": n})
    found = findings(db)["master_references"]
    assert f"invoice_vat: VAT code X of NL01 is not in the master data of run 1 (1 row(s), " \
           f"e.g. invoice {n})" in found
    assert f"invoices: journal VZ of NL01 is not in the master data of run 1 (1 row(s), " \
           f"e.g. invoice {n})" in found


def test_master_data_of_a_run_deleted(mixed_db, tmp_path):
    # a second run (nothing new to invoice), then its recorded master data deleted
    db = tampered(mixed_db)
    folder = write_dataset(tmp_path / "nov", mixed_master(),
                           order_lines=[order_line("L9", "O9", line_date="2026-11-03")])
    run(folder, db, period="2026-11")
    assert findings(db) == {}
    with duckdb.connect(str(db)) as con:
        for table in ("run_accounts", "run_journals", "run_vat_codes", "run_debtors"):
            con.execute(f"DELETE FROM {table} WHERE run_id = 2")
    (finding,) = findings(db)["master_references"]
    assert finding == "run 2 recorded no master data (run 1 and later runs record it)"


def test_line_twice_in_billable_lines(mixed_db):
    db = tampered(mixed_db, "INSERT INTO billable_lines SELECT * REPLACE ('open' AS status, "
                            "NULL AS invoice_number) FROM billable_lines WHERE line_id = 'L2'")
    found = findings(db)
    (finding,) = found["lines_unique"]
    n = invoice_of(mixed_db, "L2")
    assert finding == (f"order_lines line L2 has 2 rows in billable_lines (invoiced in run 1 on "
                       f"{n}, open in run 1)")


def test_copies_of_an_id_in_one_file_are_no_finding(dataset_dir, db):
    # L1 twice in the file: both rows rejected (unique_line_id), both kept, as the run read them
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L1", "O2"),
                                            order_line("L2", "O3")])
    run(dataset_dir, db)
    assert query(db, "SELECT count(*) FROM billable_lines WHERE line_id = 'L1' "
                     "AND status = 'rejected'") == [(2,)]
    assert findings(db) == {}


def test_copies_of_an_id_in_one_file_written_twice_are_found(dataset_dir, db):
    # L1 twice in the file (rows 1 and 2, each rejected as a copy), and each copy then written a
    # second time, as the next run on books a distributed run had merged wrote its open and
    # rejected lines again: lines_unique let such copies pass
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L1", "O2"),
                                            order_line("L2", "O3")])
    run(dataset_dir, db)
    copy = tampered(db, "INSERT INTO billable_lines SELECT * FROM billable_lines "
                        "WHERE line_id = 'L1'")
    found = findings(copy)
    assert found["lines_read_once"] == [
        "order_lines row 1 (line L1) has 2 rows of run 1 in billable_lines (rejected, rejected): "
        "a line read once is written once",
        "order_lines row 2 (line L1) has 2 rows of run 1 in billable_lines (rejected, rejected): "
        "a line read once is written once",
    ]
    assert found["lines_unique"] == [
        "order_lines line L1 has 4 rows in billable_lines (rejected in run 1, rejected in run 1, "
        "rejected in run 1, rejected in run 1)"]


def test_a_line_without_an_id_written_twice_is_found(dataset_dir, db):
    # row 2 has no line_id (rejected: a required column); its row is written a second time
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("", "O2")])
    run(dataset_dir, db)
    assert query(db, "SELECT row_number, status FROM billable_lines WHERE line_id IS NULL") == [
        (2, "rejected")]
    copy = tampered(db, "INSERT INTO billable_lines SELECT * FROM billable_lines "
                        "WHERE line_id IS NULL")
    assert findings(copy)["lines_read_once"] == [
        "order_lines row 2 (no line id) has 2 rows of run 1 in billable_lines (rejected, "
        "rejected): a line read once is written once"]


def test_a_resume_of_open_lines_of_two_months_with_the_same_row_number_is_no_finding(
        dataset_dir, tmp_path, db):
    # row 1 of October's file (L1) and row 1 of November's (L2) both stay open (dated in
    # December); a resume reads both from the books and writes both as its own, row 1 each
    write_dataset(dataset_dir, order_lines=[order_line("L1", line_date="2026-12-05")])
    run(dataset_dir, db, period="2026-10")
    november = write_dataset(tmp_path / "november",
                             order_lines=[order_line("L2", "O2", line_date="2026-12-10")])
    run(november, db, period="2026-11")
    resume(resume_parameters(db))
    assert query(db, "SELECT line_id, row_number, status, run_id FROM billable_lines "
                     "ORDER BY 1") == [("L1", 1, "open", 3), ("L2", 1, "open", 3)]
    assert findings(db) == {}


# --- books of an earlier version ---------------------------------------------------------------


def test_books_of_an_earlier_version_say_not_checked(mixed_db):
    db = tampered(mixed_db, *[f"DROP TABLE {t}" for t in (
        "run_accounts", "run_journals", "run_vat_codes", "run_debtors", "run_reconciliation",
        "skipped_numbers", "seals", "seal_chunks")],
        "ALTER TABLE invoices DROP COLUMN line_count", "ALTER TABLE runs DROP COLUMN seal")
    result = invoke("verify", "--db", db)
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert any(line.startswith(f"--   {CHECKS['lines_once']}: not checked") and "line_count" in line
               for line in lines), result.stdout
    assert any(line.startswith(f"--   {CHECKS['reconciliation']}: not checked")
               and "run_reconciliation" in line for line in lines), result.stdout
    assert any(line.startswith(f"--   {CHECKS['numbers_gapless']}: not checked")
               and "skipped_numbers" in line for line in lines), result.stdout
    assert "0 skipped numbers" in result.stdout
    assert f"ok   {CHECKS['master_references']}" in lines
    assert ("(not checked for 1 run(s) without recorded master data (written by an earlier "
            "version): run 1)") in lines
    assert f"ok   {CHECKS['settlements']}" in lines and f"ok   {CHECKS['entry_vat']}" in lines


# --- what is not the books ---------------------------------------------------------------------


def refused(result, reason: str) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # (no traceback)
    assert result.stderr.strip().splitlines() == [f"journalize: usage: {reason}"]


def test_verify_an_empty_database(tmp_path):
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    refused(invoke("verify", "--db", db),
            f"database {db} has no tables: it is not journalize's books (nothing to verify)")


def test_verify_a_duckdb_database_that_is_not_the_books(tmp_path):
    db = tmp_path / "other.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE invoices (id INTEGER)")
    refused(invoke("verify", "--db", db), f"database {db} is not journalize's books: it has no "
                                          "table runs, billable_lines, journal_entries")


@pytest.mark.parametrize("content", [b"invoice_number,amount\n1001,121.00\n", b""])
def test_verify_a_file_that_is_not_duckdb(tmp_path, content):
    db = tmp_path / "books.duckdb"
    db.write_bytes(content)
    refused(invoke("verify", "--db", db),
            f"database {db} cannot be opened: it is not a DuckDB database")


# --- declared keys and rules -------------------------------------------------------------------


@pytest.mark.parametrize("statement", [
    "UPDATE journal_entries SET credit = -debit, debit = 0 WHERE debit > 0",
    "UPDATE billable_lines SET status = 'paid'",
    "UPDATE billable_lines SET invoice_number = NULL WHERE status = 'invoiced'",
    "INSERT INTO runs SELECT * FROM runs",
    "INSERT INTO journal_counters SELECT * FROM journal_counters",
    "INSERT INTO run_reconciliation SELECT * FROM run_reconciliation",
    "UPDATE invoices SET invoice_number = NULL",
    "UPDATE invoices SET total_incl_vat = total_incl_vat + 1",
    "UPDATE invoices SET is_credit = NOT is_credit",
    "UPDATE invoice_vat SET net = net + 1",
    "UPDATE journal_entries SET account = NULL",
    "UPDATE journal_entries SET period = 13",
    "UPDATE open_items SET amount = NULL",
])
def test_a_write_that_breaks_a_declared_rule_fails(mixed_db, statement):
    copy = tampered(mixed_db)
    with duckdb.connect(str(copy)) as con:
        with pytest.raises(duckdb.ConstraintException):
            con.execute(statement)
