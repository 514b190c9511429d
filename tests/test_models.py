"""One SQL model at a time: a few given rows into its inputs, the expected rows out, for the rules
of SPEC §4, §5, §8, §9 and §10 (tests/models.py builds each model in a fresh work database in
milliseconds). Every expected value is worked out by hand in the comment beside it; the whole-run
tests remain the integration layer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from models import build_model

from schemas.lines import CREDIT_ON_REQUEST, SOURCES

OCT_31 = dt.date(2026, 10, 31)
MAP_PARAMS = {"reference_date": OCT_31, "admin": None, "sources": list(SOURCES),
              "include_credit_lines": False, "credit_on_request": list(CREDIT_ON_REQUEST)}


def staged(line_id: str, **values) -> dict:
    row = {"source": "order_lines", "row_number": int(line_id[1:]), "line_id": line_id,
           "admin_id": "NL01", "debtor_id": "D1", "line_date": dt.date(2026, 10, 10),
           "article_group": "AG", "vat_code": "H", "is_credit": False, "manual": False,
           "exclude_from_collective": False, "invoice_separately": False, "order_id": "O7",
           "payment_method": "on_account", "quantity": D(1), "unit_price": D(100),
           "amount": D(100), "__suspect": False}
    return {**row, **values}


MAP_MASTER = {
    "map.run_settings": [MAP_PARAMS],  # (the run's settings, one row: what map's view reads)
    "master.article_groups": [{"admin_id": "NL01", "article_group": "AG",
                               "revenue_account": "8000", "credit_account": "8090"}],
    "master.integration_groups": [{"admin_id": "NL01", "integration_group": "IG",
                                   "revenue_account": "8100", "credit_account": "8190"}],
    "master.debtors": [{"debtor_id": "D1", "blocked": False},
                       {"debtor_id": "D2", "blocked": False, "profile_id": "MONTHLY"},
                       {"debtor_id": "D3", "blocked": False, "profile_id": "BLOCKS"}],
    "master.integration_types": [{"admin_id": "NL01", "integration_type": t}
                                 for t in ("sales_invoice", "project_invoice",
                                           "collective_invoice")],
    # (map.debtor_profiles, the debtor → profile model, is tested on its own below)
    "map.debtor_profiles": [
        {"debtor_id": "D2", "profile_id": "MONTHLY", "collect_method": "per_project",
         "collect_period": "month", "collect_postcalc": True, "collect_subscriptions": True,
         "collect_installments": False, "collect_courses": False, "combines": True},
        {"debtor_id": "D3", "profile_id": "BLOCKS", "collect_method": "per_sales_relation",
         "collect_period": "four_weeks", "collect_postcalc": True,
         "collect_subscriptions": False, "collect_installments": True, "collect_courses": False,
         "combines": True},
    ],
}


def test_a_debtor_takes_its_own_profile_else_the_default_and_combines_with_two_modules():
    """SPEC §8: D1 has profile P1 (two collect flags: combines); D2 has none and takes the
    default profile `*****` (one flag: does not combine)."""
    flags = {"collect_subscriptions": False, "collect_installments": False,
             "collect_courses": False}
    rows = build_model("map", "debtor_profiles", {
        "master.debtors": [{"debtor_id": "D1", "profile_id": "P1"}, {"debtor_id": "D2"}],
        "master.sales_relation_profiles": [
            {"profile_id": "P1", "collect_postcalc": True, **flags, "collect_courses": True},
            {"profile_id": "*****", "collect_postcalc": True, **flags},
        ],
    }, columns="debtor_id, profile_id, combines")
    assert rows == [{"debtor_id": "D1", "profile_id": "P1", "combines": True},
                    {"debtor_id": "D2", "profile_id": "*****", "combines": False}]


def test_map_books_a_line_on_its_integration_group_else_its_article_group_credit_apart():
    """SPEC §4: the revenue account is the integration group's, else the article group's; a
    credit line takes the credit account of the same."""
    rows = build_model("map", "mapped_lines", {
        **MAP_MASTER,
        "validate.staged_lines": [staged("L1"), staged("L2", integration_group="IG"),
                                  staged("L3", is_credit=True, amount=D(-100))],
    }, columns="line_id, revenue_account, status")
    assert rows == [
        {"line_id": "L1", "revenue_account": "8000", "status": "to_invoice"},  # article group
        {"line_id": "L2", "revenue_account": "8100", "status": "to_invoice"},  # integration group
        {"line_id": "L3", "revenue_account": "8090", "status": "to_invoice"},  # AG credit account
    ]


def test_map_leaves_a_line_dated_after_the_reference_date_open():
    rows = build_model("map", "mapped_lines", {
        **MAP_MASTER, "validate.staged_lines": [staged("L4", line_date=dt.date(2026, 11, 2))],
    }, columns="status, status_reason")
    assert rows == [{"status": "open", "status_reason": "dated after the reference date 2026-10-31"}]


def test_a_line_is_collected_when_its_debtors_profile_collects_its_source():
    """SPEC §8 in map: an order line is never collected; postcalc lines of a debtor whose profile
    collects two modules (postcalc among them) are, and take the integration type
    collective_invoice and the profile's method and period."""
    postcalc = {"source": "postcalc_lines", "project_id": "PR1", "order_id": None}
    rows = build_model("map", "mapped_lines", {
        **MAP_MASTER,
        "validate.staged_lines": [staged("L1"), staged("L2", debtor_id="D2", **postcalc),
                                  staged("L3", debtor_id="D3", **postcalc)],
    }, columns="line_id, is_collective, integration_type, collect_method, "
                           "collect_period, status")
    common = {"is_collective": True, "integration_type": "collective_invoice",
              "status": "to_invoice"}
    assert rows == [
        {"line_id": "L1", "is_collective": False, "integration_type": "sales_invoice",
         "collect_method": None, "collect_period": None, "status": "to_invoice"},
        {"line_id": "L2", **common, "collect_method": "per_project", "collect_period": "month"},
        {"line_id": "L3", **common, "collect_method": "per_sales_relation",
         "collect_period": "four_weeks"},
    ]


def test_the_invoice_a_line_goes_on_follows_its_source_or_its_collecting_profile():
    """SPEC §8 in group: an order line goes on its order's invoice; a collected line on its
    debtor's, per project and calendar month (per_project, month) or per debtor and 4-week block
    of ISO weeks (2026-10-05 is in ISO week 41, block (41 − 1) // 4 + 1 = 11), unless its project
    is invoiced separately (per_sales_relation: the project apart); a line that is not to be
    invoiced has no invoice (its collect_key is NULL)."""
    line = {"admin_id": "NL01", "status": "to_invoice", "line_date": dt.date(2026, 10, 5),
            "is_collective": False, "invoice_separately": False}
    collected = {**line, "source": "postcalc_lines", "is_collective": True, "project_id": "PR1"}
    rows = build_model("group", "keyed_lines", {"map.mapped_lines": [
        {**line, "line_id": "L1", "source": "order_lines", "debtor_id": "D1", "order_id": "O7"},
        {**collected, "line_id": "L2", "debtor_id": "D2", "collect_method": "per_project",
         "collect_period": "month"},
        {**collected, "line_id": "L3", "debtor_id": "D3", "collect_method": "per_sales_relation",
         "collect_period": "four_weeks"},
        {**collected, "line_id": "L4", "debtor_id": "D3", "collect_method": "per_sales_relation",
         "collect_period": "four_weeks", "invoice_separately": True},
        {**line, "line_id": "L5", "source": "order_lines", "debtor_id": "D1", "order_id": "O7",
         "status": "open"},
    ]}, params={"chunk_admin": None, "every": True}, columns="line_id, collect_key")
    assert rows == [
        {"line_id": "L1", "collect_key": "order_lines|NL01|D1|O7"},
        {"line_id": "L2", "collect_key": "collective|NL01|D2|project=PR1|month=2026-10"},
        {"line_id": "L3", "collect_key": "collective|NL01|D3|debtor|block=2026-11"},
        {"line_id": "L4", "collect_key": "collective|NL01|D3|project=PR1|block=2026-11"},
        {"line_id": "L5", "collect_key": None},
    ]


def test_an_invoices_vat_is_rounded_once_per_code_after_its_invoice_discount():
    """SPEC §9: gross 100.00 + 33.33 = 133.33; 2 % invoice discount = 2.6666 → 2.67; net 130.66;
    VAT 21 % of 130.66 = 27.4386 → 27.44."""
    line = {"collect_key": "K", "vat_code": "H", "admin_id": "NL01", "debtor_id": "D1",
            "integration_type": "sales_invoice"}
    rows = build_model("group", "draft_invoice_vat", {
        "group.grouped_lines": [{**line, "amount": D("100.00")}, {**line, "amount": D("33.33")}],
        "master.vat_codes": [{"admin_id": "NL01", "vat_code": "H", "rate": D("0.21")}],
        "master.debtors": [{"debtor_id": "D1", "invoice_discount_pct": D(2)}],
        "master.integration_types": [{"admin_id": "NL01", "integration_type": "sales_invoice",
                                      "use_invoice_discount": True,
                                      "use_credit_restriction": False}],
    }, columns="gross, invoice_discount, net, vat, credit_restriction")
    assert rows == [{"gross": D("133.33"), "invoice_discount": D("2.67"), "net": D("130.66"),
                     "vat": D("27.44"), "credit_restriction": D("0.00")}]


def test_numbers_continue_from_the_counter_and_skip_the_numbers_already_used():
    """SPEC §5: counter at 5, numbers 6 and 8 issued already: three invoices get 7, 9 and 10, in
    the order of their debtors."""
    draft = {"admin_id": "NL01", "journal_code": "VK", "invoice_date": OCT_31}
    rows = build_model("number", "numbered_invoices", {
        "group.draft_invoices": [{**draft, "collect_key": f"K{i}", "debtor_id": f"D{i}",
                                  "first_line_id": f"L{i}"} for i in (3, 1, 2)],
        "number.numbering_journals": [{"admin_id": "NL01", "journal_code": "VK",
                                       "journal_type": "sales", "number_prefix": "",
                                       "number_range_end": 99999999, "last_number": 5}],
        "master.issued_invoice_numbers": [{"number": "6"}, {"number": "8"}],
    }, columns="debtor_id, invoice_number", order_by="debtor_id")
    assert rows == [{"debtor_id": "D1", "invoice_number": "7"},
                    {"debtor_id": "D2", "invoice_number": "9"},
                    {"debtor_id": "D3", "invoice_number": "10"}]


def test_a_belgian_invoice_gets_its_structured_communication():
    """SPEC §10, the spec's example: mask YYMMVVFFFF on 2026-10-31 for invoice 27000001 of a
    debtor with free code 4711: 26 10 11 0001; 2610110001 mod 97 = 51 → +++261/0110/00151+++.
    An administration outside Belgium has none."""
    invoice = {"invoice_number": "27000001", "number": 27000001, "invoice_date": OCT_31,
               "free_code": "4711", "debtor_id": "10001", "coda_mask": "YYMMVVFFFF"}
    rows = build_model("journalise", "coda_references", {
        "number.numbered_invoices": [{**invoice, "admin_id": "BE01", "country": "BE"},
                                     {**invoice, "admin_id": "NL01", "country": "NL",
                                      "invoice_number": "27000002"}],
    }, columns="invoice_number, coda_reference")
    assert rows == [{"invoice_number": "27000001", "coda_reference": "+++261/0110/00151+++"}]


def test_an_invoice_becomes_one_balanced_entry_numbered_on_from_the_base():
    """SPEC §9: receivable debit 121.00 = revenue credit 100.00 + VAT credit 21.00; the zero
    discount and credit restriction lines are left out; the entry id is its head's."""
    rows = build_model("journalise", "run_journal_entries", {
        "journalise.run_entry_heads": [{"invoice_number": "I1", "entry_kind": "invoice",
                                        "admin_id": "NL01", "entry_id": 42}],
        "number.run_invoices": [{"invoice_number": "I1", "admin_id": "NL01", "journal_code": "VK",
                                 "journalized": True, "receivables_account": "1300",
                                 "total_incl_vat": D("121.00"), "collect_key": "K",
                                 "integration_type": "sales_invoice", "invoice_date": OCT_31,
                                 "debtor_id": "D1"}],
        "group.grouped_lines": [{"collect_key": "K", "revenue_account": "8000", "vat_code": "H",
                                 "amount": D("100.00")}],
        "number.run_invoice_vat": [{"invoice_number": "I1", "vat_code": "H", "vat": D("21.00"),
                                    "invoice_discount": D(0), "credit_restriction": D(0)}],
        "master.vat_codes": [{"admin_id": "NL01", "vat_code": "H", "payable_account": "1500"}],
        "master.integration_types": [{"admin_id": "NL01", "integration_type": "sales_invoice",
                                      "invoice_discount_account": "8900",
                                      "credit_restriction_account": "8910"}],
    }, columns="entry_id, line_no, account, debit, credit, period", order_by="line_no")
    assert rows == [
        {"entry_id": 42, "line_no": 1, "account": "1300", "debit": D("121.00"),
         "credit": D("0.00"), "period": 10},
        {"entry_id": 42, "line_no": 2, "account": "8000", "debit": D("0.00"),
         "credit": D("100.00"), "period": 10},
        {"entry_id": 42, "line_no": 3, "account": "1500", "debit": D("0.00"),
         "credit": D("21.00"), "period": 10},
    ]


def test_an_invoice_is_described_by_its_integration_types_choice():
    """SPEC §6: the description is the source code in brackets and what the integration type's
    financial_description chooses: source_debtor_name → "[vkf] Jansen BV"; the due date is the
    invoice date plus the debtor's payment term (2026-10-31 + 14 days = 2026-11-14)."""
    line = {"collect_key": "K", "admin_id": "NL01", "debtor_id": "D1",
            "integration_type": "sales_invoice", "source_code": "vkf", "source": "order_lines",
            "is_collective": False, "line_id": "L1", "line_date": OCT_31}
    rows = build_model("group", "draft_invoices", {
        "group.grouped_lines": [line],
        "group.draft_invoice_vat": [{"collect_key": "K", "vat_code": "H", "net": D("100.00"),
                                     "vat": D("21.00"), "credit_restriction": D(0)}],
        "master.administrations": [{"admin_id": "NL01", "currency": "EUR", "country": "NL"}],
        "master.debtors": [{"debtor_id": "D1", "name": "Jansen BV", "payment_term_days": 14}],
        "master.integration_types": [{"admin_id": "NL01", "integration_type": "sales_invoice",
                                      "journal_code": "VK",
                                      "financial_description": "source_debtor_name"}],
    }, {"invoice_date": OCT_31}, columns="journal_code, description, due_date, total_incl_vat")
    assert rows == [{"journal_code": "VK", "description": "[vkf] Jansen BV",
                     "due_date": dt.date(2026, 11, 14), "total_incl_vat": D("121.00")}]


def test_entries_are_numbered_on_from_the_base_invoices_then_releases_per_journal():
    """SPEC §9: ids follow the base (41) in (administration, journal, invoice) order: NL01's
    release entry in MEM before its invoices in VK (I1, I2), then BE01's."""
    rows = build_model("journalise", "run_entry_heads", {
        "number.run_invoices": [
            {"invoice_number": "I2", "admin_id": "NL01", "journal_code": "VK"},
            {"invoice_number": "I1", "admin_id": "NL01", "journal_code": "VK"},
            {"invoice_number": "B1", "admin_id": "BE01", "journal_code": "VF"}],
        "journalise.run_releases": [
            {"admin_id": "NL01", "journal_code": "MEM", "release_date": OCT_31.replace(day=1),
             "entry_deferral_account": "1450", "entry_account": "8200"}],
    }, {"entry_base": 41}, columns="entry_id, entry_kind, coalesce(invoice_number, admin_id) AS e",
        order_by="entry_id")
    assert [(r["entry_id"], r["entry_kind"], r["e"]) for r in rows] == [
        (42, "invoice", "B1"), (43, "release", "NL01"), (44, "invoice", "I1"),
        (45, "invoice", "I2")]


def _deferred_line(line_id: str, amount: str, start, end, method: str = "equal") -> dict:
    return {"group.grouped_lines": [{
        "source": "subscription_lines", "line_id": line_id, "admin_id": "NL01",
        "article_group": "LIC", "collect_key": "K", "revenue_account": "8200",
        "amount": D(amount), "line_date": OCT_31, "period_start": start, "period_end": end,
        "deferral_account": "1450"}],
        "master.article_groups": [{"admin_id": "NL01", "article_group": "LIC",
                                   "defer_revenue": True, "deferral_account": "1450",
                                   "deferral_method": method}],
        "number.run_invoices": [{"invoice_number": "I1", "admin_id": "NL01", "collect_key": "K",
                                 "invoice_date": OCT_31}]}


def test_a_yearly_line_is_planned_in_twelve_equal_releases_the_last_the_rest():
    """SPEC §9: 1000.00 for 2026-11-01 … 2027-10-31: 12 × 83.333 → 83.33, October 2027 the
    rest 1000.00 − 11 × 83.33 = 83.37."""
    import datetime as dt
    rows = build_model("journalise", "run_deferral_plan", _deferred_line(
        "A1", "1000.00", dt.date(2026, 11, 1), dt.date(2027, 10, 31)),
        columns="release_date, amount", order_by="release_date")
    assert [r["amount"] for r in rows] == [D("83.33")] * 11 + [D("83.37")]
    assert rows[0]["release_date"] == dt.date(2026, 11, 1)
    assert rows[-1]["release_date"] == dt.date(2027, 10, 1)


def test_a_pro_rata_plan_goes_by_days_and_never_before_the_invoice_month():
    """SPEC §9: 90.00 for 2026-09-16 … 2026-11-15 (61 days: 15 in September, 31 in October,
    15 in November): September 90 × 15 / 61 = 22.13 and October 90 × 31 / 61 = 45.74 are both
    released in October, the invoice's month (67.87); November the rest 22.13."""
    import datetime as dt
    rows = build_model("journalise", "run_deferral_plan", _deferred_line(
        "A1", "90.00", dt.date(2026, 9, 16), dt.date(2026, 11, 15), "pro_rata"),
        columns="release_date, amount", order_by="release_date")
    assert [(r["release_date"], r["amount"]) for r in rows] == [
        (dt.date(2026, 10, 1), D("67.87")), (dt.date(2026, 11, 1), D("22.13"))]
