"""SPEC §8 "Collective invoices (verzamelfacturen)", with §4 (administration, journal), §6
(description) and §9 (amounts, entry) as they apply to a collective invoice.

Every case is a handful of lines whose grouping is worked out by hand in the comments. Line ids
are unique across the tables (PC… postcalc, IN… installments, SU… subscriptions, CO… courses,
OR… orders) so that an invoice can be named by the set of its line ids.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from builders import (
    base_master,
    count_rows,
    course,
    course_line,
    installment_line,
    integration_type,
    order_line,
    postcalc_line,
    profile,
    project,
    query,
    run,
    subscription,
    subscription_line,
    with_be01,
    write_dataset,
)

from flows.parameters import RunParameters
from flows.pipeline import pro_forma
from transforms.validate import ConfigurationError

ALL_FOUR = "postcalc,subscriptions,installments,courses"
COLLECTIVE_DESCRIPTION = "[vzf] Verzamelfactuur"


# --- helpers -------------------------------------------------------------------------------------


def collective_master(*profiles: dict, profile_of: dict[str, str] | None = None,
                      projects=(), subscriptions=(), courses=()) -> dict:
    """base_master with the given profiles, debtors' profile_id (debtor → profile) and the
    projects / subscriptions / courses master rows."""
    master = base_master()
    master["sales_relation_profiles"] = list(profiles)
    for row in master["debtors"]:
        row["profile_id"] = (profile_of or {}).get(row["debtor_id"], "")
    master["projects"] = list(projects)
    master["subscriptions"] = list(subscriptions)
    master["courses"] = list(courses)
    return master


def invoices_by_lines(db) -> dict[frozenset, tuple]:
    """{frozenset of line ids: (integration_type, is_collective, sources, admin_id)}."""
    rows = query(db, """
        SELECT i.invoice_number, i.integration_type, i.is_collective, i.sources, i.admin_id,
               list(l.line_id)
        FROM invoices AS i JOIN invoice_lines AS l USING (invoice_number)
        GROUP BY ALL""")
    out = {frozenset(lines): (kind, collective, sources, admin)
           for _, kind, collective, sources, admin, lines in rows}
    assert len(out) == len(rows)
    return out


def groups(db) -> set[frozenset]:
    """The invoices as sets of line ids."""
    return set(invoices_by_lines(db))


def fs(*line_ids: str) -> frozenset:
    return frozenset(line_ids)


def lines_agree_with_invoices(db) -> None:
    """billable_lines: every line invoiced, its collect_key and is_collective those of its
    invoice (SPEC §11)."""
    assert query(db, """
        SELECT b.source, b.line_id, b.status, b.collect_key, i.collect_key,
               b.is_collective, i.is_collective
        FROM billable_lines AS b LEFT JOIN invoices AS i USING (invoice_number)
        WHERE b.status <> 'invoiced' OR b.collect_key IS NULL
           OR b.collect_key IS DISTINCT FROM i.collect_key
           OR b.is_collective IS DISTINCT FROM i.is_collective""") == []


# --- method × period -----------------------------------------------------------------------------

# Debtor 10001, profile collecting all four sources. Project PA has invoice_separately, PB not;
# course C1 and subscription S1 have no project. ISO weeks / 4-week blocks / months:
#   IN1 2026-09-30  w40 b10 2026-09   (installment of PB)
#   SU1 2026-10-01  w40 b10 2026-10   (subscription S1)
#   PC1 2026-10-05  w41 b11 2026-10   (postcalc of PA, invoice_separately)
#   PC2 2026-10-05  w41 b11 2026-10   (postcalc of PB)
#   PC3 2026-10-12  w42 b11 2026-10   (postcalc of PB)
#   CO1 2026-10-12  w42 b11 2026-10   (course C1)
# Method key: per_sales_relation → PC1 "PA", all others "debtor"; per_project → PC1 PA,
# PC2/PC3/IN1 PB, CO1/SU1 "no project"; per_concept_debtor → all "debtor".
# An invoice = lines with equal (method key, period key).
METHOD_PERIOD_CASES = {
    ("per_sales_relation", "none"): [{"PC1"}, {"PC2", "PC3", "CO1", "SU1", "IN1"}],
    ("per_sales_relation", "month"): [{"PC1"}, {"IN1"}, {"PC2", "PC3", "CO1", "SU1"}],
    ("per_sales_relation", "week"): [{"PC1"}, {"PC2"}, {"PC3", "CO1"}, {"SU1", "IN1"}],
    ("per_sales_relation", "four_weeks"): [{"PC1"}, {"SU1", "IN1"}, {"PC2", "PC3", "CO1"}],
    ("per_project", "none"): [{"PC1"}, {"PC2", "PC3", "IN1"}, {"CO1", "SU1"}],
    ("per_project", "month"): [{"PC1"}, {"PC2", "PC3"}, {"IN1"}, {"CO1", "SU1"}],
    ("per_project", "week"): [{"PC1"}, {"PC2"}, {"PC3"}, {"IN1"}, {"CO1"}, {"SU1"}],
    ("per_project", "four_weeks"): [{"PC1"}, {"PC2", "PC3"}, {"IN1"}, {"CO1"}, {"SU1"}],
    ("per_concept_debtor", "none"): [{"PC1", "PC2", "PC3", "CO1", "SU1", "IN1"}],
    ("per_concept_debtor", "month"): [{"IN1"}, {"PC1", "PC2", "PC3", "CO1", "SU1"}],
    ("per_concept_debtor", "week"): [{"PC1", "PC2"}, {"PC3", "CO1"}, {"SU1", "IN1"}],
    ("per_concept_debtor", "four_weeks"): [{"SU1", "IN1"}, {"PC1", "PC2", "PC3", "CO1"}],
}

ALL_SOURCES_OF = {"PC": "postcalc_lines", "IN": "installment_lines",
                  "SU": "subscription_lines", "CO": "course_lines"}


@pytest.mark.parametrize("method, period", sorted(METHOD_PERIOD_CASES))
def test_method_and_period_split_the_collected_lines(dataset_dir, db, method, period):
    # SPEC §8 Method and Period: one invoice per (administration, debtor, method key, period key)
    master = collective_master(
        profile("P", collect=ALL_FOUR, method=method, period=period), profile_of={"10001": "P"},
        projects=[project("PA", invoice_separately="true"), project("PB")],
        subscriptions=[subscription("S1")], courses=[course("C1")])
    write_dataset(
        dataset_dir, master,
        installment_lines=[installment_line("IN1", "PB", "T1", line_date="2026-09-30")],
        subscription_lines=[subscription_line("SU1", "S1", line_date="2026-10-01")],
        postcalc_lines=[postcalc_line("PC1", "PA", line_date="2026-10-05"),
                        postcalc_line("PC2", "PB", line_date="2026-10-05"),
                        postcalc_line("PC3", "PB", line_date="2026-10-12")],
        course_lines=[course_line("CO1", "C1", line_date="2026-10-12")],
    )
    run(dataset_dir, db)
    expected = {frozenset(g) for g in METHOD_PERIOD_CASES[(method, period)]}
    invoices = invoices_by_lines(db)
    assert set(invoices) == expected
    for members, (kind, collective, sources, admin) in invoices.items():
        # every one is a collective invoice, also one with lines of a single source
        want_sources = ",".join(sorted({ALL_SOURCES_OF[m[:2]] for m in members}))
        assert (kind, collective, sources, admin) == (
            "collective_invoice", True, want_sources, "NL01"), members
    assert query(db, "SELECT DISTINCT description, journal_code FROM invoices") == [
        (COLLECTIVE_DESCRIPTION, "VK")]
    # numbers 1001.. without gaps, one per invoice
    assert sorted(n for (n,) in query(db, "SELECT invoice_number FROM invoices")) == [
        str(1001 + k) for k in range(len(expected))]
    lines_agree_with_invoices(db)


# --- exclusions ----------------------------------------------------------------------------------


def test_manual_lines_are_not_collected(dataset_dir, db):
    # SPEC §8: a manual line is excluded from collecting and invoiced on its own (postcalc: per
    # debtor and project); the other two lines form the collective invoice
    master = collective_master(profile("P", collect="postcalc,courses"), profile_of={"10001": "P"},
                               projects=[project("P1")], courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", manual="true"), postcalc_line("PC2")],
                  course_lines=[course_line("CO1")])
    run(dataset_dir, db)
    assert invoices_by_lines(db) == {
        fs("PC1"): ("project_invoice", False, "postcalc_lines", "NL01"),
        fs("PC2", "CO1"): ("collective_invoice", True, "course_lines,postcalc_lines", "NL01"),
    }
    assert query(db, "SELECT line_id, is_collective FROM billable_lines ORDER BY 1") == [
        ("CO1", True), ("PC1", False), ("PC2", True)]
    lines_agree_with_invoices(db)


def test_a_project_excluded_from_collecting_keeps_its_lines_apart(dataset_dir, db):
    # SPEC §8: project PX has exclude_from_collective: its postcalc line (per debtor+project), its
    # installment line (per debtor+project+installment) and the line of subscription S1 that
    # belongs to PX (per debtor+subscription) are each invoiced on their own. PC2 (project P1) and
    # CO1 are collected together.
    master = collective_master(
        profile("P", collect=ALL_FOUR), profile_of={"10001": "P"},
        projects=[project("PX", exclude_from_collective="true"), project("P1")],
        subscriptions=[subscription("S1", project_id="PX")], courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", "PX"), postcalc_line("PC2", "P1")],
                  installment_lines=[installment_line("IN1", "PX", "T1")],
                  subscription_lines=[subscription_line("SU1", "S1")],
                  course_lines=[course_line("CO1")])
    run(dataset_dir, db)
    assert invoices_by_lines(db) == {
        fs("PC1"): ("project_invoice", False, "postcalc_lines", "NL01"),
        fs("IN1"): ("project_invoice", False, "installment_lines", "NL01"),
        fs("SU1"): ("subscription_invoice", False, "subscription_lines", "NL01"),
        fs("PC2", "CO1"): ("collective_invoice", True, "course_lines,postcalc_lines", "NL01"),
    }
    lines_agree_with_invoices(db)


def test_an_installment_line_excluded_from_collecting(dataset_dir, db):
    # SPEC §8: installment line IN1 carries exclude_from_collective itself: it gets its own
    # project invoice; IN2 of the same project and installment is collected with PC1
    master = collective_master(profile("P", collect="postcalc,installments"),
                               profile_of={"10001": "P"}, projects=[project("P1")])
    write_dataset(dataset_dir, master,
                  installment_lines=[installment_line("IN1", exclude_from_collective="true"),
                                     installment_line("IN2")],
                  postcalc_lines=[postcalc_line("PC1")])
    run(dataset_dir, db)
    assert invoices_by_lines(db) == {
        fs("IN1"): ("project_invoice", False, "installment_lines", "NL01"),
        fs("IN2", "PC1"): ("collective_invoice", True, "installment_lines,postcalc_lines", "NL01"),
    }


def test_a_subscription_excluded_from_collecting(dataset_dir, db):
    # SPEC §8: subscription S2 has exclude_from_collective: SU2 is a subscription invoice of its
    # own; SU1 (subscription S1) is collected with the course line
    master = collective_master(
        profile("P", collect="subscriptions,courses"), profile_of={"10001": "P"},
        subscriptions=[subscription("S1"), subscription("S2", exclude_from_collective="true")],
        courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  subscription_lines=[subscription_line("SU1", "S1"),
                                      subscription_line("SU2", "S2")],
                  course_lines=[course_line("CO1")])
    run(dataset_dir, db)
    assert invoices_by_lines(db) == {
        fs("SU2"): ("subscription_invoice", False, "subscription_lines", "NL01"),
        fs("SU1", "CO1"): ("collective_invoice", True, "course_lines,subscription_lines", "NL01"),
    }


def test_a_course_excluded_from_collecting(dataset_dir, db):
    # SPEC §8: course C2 has exclude_from_collective: CO2 is a course invoice of its own; CO1 is
    # collected with the postcalc line
    master = collective_master(
        profile("P", collect="postcalc,courses"), profile_of={"10001": "P"},
        projects=[project("P1")],
        courses=[course("C1"), course("C2", exclude_from_collective="true")])
    write_dataset(dataset_dir, master,
                  course_lines=[course_line("CO1", "C1"), course_line("CO2", "C2")],
                  postcalc_lines=[postcalc_line("PC1")])
    run(dataset_dir, db)
    assert invoices_by_lines(db) == {
        fs("CO2"): ("course_invoice", False, "course_lines", "NL01"),
        fs("CO1", "PC1"): ("collective_invoice", True, "course_lines,postcalc_lines", "NL01"),
    }


# --- which profiles collect ----------------------------------------------------------------------


def test_a_profile_with_one_collect_flag_collects_nothing(dataset_dir, db):
    # SPEC §8: combining needs at least two flags; with only collect_postcalc the lines are
    # invoiced per source as usual: postcalc per (debtor, project), course per (debtor, course)
    master = collective_master(profile("ONE", collect="postcalc"), profile_of={"10001": "ONE"},
                               projects=[project("P1"), project("P2")], courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", "P1"), postcalc_line("PC2", "P1"),
                                  postcalc_line("PC3", "P2")],
                  course_lines=[course_line("CO1")])
    run(dataset_dir, db)
    assert invoices_by_lines(db) == {
        fs("PC1", "PC2"): ("project_invoice", False, "postcalc_lines", "NL01"),
        fs("PC3"): ("project_invoice", False, "postcalc_lines", "NL01"),
        fs("CO1"): ("course_invoice", False, "course_lines", "NL01"),
    }
    assert query(db, "SELECT count(*) FROM billable_lines WHERE is_collective") == [(0,)]


def test_only_the_enabled_sources_are_collected_and_orders_never(dataset_dir, db):
    # SPEC §8: two flags (postcalc, courses) combine; the subscription line (flag off) gets its own
    # subscription invoice, and an order line is never collected
    master = collective_master(profile("P", collect="postcalc,courses"), profile_of={"10001": "P"},
                               projects=[project("P1")], subscriptions=[subscription("S1")],
                               courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1")], course_lines=[course_line("CO1")],
                  subscription_lines=[subscription_line("SU1")],
                  order_lines=[order_line("OR1")])
    run(dataset_dir, db)
    assert invoices_by_lines(db) == {
        fs("PC1", "CO1"): ("collective_invoice", True, "course_lines,postcalc_lines", "NL01"),
        fs("SU1"): ("subscription_invoice", False, "subscription_lines", "NL01"),
        fs("OR1"): ("sales_invoice", False, "order_lines", "NL01"),
    }


def test_a_collective_invoice_with_one_source_is_still_collective(dataset_dir, db):
    # SPEC §8: collected postcalc lines of two projects (per_sales_relation, no split) make one
    # collective invoice although the course flag has no lines
    master = collective_master(profile("P", collect="postcalc,courses"), profile_of={"10001": "P"},
                               projects=[project("P1"), project("P2")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", "P1"), postcalc_line("PC2", "P2")])
    run(dataset_dir, db)
    assert invoices_by_lines(db) == {
        fs("PC1", "PC2"): ("collective_invoice", True, "postcalc_lines", "NL01"),
    }
    assert query(db, "SELECT description FROM invoices") == [(COLLECTIVE_DESCRIPTION,)]


def test_a_debtor_without_profile_uses_the_default_profile(dataset_dir, db):
    # SPEC §8: 10002 has no profile_id and the table has '*****' (postcalc + courses): its two
    # lines are collected. 10001 has its own profile with one flag: it does not fall back to '*****'
    # Numbering (§5): ordered by debtor, so 10001's invoices get 1001/1002 and 10002's 1003.
    master = collective_master(profile("ONE", collect="courses"),
                               profile("*****", collect="postcalc,courses"),
                               profile_of={"10001": "ONE"},
                               projects=[project("P1")], courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", debtor_id="10001"),
                                  postcalc_line("PC2", debtor_id="10002")],
                  course_lines=[course_line("CO1", debtor_id="10001"),
                                course_line("CO2", debtor_id="10002")])
    run(dataset_dir, db)
    assert invoices_by_lines(db) == {
        fs("PC1"): ("project_invoice", False, "postcalc_lines", "NL01"),
        fs("CO1"): ("course_invoice", False, "course_lines", "NL01"),
        fs("PC2", "CO2"): ("collective_invoice", True, "course_lines,postcalc_lines", "NL01"),
    }
    assert query(db, "SELECT debtor_id, invoice_number FROM invoices WHERE is_collective") == [
        ("10002", "1003")]


def test_without_a_default_profile_a_debtor_without_profile_collects_nothing(dataset_dir, db):
    # SPEC §8: no '*****' row: 10002 (no profile_id) gets a project and a course invoice while
    # 10001 (profile P) gets one collective invoice
    master = collective_master(profile("P", collect="postcalc,courses"), profile_of={"10001": "P"},
                               projects=[project("P1")], courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", debtor_id="10001"),
                                  postcalc_line("PC2", debtor_id="10002")],
                  course_lines=[course_line("CO1", debtor_id="10001"),
                                course_line("CO2", debtor_id="10002")])
    run(dataset_dir, db)
    assert invoices_by_lines(db) == {
        fs("PC1", "CO1"): ("collective_invoice", True, "course_lines,postcalc_lines", "NL01"),
        fs("PC2"): ("project_invoice", False, "postcalc_lines", "NL01"),
        fs("CO2"): ("course_invoice", False, "course_lines", "NL01"),
    }


def test_lines_of_two_debtors_are_never_combined(dataset_dir, db):
    # SPEC §8: one invoice per debtor, even per_concept_debtor without a period
    master = collective_master(profile("P", collect="postcalc,courses",
                                       method="per_concept_debtor"),
                               profile_of={"10001": "P", "10002": "P"},
                               projects=[project("P1")], courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", debtor_id="10001"),
                                  postcalc_line("PC2", debtor_id="10002")],
                  course_lines=[course_line("CO1", debtor_id="10002")])
    run(dataset_dir, db)
    assert groups(db) == {fs("PC1"), fs("PC2", "CO1")}
    assert query(db, "SELECT debtor_id, invoice_number FROM invoices ORDER BY 1") == [
        ("10001", "1001"), ("10002", "1002")]


# --- invoice_separately --------------------------------------------------------------------------


@pytest.mark.parametrize("method, expected", [
    # per_sales_relation: PA (invoice_separately) gets its own invoice, with both its sources
    ("per_sales_relation", {fs("PCA", "INA"), fs("PCB", "CO1")}),
    # per_concept_debtor ignores invoice_separately: everything on one invoice
    ("per_concept_debtor", {fs("PCA", "INA", "PCB", "CO1")}),
    # per_project: one per project, the course (no project) apart
    ("per_project", {fs("PCA", "INA"), fs("PCB"), fs("CO1")}),
])
def test_invoice_separately(dataset_dir, db, method, expected):
    master = collective_master(
        profile("P", collect="postcalc,installments,courses", method=method),
        profile_of={"10001": "P"},
        projects=[project("PA", invoice_separately="true"), project("PB")],
        courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PCA", "PA"), postcalc_line("PCB", "PB")],
                  installment_lines=[installment_line("INA", "PA", "T1")],
                  course_lines=[course_line("CO1")])
    run(dataset_dir, db)
    assert groups(db) == expected
    assert query(db, "SELECT DISTINCT integration_type, is_collective FROM invoices") == [
        ("collective_invoice", True)]


def test_invoice_separately_for_a_subscription_of_that_project(dataset_dir, db):
    # per_sales_relation: subscription S1 belongs to project PA (invoice_separately), so its line
    # joins PA's own invoice; the course line is on the debtor's other invoice
    master = collective_master(
        profile("P", collect=ALL_FOUR), profile_of={"10001": "P"},
        projects=[project("PA", invoice_separately="true")],
        subscriptions=[subscription("S1", project_id="PA")], courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PCA", "PA")],
                  subscription_lines=[subscription_line("SU1", "S1")],
                  course_lines=[course_line("CO1")])
    run(dataset_dir, db)
    assert groups(db) == {fs("PCA", "SU1"), fs("CO1")}


# --- period edges --------------------------------------------------------------------------------


def test_four_weeks_splits_week_4_from_week_5(dataset_dir, db):
    # SPEC §8 four_weeks: 2026-01-25 (Sunday) is ISO week 4 (block 1), 2026-01-26 (Monday) is
    # week 5 (block 2): two invoices although the month is the same
    master = collective_master(profile("P", collect="postcalc,courses", period="four_weeks"),
                               profile_of={"10001": "P"},
                               projects=[project("P1")], courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", line_date="2026-01-25")],
                  course_lines=[course_line("CO1", line_date="2026-01-26")])
    run(dataset_dir, db, period="2026-01")
    assert groups(db) == {fs("PC1"), fs("CO1")}


def test_four_weeks_week_53_joins_week_52_but_not_next_years_week_1(dataset_dir, db):
    # SPEC §8 four_weeks: week 53 joins the last block (49–52). 2026-12-21 is week 52 and
    # 2027-01-03 (Sunday) week 53 of 2026: one invoice, across the calendar year. 2027-01-04
    # (Monday) is week 1 of 2027, block 1 of 2027: apart.
    master = collective_master(profile("P", collect="postcalc,courses", period="four_weeks"),
                               profile_of={"10001": "P"},
                               projects=[project("P1")], courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", line_date="2026-12-21"),
                                  postcalc_line("PC2", line_date="2027-01-04")],
                  course_lines=[course_line("CO1", line_date="2027-01-03")])
    run(dataset_dir, db, period="2027-01")
    assert groups(db) == {fs("PC1", "CO1"), fs("PC2")}


def test_week_uses_the_iso_week_across_the_year_end(dataset_dir, db):
    # SPEC §8 week: 2026-12-28 and 2027-01-03 are both ISO week 2026-W53: one invoice;
    # 2026-12-27 is week 52 and 2027-01-04 week 2027-W01: each apart
    master = collective_master(profile("P", collect="postcalc,courses", period="week"),
                               profile_of={"10001": "P"},
                               projects=[project("P1")], courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", line_date="2026-12-27"),
                                  postcalc_line("PC2", line_date="2026-12-28")],
                  course_lines=[course_line("CO1", line_date="2027-01-03"),
                                course_line("CO2", line_date="2027-01-04")])
    run(dataset_dir, db, period="2027-01")
    assert groups(db) == {fs("PC1"), fs("PC2", "CO1"), fs("CO2")}


def test_month_uses_the_calendar_month(dataset_dir, db):
    # SPEC §8 month: 2026-12-31 and 2027-01-01 are in one ISO week but two months: apart;
    # 2027-01-01 and 2027-01-31 are one month: together
    master = collective_master(profile("P", collect="postcalc,courses", period="month"),
                               profile_of={"10001": "P"},
                               projects=[project("P1")], courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", line_date="2026-12-31"),
                                  postcalc_line("PC2", line_date="2027-01-01")],
                  course_lines=[course_line("CO1", line_date="2027-01-31")])
    run(dataset_dir, db, period="2027-01")
    assert groups(db) == {fs("PC1"), fs("PC2", "CO1")}


def test_collected_lines_after_the_reference_date_stay_open(dataset_dir, db):
    # SPEC §8: only lines dated on or before the reference date (2026-10-31) are invoiced; the
    # later course line stays open and the collective invoice has the postcalc line alone
    master = collective_master(profile("P", collect="postcalc,courses"), profile_of={"10001": "P"},
                               projects=[project("P1")], courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", line_date="2026-10-31")],
                  course_lines=[course_line("CO1", line_date="2026-11-01")])
    run(dataset_dir, db)
    assert groups(db) == {fs("PC1")}
    assert query(db, "SELECT line_id, status, invoice_number FROM billable_lines ORDER BY 1") == [
        ("CO1", "open", None), ("PC1", "invoiced", "1001")]


# --- administrations and journals ----------------------------------------------------------------


def test_lines_of_two_administrations_are_never_on_one_invoice(dataset_dir, db):
    # SPEC §8: project PB is BE01's, course C1 NL01's: per_concept_debtor without a period still
    # makes one collective invoice per administration, each in its administration's journal
    master = with_be01(collective_master(
        profile("P", collect="postcalc,courses", method="per_concept_debtor"),
        profile_of={"10001": "P"},
        projects=[project("PB", admin_id="BE01")], courses=[course("C1")]))
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", "PB")],
                  course_lines=[course_line("CO1", "C1")])
    run(dataset_dir, db)
    assert invoices_by_lines(db) == {
        fs("PC1"): ("collective_invoice", True, "postcalc_lines", "BE01"),
        fs("CO1"): ("collective_invoice", True, "course_lines", "NL01"),
    }
    assert query(db, "SELECT admin_id, journal_code, invoice_number FROM invoices ORDER BY 1") == [
        ("BE01", "VKB", "B1"), ("NL01", "VK", "1001")]
    # each entry in its own administration
    assert query(db, """SELECT DISTINCT i.admin_id, e.admin_id FROM invoices AS i
                        JOIN journal_entries AS e USING (invoice_number) ORDER BY 1""") == [
        ("BE01", "BE01"), ("NL01", "NL01")]


def test_subscription_administration_in_a_collective_invoice(dataset_dir, db):
    # SPEC §4: subscription S1 has project PB (BE01) → BE01; S2 its own admin BE01; S3 neither →
    # default_admin NL01. With everything collected on one invoice per administration:
    master = with_be01(collective_master(
        profile("P", collect="subscriptions,courses"), profile_of={"10001": "P"},
        projects=[project("PB", admin_id="BE01")],
        subscriptions=[subscription("S1", project_id="PB"), subscription("S2", admin_id="BE01"),
                       subscription("S3")],
        courses=[course("C1", admin_id="BE01")]))
    write_dataset(dataset_dir, master,
                  subscription_lines=[subscription_line("SU1", "S1"),
                                      subscription_line("SU2", "S2"),
                                      subscription_line("SU3", "S3")],
                  course_lines=[course_line("CO1", "C1")])
    run(dataset_dir, db)
    assert invoices_by_lines(db) == {
        fs("SU1", "SU2", "CO1"): ("collective_invoice", True, "course_lines,subscription_lines",
                                  "BE01"),
        fs("SU3"): ("collective_invoice", True, "subscription_lines", "NL01"),
    }


def test_collective_journal_comes_from_the_collective_invoice_type(dataset_dir, db):
    # SPEC §4/§8: the collective invoice uses the collective_invoice type's journal (VKZ, prefix
    # Z); the not collected manual line stays in the project_invoice type's journal VK
    master = collective_master(profile("P", collect="postcalc,courses"), profile_of={"10001": "P"},
                               projects=[project("P1")], courses=[course("C1")])
    master["journals"].append(dict(admin_id="NL01", journal_code="VKZ", journal_type="sales",
                                   description="Verzamel", last_invoice_number="0",
                                   number_prefix="Z"))
    master["integration_types"] = [
        row if row["integration_type"] != "collective_invoice"
        else integration_type("collective_invoice", "VKZ", credit_journal_code="VKC")
        for row in master["integration_types"]]
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1"), postcalc_line("PC2", manual="true")],
                  course_lines=[course_line("CO1")])
    run(dataset_dir, db)
    assert query(db, """SELECT i.invoice_number, i.journal_code, i.is_collective,
                               list(l.line_id ORDER BY l.line_id)
                        FROM invoices AS i JOIN invoice_lines AS l USING (invoice_number)
                        GROUP BY ALL ORDER BY 1""") == [
        ("1001", "VK", False, ["PC2"]), ("Z1", "VKZ", True, ["CO1", "PC1"])]


def test_profile_invoice_journal_overrides_for_collective_invoices(dataset_dir, db):
    # SPEC §4: the profile's invoice_journal_code (VKP, prefix P) overrides the type's journal
    master = collective_master(
        profile("P", collect="postcalc,courses", invoice_journal_code="VKP"),
        profile_of={"10001": "P"}, projects=[project("P1")], courses=[course("C1")])
    master["journals"].append(dict(admin_id="NL01", journal_code="VKP", journal_type="sales",
                                   description="Profiel", last_invoice_number="0",
                                   number_prefix="P"))
    write_dataset(dataset_dir, master, postcalc_lines=[postcalc_line("PC1")],
                  course_lines=[course_line("CO1")])
    run(dataset_dir, db)
    assert query(db, "SELECT invoice_number, journal_code, is_collective FROM invoices") == [
        ("P1", "VKP", True)]


# --- amounts, entry, views -----------------------------------------------------------------------


def test_collective_invoice_totals_and_balanced_entry(dataset_dir, db):
    # SPEC §9 on a collective invoice of three sources:
    #   PC1 1 × 2.50 H SERV (8100) = 2.50
    #   IN1 1 × 2.50 H SERV (8100) = 2.50
    #   CO1 3 × 12.345 L GOODS (8000) = 37.035 → 37.04 (half-up)
    # VAT per invoice and code, rounded once: H 5.00 × 0.21 = 1.05 (per line it would be
    # 0.53 + 0.53 = 1.06); L 37.04 × 0.09 = 3.3336 → 3.33.
    # total_excl_vat 42.04, vat_amount 4.38, total_incl_vat 46.42.
    master = collective_master(profile("P", collect="postcalc,installments,courses"),
                               profile_of={"10001": "P"}, projects=[project("P1")],
                               courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", unit_price="2.50")],
                  installment_lines=[installment_line("IN1", unit_price="2.50")],
                  course_lines=[course_line("CO1", quantity="3", unit_price="12.345",
                                            vat_code="L", article_group="GOODS")])
    run(dataset_dir, db)
    assert query(db, """SELECT invoice_number, integration_type, is_collective, sources,
                               total_excl_vat, vat_amount, total_incl_vat, description
                        FROM invoices""") == [
        ("1001", "collective_invoice", True, "course_lines,installment_lines,postcalc_lines",
         Decimal("42.04"), Decimal("4.38"), Decimal("46.42"), COLLECTIVE_DESCRIPTION)]
    assert query(db, "SELECT line_id, amount, account FROM invoice_lines ORDER BY 1") == [
        ("CO1", Decimal("37.04"), "8000"), ("IN1", Decimal("2.50"), "8100"),
        ("PC1", Decimal("2.50"), "8100")]
    # one entry in VK: debtor debit 46.42 on 1300; revenue per (account, VAT code); VAT per code
    entry = query(db, """SELECT journal_code, account, debtor_id, vat_code, debit, credit,
                                description, source
                         FROM journal_entries ORDER BY debit DESC, account""")
    D = Decimal
    assert sorted(entry, key=lambda r: (r[1], str(r[3]))) == sorted([
        ("VK", "1300", "10001", None, D("46.42"), D("0"), COLLECTIVE_DESCRIPTION, "vzf"),
        ("VK", "8100", None, "H", D("0"), D("5.00"), COLLECTIVE_DESCRIPTION, "vzf"),
        ("VK", "8000", None, "L", D("0"), D("37.04"), COLLECTIVE_DESCRIPTION, "vzf"),
        ("VK", "1500", None, "H", D("0"), D("1.05"), COLLECTIVE_DESCRIPTION, "vzf"),
        ("VK", "1510", None, "L", D("0"), D("3.33"), COLLECTIVE_DESCRIPTION, "vzf"),
    ], key=lambda r: (r[1], str(r[3])))
    assert query(db, "SELECT count(DISTINCT entry_id), sum(debit), sum(credit) "
                     "FROM journal_entries") == [(1, D("46.42"), D("46.42"))]
    assert query(db, "SELECT invoice_number, debtor_id, amount, amount_open FROM open_items") == [
        ("1001", "10001", D("46.42"), D("46.42"))]


def test_cockpit_views_show_sources_and_collective(dataset_dir, db):
    # SPEC §11/§12: invoiced without journalising, both invoices are unprocessed; the cockpit
    # shows each invoice's sources and whether it is collective, and per line is_collective
    master = collective_master(profile("P", collect="postcalc,courses"), profile_of={"10001": "P"},
                               projects=[project("P1")], courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1")], course_lines=[course_line("CO1")],
                  order_lines=[order_line("OR1")])
    run(dataset_dir, db, journalize=False)
    # numbering: same date and debtor; order by collect_key/first line id is the product's, so
    # the rows are compared by their content
    expected = {
        ("collective_invoice", "course_lines,postcalc_lines", True, False),
        ("sales_invoice", "order_lines", False, False),
    }
    for view in ("cockpit_unprocessed_invoices", "cockpit_all_invoices"):
        assert set(query(db, f"SELECT integration_type, sources, is_collective, journalized "
                             f"FROM {view}")) == expected, view
    assert query(db, "SELECT line_id, is_collective, integration_type "
                     "FROM cockpit_all_invoice_lines ORDER BY 1") == [
        ("CO1", True, "collective_invoice"), ("OR1", False, "sales_invoice"),
        ("PC1", True, "collective_invoice")]
    assert query(db, "SELECT count(*) FROM journal_entries") == [(0,)]


def test_a_collective_credit_invoice_uses_the_credit_journal(dataset_dir, db):
    # SPEC §4/§9: a collective invoice whose total is negative is a credit invoice in the
    # collective_invoice type's credit journal (VKC, prefix C).
    #   PC1 credit: -2 × 100 = -200.00 on the credit account 8101 (SERV), H
    #   CO1:         1 × 100 =  100.00 on 8100, H
    # gross H -100.00, VAT -21.00, total_incl_vat -121.00
    master = collective_master(profile("P", collect="postcalc,courses"), profile_of={"10001": "P"},
                               projects=[project("P1")], courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", quantity="-2", is_credit="true")],
                  course_lines=[course_line("CO1")])
    run(dataset_dir, db)
    D = Decimal
    assert query(db, """SELECT invoice_number, journal_code, is_credit, is_collective,
                               total_excl_vat, vat_amount, total_incl_vat FROM invoices""") == [
        ("C1", "VKC", True, True, D("-100.00"), D("-21.00"), D("-121.00"))]
    assert sorted(query(db, "SELECT account, debit, credit FROM journal_entries")) == [
        ("1300", D("0"), D("121.00")), ("1500", D("21.00"), D("0")),
        ("8100", D("0"), D("100.00")), ("8101", D("200.00"), D("0"))]


@pytest.mark.parametrize("include_credit_lines, expected_groups, co2_status", [
    # SPEC §7/§8: a course credit line waits for include-credit-lines; the rest is collected
    (False, {fs("PC1", "CO1")}, "open"),
    (True, {fs("PC1", "CO1", "CO2")}, "invoiced"),
])
def test_course_credit_lines_join_the_collective_invoice_only_on_request(
        dataset_dir, db, include_credit_lines, expected_groups, co2_status):
    master = collective_master(profile("P", collect="postcalc,courses"), profile_of={"10001": "P"},
                               projects=[project("P1")], courses=[course("C1")])
    write_dataset(dataset_dir, master,
                  postcalc_lines=[postcalc_line("PC1", unit_price="300")],
                  course_lines=[course_line("CO1"),
                                course_line("CO2", quantity="-1", is_credit="true")])
    run(dataset_dir, db, include_credit_lines=include_credit_lines)
    assert groups(db) == expected_groups
    assert query(db, "SELECT status FROM billable_lines WHERE line_id = 'CO2'") == [(co2_status,)]


def test_collected_lines_are_invoiced_once_across_runs(dataset_dir, tmp_path, db):
    # SPEC §11: a line invoiced on a collective invoice stays on it; rerunning October makes no
    # new invoice, and November's run puts only the new line CO1 on a second collective invoice
    # (period none: the same collect group, but PC1 is already invoiced)
    master = collective_master(profile("P", collect="postcalc,courses"), profile_of={"10001": "P"},
                               projects=[project("P1")], courses=[course("C1")])
    lines = dict(postcalc_lines=[postcalc_line("PC1", line_date="2026-10-15")],
                 course_lines=[course_line("CO1", line_date="2026-11-10")])
    write_dataset(dataset_dir, master, **lines)
    run(dataset_dir, db, period="2026-10")
    run(dataset_dir, db, period="2026-10")
    assert query(db, "SELECT invoice_number, line_count FROM invoices") == [("1001", 1)]
    run(dataset_dir, db, period="2026-11")
    assert query(db, """SELECT line_id, invoice_number, run_id, is_collective
                        FROM billable_lines ORDER BY 1""") == [
        ("CO1", "1002", 3, True), ("PC1", "1001", 1, True)]
    assert query(db, "SELECT invoice_number, is_collective, sources FROM invoices ORDER BY 1") == [
        ("1001", True, "postcalc_lines"), ("1002", True, "course_lines")]


def test_collected_lines_need_a_collective_invoice_type(dataset_dir, db):
    # SPEC §3/§8: collected lines are journalised with the administration's collective_invoice
    # type; without one the run is a configuration error and writes nothing
    master = collective_master(profile("P", collect="postcalc,courses"), profile_of={"10001": "P"},
                               projects=[project("P1")], courses=[course("C1")])
    master["integration_types"] = [row for row in master["integration_types"]
                                   if row["integration_type"] != "collective_invoice"]
    write_dataset(dataset_dir, master, postcalc_lines=[postcalc_line("PC1")],
                  course_lines=[course_line("CO1")])
    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)
    assert len(error.value.messages) == 1
    assert "NL01" in error.value.messages[0]
    assert "collective_invoice" in error.value.messages[0]
    assert count_rows(db, "invoices") == 0


def test_pro_forma_shows_the_collective_invoice_without_writing(dataset_dir, db):
    # SPEC §12 --pro-forma: the invoices a run would make, per administration, nothing written.
    # PC1 100.00 + CO1 2 × 50 = 100.00, both H: excl 200.00, VAT 42.00, incl 242.00
    master = collective_master(profile("P", collect="postcalc,courses"), profile_of={"10001": "P"},
                               projects=[project("P1")], courses=[course("C1")])
    write_dataset(dataset_dir, master, postcalc_lines=[postcalc_line("PC1")],
                  course_lines=[course_line("CO1", quantity="2", unit_price="50")])
    result = pro_forma(RunParameters.for_period("2026-10", input_dir=dataset_dir, db_path=db))
    assert result.pro_forma == [
        ("NL01", "VK", "10001", COLLECTIVE_DESCRIPTION, 2, Decimal("200.00"), Decimal("42.00"),
         Decimal("242.00"))]
    assert count_rows(db, "invoices") == 0
