"""Cost allocation (verbijzondering, SPEC §9; issue 15): revenue lines split per allocation codes,
the codes in entry_allocations, a subscription's dim_<axis> overriding its lines' fields, gaps
listed in allocation_gaps, sealed and verified. Expected rows are worked out by hand."""

from __future__ import annotations

from decimal import Decimal as D

import duckdb

from flows.post import post
from tests.builders import (
    base_master,
    order_line,
    postcalc_line,
    project,
    query,
    run,
    subscription,
    subscription_line,
    write_dataset,
)
from transforms import verify


def _audit(db) -> verify.Audit:
    with duckdb.connect(str(db), read_only=True) as con:
        return verify.audit(con)


LINKS = [dict(axis="department", link_type="sales_orders", field="representative"),
         dict(axis="warehouse", link_type="sales_orders", field="warehouse"),
         dict(axis="department", link_type="subscriptions", field="representative")]


def _master(links=LINKS, **tables):
    master = base_master()
    master["allocation_links"] = links
    master.update(tables)
    return master


def _revenue_lines(db) -> list[tuple]:
    """(account, credit, {axis: code}) per revenue line, in entry-line order."""
    rows = query(db, """
        SELECT e.account, e.credit,
               coalesce(map_from_entries(list((a.axis, a.code) ORDER BY a.axis)
                        FILTER (WHERE a.axis IS NOT NULL)), MAP {})
        FROM journal_entries AS e
        LEFT JOIN entry_allocations AS a USING (entry_id, line_no)
        WHERE e.account LIKE '8%'
        GROUP BY e.entry_id, e.line_no, e.account, e.credit ORDER BY e.entry_id, e.line_no""")
    return [(account, credit, dict(codes)) for account, credit, codes in rows]


def test_revenue_lines_split_per_codes_with_two_axes(dataset_dir, db):
    # one order: 100 + 50 on representative R1 / warehouse W1, 30 on R2 / W1, all GOODS 8000, H:
    # revenue splits into (8000, H, R1/W1) 150.00 and (8000, H, R2/W1) 30.00
    write_dataset(dataset_dir, _master(), order_lines=[
        order_line("L1", unit_price="100", representative="R1", warehouse="W1"),
        order_line("L2", unit_price="50", representative="R1", warehouse="W1"),
        order_line("L3", unit_price="30", representative="R2", warehouse="W1")])
    run(dataset_dir, db)
    assert _revenue_lines(db) == [
        ("8000", D("150.00"), {"department": "R1", "warehouse": "W1"}),
        ("8000", D("30.00"), {"department": "R2", "warehouse": "W1"})]
    # the entry still balances: 180.00 + 21 % VAT 37.80 = 217.80 on the debtor
    assert query(db, "SELECT sum(debit), sum(credit) FROM journal_entries") == [
        (D("217.80"), D("217.80"))]
    assert query(db, "SELECT count(*) FROM allocation_gaps") == [(0,)]
    assert _audit(db).clean


def test_an_empty_field_is_a_gap_listed_in_allocation_gaps(dataset_dir, db):
    # L2 has no warehouse: its revenue line has department R1 and no warehouse code
    write_dataset(dataset_dir, _master(), order_lines=[
        order_line("L1", unit_price="100", representative="R1", warehouse="W1"),
        order_line("L2", unit_price="40", representative="R1", warehouse="")])
    run(dataset_dir, db)
    assert _revenue_lines(db) == [
        ("8000", D("100.00"), {"department": "R1", "warehouse": "W1"}),
        ("8000", D("40.00"), {"department": "R1", "warehouse": None})]
    assert query(db, "SELECT account, axis, revenue FROM allocation_gaps") == [
        ("8000", "warehouse", D("40.00"))]


def test_a_subscription_dimension_overrides_the_lines_field(dataset_dir, db):
    # S1 has dim_department SALES: its line's representative R9 is overridden; S2 has an empty
    # dim_department: its line keeps R8
    master = _master(subscriptions=[subscription("S1", dim_department="SALES"),
                                    subscription("S2", dim_department="")])
    write_dataset(dataset_dir, master, subscription_lines=[
        subscription_line("A1", "S1", unit_price="10", representative="R9"),
        subscription_line("A2", "S2", unit_price="20", representative="R8")])
    run(dataset_dir, db)
    assert sorted(_revenue_lines(db), key=lambda r: r[1]) == [
        ("8100", D("10.00"), {"department": "SALES"}),
        ("8100", D("20.00"), {"department": "R8"})]


def test_sources_without_a_link_get_no_codes(dataset_dir, db):
    master = _master(projects=[project("P1")])
    write_dataset(dataset_dir, master, postcalc_lines=[
        postcalc_line("P1L1", representative="R1")])
    run(dataset_dir, db)
    assert _revenue_lines(db) == [("8100", D("100.00"), {})]
    assert query(db, "SELECT count(*) FROM entry_allocations") == [(0,)]


def test_codes_are_sealed_and_verified(dataset_dir, db):
    write_dataset(dataset_dir, _master(), order_lines=[
        order_line("L1", representative="R1", warehouse="W1")])
    run(dataset_dir, db)
    assert _audit(db).clean
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE entry_allocations SET code = 'R2' WHERE axis = 'department'")
    findings = _audit(db).findings
    assert any("entry_allocations" in f and "code" in f for f in findings["sealed"])


def test_verify_finds_codes_on_lines_that_are_no_revenue(dataset_dir, db):
    write_dataset(dataset_dir, _master(), order_lines=[
        order_line("L1", representative="R1", warehouse="W1")])
    run(dataset_dir, db)
    with duckdb.connect(str(db)) as con:  # line 1 is the debtor line
        con.execute("INSERT INTO entry_allocations VALUES (1, 1, 'department', 'R1', 1), "
                    "(99, 1, 'department', 'R1', 1)")
    findings = _audit(db).findings["allocations"]
    assert findings == ["entry 1 line 1, axis department: an allocation of a debtor line",
                        "entry 99 line 1, axis department: an allocation of an entry line the "
                        "books do not have"]


def test_a_run_without_journalising_then_post_gives_the_same_codes(dataset_dir, tmp_path):
    write_dataset(dataset_dir, _master(), order_lines=[
        order_line("L1", unit_price="100", representative="R1", warehouse="W1"),
        order_line("L2", "O2", unit_price="70", representative="R2", warehouse="W2")])
    plain, drafted = tmp_path / "plain.duckdb", tmp_path / "drafted.duckdb"
    run(dataset_dir, plain)
    run(dataset_dir, drafted, journalize=False)
    assert query(drafted, "SELECT count(*) FROM entry_allocations") == [(0,)]
    post(drafted)
    rows = "SELECT entry_id, line_no, axis, code FROM entry_allocations ORDER BY ALL"
    assert query(drafted, rows) == query(plain, rows) == [
        (1, 2, "department", "R1"), (1, 2, "warehouse", "W1"),
        (2, 2, "department", "R2"), (2, 2, "warehouse", "W2")]
    assert _audit(drafted).clean
