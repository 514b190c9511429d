"""Master data (configuration) schemas, SPEC §2 `master/`. Small tables: validated with pandas.

A fault here is a configuration error: the run does not start.
"""

from schemas.columns import boolean, date, decimal, digits, integer, table, text

JOURNAL_TYPES = ("sales", "purchase", "memorial", "memorial_fixed", "cash", "bank")
INTEGRATION_TYPES = (
    "sales_invoice",
    "counter_invoice",
    "cash_sale",
    "subscription_invoice",
    "project_invoice",
    "course_invoice",
    "collective_invoice",
    "purchase_invoice",
    "stock",
    "stock_intercompany",
)
FINANCIAL_DESCRIPTIONS = (
    "source_description",
    "source_debtor_name",
    "source_debtor_number_name",
    "source_project_description",
    "source_project_number_description",
    "source_delivery_week",
    "source_project_phase_description",
)
COLLECT_METHODS = ("per_sales_relation", "per_project", "per_concept_debtor")
COLLECT_PERIODS = ("week", "month", "four_weeks", "none")
FREQUENCIES = ("month", "quarter", "half_year", "year")
LINK_TYPES = ("sales_orders", "projects", "subscriptions", "courses")
AUTHORISED_ACTIONS = ("run", "post", "resume", "backfill", "export")  # (export: not built yet)

MASTER_SCHEMAS = {
    "administrations": table(
        "administrations",
        {
            "admin_id": text(),
            "name": text(),
            "country": text(),
            "currency": text(),
            "receivables_account": text(),
            "coda_mask": text(optional=True),
        },
        grain="one row per administration (administratie)",
    ),
    "settings": table(
        "settings",
        {"key": text(), "value": text(optional=True)},
        grain="one row per setting key; at least default_admin",
    ),
    "journals": table(
        "journals",
        {
            "admin_id": text(),
            "journal_code": text(),
            "journal_type": text(isin=JOURNAL_TYPES),
            "description": text(optional=True),
            "last_invoice_number": integer(minimum=0),
            "number_prefix": text(optional=True),
            "number_range_end": integer(optional=True, minimum=0),
            "contra_account": text(optional=True),
        },
        grain="one row per journal (dagboek) of an administration",
    ),
    "accounts": table(
        "accounts",
        {
            "admin_id": text(),
            "account": text(),
            "description": text(optional=True),
            "account_type": text(isin=("balance", "result")),
        },
        grain="one row per ledger account of an administration",
    ),
    "vat_codes": table(
        "vat_codes",
        {
            "admin_id": text(),
            "vat_code": text(),
            "rate": decimal(4, precision=9, minimum="0", maximum="1"),
            "payable_account": text(),
        },
        grain="one row per VAT code of an administration; rate as a fraction (0.21)",
    ),
    "integration_types": table(
        "integration_types",
        {
            "admin_id": text(),
            "integration_type": text(isin=INTEGRATION_TYPES),
            "journal_code": text(),
            "credit_journal_code": text(optional=True),
            "financial_description": text(isin=FINANCIAL_DESCRIPTIONS),
            "use_invoice_discount": boolean(),
            "invoice_discount_account": text(optional=True),
            "use_credit_restriction": boolean(),
            "credit_restriction_account": text(optional=True),
            "use_payment_discount": boolean(),
            "payment_discount_days": integer(optional=True, minimum=0, maximum=3650),
            "cost_of_sales_rc_account": text(optional=True),
            "purchase_rc_account": text(optional=True),
            "stock_transfer_account": text(optional=True),
        },
        grain="one row per (administration, integration type) (integratiesoort)",
    ),
    "article_groups": table(
        "article_groups",
        {
            "admin_id": text(),
            "article_group": text(),
            "description": text(optional=True),
            "contains_stock_items": boolean(),
            "revenue_account": text(),
            "credit_account": text(),
            "defer_revenue": boolean(),
            "deferral_account": text(optional=True),
            "deferral_method": text(optional=True, isin=("equal", "pro_rata")),
            "stock_account": text(optional=True),
            "cost_of_sales_account": text(optional=True),
        },
        grain="one row per (administration, article group) (artikelgroep)",
    ),
    "integration_groups": table(
        "integration_groups",
        {
            "admin_id": text(),
            "integration_group": text(),
            "revenue_account": text(),
            "credit_account": text(),
        },
        grain="one row per (administration, integration group) (integratiegroep)",
    ),
    "sales_relation_profiles": table(
        "sales_relation_profiles",
        {
            "profile_id": text(),
            "invoice_journal_code": text(optional=True),
            "credit_journal_code": text(optional=True),
            "collect_postcalc": boolean(),
            "collect_subscriptions": boolean(),
            "collect_installments": boolean(),
            "collect_courses": boolean(),
            "collect_method": text(isin=COLLECT_METHODS),
            "collect_period": text(isin=COLLECT_PERIODS),
        },
        grain="one row per sales relation profile (verkooprelatieprofiel); `*****` is the default",
    ),
    "debtors": table(
        "debtors",
        {
            "debtor_id": digits(),
            "name": text(),
            "profile_id": text(optional=True),
            "free_code": digits(optional=True),
            "payment_term_days": integer(minimum=0, maximum=3650),
            "invoice_discount_pct": decimal(4, optional=True, precision=9,
                                            minimum="0", maximum="100"),
            "credit_restriction_pct": decimal(4, optional=True, precision=9,
                                              minimum="0", maximum="100"),
            "payment_discount_pct": decimal(4, optional=True, precision=9,
                                            minimum="0", maximum="100"),
            "receivables_account": text(optional=True),
            "blocked": boolean(),
        },
        grain="one row per debtor (debiteur); percentages as percent (2.5 = 2.5 %)",
    ),
    "projects": table(
        "projects",
        {
            "project_id": text(),
            "admin_id": text(),
            "description": text(optional=True),
            "invoice_separately": boolean(),
            "exclude_from_collective": boolean(),
        },
        grain="one row per project",
    ),
    "project_phases": table(
        "project_phases",
        {"project_id": text(), "phase_id": text(), "description": text(optional=True)},
        grain="one row per (project, phase)",
    ),
    "subscriptions": table(
        "subscriptions",
        {
            "subscription_id": text(),
            "debtor_id": digits(),
            "project_id": text(optional=True),
            "admin_id": text(optional=True),
            "exclude_from_collective": boolean(),
        },
        grain="one row per subscription; optional dim_<axis> columns",
    ),
    "subscription_items": table(
        "subscription_items",
        {
            "subscription_id": text(),
            "item_code": text(),
            "article_group": text(),
            "description": text(optional=True),
            "quantity": decimal(4),
            "unit_price": decimal(4),
            "vat_code": text(),
            "frequency": text(isin=FREQUENCIES),
            "start_date": date(),
            "end_date": date(optional=True),
            "billed_through": date(optional=True),
        },
        grain="one row per (subscription, item)",
    ),
    "courses": table(
        "courses",
        {
            "course_id": text(),
            "admin_id": text(optional=True),
            "description": text(optional=True),
            "exclude_from_collective": boolean(),
        },
        grain="one row per course",
    ),
    "allocation_links": table(
        "allocation_links",
        {"axis": text(), "link_type": text(isin=LINK_TYPES), "field": text()},
        grain="one row per (axis, link type) (verbijzonderingskoppeling)",
    ),
    "issued_invoice_numbers": table(
        "issued_invoice_numbers",
        {"number": text()},
        grain="one row per invoice number already used outside journalize",
    ),
    # optional: when it has rows, an OS user may do an action only where a row allows it
    "authorisations": table(
        "authorisations",
        {"user": text(), "action": text(isin=AUTHORISED_ACTIONS), "admin_id": text()},
        grain="one row per (OS user, action, administration or * for every one) allowed",
    ),
}

# Tables a run cannot do without; the others may be absent (read as empty).
REQUIRED_MASTER_TABLES = (
    "administrations",
    "settings",
    "journals",
    "accounts",
    "vat_codes",
    "integration_types",
    "article_groups",
    "debtors",
)
