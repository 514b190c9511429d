"""The configuration check (SPEC §3, §5, §10): one clear message per fault, and a run never starts
on a faulty configuration and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import (
    base_master,
    count_rows,
    integration_type,
    order_line,
    query,
    run,
    write_dataset,
)
from typer.testing import CliRunner

from flows.cli import app
from flows.pipeline import check_configuration
from transforms.validate import ConfigurationError


def check(folder: Path, master: dict) -> list[str]:
    write_dataset(folder, master)
    return check_configuration(folder)


def set_integration_type(master: dict, kind: str, row: dict) -> None:
    """Replace the NL01 integration type of `kind` in the base master by `row`."""
    types = master["integration_types"]
    index = next(i for i, t in enumerate(types) if t["integration_type"] == kind)
    types[index] = row


def sales_journal(code: str, last: str, *, admin_id: str = "NL01", prefix: str | None = None,
                  end: str | None = None, journal_type: str = "sales") -> dict:
    row = dict(admin_id=admin_id, journal_code=code, journal_type=journal_type,
               description=f"journal {code}", last_invoice_number=last)
    if prefix is not None:
        row["number_prefix"] = prefix
    if end is not None:
        row["number_range_end"] = end
    return row


def has_invoices(db: Path) -> int:
    return count_rows(db, "invoices")


# --- valid ---------------------------------------------------------------------------------------


def test_base_configuration_is_valid(dataset_dir):
    assert check(dataset_dir, base_master()) == []


# --- §3 integration types --------------------------------------------------------------------------


def test_duplicate_integration_type_kind_in_an_administration(dataset_dir):
    master = base_master()
    master["integration_types"].append(integration_type("sales_invoice", "VK"))

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "NL01" in faults[0]
    assert "sales_invoice" in faults[0]
    assert "2 times" in faults[0]


def test_same_kind_in_two_administrations_is_no_duplicate(dataset_dir):
    master = base_master()
    master["administrations"].append(dict(admin_id="NL02", name="Zuid BV", country="NL",
                                          currency="EUR", receivables_account="1300"))
    master["accounts"].append(dict(admin_id="NL02", account="1300", description="debiteuren",
                                   account_type="balance"))
    master["journals"].append(sales_journal("VK", "0", admin_id="NL02", prefix="Z"))
    master["integration_types"].append(integration_type("sales_invoice", "VK", admin_id="NL02"))

    assert check(dataset_dir, master) == []


def test_sales_invoice_on_a_memorial_journal(dataset_dir):
    master = base_master()
    set_integration_type(master, "sales_invoice",
                         integration_type("sales_invoice", "MEM", credit_journal_code="VKC"))

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "NL01" in faults[0]
    assert "sales_invoice" in faults[0]
    assert "MEM" in faults[0]
    assert "memorial" in faults[0]


def test_cash_sale_on_a_sales_journal(dataset_dir):
    master = base_master()
    set_integration_type(master, "cash_sale", integration_type("cash_sale", "VK"))

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "cash_sale" in faults[0]
    assert "VK" in faults[0]
    assert "sales" in faults[0]


def test_stock_on_a_sales_journal(dataset_dir):
    master = base_master()
    master["integration_types"].append(integration_type("stock", "VK"))

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "stock" in faults[0] and "VK" in faults[0]


def test_credit_journal_of_the_wrong_type(dataset_dir):
    master = base_master()
    set_integration_type(master, "sales_invoice",
                         integration_type("sales_invoice", "VK", credit_journal_code="KAS"))

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "sales_invoice" in faults[0]
    assert "credit journal" in faults[0]
    assert "KAS" in faults[0]
    assert "cash" in faults[0]


def test_credit_journal_defaults_to_the_journal(dataset_dir):
    """No credit journal given: the (valid) journal is the credit journal, no fault."""
    master = base_master()
    set_integration_type(master, "sales_invoice", integration_type("sales_invoice", "VK"))

    assert check(dataset_dir, master) == []


def test_missing_journal_reference(dataset_dir):
    master = base_master()
    set_integration_type(master, "sales_invoice",
                         integration_type("sales_invoice", "VX", credit_journal_code="VKC"))

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "sales_invoice" in faults[0]
    assert "VX" in faults[0]
    assert "does not exist" in faults[0]


def test_missing_credit_journal_reference(dataset_dir):
    master = base_master()
    set_integration_type(master, "sales_invoice",
                         integration_type("sales_invoice", "VK", credit_journal_code="NOPE"))

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "NOPE" in faults[0] and "does not exist" in faults[0]


@pytest.mark.parametrize(
    "flag, needs",
    [
        ("use_invoice_discount", "invoice_discount_account"),
        ("use_credit_restriction", "credit_restriction_account"),
        ("use_payment_discount", "payment_discount_days"),
    ],
)
def test_flag_without_what_it_needs(dataset_dir, flag, needs):
    master = base_master()
    set_integration_type(master, "counter_invoice",
                         integration_type("counter_invoice", "VK", credit_journal_code="VKC",
                                          **{flag: "true"}))

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "NL01" in faults[0]
    assert "counter_invoice" in faults[0]
    assert flag in faults[0]
    assert needs in faults[0]


def test_flags_with_what_they_need_are_valid(dataset_dir):
    master = base_master()
    set_integration_type(master, "sales_invoice", integration_type(
        "sales_invoice", "VK", credit_journal_code="VKC",
        use_invoice_discount="true", invoice_discount_account="8900",
        use_credit_restriction="true", credit_restriction_account="8910",
        use_payment_discount="true", payment_discount_days="8"))

    assert check(dataset_dir, master) == []


# --- account references ----------------------------------------------------------------------------


def test_article_group_revenue_account_not_in_accounts(dataset_dir):
    master = base_master()
    master["article_groups"][1]["revenue_account"] = "8999"

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "NL01" in faults[0]
    assert "SERV" in faults[0]
    assert "revenue_account" in faults[0]
    assert "8999" in faults[0]


def test_invoice_discount_account_not_in_accounts(dataset_dir):
    master = base_master()
    set_integration_type(master, "sales_invoice", integration_type(
        "sales_invoice", "VK", credit_journal_code="VKC",
        use_invoice_discount="true", invoice_discount_account="4711"))

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "invoice_discount_account" in faults[0] and "4711" in faults[0]


def test_account_of_another_administration_does_not_count(dataset_dir):
    """Accounts belong to an administration: NL02's 7000 does not make NL01's reference valid."""
    master = base_master()
    master["administrations"].append(dict(admin_id="NL02", name="Zuid BV", country="NL",
                                          currency="EUR", receivables_account="7000"))
    master["accounts"].append(dict(admin_id="NL02", account="7000", description="x",
                                   account_type="balance"))
    master["article_groups"][0]["revenue_account"] = "7000"

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "NL01" in faults[0] and "GOODS" in faults[0] and "7000" in faults[0]


# --- §10 CODA mask -------------------------------------------------------------------------------


def test_valid_coda_mask(dataset_dir):
    master = base_master()
    master["administrations"][0]["coda_mask"] = "YYMMVVFFFF"

    assert check(dataset_dir, master) == []


@pytest.mark.parametrize("mask", ["YYMMFFFF", "YYMMVVFFFFF"])
def test_coda_mask_of_the_wrong_length(dataset_dir, mask):
    master = base_master()
    master["administrations"][0]["coda_mask"] = mask

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "NL01" in faults[0]
    assert mask in faults[0]
    assert "10" in faults[0]


def test_coda_mask_with_a_bad_character(dataset_dir):
    master = base_master()
    master["administrations"][0]["coda_mask"] = "YYMMXXFFFF"

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "NL01" in faults[0]
    assert "'X'" in faults[0]


# --- §5 number series ----------------------------------------------------------------------------


def test_two_unbounded_series_with_the_same_prefix_overlap(dataset_dir):
    master = base_master()
    master["journals"] += [sales_journal("VA", "0", prefix="A"), sales_journal("VB", "500", prefix="A")]

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "VA" in faults[0] and "VB" in faults[0]
    assert "'A'" in faults[0]


def test_bounded_series_overlapping_another(dataset_dir):
    # VK: 1001 … 99999 (no prefix); V2: 5001 … 6000 (no prefix) lies inside it
    master = base_master()
    master["journals"].append(sales_journal("V2", "5000", end="6000"))

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "NL01/VK" in faults[0] and "NL01/V2" in faults[0]


def test_series_sharing_one_number_overlap(dataset_dir):
    # VK: 1001 … 2000; V2: 2000 … 2999 — both can issue 2000
    master = base_master()
    master["journals"][0]["number_range_end"] = "2000"
    master["journals"].append(sales_journal("V2", "1999", end="2999"))

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "VK" in faults[0] and "V2" in faults[0]


def test_series_across_administrations_overlap(dataset_dir):
    master = base_master()
    master["administrations"].append(dict(admin_id="NL02", name="Zuid BV", country="NL",
                                          currency="EUR", receivables_account="1300"))
    master["accounts"].append(dict(admin_id="NL02", account="1300", description="debiteuren",
                                   account_type="balance"))
    master["journals"].append(sales_journal("VK", "50000", admin_id="NL02"))

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "NL01/VK" in faults[0] and "NL02/VK" in faults[0]


def test_purchase_journal_series_overlapping_a_sales_series(dataset_dir):
    master = base_master()
    master["journals"].append(sales_journal("IK", "5000", journal_type="purchase"))

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "IK" in faults[0] and "VK" in faults[0]


def test_adjacent_series_with_the_same_prefix_do_not_overlap(dataset_dir):
    # VK: 1001 … 1999; V2: 2000 … 2999
    master = base_master()
    master["journals"][0]["number_range_end"] = "1999"
    master["journals"].append(sales_journal("V2", "1999", end="2999"))

    assert check(dataset_dir, master) == []


def test_same_range_with_different_prefixes_does_not_overlap(dataset_dir):
    master = base_master()
    master["journals"] += [sales_journal("VA", "0", prefix="A"), sales_journal("VB", "0", prefix="B")]

    assert check(dataset_dir, master) == []


def test_memorial_journals_issue_no_numbers(dataset_dir):
    # MEM and KAS of the base (no prefix, unbounded from 1) overlap VK's range: not numbering journals
    master = base_master()
    master["journals"].append(sales_journal("MEM2", "1500", journal_type="memorial"))

    assert check(dataset_dir, master) == []


def test_year_placeholders_jjjj_and_yyyy_are_the_same_prefix(dataset_dir):
    master = base_master()
    master["journals"] += [sales_journal("V1", "0", prefix="V[JJJJ]"),
                           sales_journal("V2", "0", prefix="V[YYYY]")]

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "V1" in faults[0] and "V2" in faults[0]


# --- master tables -------------------------------------------------------------------------------


def test_missing_required_master_table(dataset_dir):
    master = base_master()
    del master["vat_codes"]

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "vat_codes" in faults[0]
    assert "missing" in faults[0]


def test_bad_value_in_a_master_table(dataset_dir):
    master = base_master()
    master["journals"][1]["last_invoice_number"] = "abc"  # VKC, data row 2

    faults = check(dataset_dir, master)

    assert len(faults) == 1
    assert "journals.csv" in faults[0]
    assert "row 2" in faults[0]
    assert "last_invoice_number" in faults[0]
    assert "abc" in faults[0]


def test_every_fault_is_reported(dataset_dir):
    master = base_master()
    master["integration_types"].append(integration_type("sales_invoice", "VK"))
    master["article_groups"][0]["credit_account"] = "8999"
    master["administrations"][0]["coda_mask"] = "YYMMFFFF"

    faults = check(dataset_dir, master)

    assert len(faults) == 3


# --- a run on a faulty configuration ---------------------------------------------------------------


def faulty_master() -> dict:
    master = base_master()
    master["integration_types"].append(integration_type("sales_invoice", "VK"))
    return master


def test_run_on_a_faulty_configuration_raises_and_writes_no_invoices(dataset_dir, db):
    write_dataset(dataset_dir, faulty_master(), order_lines=[order_line("L1")])

    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)

    assert any("sales_invoice" in m for m in error.value.messages)
    assert has_invoices(db) == 0


def test_faulty_run_leaves_an_earlier_run_untouched(tmp_path, db):
    good = write_dataset(tmp_path / "good", order_lines=[order_line("L1")])
    run(good, db)
    bad = write_dataset(tmp_path / "bad", faulty_master(),
                        order_lines=[order_line("L1"), order_line("L2", "O2")])

    with pytest.raises(ConfigurationError):
        run(bad, db)

    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices") == [("1001", 121)]
    assert query(db, "SELECT count(*) FROM runs") == [(1,)]


def test_check_through_the_cli(dataset_dir):
    master = base_master()
    master["journals"][1]["journal_type"] = "memorial"  # VKC: credit journal of sales_invoice

    write_dataset(dataset_dir, master)

    result = CliRunner().invoke(app, ["check", "--input", str(dataset_dir)])

    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    # VKC is the credit journal of the six sales-type integration types of the base master:
    # one fault, one line each
    kinds = ("sales_invoice", "counter_invoice", "project_invoice", "subscription_invoice",
             "course_invoice", "collective_invoice")
    assert len(lines) == len(kinds)
    assert all("VKC" in line and "memorial" in line for line in lines)
    assert all(any(f"integration type {kind} " in line for line in lines) for kind in kinds)


def test_integration_group_defined_twice(dataset_dir):
    """A line joins its integration group by (administration, group): a second definition would
    make it two lines, so it is a configuration fault."""
    master = base_master()
    master["integration_groups"].append(dict(master["integration_groups"][0], revenue_account="8100"))
    assert check(dataset_dir, master) == [
        "administration NL01: integration group WEB is defined 2 times"]


def test_sales_relation_profile_defined_twice(dataset_dir):
    from builders import profile

    master = base_master()
    master["sales_relation_profiles"] += [profile("P1"), profile("P1", collect="postcalc,courses")]
    assert check(dataset_dir, master) == ["sales relation profile P1 is defined 2 times"]
