"""Subscription billing to the reference date (SPEC §7): lines generated from
master/subscription_items per frequency period, credit lines for an item ended before its
billed_through, billed_through kept in the books (subscription_state). The model tests build
validate/generated_subscription_lines from a few items; the whole-run tests run small datasets.
Every expected value is worked out by hand in the comment beside it."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal as D
from pathlib import Path

import duckdb
from builders import (
    base_master,
    course,
    course_line,
    debtor,
    profile,
    project,
    query,
    run,
    subscription,
    subscription_line,
    with_be01,
    write_dataset,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from models import build_model

from flows.parameters import RunParameters
from flows.pipeline import check_configuration, pro_forma, resume, resume_parameters
from transforms.verify import audit

D_ = dt.date
OCT_31 = D_(2026, 10, 31)
JAN_1 = D_(2026, 1, 1)
MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}
COLUMNS = ("line_id, line_date, period_start, period_end, quantity, unit_price, is_credit, "
           "description")


def item(subscription_id: str = "S1", item_code: str = "ABO", *, frequency: str = "month",
         start: D_ = JAN_1, billed_through: D_ | None = None, end: D_ | None = None,
         quantity: str = "1", unit_price: str = "100") -> dict:
    """A row of validate.subscription_billing (an item with the state its billing goes on from)."""
    return {"subscription_id": subscription_id, "item_code": item_code, "article_group": "SERV",
            "description": "abo", "quantity": D(quantity), "unit_price": D(unit_price),
            "vat_code": "H", "frequency": frequency, "months": MONTHS[frequency],
            "start_date": start, "end_date": end, "billed_through": billed_through,
            "debtor_id": "10001", "state_from_books": False}


def generated(items: list[dict], reference_date: D_ | None = OCT_31, *, given_lines=(),
              at_most: int | None = None, columns: str = COLUMNS) -> list[tuple]:
    rows = build_model("validate", "generated_subscription_lines", {
        "validate.subscription_billing": items,
        "validate.given_subscription_periods": list(given_lines),
    }, {"reference_date": reference_date, "at_most": at_most}, columns=columns,
        order_by="subscription_id, item_code, is_credit, period_start")
    return [tuple(row.values()) for row in rows]


def line(line_id, start, end, quantity, unit_price, *, credit=False, date=None,
         description="abo") -> tuple:
    return (line_id, date or start, start, end, D(quantity), D(unit_price), credit, description)


# --- the periods of an item (model) ------------------------------------------------------------


def test_a_monthly_item_billed_through_september_bills_october():
    # 1 × 100.00 for 2026-10-01 … 2026-10-31, dated on the period's first day
    assert generated([item(billed_through=D_(2026, 9, 30))]) == [
        line("S1|ABO|2026-10-01", D_(2026, 10, 1), D_(2026, 10, 31), "1", "100")]


def test_a_quarterly_item_started_mid_quarter_bills_quarters_from_its_start_day():
    # start 2026-08-15: the periods start on the 15th (the item's own grid, not calendar
    # quarters), each billed in full at 4 × 360.00: 08-15 … 11-14, 11-15 … 02-14, 02-15 … 05-14
    quarterly = item(frequency="quarter", start=D_(2026, 8, 15), quantity="4", unit_price="360")
    first = line("S1|ABO|2026-08-15", D_(2026, 8, 15), D_(2026, 11, 14), "4", "360")
    assert generated([quarterly]) == [first]
    # on 2027-02-28 the periods that start on 11-15 and 02-15 are due as well
    assert generated([quarterly], D_(2027, 2, 28)) == [
        first,
        line("S1|ABO|2026-11-15", D_(2026, 11, 15), D_(2027, 2, 14), "4", "360"),
        line("S1|ABO|2027-02-15", D_(2027, 2, 15), D_(2027, 5, 14), "4", "360"),
    ]


def test_a_yearly_item_bills_a_year_from_its_start_and_the_next_once_it_starts():
    yearly = item(frequency="year", start=D_(2026, 10, 1), unit_price="1200")
    assert generated([yearly]) == [
        line("S1|ABO|2026-10-01", D_(2026, 10, 1), D_(2027, 9, 30), "1", "1200")]
    billed = {**yearly, "billed_through": D_(2027, 9, 30)}
    assert generated([billed], D_(2027, 9, 30)) == []
    assert generated([billed], D_(2027, 10, 1)) == [
        line("S1|ABO|2027-10-01", D_(2027, 10, 1), D_(2028, 9, 30), "1", "1200")]


def test_periods_from_the_31st_start_on_the_last_day_of_shorter_months_and_do_not_drift():
    # start + k months: Jan 31, Feb 28, Mar 31, Apr 30; each ends the day before the next
    assert [(r[2], r[3]) for r in generated([item(start=D_(2026, 1, 31))], D_(2026, 4, 30))] == [
        (D_(2026, 1, 31), D_(2026, 2, 27)), (D_(2026, 2, 28), D_(2026, 3, 30)),
        (D_(2026, 3, 31), D_(2026, 4, 29)), (D_(2026, 4, 30), D_(2026, 5, 30))]


def test_a_period_cut_short_by_the_end_date_is_billed_pro_rata_by_days():
    # October up to end_date 2026-10-20: 100.00 × 20 / 31 = 64.5161… → 64.52, one line of 1 × 64.52
    assert generated([item(billed_through=D_(2026, 9, 30), end=D_(2026, 10, 20))]) == [
        line("S1|ABO|2026-10-01", D_(2026, 10, 1), D_(2026, 10, 20), "1", "64.52",
             description="abo (20 of 31 days)")]


def test_pro_rata_rounds_half_up_once_in_exact_decimals():
    # November 1 … 15 of 30 days of 1.01: 1.01 × 15 / 30 = 0.505 exactly → 0.51 half-up
    # (half-even, and the binary float 0.505 = 0.50499…, would give 0.50)
    cut = item(unit_price="1.01", billed_through=D_(2026, 10, 31), end=D_(2026, 11, 15))
    assert generated([cut], D_(2026, 11, 30)) == [
        line("S1|ABO|2026-11-01", D_(2026, 11, 1), D_(2026, 11, 15), "1", "0.51",
             description="abo (15 of 30 days)")]


def test_an_item_ended_before_its_billed_through_is_credited_for_the_unused_days():
    # 2 × 360.00 a quarter, billed through 2026-12-31, ended 2026-10-31: 61 of the quarter's
    # 92 days unused (Nov 30 + Dec 31): 720.00 × 61 / 92 = 477.3913… → 477.39, dated on end_date
    ended = item("S1", "ONH", frequency="quarter", quantity="2", unit_price="360",
                 billed_through=D_(2026, 12, 31), end=OCT_31)
    assert generated([ended]) == [
        line("S1|ONH|credit|2026-11-01", D_(2026, 11, 1), D_(2026, 12, 31), "1", "477.39",
             credit=True, date=OCT_31, description="abo (credit: 61 of 92 days)")]


def test_a_credit_over_several_periods_is_one_line_per_period_each_pro_rata():
    # monthly 100.00, billed through December, ended 2026-11-15: November 16 … 30 is 15 of 30
    # days → 50.00; December is whole → 1 × 100.00; both dated on the end date
    ended = item(billed_through=D_(2026, 12, 31), end=D_(2026, 11, 15))
    assert generated([ended]) == [
        line("S1|ABO|credit|2026-11-16", D_(2026, 11, 16), D_(2026, 11, 30), "1", "50",
             credit=True, date=D_(2026, 11, 15), description="abo (credit: 15 of 30 days)"),
        line("S1|ABO|credit|2026-12-01", D_(2026, 12, 1), D_(2026, 12, 31), "1", "100",
             credit=True, date=D_(2026, 11, 15), description="abo (credit: 31 of 31 days)"),
    ]


def test_skipped_months_are_all_billed_and_a_late_billed_through_starts_mid_period():
    # nothing billed since the start 2026-08-01: August, September and October are due
    assert [r[0] for r in generated([item(start=D_(2026, 8, 1))])] == [
        "S1|ABO|2026-08-01", "S1|ABO|2026-09-01", "S1|ABO|2026-10-01"]
    # billed through 2026-09-10 (off the grid): 09-11 … 09-30 is 20 of September's 30 days
    # (100.00 × 20 / 30 = 66.666… → 66.67), then October in full
    assert generated([item(billed_through=D_(2026, 9, 10))], columns="line_id, unit_price") == [
        ("S1|ABO|2026-09-11", D("66.67")), ("S1|ABO|2026-10-01", D("100"))]


def test_a_period_a_given_line_bills_is_not_generated_nor_a_given_line_id():
    items = [item("S1", "A", billed_through=D_(2026, 8, 31)), item("S1", "B"),
             item("S1", "C", billed_through=D_(2026, 9, 30))]
    given_lines = [
        # S1/A's October, given: only September is generated
        {"line_id": "SL-1", "subscription_id": "S1", "item_code": "A", "is_credit": False,
         "period_start": D_(2026, 10, 1), "period_end": D_(2026, 10, 31)},
        # a given credit line does not cover a period billed
        {"line_id": "SL-2", "subscription_id": "S1", "item_code": "C", "is_credit": True,
         "period_start": D_(2026, 10, 1), "period_end": D_(2026, 10, 31)},
        # a given line with a generated line's id (of another item): the given line wins
        {"line_id": "S1|B|2026-05-01", "subscription_id": "S1", "item_code": "X",
         "is_credit": False, "period_start": D_(2026, 10, 1), "period_end": D_(2026, 10, 31)},
    ]
    ids = [r[0] for r in generated(items, given_lines=given_lines)]
    assert ids == ["S1|A|2026-09-01"] + [f"S1|B|2026-{m:02d}-01" for m in range(1, 11) if m != 5] \
        + ["S1|C|2026-10-01"]


def test_a_resume_generates_nothing_and_check_the_first_period_only():
    assert generated([item()], None) == []
    assert [r[0] for r in generated([item()], at_most=1)] == ["S1|ABO|2026-01-01"]


def test_the_books_state_wins_over_the_inputs_billed_through():
    # the newest state row of the books (run 3: 2026-10-31) is where billing goes on from; an
    # item the books have no state for goes on from the input's billed_through
    rows = build_model("validate", "subscription_billing", {
        "master.subscriptions": [{"subscription_id": "S1", "debtor_id": "10001"}],
        "master.subscription_items": [
            {"subscription_id": "S1", "item_code": "A", "frequency": "quarter",
             "billed_through": D_(2026, 6, 30)},
            {"subscription_id": "S1", "item_code": "B", "frequency": "month",
             "billed_through": D_(2026, 6, 30)}],
        "books.subscription_state": [
            {"subscription_id": "S1", "item_code": "A", "billed_through": D_(2026, 9, 30),
             "run_id": 2},
            {"subscription_id": "S1", "item_code": "A", "billed_through": D_(2026, 10, 31),
             "run_id": 3}],
    }, columns="item_code, months, billed_through, state_from_books")
    assert rows == [
        {"item_code": "A", "months": 3, "billed_through": D_(2026, 10, 31), "state_from_books": True},
        {"item_code": "B", "months": 1, "billed_through": D_(2026, 6, 30), "state_from_books": False},
    ]


dates = st.dates(min_value=D_(2024, 1, 1), max_value=D_(2028, 12, 31))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(MONTHS)), dates, st.none() | dates,
                          st.none() | dates), min_size=1, max_size=6), dates)
def test_property_periods_are_contiguous_without_overlap_and_none_after_the_reference_date(
        specs, reference):
    items = []
    for n, (frequency, start, through, end) in enumerate(specs):
        if end is not None and end < start:
            end = start  # (the configuration check refuses an end before the start)
        items.append(item(f"S{n}", frequency=frequency, start=start, billed_through=through,
                          end=end))
    rows = generated(items, reference, columns="subscription_id, is_credit, period_start, "
                                               "period_end, quantity, unit_price")
    for it in items:
        mine = [r for r in rows if r[0] == it["subscription_id"]]
        debits = [r for r in mine if not r[1]]
        credits = [r for r in mine if r[1]]
        through, end = it["billed_through"], it["end_date"]
        billed_from = max(it["start_date"], through + dt.timedelta(days=1)) if through \
            else it["start_date"]
        last_start = min(reference, end) if end else reference
        if billed_from <= last_start:
            # from billed_from, each period the day after the last, up to the last one due
            assert debits and debits[0][2] == billed_from
            for before, after in zip(debits, debits[1:], strict=False):
                assert after[2] == before[3] + dt.timedelta(days=1)
            assert all(r[2] <= last_start for r in debits)
            assert all(end is None or r[3] <= end for r in debits)
            assert debits[-1][3] + dt.timedelta(days=1) > last_start or debits[-1][3] == end
        else:
            assert debits == []
        if end is not None and through is not None and end < through:
            # the credits cover the days after end_date up to billed_through, once each
            assert credits[0][2] == end + dt.timedelta(days=1) and credits[-1][3] == through
            for before, after in zip(credits, credits[1:], strict=False):
                assert after[2] == before[3] + dt.timedelta(days=1)
        else:
            assert credits == []
        # a whole period is quantity × unit_price; a part of one 1 × its pro-rata amount
        for r in mine:
            assert (r[4], r[5]) == (it["quantity"], it["unit_price"]) or r[4] == 1


# --- whole runs --------------------------------------------------------------------------------


def dataset(folder: Path, *items: dict, master: dict | None = None, **lines) -> Path:
    master = master or base_master()
    master.setdefault("subscriptions", [subscription("S1")])
    master["subscription_items"] = list(items)
    return write_dataset(folder, master, **lines)


def input_item(subscription_id: str = "S1", item_code: str = "ABO", **values) -> dict:
    row = dict(subscription_id=subscription_id, item_code=item_code, article_group="SERV",
               description="Helpdesk", quantity="1", unit_price="100", vat_code="H",
               frequency="month", start_date="2026-09-01", end_date="", billed_through="")
    row.update(values)
    return row


def state(db: Path) -> list[tuple]:
    return query(db, "SELECT subscription_id, item_code, billed_through::VARCHAR, run_id "
                     "FROM subscription_state ORDER BY run_id, 1, 2")


def test_skipping_a_month_bills_both_periods_and_a_rerun_generates_nothing_twice(dataset_dir, db):
    dataset(dataset_dir, input_item())  # monthly 100.00 from 2026-09-01, nothing billed
    # September was not run: October bills September and October on one invoice:
    # 2 × 100.00 = 200.00 + 21 % 42.00 = 242.00
    run(dataset_dir, db, period="2026-10")
    assert query(db, "SELECT integration_type, total_excl_vat, total_incl_vat, line_count "
                     "FROM invoices") == [("subscription_invoice", D("200.00"), D("242.00"), 2)]
    assert state(db) == [("S1", "ABO", "2026-10-31", 1)]
    # October again: the books bill S1/ABO through 2026-10-31 (the input still says nothing):
    # nothing is generated, nothing invoiced, no state row added
    again = run(dataset_dir, db, period="2026-10")
    assert again.counts["invoices"] == 0
    assert query(db, "SELECT count(*) FROM billable_lines") == [(2,)]
    assert state(db) == [("S1", "ABO", "2026-10-31", 1)]
    # November goes on from the books' state: November only, 121.00
    run(dataset_dir, db, period="2026-11")
    assert query(db, "SELECT line_id, total_incl_vat FROM invoice_lines JOIN invoices "
                     "USING (invoice_number) WHERE invoices.run_id = 3") == [
        ("S1|ABO|2026-11-01", D("121.00"))]
    assert state(db)[-1] == ("S1", "ABO", "2026-11-30", 3)
    assert query(db, "SELECT count(*), count(DISTINCT line_id) FROM billable_lines") == [(3, 3)]


def test_the_generated_lines_are_read_in_the_reconciliation_of_subscription_lines(dataset_dir, db):
    # one given line (SL1, another item) and two generated periods (September, October)
    dataset(dataset_dir, input_item(), subscription_lines=[
        subscription_line("SL1", item_code="EXTRA", unit_price="10")])
    result = run(dataset_dir, db)
    # read 3 lines / 210.00 = invoiced 3 / 210.00
    assert query(db, "SELECT lines_read, lines_invoiced, amount_read, amount_invoiced, closes "
                     "FROM run_reconciliation WHERE source = 'subscription_lines'") == [
        (3, 3, D("210.00"), D("210.00"), True)]
    assert any("2 subscription line(s) generated from master/subscription_items" in n
               for n in result.notices)


def test_a_given_line_for_the_period_is_billed_instead_of_a_generated_one(dataset_dir, db):
    # the item's October is in lines/subscription_lines (SL1): billed once, 121.00; the state
    # follows the given line (billed through its period_end)
    dataset(dataset_dir, input_item(billed_through="2026-09-30"), subscription_lines=[
        subscription_line("SL1", item_code="ABO", period_start="2026-10-01",
                          period_end="2026-10-31")])
    run(dataset_dir, db)
    assert query(db, "SELECT line_id, amount FROM invoice_lines") == [("SL1", D("100.00"))]
    assert state(db) == [("S1", "ABO", "2026-10-31", 1)]


def test_a_credit_enters_invoices_only_with_include_credit_lines(dataset_dir, db):
    # billed through 2026-10-31, ended 2026-10-15: October 16 … 31 unused, 16 of 31 days:
    # 100.00 × 16 / 31 = 51.6129… → 51.61 credited
    dataset(dataset_dir, input_item(start_date="2026-01-01", end_date="2026-10-15",
                                    billed_through="2026-10-31"))
    run(dataset_dir, db)
    assert query(db, "SELECT line_id, status, status_reason, amount FROM billable_lines") == [
        ("S1|ABO|credit|2026-10-16", "open",
         "credit line of subscription_lines: invoiced only with --include-credit-lines",
         D("-51.61"))]
    assert state(db) == []
    # with the credit lines: a credit invoice in the credit journal VKC (prefix C): -51.61, VAT
    # 21 % -10.84 (10.8381 half-up), total -62.45; the item is billed through its end date
    run(dataset_dir, db, include_credit_lines=True)
    assert query(db, "SELECT invoice_number, journal_code, is_credit, total_excl_vat, "
                     "vat_amount, total_incl_vat FROM invoices") == [
        ("C1", "VKC", True, D("-51.61"), D("-10.84"), D("-62.45"))]
    assert state(db) == [("S1", "ABO", "2026-10-15", 2)]
    # credited once: a third run generates no credit again
    assert run(dataset_dir, db, include_credit_lines=True).counts["invoices"] == 0
    assert query(db, "SELECT count(*) FROM billable_lines") == [(1,)]


def test_a_run_without_subscriptions_leaves_the_generated_lines_open(dataset_dir, db):
    dataset(dataset_dir, input_item(billed_through="2026-09-30"))
    run(dataset_dir, db, sources=["course"])
    assert query(db, "SELECT line_id, status, status_reason FROM billable_lines") == [
        ("S1|ABO|2026-10-01", "open", "source subscription_lines is not in this run (--sources)")]
    assert state(db) == []


def test_generated_lines_are_collected_with_the_other_modules(dataset_dir, db):
    # debtor 10001 collects subscriptions and courses per month: October's generated line
    # (100.00) and a course line (100.00) on one collective invoice: 200.00 + 42.00 = 242.00
    master = base_master()
    master["sales_relation_profiles"] = [profile("VZF", collect="subscriptions,courses",
                                                 period="month")]
    master["debtors"][0] = debtor("10001", "Jansen Installatie BV", profile_id="VZF")
    master["courses"] = [course("C1")]
    dataset(dataset_dir, input_item(billed_through="2026-09-30"), master=master,
            course_lines=[course_line("K1")])
    run(dataset_dir, db)
    assert query(db, "SELECT integration_type, is_collective, total_incl_vat, line_count "
                     "FROM invoices") == [("collective_invoice", True, D("242.00"), 2)]


def test_generated_lines_take_the_subscription_administration_order_of_spec_4(dataset_dir, db):
    # S1: project P2 of BE01 and admin NL01 → BE01 (the project's); S2: admin BE01 → BE01;
    # S3: neither → default_admin NL01
    master = with_be01(base_master())
    master["projects"] = [project("P2", "BE01")]
    master["subscriptions"] = [subscription("S1", project_id="P2", admin_id="NL01"),
                               subscription("S2", admin_id="BE01"), subscription("S3")]
    dataset(dataset_dir, *(input_item(s, billed_through="2026-09-30") for s in ("S1", "S2", "S3")),
            master=master)
    run(dataset_dir, db)
    assert query(db, "SELECT subscription_id, admin_id, status FROM billable_lines ORDER BY 1") == [
        ("S1", "BE01", "invoiced"), ("S2", "BE01", "invoiced"), ("S3", "NL01", "invoiced")]


def test_resume_invoices_a_generated_line_left_open_and_advances_the_state(dataset_dir, db):
    master = base_master()
    master["debtors"][0] = debtor("10001", "Jansen Installatie BV", blocked="true")
    dataset(dataset_dir, input_item(billed_through="2026-09-30"), master=master)
    run(dataset_dir, db)
    assert query(db, "SELECT status, status_reason FROM billable_lines") == [
        ("open", "debtor 10001 is blocked")]
    dataset(dataset_dir, input_item(billed_through="2026-09-30"))  # the block lifted
    resume(resume_parameters(db))
    assert query(db, "SELECT line_id, status, run_id FROM billable_lines") == [
        ("S1|ABO|2026-10-01", "invoiced", 2)]
    assert state(db) == [("S1", "ABO", "2026-10-31", 2)]


def test_pro_forma_shows_the_generated_invoices_and_writes_nothing(dataset_dir, db):
    dataset(dataset_dir, input_item(billed_through="2026-09-30"))
    result = pro_forma(RunParameters.for_period("2026-10", input_dir=dataset_dir, db_path=db))
    assert [row[-1] for row in result.pro_forma] == [D("121.00")]
    assert not db.exists()


def test_subscription_state_is_sealed_and_verified(dataset_dir, db, tmp_path):
    dataset(dataset_dir, input_item(billed_through="2026-09-30"))
    run(dataset_dir, db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert audit(con).clean
    copy = tmp_path / "tampered.duckdb"
    shutil.copy(db, copy)
    with duckdb.connect(str(copy)) as con:  # October "not billed": the next run would bill it twice
        con.execute("UPDATE subscription_state SET billed_through = DATE '2026-09-30'")
    with duckdb.connect(str(copy), read_only=True) as con:
        found = audit(con).findings
    assert any("subscription_state of NL01/VK" in f and "billed_through changed" in f
               for f in found["sealed"]), found["sealed"]
    assert found["subscription_state"] == [
        "subscription item S1/ABO billed through 2026-09-30 by run 1 on invoice 1001: no "
        "invoiced line of the item on that invoice bills or credits through that day"]


def test_configuration_faults_of_subscription_items(dataset_dir):
    master = base_master()
    master["subscriptions"] = [subscription("S1")]
    dataset(dataset_dir, input_item(), input_item(),  # rows 1 and 2: the same item
            input_item(item_code="X", article_group="NOPE", vat_code="Q"),
            input_item(item_code="Y", start_date="2026-09-01", end_date="2026-08-31"),
            input_item(item_code="Z", quantity="-1"), master=master)
    assert check_configuration(dataset_dir) == [
        "subscription_items: item ABO of subscription S1 is defined 2 times (rows 1, 2)",
        "subscription_items row 3 (subscription S1, item X), column article_group: article group "
        "NOPE does not exist in administration NL01",
        "subscription_items row 3 (subscription S1, item X), column vat_code: VAT code Q does "
        "not exist in administration NL01",
        "subscription_items row 4 (subscription S1, item Y), column end_date: end_date "
        "2026-08-31 lies before start_date 2026-09-01",
        "subscription_items row 5 (subscription S1, item Z), column quantity: a negative "
        "quantity (-1.0000); an item is credited by its end_date",
    ]
