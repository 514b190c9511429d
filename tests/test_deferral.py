"""Deferred revenue (transitorische boeking, SPEC §9; issue 15): deferred lines credit the
deferral account at invoicing, release entries move a share to revenue on the first of every
month of the service period, deferral_schedule keeps the plan and what was released, once.
Every expected amount is worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from flows.cli import app
from flows.pipeline import check_configuration
from flows.post import post
from tests.builders import (
    base_master,
    debtor,
    order_line,
    query,
    run,
    subscription,
    subscription_line,
    write_dataset,
)
from transforms import verify
from transforms.validate import ConfigurationError


def _master(method: str = "equal", **settings_rows):
    master = base_master()
    master["accounts"].append(dict(admin_id="NL01", account="1450", description="Vooruit",
                                   account_type="balance"))
    master["article_groups"].append(dict(
        admin_id="NL01", article_group="LIC", description="Licenties",
        contains_stock_items="false", revenue_account="8200", credit_account="8201",
        defer_revenue="true", deferral_account="1450", deferral_method=method))
    master["subscriptions"] = [subscription("S1"), subscription("S2", debtor_id="10002")]
    master["settings"] += [dict(key=k, value=v) for k, v in settings_rows.items()]
    return master


def _line(line_id="A1", sub="S1", *, start, end, price="1000", line_date="2026-10-31", **values):
    return subscription_line(line_id, sub, unit_price=price, article_group="LIC",
                             line_date=line_date, period_start=start, period_end=end,
                             debtor_id="10002" if sub == "S2" else "10001", **values)


def _audit(db) -> verify.Audit:
    with duckdb.connect(str(db), read_only=True) as con:
        return verify.audit(con)


def _releases(db) -> list[tuple]:
    """(entry_date, account, debit, credit) of the release entries, in entry order."""
    return query(db, "SELECT entry_date::VARCHAR, account, debit, credit FROM journal_entries "
                     "WHERE source = 'tra' ORDER BY entry_id, line_no")


def _balance(db, account: str) -> D:
    return query(db, "SELECT coalesce(sum(credit - debit), 0) FROM journal_entries "
                     "WHERE account = $a", {"a": account})[0][0]


def test_a_yearly_line_invoiced_in_october_for_november_to_october_releases_12_equal_shares(
        dataset_dir, db):
    # 1000.00 for 2026-11-01 … 2027-10-31: 12 months of 1000 / 12 = 83.333 → 83.33, the last
    # (October 2027) the rest 1000.00 - 11 × 83.33 = 83.37
    write_dataset(dataset_dir, _master(), subscription_lines=[
        _line(start="2026-11-01", end="2027-10-31")])
    run(dataset_dir, db, "2026-10")
    # at invoicing: 1000.00 on the deferral account 1450, VAT 21 % = 210.00 not deferred
    assert query(db, "SELECT account, credit FROM journal_entries WHERE debtor_id IS NULL "
                     "ORDER BY line_no") == [("1450", D("1000.00")), ("1500", D("210.00"))]
    assert _releases(db) == []  # the first release, 2026-11-01, lies after the reference date
    plan = query(db, "SELECT release_date::VARCHAR, amount, entry_id FROM deferral_schedule "
                     "ORDER BY release_date")
    assert [(d, a) for d, a, _ in plan] == (
        [(f"2026-{m}-01", D("83.33")) for m in (11, 12)]
        + [(f"2027-{m:02d}-01", D("83.33")) for m in range(1, 10)]
        + [("2027-10-01", D("83.37"))])
    assert all(entry is None for _, _, entry in plan)
    for period in ("2026-11", "2026-12"):
        run(dataset_dir, db, period)
    assert _releases(db) == [
        ("2026-11-01", "1450", D("83.33"), D("0.00")), ("2026-11-01", "8200", D("0.00"), D("83.33")),
        ("2026-12-01", "1450", D("83.33"), D("0.00")), ("2026-12-01", "8200", D("0.00"), D("83.33"))]
    assert _balance(db, "1450") == D("1000.00") - 2 * D("83.33")
    assert _audit(db).clean


def test_a_pro_rata_release_over_45_days(dataset_dir, db):
    # 2026-10-17 … 2026-11-30 is 45 days: 15 in October, 30 in November; 100.00 × 15 / 45 =
    # 33.333 → 33.33 released on 2026-10-01 (due: on or before the reference date 2026-10-31),
    # November the rest 66.67
    write_dataset(dataset_dir, _master("pro_rata"), subscription_lines=[
        _line(start="2026-10-17", end="2026-11-30", price="100")])
    run(dataset_dir, db, "2026-10")
    assert _releases(db) == [("2026-10-01", "1450", D("33.33"), D("0.00")),
                             ("2026-10-01", "8200", D("0.00"), D("33.33"))]
    assert query(db, "SELECT release_date::VARCHAR, amount, entry_id IS NOT NULL "
                     "FROM deferral_schedule ORDER BY 1") == [
        ("2026-10-01", D("33.33"), True), ("2026-11-01", D("66.67"), False)]
    run(dataset_dir, db, "2026-11")
    assert _balance(db, "1450") == 0 and _balance(db, "8200") == D("100.00")
    assert _audit(db).clean


def test_a_release_never_lands_before_the_invoice_month(dataset_dir, db):
    # August–October invoiced on 2026-10-31: 300.00 / 3 = 100.00 a month, all three released on
    # 2026-10-01, the month of the invoice, in one entry
    write_dataset(dataset_dir, _master(), subscription_lines=[
        _line(start="2026-08-01", end="2026-10-31", price="300")])
    run(dataset_dir, db, "2026-10")
    assert _releases(db) == [("2026-10-01", "1450", D("300.00"), D("0.00")),
                             ("2026-10-01", "8200", D("0.00"), D("300.00"))]
    assert query(db, "SELECT count(*), count(DISTINCT entry_id) FROM deferral_schedule") == [(1, 1)]


def test_an_order_line_is_served_in_its_month(dataset_dir, db):
    # an order line has no service period: its month (October) is released on 2026-10-01
    write_dataset(dataset_dir, _master(), order_lines=[
        order_line("L1", article_group="LIC", unit_price="250")])
    run(dataset_dir, db, "2026-10")
    assert _releases(db) == [("2026-10-01", "1450", D("250.00"), D("0.00")),
                             ("2026-10-01", "8200", D("0.00"), D("250.00"))]


def test_grouped_and_per_invoice_releases_give_the_same_balances(dataset_dir, tmp_path):
    # two invoices (S1 of 10001, S2 of 10002), both November–January: grouped writes one
    # release entry a month, per invoice two; the accounts end the same each month
    lines = [_line("A1", "S1", start="2026-11-01", end="2027-01-31", price="90"),
             _line("A2", "S2", start="2026-11-01", end="2027-01-31", price="30")]
    books = {}
    for mode in ("grouped", "per_invoice"):
        folder = tmp_path / mode
        write_dataset(folder, _master(deferral_releases=mode), subscription_lines=lines)
        books[mode] = tmp_path / f"{mode}.duckdb"
        for period in ("2026-10", "2026-11", "2026-12", "2027-01"):
            run(folder, books[mode], period)
        assert _audit(books[mode]).clean
    balances = ("SELECT period, account, sum(debit) - sum(credit) FROM journal_entries "
                "GROUP BY ALL ORDER BY ALL")
    assert query(books["grouped"], balances) == query(books["per_invoice"], balances)
    entries = "SELECT count(DISTINCT entry_id) FROM journal_entries WHERE source = 'tra'"
    assert query(books["grouped"], entries) == [(3,)]  # Nov, Dec, Jan
    assert query(books["per_invoice"], entries) == [(6,)]
    # 90 / 3 = 30.00 and 30 / 3 = 10.00 a month: 40.00 released each month in both
    assert query(books["grouped"], "SELECT entry_date::VARCHAR, credit FROM journal_entries "
                                   "WHERE source = 'tra' AND credit > 0 ORDER BY 1") == [
        ("2026-11-01", D("40.00")), ("2026-12-01", D("40.00")), ("2027-01-01", D("40.00"))]
    assert _balance(books["grouped"], "1450") == 0


def test_a_rerun_of_a_month_releases_nothing_twice_and_a_month_without_lines_releases(
        dataset_dir, tmp_path, db):
    write_dataset(dataset_dir, _master(), subscription_lines=[
        _line(start="2026-11-01", end="2027-01-31", price="90")])
    run(dataset_dir, db, "2026-10")
    run(dataset_dir, db, "2026-11")
    run(dataset_dir, db, "2026-11")  # again: the November release is there already
    assert query(db, "SELECT count(DISTINCT entry_id) FROM journal_entries "
                     "WHERE source = 'tra'") == [(1,)]
    # December with no line files at all still releases December
    empty = tmp_path / "empty"
    write_dataset(empty, _master())
    run(empty, db, "2026-12", chunk_lines=1)  # (also when the run goes per administration)
    assert query(db, "SELECT entry_date::VARCHAR, credit FROM journal_entries "
                     "WHERE source = 'tra' AND credit > 0 ORDER BY 1") == [
        ("2026-11-01", D("30.00")), ("2026-12-01", D("30.00"))]
    assert _audit(db).clean


def test_a_backfill_and_the_months_one_by_one_give_the_same_books(dataset_dir, tmp_path):
    write_dataset(dataset_dir, _master(), subscription_lines=[
        _line(start="2026-11-01", end="2027-10-31", price="1000")])
    one_by_one, backfilled = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    months = ["2026-10", "2026-11", "2026-12"] + [f"2027-{m:02d}" for m in range(1, 10)]
    for period in months:
        run(dataset_dir, one_by_one, period)
    result = CliRunner().invoke(app, ["backfill", "--from", "2026-10", "--to", "2027-09",
                                      "--input", str(dataset_dir), "--db", str(backfilled)])
    assert result.exit_code == 0, result.output
    for sql in ("SELECT * EXCLUDE (run_id) FROM journal_entries ORDER BY entry_id, line_no",
                "SELECT * EXCLUDE (run_id) FROM deferral_schedule ORDER BY release_date"):
        assert query(one_by_one, sql) == query(backfilled, sql)
    # eleven releases written; the last, 2027-10-01, waits for October's run
    assert query(backfilled, "SELECT count(*) FILTER (WHERE entry_id IS NULL), "
                             "count(*) FROM deferral_schedule") == [(1, 12)]
    assert _balance(backfilled, "1450") == D("83.37")


def test_release_entries_carry_the_codes_of_the_revenue_they_release(dataset_dir, db):
    master = _master()
    master["allocation_links"] = [dict(axis="department", link_type="subscriptions",
                                       field="representative")]
    write_dataset(dataset_dir, master, subscription_lines=[
        _line("A1", start="2026-10-01", end="2026-10-31", price="40", representative="R1"),
        _line("A2", start="2026-10-01", end="2026-10-31", price="60", representative="R2")])
    run(dataset_dir, db, "2026-10")
    # one grouped release entry: per code a pair 1450 debit / 8200 credit, each with the code
    assert query(db, """
        SELECT e.account, e.debit, e.credit, a.code FROM journal_entries AS e
        JOIN entry_allocations AS a USING (entry_id, line_no)
        WHERE e.source = 'tra' ORDER BY e.line_no""") == [
        ("1450", D("40.00"), D("0.00"), "R1"), ("8200", D("0.00"), D("40.00"), "R1"),
        ("1450", D("60.00"), D("0.00"), "R2"), ("8200", D("0.00"), D("60.00"), "R2")]


def test_a_run_without_journalising_plans_and_the_next_run_releases(dataset_dir, db):
    write_dataset(dataset_dir, _master(), subscription_lines=[
        _line(start="2026-10-01", end="2026-11-30", price="200")])
    run(dataset_dir, db, "2026-10", journalize=False)
    assert _releases(db) == [] and query(db, "SELECT count(*) FROM deferral_schedule "
                                             "WHERE entry_id IS NULL") == [(2,)]
    post(db)
    run(dataset_dir, db, "2026-11")  # releases October (due since) and November
    assert query(db, "SELECT entry_date::VARCHAR, credit FROM journal_entries "
                     "WHERE source = 'tra' AND credit > 0 ORDER BY 1") == [
        ("2026-10-01", D("100.00")), ("2026-11-01", D("100.00"))]
    assert _audit(db).clean


@pytest.mark.parametrize(("change", "message"), [
    (lambda m: m["article_groups"][-1].update(deferral_account=""),
     "administration NL01: article group LIC defers its revenue (defer_revenue) but has no "
     "deferral_account"),
    (lambda m: m.update(journals=[j for j in m["journals"] if j["journal_code"] != "MEM"]),
     "administration NL01: article group(s) LIC defer revenue, so the release entries need a "
     "memorial journal: the administration has no journal of type memorial"),
    (lambda m: m["journals"].append(dict(admin_id="NL01", journal_code="MEM2",
                                         journal_type="memorial", description="Memoriaal 2",
                                         last_invoice_number="0")),
     "administration NL01: article group(s) LIC defer revenue, so the release entries need a "
     "memorial journal: the administration has 2 memorial journals; name the one for releases "
     "in settings deferral_journal"),
    (lambda m: m["settings"].append(dict(key="deferral_journal", value="VK")),
     "administration NL01: article group(s) LIC defer revenue, so the release entries need a "
     "memorial journal: settings deferral_journal names VK, a sales journal (memorial or "
     "memorial_fixed wanted)"),
    (lambda m: m["settings"].append(dict(key="deferral_releases", value="monthly")),
     "master/settings: deferral_releases is monthly; it is grouped (one release entry per "
     "administration, month, deferral account and revenue account: the default) or per_invoice"),
])
def test_deferral_configuration_faults(dataset_dir, db, change, message):
    master = _master()
    change(master)
    write_dataset(dataset_dir, master)
    assert message in check_configuration(dataset_dir)
    with pytest.raises(ConfigurationError):
        run(dataset_dir, db)
    assert not db.exists()


def test_the_named_memorial_journal_takes_the_releases(dataset_dir, db):
    master = _master(deferral_journal="MEM2")
    master["journals"].append(dict(admin_id="NL01", journal_code="MEM2", journal_type="memorial",
                                   description="Transitorisch", last_invoice_number="0"))
    write_dataset(dataset_dir, master, subscription_lines=[
        _line(start="2026-10-01", end="2026-10-31", price="10")])
    run(dataset_dir, db, "2026-10")
    assert query(db, "SELECT DISTINCT journal_code FROM journal_entries WHERE source = 'tra'") \
        == [("MEM2",)]


def test_verify_finds_a_changed_plan_and_a_release_entry_that_does_not_match(dataset_dir, db):
    write_dataset(dataset_dir, _master(), subscription_lines=[
        _line(start="2026-10-01", end="2026-11-30", price="200")])
    run(dataset_dir, db, "2026-10")
    assert _audit(db).clean
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE deferral_schedule SET amount = 150 WHERE release_date = '2026-11-01'")
        con.execute("UPDATE journal_entries SET debit = 90 WHERE source = 'tra' AND debit > 0")
    findings = _audit(db).findings
    assert any("deferral_schedule" in f and "amount" in f for f in findings["sealed"])
    assert sorted(findings["deferrals"]) == [
        "invoice 1001 defers 200.00 on 1450 but its deferral_schedule plans to release 250.00",
        "release entry 1, account 1450: the entry moves 90.00, the deferral_schedule rows it "
        "released 100.00",
    ]


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cents=st.integers(min_value=-500_000, max_value=500_000).filter(bool),
       start=st.dates(min_value=dt.date(2026, 8, 1), max_value=dt.date(2026, 10, 31)),
       days=st.integers(min_value=1, max_value=400),
       method=st.sampled_from(["equal", "pro_rata"]))
def test_releases_sum_exactly_to_what_was_deferred(tmp_path_factory, cents, start, days, method):
    folder = tmp_path_factory.mktemp("d")
    db = folder / "books.duckdb"
    end = start + dt.timedelta(days=days - 1)
    price = f"{abs(cents) // 100}.{abs(cents) % 100:02d}"
    line = _line(start=start.isoformat(), end=end.isoformat(), price=price,
                 is_credit=str(cents < 0).lower())
    master = _master(method)
    master["debtors"].append(debtor("10009", "x"))
    write_dataset(folder / "in", master, subscription_lines=[line])
    run(folder / "in", db, "2026-10", include_credit_lines=True)
    deferred = query(db, "SELECT sum(credit - debit) FROM journal_entries "
                         "WHERE account = '1450' AND source <> 'tra'")[0][0]
    assert deferred == D(cents) / 100
    assert query(db, "SELECT sum(amount) FROM deferral_schedule")[0][0] == deferred
    # one plan row per month from October (the months before it are released in October)
    assert query(db, "SELECT min(release_date) >= DATE '2026-10-01', count(*) = count(DISTINCT "
                     "release_date) FROM deferral_schedule") == [(True, True)]
    last = end.replace(day=1)
    period = f"{last.year:04d}-{last.month:02d}"
    if period > "2026-10":
        run(folder / "in", db, period, include_credit_lines=True)
    assert _balance(db, "1450") == 0
    assert _audit(db).clean
