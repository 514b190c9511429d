"""The project, installment, subscription and course sources (SPEC §2, §3, §4, §6, §8):
administration derivation, grouping without collecting, credit lines, `--sources`, the
configuration checks that need lines, and the project-based financial descriptions."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from builders import (
    base_master,
    count_rows,
    course,
    course_line,
    debtor,
    installment_line,
    postcalc_line,
    profile,
    project,
    query,
    run,
    subscription,
    subscription_line,
    write_dataset,
)
from typer.testing import CliRunner

from flows.cli import app
from flows.pipeline import check_configuration
from transforms.validate import ConfigurationError

WIDE = {"COLUMNS": "250"}

INVOICE_GROUPS = (
    "SELECT list(line_id ORDER BY line_id) FROM billable_lines "
    "WHERE status = 'invoiced' GROUP BY invoice_number ORDER BY 1"
)
REJECTED = 'SELECT "table", line_id, row_number, "column", "check", value FROM rejected_lines'


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def assert_balanced(db: Path) -> None:
    """SPEC §9: every entry balances to the cent."""
    assert query(db, "SELECT entry_id, sum(debit), sum(credit) FROM journal_entries "
                     "GROUP BY entry_id HAVING sum(debit) <> sum(credit)") == []
    assert query(db, "SELECT count(*) FROM journal_entries")[0][0] > 0


def without_type(master: dict, kind: str, admin_id: str = "NL01") -> dict:
    master["integration_types"] = [
        t for t in master["integration_types"]
        if not (t["integration_type"] == kind and t["admin_id"] == admin_id)
    ]
    return master


def set_description(master: dict, kind: str, option: str) -> dict:
    for row in master["integration_types"]:
        if row["integration_type"] == kind and row["admin_id"] == "NL01":
            row["financial_description"] = option
    return master


def with_second_admin(master: dict | None = None) -> dict:
    """base_master plus NL02, a copy of NL01 whose sales journals number Z1… and ZC1…"""
    master = base_master() if master is None else master
    master["administrations"].append(dict(admin_id="NL02", name="Zuid BV", country="NL",
                                          currency="EUR", receivables_account="1300"))
    for table in ("accounts", "vat_codes", "integration_types", "article_groups",
                  "integration_groups"):
        master[table] += [{**row, "admin_id": "NL02"} for row in master[table]
                          if row["admin_id"] == "NL01"]
    prefixes = {"VK": "Z", "VKC": "ZC"}
    for row in [r for r in master["journals"] if r["admin_id"] == "NL01"]:
        copy = {**row, "admin_id": "NL02", "last_invoice_number": "0"}
        copy.pop("number_range_end", None)
        if row["journal_code"] in prefixes:
            copy["number_prefix"] = prefixes[row["journal_code"]]
        master["journals"].append(copy)
    return master


def collecting_master(collect: str = "postcalc,courses", method: str = "per_sales_relation") -> dict:
    master = base_master()
    master["sales_relation_profiles"] = [profile("VZ", collect=collect, method=method)]
    master["debtors"][0] = debtor("10001", "Jansen Installatie BV", profile_id="VZ")
    return master


# --- SPEC §4: which administration -------------------------------------------------------------


def test_postcalc_and_installment_lines_take_the_projects_administration(dataset_dir, db):
    # §4 "project lines take the project's": P2 belongs to NL02 → journal VK of NL02, number Z1
    master = with_second_admin()
    master["projects"] = [project("P1"), project("P2", admin_id="NL02")]
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", "P1"), postcalc_line("PC2", "P2")],
                  installment_lines=[installment_line("IN1", "P2", "T1")])
    run(dataset_dir, db)
    assert query(db, "SELECT line_id, admin_id FROM billable_lines ORDER BY 1") == [
        ("IN1", "NL02"), ("PC1", "NL01"), ("PC2", "NL02")]
    assert query(db, "SELECT admin_id, count(*) FROM invoices GROUP BY 1 ORDER BY 1") == [
        ("NL01", 1), ("NL02", 2)]
    assert query(db, "SELECT DISTINCT left(invoice_number, 1) FROM invoices "
                     "WHERE admin_id = 'NL02'") == [("Z",)]
    assert_balanced(db)


def test_subscription_takes_its_projects_administration_before_its_own(dataset_dir, db):
    # §4 subscriptions: first the subscription's project's administration
    master = with_second_admin()
    master["projects"] = [project("P2", admin_id="NL02")]
    master["subscriptions"] = [subscription("S1", project_id="P2", admin_id="NL01")]
    write_dataset(dataset_dir, master, subscription_lines=[subscription_line("A1", "S1")])
    run(dataset_dir, db)
    assert query(db, "SELECT admin_id FROM billable_lines") == [("NL02",)]
    assert query(db, "SELECT admin_id, invoice_number FROM invoices") == [("NL02", "Z1")]


def test_subscription_without_project_takes_its_own_administration(dataset_dir, db):
    # §4 subscriptions: then the subscription's own administration
    master = with_second_admin()
    master["subscriptions"] = [subscription("S1", admin_id="NL02")]
    write_dataset(dataset_dir, master, subscription_lines=[subscription_line("A1", "S1")])
    run(dataset_dir, db)
    assert query(db, "SELECT admin_id FROM invoices") == [("NL02",)]


def test_subscription_without_project_or_admin_takes_default_admin_not_the_profile(dataset_dir, db):
    # §4: else default_admin — never the sales relation profile (whose journal lives in NL01)
    master = with_second_admin()
    master["settings"] = [dict(key="default_admin", value="NL02")]
    master["sales_relation_profiles"] = [profile("PR", collect="")]
    master["debtors"][0] = debtor("10001", "Jansen Installatie BV", profile_id="PR")
    master["subscriptions"] = [subscription("S1")]
    write_dataset(dataset_dir, master, subscription_lines=[subscription_line("A1", "S1")])
    run(dataset_dir, db)
    assert query(db, "SELECT admin_id FROM billable_lines") == [("NL02",)]
    assert query(db, "SELECT admin_id, invoice_number FROM invoices") == [("NL02", "Z1")]


def test_course_takes_its_own_administration_else_default_admin(dataset_dir, db):
    # §4 courses: the course's administration, else default_admin (NL01 here)
    master = with_second_admin()
    master["courses"] = [course("C1", admin_id="NL02"), course("C2")]
    write_dataset(dataset_dir, master,
                  course_lines=[course_line("K1", "C1"), course_line("K2", "C2")])
    run(dataset_dir, db)
    assert query(db, "SELECT line_id, admin_id FROM billable_lines ORDER BY 1") == [
        ("K1", "NL02"), ("K2", "NL01")]
    assert query(db, "SELECT admin_id, invoice_number FROM invoices ORDER BY 1") == [
        ("NL01", "1001"), ("NL02", "Z1")]


def test_course_without_admin_follows_a_changed_default_admin(dataset_dir, db):
    master = with_second_admin()
    master["settings"] = [dict(key="default_admin", value="NL02")]
    master["courses"] = [course("C1")]
    write_dataset(dataset_dir, master, course_lines=[course_line("K1", "C1")])
    run(dataset_dir, db)
    assert query(db, "SELECT admin_id FROM invoices") == [("NL02",)]


# --- SPEC §8: grouping without collecting ------------------------------------------------------


def test_postcalc_one_invoice_per_debtor_and_project(dataset_dir, db):
    master = base_master()
    master["projects"] = [project("P1"), project("P2")]
    write_dataset(dataset_dir, master, postcalc_lines=[
        postcalc_line("PC1", "P1"), postcalc_line("PC2", "P1"),
        postcalc_line("PC3", "P2"),
        postcalc_line("PC4", "P1", debtor_id="10002"),
    ])
    run(dataset_dir, db)
    assert query(db, INVOICE_GROUPS) == [(["PC1", "PC2"],), (["PC3"],), (["PC4"],)]
    # §3/§4/§6: project_invoice, source name "Projectfacturen", not collective
    assert query(db, "SELECT DISTINCT integration_type, description, sources, is_collective "
                     "FROM invoices") == [
        ("project_invoice", "[pro] Projectfacturen", "postcalc_lines", False)]
    assert_balanced(db)


def test_postcalc_invoice_amounts(dataset_dir, db):
    # §9: 3 × 12.50 = 37.50 and 1 × 10.00 (VAT L) ; VAT 37.50 × 21 % = 7.875 → 7.88, 10 × 9 % = 0.90
    master = base_master()
    master["projects"] = [project("P1")]
    write_dataset(dataset_dir, master, postcalc_lines=[
        postcalc_line("PC1", quantity="3", unit_price="12.50"),
        postcalc_line("PC2", unit_price="10", vat_code="L"),
    ])
    run(dataset_dir, db)
    assert query(db, "SELECT invoice_number, journal_code, total_excl_vat, vat_amount, "
                     "total_incl_vat FROM invoices") == [
        ("1001", "VK", D("47.50"), D("8.78"), D("56.28"))]
    assert_balanced(db)


def test_installment_one_invoice_per_debtor_project_and_installment(dataset_dir, db):
    master = base_master()
    master["projects"] = [project("P1")]
    write_dataset(dataset_dir, master, installment_lines=[
        installment_line("IN1", "P1", "T1"), installment_line("IN2", "P1", "T1"),
        installment_line("IN3", "P1", "T2"),
    ])
    run(dataset_dir, db)
    assert query(db, INVOICE_GROUPS) == [(["IN1", "IN2"],), (["IN3"],)]
    assert query(db, "SELECT DISTINCT integration_type, description, sources FROM invoices") == [
        ("project_invoice", "[pro] Projectfacturen", "installment_lines")]


def test_postcalc_and_installment_lines_of_one_project_are_separate_invoices(dataset_dir, db):
    # §8 without collecting: postcalc per (debtor, project), installments per (…, installment)
    master = base_master()
    master["projects"] = [project("P1")]
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1")],
                  installment_lines=[installment_line("IN1")])
    run(dataset_dir, db)
    assert query(db, INVOICE_GROUPS) == [(["IN1"],), (["PC1"],)]
    assert query(db, "SELECT sources FROM invoices ORDER BY 1") == [
        ("installment_lines",), ("postcalc_lines",)]


def test_subscription_one_invoice_per_debtor_and_subscription(dataset_dir, db):
    master = base_master()
    master["subscriptions"] = [subscription("S1"), subscription("S2")]
    write_dataset(dataset_dir, master, subscription_lines=[
        subscription_line("A1", "S1"), subscription_line("A2", "S1"),
        subscription_line("A3", "S2"),
    ])
    run(dataset_dir, db)
    assert query(db, INVOICE_GROUPS) == [(["A1", "A2"],), (["A3"],)]
    assert query(db, "SELECT DISTINCT integration_type, description, sources, is_collective "
                     "FROM invoices") == [
        ("subscription_invoice", "[abo] Abonnementsfacturen", "subscription_lines", False)]
    assert_balanced(db)


def test_course_one_invoice_per_debtor_and_course(dataset_dir, db):
    master = base_master()
    master["courses"] = [course("C1"), course("C2")]
    write_dataset(dataset_dir, master, course_lines=[
        course_line("K1", "C1"), course_line("K2", "C1", debtor_id="10002"),
        course_line("K3", "C2"), course_line("K4", "C1"),
    ])
    run(dataset_dir, db)
    assert query(db, INVOICE_GROUPS) == [(["K1", "K4"],), (["K2"],), (["K3"],)]
    assert query(db, "SELECT DISTINCT integration_type, description, sources FROM invoices") == [
        ("course_invoice", "[crm] Cursusfacturen", "course_lines")]


def test_collect_key_is_shared_by_the_lines_of_an_invoice(dataset_dir, db):
    # §11: billable_lines.collect_key equals the invoice's collect_key
    master = base_master()
    master["projects"] = [project("P1"), project("P2")]
    write_dataset(dataset_dir, master, postcalc_lines=[
        postcalc_line("PC1", "P1"), postcalc_line("PC2", "P1"), postcalc_line("PC3", "P2"),
    ])
    run(dataset_dir, db)
    assert query(db, "SELECT count(*) FROM billable_lines b JOIN invoices i "
                     "ON b.invoice_number = i.invoice_number "
                     "WHERE b.collect_key IS NULL OR b.collect_key <> i.collect_key") == [(0,)]
    assert query(db, "SELECT count(DISTINCT collect_key) FROM billable_lines") == [(2,)]


def test_source_columns_are_kept_in_billable_lines(dataset_dir, db):
    # §2 extra columns of each line table, §11 canonical line columns
    master = base_master()
    master["projects"] = [project("P1")]
    master["subscriptions"] = [subscription("S1")]
    master["courses"] = [course("C1")]
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", phase_id="F02")],
                  installment_lines=[installment_line("IN1", "P1", "T7")],
                  subscription_lines=[subscription_line("A1", period_start="2026-10-01",
                                                        period_end="2026-10-31")],
                  course_lines=[course_line("K1")])
    run(dataset_dir, db)
    assert query(db, "SELECT source, line_id, project_id, phase_id, installment_id, "
                     "subscription_id, course_id, period_start::VARCHAR, period_end::VARCHAR "
                     "FROM billable_lines ORDER BY line_id") == [
        ("subscription_lines", "A1", None, None, None, "S1", None, "2026-10-01", "2026-10-31"),
        ("installment_lines", "IN1", "P1", None, "T7", None, None, None, None),
        ("course_lines", "K1", None, None, None, None, "C1", None, None),
        ("postcalc_lines", "PC1", "P1", "F02", None, None, None, None, None),
    ]


# --- SPEC §8 collective invoices over these sources ----------------------------------------------


def test_collected_postcalc_and_course_lines_make_one_collective_invoice(dataset_dir, db):
    # §8: at least two collect flags → lines of the enabled sources are combined per debtor
    master = collecting_master("postcalc,courses")
    master["projects"] = [project("P1")]
    master["courses"] = [course("C1")]
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1")], course_lines=[course_line("K1")])
    run(dataset_dir, db)
    assert query(db, INVOICE_GROUPS) == [(["K1", "PC1"],)]
    assert query(db, "SELECT integration_type, is_collective, sources, description, "
                     "total_incl_vat FROM invoices") == [
        ("collective_invoice", True, "course_lines,postcalc_lines", "[vzf] Verzamelfactuur",
         D("242.00"))]
    assert query(db, "SELECT DISTINCT is_collective FROM billable_lines") == [(True,)]
    assert_balanced(db)


def test_lines_marked_exclude_from_collective_are_invoiced_on_their_own(dataset_dir, db):
    # §8: lines of a project / installment line / course marked exclude_from_collective are not
    # collected; PC1 and A1 make the collective invoice
    master = collecting_master("postcalc,installments,subscriptions,courses")
    master["projects"] = [project("P1"), project("P2", exclude_from_collective="true")]
    master["subscriptions"] = [subscription("S1")]
    master["courses"] = [course("C1", exclude_from_collective="true")]
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", "P1"), postcalc_line("PC2", "P2")],
                  installment_lines=[installment_line("IN1", exclude_from_collective="true")],
                  subscription_lines=[subscription_line("A1")],
                  course_lines=[course_line("K1")])
    run(dataset_dir, db)
    assert query(db, "SELECT i.integration_type, i.is_collective, list(b.line_id ORDER BY b.line_id) "
                     "FROM invoices i JOIN billable_lines b USING (invoice_number) "
                     "GROUP BY i.invoice_number, i.integration_type, i.is_collective "
                     "ORDER BY 3") == [
        ("collective_invoice", True, ["A1", "PC1"]),
        ("project_invoice", False, ["IN1"]),
        ("course_invoice", False, ["K1"]),
        ("project_invoice", False, ["PC2"]),
    ]
    assert_balanced(db)


def test_manual_lines_are_not_collected(dataset_dir, db):
    # §8: manual lines are excluded from collecting and invoiced on their own
    master = collecting_master("postcalc,courses")
    master["projects"] = [project("P1")]
    master["courses"] = [course("C1")]
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1"), postcalc_line("PC2", manual="true")],
                  course_lines=[course_line("K1")])
    run(dataset_dir, db)
    assert query(db, "SELECT i.is_collective, list(b.line_id ORDER BY b.line_id) "
                     "FROM invoices i JOIN billable_lines b USING (invoice_number) "
                     "GROUP BY i.invoice_number, i.is_collective ORDER BY 2") == [
        (True, ["K1", "PC1"]), (False, ["PC2"])]


def test_debtor_without_profile_uses_the_default_profile(dataset_dir, db):
    # §8: a debtor without a profile uses the profile '*****' when the table has one
    master = base_master()
    master["sales_relation_profiles"] = [profile("*****", collect="postcalc,subscriptions")]
    master["projects"] = [project("P1")]
    master["subscriptions"] = [subscription("S1", debtor_id="10002")]
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", debtor_id="10002")],
                  subscription_lines=[subscription_line("A1", debtor_id="10002")])
    run(dataset_dir, db)
    assert query(db, "SELECT debtor_id, integration_type, sources FROM invoices") == [
        ("10002", "collective_invoice", "postcalc_lines,subscription_lines")]


def test_collective_invoicing_never_combines_administrations(dataset_dir, db):
    # §8: lines of several administrations are never combined; each uses its own collective type
    master = with_second_admin(collecting_master("postcalc,courses"))
    master["projects"] = [project("P1"), project("P2", admin_id="NL02")]
    master["courses"] = [course("C1")]
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", "P1"), postcalc_line("PC2", "P2")],
                  course_lines=[course_line("K1", "C1")])
    run(dataset_dir, db)
    assert query(db, "SELECT i.admin_id, i.integration_type, list(b.line_id ORDER BY b.line_id) "
                     "FROM invoices i JOIN billable_lines b USING (invoice_number) "
                     "GROUP BY i.invoice_number, i.admin_id, i.integration_type ORDER BY 1") == [
        ("NL01", "collective_invoice", ["K1", "PC1"]),
        ("NL02", "collective_invoice", ["PC2"]),
    ]


def test_collective_invoice_of_one_project_names_the_project(dataset_dir, db):
    # §6: per_project → one project per collective invoice, so the project option applies
    master = collecting_master("postcalc,installments", method="per_project")
    set_description(master, "collective_invoice", "source_project_description")
    master["projects"] = [project("P1", description="Nieuwbouw kantoor")]
    write_dataset(dataset_dir, master, postcalc_lines=[postcalc_line("PC1")],
                  installment_lines=[installment_line("IN1")])
    run(dataset_dir, db)
    assert query(db, "SELECT is_collective, description FROM invoices") == [
        (True, "[vzf] Nieuwbouw kantoor")]


# --- SPEC §7/§8: credit lines ----------------------------------------------------------------------


def test_postcalc_and_installment_credit_lines_are_always_invoiced(dataset_dir, db):
    # §8: credit lines of postcalc and installment sources are always invoiced
    # PC: 100.00 − 40.00 = 60.00 + 12.60 VAT = 72.60; IN: −50.00 − 10.50 = −60.50 (credit, VKC)
    master = base_master()
    master["projects"] = [project("P1")]
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1"),
                                  postcalc_line("PC2", unit_price="40", is_credit="true")],
                  installment_lines=[installment_line("IN1", unit_price="50", is_credit="true")])
    run(dataset_dir, db)
    assert query(db, "SELECT DISTINCT status FROM billable_lines") == [("invoiced",)]
    assert query(db, "SELECT sources, journal_code, invoice_number, is_credit, total_incl_vat "
                     "FROM invoices ORDER BY sources") == [
        ("installment_lines", "VKC", "C1", True, D("-60.50")),
        ("postcalc_lines", "VK", "1001", False, D("72.60")),
    ]
    assert_balanced(db)


@pytest.mark.parametrize("table, builder, master_key, master_row", [
    ("subscription_lines", subscription_line, "subscriptions", subscription("S1")),
    ("course_lines", course_line, "courses", course("C1")),
])
def test_subscription_and_course_credit_lines_stay_open_without_include_credit_lines(
        dataset_dir, db, table, builder, master_key, master_row):
    # §7/§8: credit lines of subscriptions and courses only with include-credit-lines
    master = base_master()
    master[master_key] = [master_row]
    write_dataset(dataset_dir, master, **{table: [builder("X1"), builder("X2", is_credit="true")]})
    run(dataset_dir, db)
    assert query(db, "SELECT line_id, status, status_reason FROM billable_lines ORDER BY 1") == [
        ("X1", "invoiced", None),
        ("X2", "open", f"credit line of {table}: invoiced only with --include-credit-lines"),
    ]
    assert query(db, "SELECT total_incl_vat FROM invoices") == [(D("121.00"),)]


def test_subscription_credit_line_is_invoiced_with_include_credit_lines(dataset_dir, db):
    # one (debtor, subscription) invoice: 100.00 − 30.00 = 70.00, VAT 14.70 → 84.70
    master = base_master()
    master["subscriptions"] = [subscription("S1")]
    write_dataset(dataset_dir, master, subscription_lines=[
        subscription_line("A1"), subscription_line("A2", unit_price="30", is_credit="true")])
    run(dataset_dir, db, include_credit_lines=True)
    assert query(db, "SELECT DISTINCT status FROM billable_lines") == [("invoiced",)]
    assert query(db, "SELECT invoice_number, is_credit, total_excl_vat, vat_amount, "
                     "total_incl_vat FROM invoices") == [
        ("1001", False, D("70.00"), D("14.70"), D("84.70"))]
    assert_balanced(db)


def test_course_credit_line_alone_makes_a_credit_invoice_with_include_credit_lines(dataset_dir, db):
    # §4: total < 0 → the credit journal VKC (prefix C, counter 0 → C1); credit account 8101
    master = base_master()
    master["courses"] = [course("C1")]
    write_dataset(dataset_dir, master, course_lines=[course_line("K1", is_credit="true")])
    run(dataset_dir, db, include_credit_lines=True)
    assert query(db, "SELECT invoice_number, journal_code, is_credit, total_incl_vat "
                     "FROM invoices") == [("C1", "VKC", True, D("-121.00"))]
    assert query(db, "SELECT account, debit, credit FROM journal_entries ORDER BY line_no") == [
        ("1300", D("0.00"), D("121.00")), ("8101", D("100.00"), D("0.00")),
        ("1500", D("21.00"), D("0.00"))]


# --- --sources ---------------------------------------------------------------------------------


def project_and_course_dataset(folder: Path, master: dict | None = None) -> Path:
    master = base_master() if master is None else master
    master["projects"] = [project("P1")]
    master["courses"] = [course("C1")]
    return write_dataset(folder, master,
                         postcalc_lines=[postcalc_line("PC1")],
                         installment_lines=[installment_line("IN1")],
                         course_lines=[course_line("K1")])


def test_sources_project_alias_takes_postcalc_and_installments(dataset_dir, db):
    project_and_course_dataset(dataset_dir)
    run(dataset_dir, db, sources=["project"])
    assert query(db, "SELECT line_id, status, status_reason FROM billable_lines ORDER BY 1") == [
        ("IN1", "invoiced", None),
        ("K1", "open", "source course_lines is not in this run (--sources)"),
        ("PC1", "invoiced", None),
    ]
    assert count_rows(db, "invoices") == 2


@pytest.mark.parametrize("names", [["course_lines"], ["course"], ["Courses"], [" courses "]])
def test_sources_accepts_table_names_and_aliases(dataset_dir, db, names):
    project_and_course_dataset(dataset_dir)
    run(dataset_dir, db, sources=names)
    assert query(db, "SELECT line_id FROM billable_lines WHERE status = 'invoiced'") == [("K1",)]
    assert query(db, "SELECT DISTINCT status_reason FROM billable_lines "
                     "WHERE status = 'open' ORDER BY 1") == [
        ("source installment_lines is not in this run (--sources)",),
        ("source postcalc_lines is not in this run (--sources)",),
    ]


def test_lines_left_out_by_sources_are_invoiced_by_a_later_run(dataset_dir, db):
    project_and_course_dataset(dataset_dir)
    run(dataset_dir, db, sources=["postcalc"])
    run(dataset_dir, db, sources=["installments", "course"])
    assert query(db, "SELECT line_id, status, run_id FROM billable_lines ORDER BY 1") == [
        ("IN1", "invoiced", 2), ("K1", "invoiced", 2), ("PC1", "invoiced", 1)]


def monthly_item(subscription_id: str = "S1") -> dict:
    return dict(subscription_id=subscription_id, item_code="ABO", article_group="SERV",
                description="abo", quantity="1", unit_price="100", vat_code="H",
                frequency="month", start_date="2026-10-01")


def test_subscription_item_is_billed_for_the_period(dataset_dir, db):
    # §7: a monthly item starting 2026-10-01 is billed for October in the 2026-10 run:
    # 1 × 100.00 + 21 % VAT = 121.00 on a subscription invoice
    master = base_master()
    master["subscriptions"] = [subscription("S1")]
    master["subscription_items"] = [monthly_item()]
    write_dataset(dataset_dir, master)
    run(dataset_dir, db)
    assert query(db, "SELECT integration_type, total_incl_vat FROM invoices") == [
        ("subscription_invoice", D("121.00"))]


def test_subscription_items_are_not_billed_in_a_run_without_subscriptions(dataset_dir, db):
    # §7 + --sources: a run without subscriptions neither bills nor advances billed_through;
    # a later run with subscriptions bills October once: 1 × 100.00 + 21 % = 121.00
    master = base_master()
    master["subscriptions"] = [subscription("S1")]
    master["courses"] = [course("C1")]
    master["subscription_items"] = [monthly_item()]
    write_dataset(dataset_dir, master, course_lines=[course_line("K1")])
    run(dataset_dir, db, sources=["course"])
    assert query(db, "SELECT integration_type FROM invoices") == [("course_invoice",)]
    run(dataset_dir, db, sources=["subscription"])
    assert query(db, "SELECT integration_type, total_incl_vat FROM invoices ORDER BY 1") == [
        ("course_invoice", D("121.00")), ("subscription_invoice", D("121.00"))]


def test_unknown_source_name_is_refused(dataset_dir, db):
    project_and_course_dataset(dataset_dir)
    with pytest.raises(ValueError, match="bogus"):
        run(dataset_dir, db, sources=["project", "bogus"])
    assert count_rows(db, "invoices") == 0


def test_cli_sources_option(dataset_dir, db):
    project_and_course_dataset(dataset_dir)
    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10",
                    "--sources", "course,installment")
    assert result.exit_code == 0, result.output
    assert query(db, "SELECT line_id, status FROM billable_lines ORDER BY 1") == [
        ("IN1", "invoiced"), ("K1", "invoiced"), ("PC1", "open")]


def test_cli_unknown_source_fails_and_writes_nothing(dataset_dir, db):
    # SPEC §12: non-zero exit with a one-line reason; the reason must name the bad source
    project_and_course_dataset(dataset_dir)
    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10",
                    "--sources", "project,bogus")
    assert result.exit_code != 0
    assert "bogus" in result.output
    assert count_rows(db, "invoices") == 0


# --- SPEC §3/§4: configuration checks that need lines ---------------------------------------------


def test_course_lines_without_course_invoice_type_are_a_configuration_error(dataset_dir, db):
    master = without_type(base_master(), "course_invoice")
    master["courses"] = [course("C1")]
    write_dataset(dataset_dir, master, course_lines=[course_line("K1"), course_line("K2")])
    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)
    assert error.value.messages == [
        "administration NL01: 2 line(s) of course_lines to invoice but there is no "
        "integration type course_invoice"]
    assert count_rows(db, "invoices") == 0


def test_postcalc_and_installment_lines_without_project_invoice_are_listed_together(dataset_dir, db):
    master = without_type(base_master(), "project_invoice")
    master["projects"] = [project("P1")]
    write_dataset(dataset_dir, master, postcalc_lines=[postcalc_line("PC1")],
                  installment_lines=[installment_line("IN1")])
    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)
    assert error.value.messages == [
        "administration NL01: 2 line(s) of installment_lines, postcalc_lines to invoice but "
        "there is no integration type project_invoice"]
    assert count_rows(db, "invoices") == 0


def test_missing_type_counts_only_lines_in_scope(dataset_dir, db):
    # scope: not rejected (unknown course C9), dated on or before the reference date
    master = without_type(base_master(), "course_invoice")
    master["courses"] = [course("C1")]
    write_dataset(dataset_dir, master, course_lines=[
        course_line("K1"), course_line("K2", line_date="2026-11-02"), course_line("K3", "C9")])
    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)
    assert error.value.messages == [
        "administration NL01: 1 line(s) of course_lines to invoice but there is no "
        "integration type course_invoice"]


def test_missing_type_is_no_error_when_all_its_lines_are_after_the_reference_date(dataset_dir, db):
    master = without_type(base_master(), "course_invoice")
    master["courses"] = [course("C1")]
    write_dataset(dataset_dir, master, course_lines=[course_line("K1", line_date="2026-11-02")])
    run(dataset_dir, db)
    assert query(db, "SELECT status, status_reason FROM billable_lines") == [
        ("open", "dated after the reference date 2026-10-31")]


def test_missing_type_of_a_source_outside_sources_is_no_error(dataset_dir, db):
    project_and_course_dataset(dataset_dir, without_type(base_master(), "course_invoice"))
    run(dataset_dir, db, sources=["project"])
    assert query(db, "SELECT line_id, status FROM billable_lines ORDER BY 1") == [
        ("IN1", "invoiced"), ("K1", "open"), ("PC1", "invoiced")]


def test_missing_type_in_the_lines_administration_only(dataset_dir, db):
    # §4: the course's administration is NL02, which lacks course_invoice; NL01 has one
    master = without_type(with_second_admin(), "course_invoice", admin_id="NL02")
    master["courses"] = [course("C1", admin_id="NL02")]
    write_dataset(dataset_dir, master, course_lines=[course_line("K1")])
    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)
    assert error.value.messages == [
        "administration NL02: 1 line(s) of course_lines to invoice but there is no "
        "integration type course_invoice"]


def test_collected_lines_without_collective_invoice_type(dataset_dir, db):
    master = without_type(collecting_master("postcalc,courses"), "collective_invoice")
    master["projects"] = [project("P1")]
    master["courses"] = [course("C1")]
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1")], course_lines=[course_line("K1")])
    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)
    assert error.value.messages == [
        "administration NL01: 2 line(s) of course_lines, postcalc_lines are collected "
        "(collective invoicing) but there is no integration type collective_invoice"]
    assert count_rows(db, "invoices") == 0


def test_manual_lines_do_not_count_as_collected_lines(dataset_dir, db):
    # the manual postcalc line is invoiced on its own (project_invoice exists): only the course
    # line is collected and needs collective_invoice
    master = without_type(collecting_master("postcalc,courses"), "collective_invoice")
    master["projects"] = [project("P1")]
    master["courses"] = [course("C1")]
    write_dataset(dataset_dir, master, postcalc_lines=[postcalc_line("PC1", manual="true")],
                  course_lines=[course_line("K1")])
    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)
    assert error.value.messages == [
        "administration NL01: 1 line(s) of course_lines are collected (collective invoicing) "
        "but there is no integration type collective_invoice"]


def test_check_command_prints_the_missing_type_and_exits_2(dataset_dir):
    master = without_type(base_master(), "subscription_invoice")
    master["subscriptions"] = [subscription("S1")]
    write_dataset(dataset_dir, master, subscription_lines=[subscription_line("A1")])
    result = invoke("check", "--input", dataset_dir)
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        "administration NL01: 1 line(s) of subscription_lines to invoice but there is no "
        "integration type subscription_invoice"]


def test_subscription_line_with_a_stock_article_group_is_a_configuration_error(dataset_dir, db):
    # §4: subscription article groups must not contain stock items
    master = base_master()
    master["article_groups"][0]["contains_stock_items"] = "true"  # GOODS
    master["subscriptions"] = [subscription("S1")]
    write_dataset(dataset_dir, master,
                  subscription_lines=[subscription_line("A1", article_group="GOODS")])
    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)
    assert len(error.value.messages) == 1
    assert error.value.messages[0].startswith(
        "administration NL01: article group GOODS contains stock items but is used by subscriptions")
    assert count_rows(db, "invoices") == 0


def test_subscription_item_with_a_stock_article_group_is_a_configuration_error(dataset_dir):
    master = base_master()
    master["article_groups"][0]["contains_stock_items"] = "true"  # GOODS
    master["subscriptions"] = [subscription("S1")]
    master["subscription_items"] = [dict(
        subscription_id="S1", item_code="ABO", article_group="GOODS", description="abo",
        quantity="1", unit_price="10", vat_code="H", frequency="month", start_date="2026-10-01")]
    write_dataset(dataset_dir, master)
    faults = check_configuration(dataset_dir)
    assert len(faults) == 1
    assert faults[0].startswith(
        "administration NL01: article group GOODS contains stock items but is used by subscriptions")


def test_stock_article_group_not_used_by_subscriptions_is_fine(dataset_dir, db):
    master = base_master()
    master["article_groups"][0]["contains_stock_items"] = "true"  # GOODS
    master["subscriptions"] = [subscription("S1")]
    write_dataset(dataset_dir, master, subscription_lines=[subscription_line("A1")])  # SERV
    assert check_configuration(dataset_dir) == []


# --- master references ------------------------------------------------------------------------------


@pytest.mark.parametrize("key, row", [
    ("projects", project("P1", admin_id="XX")),
    ("subscriptions", subscription("S1", admin_id="XX")),
    ("courses", course("C1", admin_id="XX")),
])
def test_master_row_in_an_unknown_administration(dataset_dir, key, row):
    master = base_master()
    master[key] = [row]
    write_dataset(dataset_dir, master)
    faults = check_configuration(dataset_dir)
    assert len(faults) == 1
    assert "administration XX does not exist" in faults[0]


def test_subscription_with_an_unknown_project(dataset_dir, db):
    master = base_master()
    master["projects"] = [project("P1")]
    master["subscriptions"] = [subscription("S1", project_id="P9")]
    write_dataset(dataset_dir, master, subscription_lines=[subscription_line("A1")])
    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)
    assert error.value.messages == ["subscriptions: subscription S1: project P9 does not exist"]
    assert count_rows(db, "invoices") == 0


def test_duplicated_project_id(dataset_dir):
    master = base_master()
    master["projects"] = [project("P1"), project("P1", description="again")]
    write_dataset(dataset_dir, master)
    assert check_configuration(dataset_dir) == ["projects: project P1 is defined 2 times"]


# --- rejected lines: cross-table checks ----------------------------------------------------------


@pytest.mark.parametrize("table, builder, key, row, bad, column, check", [
    ("postcalc_lines", postcalc_line, "projects", project("P1"), dict(project_id="P9"),
     "project_id", "known_project"),
    ("installment_lines", installment_line, "projects", project("P1"), dict(project_id="P9"),
     "project_id", "known_project"),
    ("subscription_lines", subscription_line, "subscriptions", subscription("S1"),
     dict(subscription_id="S9"), "subscription_id", "known_subscription"),
    ("course_lines", course_line, "courses", course("C1"), dict(course_id="C9"),
     "course_id", "known_course"),
    ("course_lines", course_line, "courses", course("C1"), dict(debtor_id="99999"),
     "debtor_id", "known_debtor"),
    ("postcalc_lines", postcalc_line, "projects", project("P1"), dict(line_date="2026-02-30"),
     "line_date", "iso_date"),
    ("subscription_lines", subscription_line, "subscriptions", subscription("S1"),
     dict(period_start="01-10-2026"), "period_start", "iso_date"),
])
def test_bad_line_is_quarantined_and_the_others_invoiced(dataset_dir, db, table, builder, key,
                                                         row, bad, column, check):
    # SPEC §1.2: bad rows are quarantined with a reason; the other lines go on
    master = base_master()
    master[key] = [row]
    write_dataset(dataset_dir, master, **{table: [builder("X1"), builder("X2", **bad)]})
    run(dataset_dir, db)
    assert query(db, REJECTED) == [(table, "X2", 2, column, check, next(iter(bad.values())))]
    assert query(db, "SELECT line_id, status FROM billable_lines ORDER BY 1") == [
        ("X1", "invoiced"), ("X2", "rejected")]
    assert query(db, "SELECT total_incl_vat FROM invoices") == [(D("121.00"),)]


# --- SPEC §6: project-based financial descriptions -----------------------------------------------


@pytest.mark.parametrize("option, expected", [
    ("source_project_description", "[pro] Nieuwbouw kantoor"),
    ("source_project_number_description", "[pro] P1 Nieuwbouw kantoor"),
    ("source_project_phase_description", "[pro] P1 F02 Ontwerp"),
    ("source_debtor_number_name", "[pro] 10001 - Jansen Installatie BV"),
    # 2026-10-15 is the Thursday of ISO week 42 (week 43 starts on Monday 2026-10-19)
    ("source_delivery_week", "[pro] week 2026-42"),
])
def test_project_invoice_descriptions(dataset_dir, db, option, expected):
    master = set_description(base_master(), "project_invoice", option)
    master["projects"] = [project("P1", description="Nieuwbouw kantoor")]
    master["project_phases"] = [dict(project_id="P1", phase_id="F01", description="Schetsen"),
                                dict(project_id="P1", phase_id="F02", description="Ontwerp")]
    write_dataset(dataset_dir, master, postcalc_lines=[
        postcalc_line("PC1", phase_id="F02"), postcalc_line("PC2", phase_id="F02")])
    run(dataset_dir, db)
    assert query(db, "SELECT description FROM invoices") == [(expected,)]
    assert query(db, "SELECT DISTINCT description, source FROM journal_entries") == [
        (expected, "pro")]


def test_collective_invoice_of_two_projects_falls_back_to_the_debtor_name(dataset_dir, db):
    # §6: a project-based option that cannot name one project → source_debtor_name;
    # per_concept_debtor puts P1 and P2 on one collective invoice (vzf)
    master = collecting_master("postcalc,installments", method="per_concept_debtor")
    set_description(master, "collective_invoice", "source_project_description")
    master["projects"] = [project("P1"), project("P2")]
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", "P1"), postcalc_line("PC2", "P2")])
    run(dataset_dir, db)
    assert query(db, "SELECT is_collective, description FROM invoices") == [
        (True, "[vzf] Jansen Installatie BV")]


def test_course_invoice_with_a_project_option_falls_back_to_the_debtor_name(dataset_dir, db):
    master = set_description(base_master(), "course_invoice", "source_project_phase_description")
    master["courses"] = [course("C1")]
    write_dataset(dataset_dir, master, course_lines=[course_line("K1", debtor_id="10002")])
    run(dataset_dir, db)
    assert query(db, "SELECT description FROM invoices") == [("[crm] De Vries Bouw",)]


def test_subscription_delivery_week_uses_the_line_date(dataset_dir, db):
    # §6 source_delivery_week: line_date for non-order sources; 2026-10-01 is in ISO week 40
    master = set_description(base_master(), "subscription_invoice", "source_delivery_week")
    master["subscriptions"] = [subscription("S1")]
    write_dataset(dataset_dir, master, subscription_lines=[subscription_line("A1")])
    run(dataset_dir, db)
    assert query(db, "SELECT description FROM invoices") == [("[abo] week 2026-40",)]
