"""Stock (SPEC §2 lines/stock_mutations, §3, §9; docs/stock.md): deliveries and transfers as
memorial entries within and across administrations, hand-computed case by case.

Setup (stock_master): NL01 and BE01, article group GOODS with stock items (stock 3000, cost of
sales 7000) in both; each has a `stock` type (NL01 journal MEM, BE01 MEMB) with RC cost of sales
1800, RC purchase 1810 and stock transfer account 8950, and a `stock_intercompany` type in the
same journal with RC cost of sales 1800."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest
from builders import base_master, integration_type, order_line, query, run, with_be01, write_dataset
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from flows.cli import app
from flows.export import ExportParameters, export_books
from flows.pipeline import check_configuration
from transforms.validate import ConfigurationError
from transforms.verify import audit

STOCK_ACCOUNTS = {"3000": "balance", "7000": "result", "1800": "balance", "1810": "balance",
                  "8950": "result"}


def stock_master(**stock_values) -> dict:
    master = with_be01(base_master())
    for admin in ("NL01", "BE01"):
        master["accounts"] += [dict(admin_id=admin, account=a, description=f"account {a}",
                                    account_type=t) for a, t in STOCK_ACCOUNTS.items()]
    for group in master["article_groups"]:
        if group["article_group"] == "GOODS":
            group.update(contains_stock_items="true", stock_account="3000",
                         cost_of_sales_account="7000")
    master["journals"].append(dict(admin_id="BE01", journal_code="MEMB", journal_type="memorial",
                                   description="Memoriaal BE", last_invoice_number="0"))
    accounts = dict(cost_of_sales_rc_account="1800", purchase_rc_account="1810",
                    stock_transfer_account="8950")
    accounts.update(stock_values)
    for admin, journal in (("NL01", "MEM"), ("BE01", "MEMB")):
        master["integration_types"] += [
            integration_type("stock", journal, admin_id=admin,
                             **{k: v for k, v in accounts.items() if v is not None}),
            integration_type("stock_intercompany", journal, admin_id=admin,
                             cost_of_sales_rc_account="1800")]
    return master


def mutation(mutation_id: str, kind: str = "delivery", *, stock: str = "NL01",
             invoice: str = "NL01", to: str = "", quantity: str = "2", cost: str = "10.005",
             transfer: str = "", when: str = "2026-10-10", group: str = "GOODS") -> dict:
    return dict(mutation_id=mutation_id, kind=kind, stock_admin_id=stock,
                invoice_admin_id=invoice, to_admin_id=to, item_code="ITEM", article_group=group,
                quantity=quantity, cost_price=cost, transfer_price=transfer, mutation_date=when)


def stock_run(dataset_dir: Path, db: Path, mutations: list[dict], master: dict | None = None,
              **params):
    write_dataset(dataset_dir, master or stock_master(), stock_mutations=mutations)
    return run(dataset_dir, db, **params)


def entry_lines(db: Path) -> list[tuple]:
    """(administration, journal, account, debit, credit) of the stock entries, in order."""
    return query(db, "SELECT admin_id, journal_code, account, debit, credit FROM journal_entries "
                     "WHERE source = 'vrd' ORDER BY entry_id, line_no")


# --- the three shapes, by hand -----------------------------------------------------------------


def test_a_delivery_within_one_administration(dataset_dir, db):
    # 2 x 10.005 = 20.01 (half-up): cost of sales debit, stock credit, in NL01's stock journal
    stock_run(dataset_dir, db, [mutation("M1")])
    assert entry_lines(db) == [("NL01", "MEM", "7000", D("20.01"), D("0.00")),
                               ("NL01", "MEM", "3000", D("0.00"), D("20.01"))]
    assert query(db, "SELECT entry_id, entry_date::VARCHAR, fiscal_year, period, description, "
                     "invoice_number, debtor_id FROM journal_entries") == [
        (1, "2026-10-10", 2026, 10, "[vrd] Voorraad", None, None)] * 2
    assert query(db, "SELECT mutation_id, role, debit, credit FROM stock_entry_lines "
                     "ORDER BY line_no") == [("M1", "cost_of_sales", D("20.01"), D("0.00")),
                                             ("M1", "stock", D("0.00"), D("20.01"))]
    assert query(db, "SELECT count(*) FROM intercompany_balance") == [(0,)]


def test_a_delivery_from_one_administration_invoiced_by_another(dataset_dir, db):
    # NL01 holds the stock, BE01 invoices: 3 x 5 = 15.00
    # NL01: RC 1800 debit, stock 3000 credit; BE01: cost of sales 7000 debit, RC 1800 credit
    stock_run(dataset_dir, db, [mutation("M1", invoice="BE01", quantity="3", cost="5")])
    assert entry_lines(db) == [("BE01", "MEMB", "7000", D("15.00"), D("0.00")),
                               ("BE01", "MEMB", "1800", D("0.00"), D("15.00")),
                               ("NL01", "MEM", "1800", D("15.00"), D("0.00")),
                               ("NL01", "MEM", "3000", D("0.00"), D("15.00"))]
    assert query(db, "SELECT * FROM intercompany_balance") == [
        ("BE01", "NL01", 2026, 10, D("-15.00"), D("15.00"), True)]


def test_a_transfer_at_a_transfer_price_books_the_difference_on_the_sender(dataset_dir, db):
    # 4 x 25.00 = 100.00 at cost leaves NL01; 4 x 31.25 = 125.00 enters BE01
    # NL01: RC 1800 +125.00, stock 3000 -100.00, transfer result 8950 -25.00
    # BE01: stock 3000 +125.00, RC purchase 1810 -125.00
    stock_run(dataset_dir, db, [mutation("T1", "transfer", to="BE01", quantity="4", cost="25",
                                         transfer="31.25")])
    assert entry_lines(db) == [("BE01", "MEMB", "3000", D("125.00"), D("0.00")),
                               ("BE01", "MEMB", "1810", D("0.00"), D("125.00")),
                               ("NL01", "MEM", "1800", D("125.00"), D("0.00")),
                               ("NL01", "MEM", "3000", D("0.00"), D("100.00")),
                               ("NL01", "MEM", "8950", D("0.00"), D("25.00"))]
    assert query(db, "SELECT balance, other_balance, balanced FROM intercompany_balance") == [
        (D("-125.00"), D("125.00"), True)]


def test_a_transfer_below_cost_debits_the_difference(dataset_dir, db):
    # 1 x 80 at cost, 1 x 70 transfer price: NL01 RC +70, stock -80, 8950 +10 (a loss)
    stock_run(dataset_dir, db, [mutation("T1", "transfer", to="BE01", quantity="1", cost="80",
                                         transfer="70")])
    assert entry_lines(db)[2:] == [("NL01", "MEM", "1800", D("70.00"), D("0.00")),
                                   ("NL01", "MEM", "8950", D("10.00"), D("0.00")),
                                   ("NL01", "MEM", "3000", D("0.00"), D("80.00"))]


def test_a_transfer_without_a_price_difference_books_no_difference_line(dataset_dir, db):
    # no transfer price: at cost, 2 x 40 = 80.00 both ways, no 8950 line
    stock_run(dataset_dir, db, [mutation("T1", "transfer", to="BE01", quantity="2", cost="40"),
                                mutation("T2", "transfer", to="BE01", quantity="1", cost="7",
                                         transfer="7")])
    assert entry_lines(db) == [("BE01", "MEMB", "3000", D("87.00"), D("0.00")),
                               ("BE01", "MEMB", "1810", D("0.00"), D("87.00")),
                               ("NL01", "MEM", "1800", D("87.00"), D("0.00")),
                               ("NL01", "MEM", "3000", D("0.00"), D("87.00"))]


def test_entries_of_a_day_are_grouped_and_each_mutation_keeps_its_share(dataset_dir, db):
    # M1 20.01 and M2 2 x 5 = 10.00 on 10-10: one entry (7000 30.01 / 3000 30.01); M3 on 10-11
    # its own; the links keep each mutation's share of the grouped lines
    stock_run(dataset_dir, db, [mutation("M1"), mutation("M2", cost="5"),
                                mutation("M3", cost="1", when="2026-10-11")])
    assert query(db, "SELECT entry_id, entry_date::VARCHAR, account, debit, credit "
                     "FROM journal_entries ORDER BY entry_id, line_no") == [
        (1, "2026-10-10", "7000", D("30.01"), D("0.00")),
        (1, "2026-10-10", "3000", D("0.00"), D("30.01")),
        (2, "2026-10-11", "7000", D("2.00"), D("0.00")),
        (2, "2026-10-11", "3000", D("0.00"), D("2.00"))]
    assert query(db, "SELECT mutation_id, entry_id, line_no, debit, credit FROM stock_entry_lines "
                     "WHERE entry_id = 1 ORDER BY line_no, mutation_id") == [
        ("M1", 1, 1, D("20.01"), D("0.00")), ("M2", 1, 1, D("10.00"), D("0.00")),
        ("M1", 1, 2, D("0.00"), D("20.01")), ("M2", 1, 2, D("0.00"), D("10.00"))]


def test_per_mutation_makes_one_entry_per_mutation_and_administration(dataset_dir, db):
    master = stock_master()
    master["settings"].append(dict(key="stock_entries", value="per_mutation"))
    stock_run(dataset_dir, db, [mutation("M1"), mutation("M2", cost="5")], master)
    assert query(db, "SELECT entry_id, account, debit, credit FROM journal_entries "
                     "ORDER BY entry_id, line_no") == [
        (1, "7000", D("20.01"), D("0.00")), (1, "3000", D("0.00"), D("20.01")),
        (2, "7000", D("10.00"), D("0.00")), (2, "3000", D("0.00"), D("10.00"))]


def test_stock_entries_are_numbered_after_the_invoice_entries(dataset_dir, db):
    write_dataset(dataset_dir, stock_master(), order_lines=[order_line("L1")],
                  stock_mutations=[mutation("M1")])
    run(dataset_dir, db)
    assert query(db, "SELECT entry_id, source, count(*) FROM journal_entries GROUP BY ALL "
                     "ORDER BY 1") == [(1, "vkf", 3), (2, "vrd", 2)]
    # a second month goes on from there
    write_dataset(dataset_dir, stock_master(), order_lines=[order_line("L2", "O2",
                                                                       line_date="2026-11-03")],
                  stock_mutations=[mutation("M2", when="2026-11-03")])
    run(dataset_dir, db, period="2026-11")
    assert query(db, "SELECT entry_id, source FROM journal_entries WHERE run_id = 2 "
                     "GROUP BY ALL ORDER BY 1") == [(3, "vkf"), (4, "vrd")]


def test_a_return_reverses_the_entry(dataset_dir, db):
    stock_run(dataset_dir, db, [mutation("R1", quantity="-1", cost="12.50")])
    assert entry_lines(db) == [("NL01", "MEM", "3000", D("12.50"), D("0.00")),
                               ("NL01", "MEM", "7000", D("0.00"), D("12.50"))]


# --- validate, quarantine, reconcile -----------------------------------------------------------


def test_bad_mutations_are_quarantined_and_the_rest_is_booked(dataset_dir, db):
    stock_run(dataset_dir, db, [
        mutation("M1"),
        mutation("M2", kind="sale"),                                   # row 2: kind
        mutation("M3", stock="XX"),                                    # row 3: administration
        mutation("M4", group="NOPE"),                                  # row 4: article group
        mutation("M5", "transfer"),                                    # row 5: no to_admin_id
        mutation("M1", cost="3"),                                      # row 6: M1 again
        mutation("M7", cost="-1"),                                     # row 7: cost below 0
        mutation("M8", when="2026-11-01"),                             # not yet due: open
    ])
    assert query(db, 'SELECT "table", line_id, row_number, "column", "check" FROM rejected_lines '
                     "ORDER BY row_number, \"check\"") == [
        ("stock_mutations", "M1", 1, "mutation_id", "unique_mutation_id"),
        ("stock_mutations", "M2", 2, "kind", "isin"),
        ("stock_mutations", "M3", 3, "stock_admin_id", "known_administration"),
        ("stock_mutations", "M4", 4, "article_group", "known_article_group"),
        ("stock_mutations", "M5", 5, "to_admin_id", "transfer_target"),
        ("stock_mutations", "M1", 6, "mutation_id", "unique_mutation_id"),
        ("stock_mutations", "M7", 7, "cost_price", "range"),
    ]
    (message,) = query(db, "SELECT message FROM rejected_lines WHERE row_number = 3")[0]
    assert message == ("lines/stock_mutations.csv row 3, column stock_admin_id: unknown "
                       "administration XX [rule known_administration]")
    # read 8 / 20.01 x 4 + 2 x 3 + 2 x -1 + ... = booked 0 + rejected 7 + open 1, in cost:
    # M1 20.01, M2 20.01, M3 20.01, M4 20.01, M5 20.01, M1' 6.00, M7 -2.00 = 104.05; M8 20.01
    assert query(db, "SELECT lines_read, lines_invoiced, lines_open, lines_rejected, amount_read, "
                     "amount_rejected, amount_open, closes FROM run_reconciliation "
                     "WHERE source = 'stock_mutations'") == [
        (8, 0, 1, 7, D("124.06"), D("104.05"), D("20.01"), True)]
    assert entry_lines(db) == []
    assert query(db, "SELECT count(*) FROM billable_lines") == [(0,)]  # never a billable line
    assert query(db, "SELECT lines_read FROM runs") == [(0,)]


def test_mutations_in_reconcile_as_booked_rejected_open_and_excluded(dataset_dir, db):
    stock_run(dataset_dir, db, [mutation("M1"), mutation("M2", stock="BE01", invoice="BE01"),
                                mutation("M3", when="2026-11-02")], admin="NL01")
    assert query(db, "SELECT lines_read, lines_invoiced, lines_open, lines_rejected, "
                     "lines_excluded, amount_excluded FROM run_reconciliation "
                     "WHERE source = 'stock_mutations'") == [(3, 1, 1, 0, 1, D("20.01"))]


def test_no_journalize_books_no_stock(dataset_dir, db):
    stock_run(dataset_dir, db, [mutation("M1")], journalize=False)
    assert entry_lines(db) == [] and query(db, "SELECT count(*) FROM stock_mutations") == [(0,)]
    # a later run books it
    run(dataset_dir, db)
    assert len(entry_lines(db)) == 2


# --- re-runs ---------------------------------------------------------------------------------


def test_a_rerun_books_no_mutation_twice_and_reports_a_changed_one(dataset_dir, db):
    stock_run(dataset_dir, db, [mutation("M1"), mutation("M2", when="2026-11-02")])
    assert len(entry_lines(db)) == 2
    # again, with M1 changed: nothing booked twice, M1 reported; M2 still not due
    stock_run(dataset_dir, db, [mutation("M1", quantity="3"), mutation("M2", when="2026-11-02")])
    assert len(entry_lines(db)) == 2
    assert query(db, "SELECT run_id, source, line_id, invoice_number, changed_columns "
                     "FROM changed_lines") == [(2, "stock_mutations", "M1", None, "quantity")]
    assert query(db, "SELECT lines_invoiced, amount_invoiced, lines_open FROM run_reconciliation "
                     "WHERE run_id = 2 AND source = 'stock_mutations'") == [(1, D("30.02"), 1)]
    # November books M2 once
    stock_run(dataset_dir, db, [mutation("M1"), mutation("M2", when="2026-11-02")],
              period="2026-11")
    assert query(db, "SELECT mutation_id, run_id FROM stock_mutations ORDER BY 1") == [
        ("M1", 1), ("M2", 3)]
    with duckdb.connect(str(db), read_only=True) as con:
        assert audit(con).clean


# --- configuration: one message each, check and run refuse --------------------------------------


CONFIGURATION_FAULTS = {
    "no stock type": (
        lambda m: m["integration_types"].remove(next(
            t for t in m["integration_types"]
            if t["admin_id"] == "NL01" and t["integration_type"] == "stock")),
        [mutation("M1")],
        "administration NL01: 1 stock mutation(s) (e.g. M1) hold its stock, but it has no "
        "integration type stock"),
    "no RC account for a delivery invoiced elsewhere": (
        None, [mutation("M1", invoice="BE01")],
        "administration NL01: 1 stock mutation(s) (e.g. M1) deliver goods that administration "
        "BE01 invoices, but its integration type stock has no cost_of_sales_rc_account"),
    "no stock_intercompany type": (
        lambda m: m["integration_types"].remove(next(
            t for t in m["integration_types"]
            if t["admin_id"] == "BE01" and t["integration_type"] == "stock_intercompany")),
        [mutation("M1", invoice="BE01")],
        "administration BE01: 1 stock mutation(s) (e.g. M1) deliver goods from administration "
        "NL01 that it invoices, but it has no integration type stock_intercompany"),
    "a stock_intercompany type without its RC account": (
        lambda m: next(t for t in m["integration_types"] if t["admin_id"] == "BE01"
                       and t["integration_type"] == "stock_intercompany").update(
            cost_of_sales_rc_account=""),
        [mutation("M1", invoice="BE01")],
        "administration BE01: 1 stock mutation(s) (e.g. M1) deliver goods from administration "
        "NL01 that it invoices, but it has no integration type stock_intercompany with a "
        "cost_of_sales_rc_account"),
    "no stock_transfer_account": (
        None, [mutation("T1", "transfer", to="BE01")],
        "administration NL01: 1 stock mutation(s) (e.g. T1) transfer stock to administration "
        "BE01, but its integration type stock has no stock_transfer_account"),
    "no RC account on the receiving side": (
        None, [mutation("T1", "transfer", to="BE01")],
        "administration BE01: 1 stock mutation(s) (e.g. T1) move stock into it from "
        "administration NL01, but its integration type stock has no purchase_rc_account or "
        "cost_of_sales_rc_account (its RC side)"),
    "an article group without stock items": (
        lambda m: m["article_groups"].__setitem__(1, dict(m["article_groups"][1])),
        [mutation("M1", group="SERV")],
        "administration NL01: 1 stock mutation(s) (e.g. M1) book article group SERV, which does "
        "not contain stock items"),
}
EMPTIED = {"no RC account for a delivery invoiced elsewhere": "cost_of_sales_rc_account",
           "no stock_transfer_account": "stock_transfer_account",
           "no RC account on the receiving side": "purchase_rc_account"}


@pytest.mark.parametrize("case", list(CONFIGURATION_FAULTS))
def test_each_missing_configuration_is_one_message_and_the_run_refuses(case, dataset_dir, db):
    change, mutations, message = CONFIGURATION_FAULTS[case]
    if case in EMPTIED:
        master = stock_master(**{EMPTIED[case]: None})
        if case == "no RC account on the receiving side":
            master = stock_master(purchase_rc_account=None, cost_of_sales_rc_account=None)
            for t in master["integration_types"]:  # (NL01 keeps its RC side)
                if t["admin_id"] == "NL01" and t["integration_type"] == "stock":
                    t["cost_of_sales_rc_account"] = "1800"
    else:
        master = stock_master()
    if change:
        change(master)
    write_dataset(dataset_dir, master, stock_mutations=mutations)
    assert check_configuration(dataset_dir) == [message]
    with pytest.raises(ConfigurationError) as refused:
        run(dataset_dir, db)
    assert refused.value.messages == [message]
    assert not db.exists() or query(db, "SELECT count(*) FROM runs") == [(0,)]


def test_stock_article_groups_need_their_accounts_and_the_setting_its_values(dataset_dir):
    master = stock_master()
    master["article_groups"][0]["cost_of_sales_account"] = ""  # NL01 GOODS
    master["settings"].append(dict(key="stock_entries", value="weekly"))
    write_dataset(dataset_dir, master)
    assert check_configuration(dataset_dir) == [
        "administration NL01: article group GOODS contains stock items but has no "
        "cost_of_sales_account",
        "settings: stock_entries is weekly; allowed: per_day or per_mutation"]


def test_stock_types_take_a_memorial_journal_and_no_credit_journal(dataset_dir):
    master = stock_master()
    for t in master["integration_types"]:
        if t["admin_id"] == "NL01" and t["integration_type"] == "stock_intercompany":
            t.update(journal_code="VK", credit_journal_code="MEM")
    write_dataset(dataset_dir, master)
    faults = check_configuration(dataset_dir)
    assert any("stock_intercompany has journal VK of type sales" in f for f in faults), faults
    assert ("administration NL01: integration type stock_intercompany has a credit journal; "
            "stock entries have none") in faults, faults


def test_check_command_lists_the_stock_faults(dataset_dir):
    write_dataset(dataset_dir, stock_master(stock_transfer_account=None),
                  stock_mutations=[mutation("T1", "transfer", to="BE01")])
    done = CliRunner().invoke(app, ["check", "--input", str(dataset_dir)])
    assert done.exit_code == 2
    assert "has no stock_transfer_account" in done.output


# --- verify, seal, exports ---------------------------------------------------------------------


def _booked(dataset_dir: Path, db: Path) -> None:
    stock_run(dataset_dir, db, [mutation("M1", invoice="BE01"),
                                mutation("T1", "transfer", to="BE01", cost="10", transfer="12")])


def test_verify_is_clean_and_finds_a_changed_stock_row(dataset_dir, db, tmp_path):
    _booked(dataset_dir, db)
    with duckdb.connect(str(db), read_only=True) as con:
        result = audit(con)
    assert result.clean, result.findings
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE stock_entry_lines SET credit = credit + 1 WHERE role = 'rc' "
                    "AND admin_id = 'BE01' AND mutation_id = 'M1'")
        found = audit(con).findings
    assert found["intercompany_balance"] == [
        "intercompany BE01/NL01 2026-10: RC balance -45.01 in BE01 but 44.01 in NL01 (not equal "
        "and opposite)"]
    assert found["stock_entries"]  # (the shares no longer add up to the lines)
    assert any("stock_entry_lines" in f for f in found["sealed"]), found["sealed"]


def test_a_changed_booked_mutation_breaks_the_seal(dataset_dir, db):
    _booked(dataset_dir, db)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE stock_mutations SET quantity = 1 WHERE mutation_id = 'M1'")
        found = audit(con).findings
    assert any("stock_mutations" in f for f in found["sealed"]), found["sealed"]


def test_the_exports_carry_the_stock_entries(dataset_dir, db, tmp_path):
    _booked(dataset_dir, db)
    parquet = export_books(ExportParameters(db_path=db, out_dir=tmp_path / "out"))
    assert parquet is not None
    lines = duckdb.sql(
        f"SELECT admin_id, account, debit, credit FROM read_parquet('{tmp_path}/out/parquet/"
        "journal_entries/**/*.parquet', hive_partitioning = true, hive_types = {'admin_id': "
        "VARCHAR}) ORDER BY entry_id, line_no").fetchall()
    assert lines[0] == ("BE01", "3000", D("24.00"), D("0.00"))
    export_books(ExportParameters(db_path=db, out_dir=tmp_path / "fi", format="fientries",
                                  unit_ids={"NL01": 1, "BE01": 2}))
    messages = [json.loads(line) for path in sorted((tmp_path / "fi").rglob("FiEntries.jsonl"))
                for line in path.read_text().splitlines()]
    fields = [e["Fields"] for m in messages
              for e in m["FiEntryPar"]["Element"]["Objects"][0]["FiEntries"]["Element"]]
    assert {f["Ds"] for f in fields} == {"[vrd] Voorraad"}
    assert sum(D(str(f["AmDe"])) for f in fields) == sum(D(str(f["AmCr"])) for f in fields)
    export_books(ExportParameters(db_path=db, out_dir=tmp_path / "xaf", format="xaf"))
    files = sorted(p.name for p in (tmp_path / "xaf").rglob("*.xaf"))
    assert files == ["BE01_2026_XAF4.0.xaf", "NL01_2026_XAF4.0.xaf"]
    assert "[vrd] Voorraad" in (tmp_path / "xaf" / "xaf" / "NL01_2026_XAF4.0.xaf").read_text()


def test_the_trial_balance_holds_the_stock_entries(dataset_dir, db):
    _booked(dataset_dir, db)
    # M1 2 x 10.005 = 20.01 invoiced by BE01; T1 2 x 10 = 20 at cost, 2 x 12 = 24 transferred
    assert query(db, "SELECT admin_id, account, balance FROM trial_balance "
                     "ORDER BY admin_id, account") == [
        ("BE01", "1800", D("-20.01")), ("BE01", "1810", D("-24.00")), ("BE01", "3000", D("24.00")),
        ("BE01", "7000", D("20.01")),
        ("NL01", "1800", D("44.01")), ("NL01", "3000", D("-40.01")), ("NL01", "8950", D("-4.00"))]


# --- properties ----------------------------------------------------------------------------------

ADMINS = ("NL01", "BE01")
money = st.decimals(min_value=D("0"), max_value=D("500"), places=4)


@st.composite
def mutations(draw):
    rows = []
    for n in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(("delivery", "transfer")))
        stock_admin = draw(st.sampled_from(ADMINS))
        other = draw(st.sampled_from(ADMINS)) if kind == "delivery" else \
            next(a for a in ADMINS if a != stock_admin)
        rows.append(mutation(
            f"M{n}", kind, stock=stock_admin,
            invoice=other if kind == "delivery" else stock_admin,
            to=other if kind == "transfer" else "",
            quantity=str(draw(st.integers(-3, 9))), cost=str(draw(money)),
            transfer=str(draw(money)) if kind == "transfer" and draw(st.booleans()) else "",
            when=f"2026-{draw(st.sampled_from(('09', '10', '11')))}-{draw(st.integers(1, 28)):02d}",
            group=draw(st.sampled_from(("GOODS", "GOODS", "GOODS", "NONE")))))
    return rows


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=mutations(), per_mutation=st.booleans())
def test_properties_rc_mirrors_entries_balance_mutations_reconcile(tmp_path_factory, rows,
                                                                   per_mutation):
    folder = tmp_path_factory.mktemp("stock")
    master = stock_master()
    if per_mutation:
        master["settings"].append(dict(key="stock_entries", value="per_mutation"))
    stock_run(folder / "input", folder / "out.duckdb", rows, master)
    db = folder / "out.duckdb"
    assert query(db, "SELECT count(*) FROM intercompany_balance WHERE NOT balanced "
                     "OR balance <> -other_balance") == [(0,)]
    assert query(db, "SELECT count(*) FROM (SELECT entry_id FROM journal_entries GROUP BY ALL "
                     "HAVING sum(debit) <> sum(credit))") == [(0,)]
    read, booked, rejected, not_due = query(
        db, "SELECT lines_read, lines_invoiced, lines_rejected, lines_open FROM run_reconciliation "
            "WHERE source = 'stock_mutations'")[0]
    assert read == len(rows) == booked + rejected + not_due
    assert not_due == sum(r["mutation_date"] > "2026-10-31" and r["article_group"] == "GOODS"
                          for r in rows)
    assert rejected == sum(r["article_group"] != "GOODS" for r in rows)
    with duckdb.connect(str(db), read_only=True) as con:
        assert audit(con).clean


def test_a_run_one_administration_at_a_time_books_the_same_stock(tmp_path):
    # order lines in both administrations (BE01 gets a sales type), stock across them: the
    # chunked run (chunk_lines=0) numbers the stock entries after the last administration's
    master = stock_master()
    master["integration_types"].append(integration_type("sales_invoice", "VKB", admin_id="BE01"))
    lines = [order_line("L1"), order_line("L2", "O2", admin_id="BE01")]
    stock = [mutation("M1", invoice="BE01"), mutation("T1", "transfer", to="BE01", transfer="11"),
             mutation("M2", stock="BE01", invoice="BE01")]
    books = {}
    for name, chunk_lines in (("once", 2_000_000), ("chunked", 0)):
        folder = tmp_path / name
        write_dataset(folder / "input", master, order_lines=lines, stock_mutations=stock)
        run(folder / "input", folder / "out.duckdb", chunk_lines=chunk_lines)
        books[name] = [query(folder / "out.duckdb", f"SELECT * EXCLUDE (run_id) FROM {table} "
                                                    "ORDER BY ALL")
                       for table in ("journal_entries", "stock_entry_lines", "stock_mutations")]
    assert books["once"] == books["chunked"]
    # BE01's invoice 1, NL01's 2; then BE01's stock entry of 10-10 (M1 and M2 7000 40.02, T1 3000
    # 22.00 / 1800 20.01, 1810 22.00, 3000 20.01) and NL01's (1800 42.01, 8950 1.99 / 3000 40.02)
    entries = {}
    for row in books["once"][0]:
        entries[(row[2], row[0], row[14])] = entries.get((row[2], row[0], row[14]), 0) + 1
    assert sorted(entries.items()) == [((1, "BE01", "vkf"), 3), ((2, "NL01", "vkf"), 3),
                                       ((3, "BE01", "vrd"), 5), ((4, "NL01", "vrd"), 3)]
