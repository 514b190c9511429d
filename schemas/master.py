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
            "admin_id": text(description="Administration code; the other tables refer to it",
                             example="NL01"),
            "name": text(description="Name of the administration (the company)",
                         example="Werkplek Groep Nederland B.V."),
            "country": text(description="Country code (`NL`, `BE`, …); `BE` with a coda_mask "
                                        "gives invoices a CODA reference", example="NL"),
            "currency": text(description="Currency of the administration's invoices",
                             example="EUR"),
            "receivables_account": text(description="Debtors' control account (debiteuren): the "
                                                    "debtor line of an entry is debited on it, "
                                                    "unless the debtor has its own",
                                        example="1300"),
            "coda_mask": text(optional=True,
                              description="Mask of the Belgian structured communication (CODA): "
                                          "10 characters from `DdMmYyNnFfVvCc`",
                              example="YYMMVVFFFF"),
        },
        grain="one row per administration (administratie)",
    ),
    "settings": table(
        "settings",
        {
            "key": text(description="Name of the setting; `default_admin` must be there",
                        example="default_admin"),
            "value": text(optional=True,
                          description="Value of the setting; `default_admin`: the administration "
                                      "(the Order management settings') of subscriptions and "
                                      "courses that name none; `deferral_journal`: the memorial "
                                      "journal of the release entries of deferred revenue "
                                      "(default: the administration's one memorial journal); "
                                      "`deferral_releases`: `grouped` (default) or "
                                      "`per_invoice` (docs/deferred-revenue.md)",
                          example="NL01"),
        },
        grain="one row per setting key; at least `default_admin`",
    ),
    "journals": table(
        "journals",
        {
            "admin_id": text(description="Administration of the journal", example="NL01"),
            "journal_code": text(description="Journal code (dagboek) within the administration",
                                 example="VK"),
            "journal_type": text(isin=JOURNAL_TYPES,
                                 description="Kind of journal; only sales and purchase journals "
                                             "issue invoice numbers",
                                 example="sales"),
            "description": text(optional=True, description="Name of the journal",
                                example="Verkoopboek"),
            "last_invoice_number": integer(minimum=0,
                                           description="Counter of the last invoice number "
                                                       "issued (teller laatste factuur); a run "
                                                       "continues from it or from the books' "
                                                       "counter, whichever is higher",
                                           example="26000000"),
            "number_prefix": text(optional=True,
                                  description="Text before the number; `[JJJJ]` or `[YYYY]` in "
                                              "it becomes the invoice date's year",
                                  example="P[JJJJ]"),
            "number_range_end": integer(optional=True, minimum=0,
                                        description="Last number the journal may issue; empty: "
                                                    "no end. Series with the same prefix may "
                                                    "not overlap",
                                        example="26999999"),
            "contra_account": text(optional=True,
                                   description="Contra account of a cash, bank or fixed "
                                               "memorial journal (debited for a cash sale)",
                                   example="1000"),
        },
        grain="one row per journal (dagboek) of an administration",
    ),
    "accounts": table(
        "accounts",
        {
            "admin_id": text(description="Administration of the account", example="NL01"),
            "account": text(description="Ledger account number (grootboekrekening); every "
                                        "account another table names must be here",
                            example="1300"),
            "description": text(optional=True, description="Name of the account",
                                example="Debiteuren"),
            "account_type": text(isin=("balance", "result"),
                                 description="Balance sheet (balans) or profit and loss "
                                             "(resultaat) account",
                                 example="balance"),
        },
        grain="one row per ledger account of an administration",
    ),
    "vat_codes": table(
        "vat_codes",
        {
            "admin_id": text(description="Administration of the VAT code", example="NL01"),
            "vat_code": text(description="VAT code (btw-code) the lines name", example="H"),
            "rate": decimal(4, precision=9, minimum="0", maximum="1",
                            description="VAT rate as a fraction: `0.21` is 21 %",
                            example="0.21"),
            "payable_account": text(description="Account the VAT is credited on (te betalen "
                                                "btw)",
                                    example="1671"),
        },
        grain="one row per VAT code of an administration; rate as a fraction (0.21)",
    ),
    "integration_types": table(
        "integration_types",
        {
            "admin_id": text(description="Administration of the integration type",
                             example="NL01"),
            "integration_type": text(isin=INTEGRATION_TYPES,
                                     description="Kind of integration type (integratiesoort): "
                                                 "which invoices it journalises; at most one "
                                                 "of each kind per administration",
                                     example="sales_invoice"),
            "journal_code": text(description="Journal its invoices are booked in",
                                 example="VK"),
            "credit_journal_code": text(optional=True,
                                        description="Journal of its credit invoices; empty: "
                                                    "journal_code",
                                        example="VKC"),
            "financial_description": text(isin=FINANCIAL_DESCRIPTIONS,
                                          description="What an entry's description says after "
                                                      "its source code (omschrijving "
                                                      "financieel), e.g. `[vkf] week 2026-43`",
                                          example="source_delivery_week"),
            "use_invoice_discount": boolean(description="Apply the debtor's "
                                                        "invoice_discount_pct (factuurkorting)",
                                            example="true"),
            "invoice_discount_account": text(optional=True,
                                             description="Account the invoice discount is "
                                                         "debited on; needed with "
                                                         "use_invoice_discount",
                                             example="8900"),
            "use_credit_restriction": boolean(description="Charge the debtor's "
                                                          "credit_restriction_pct "
                                                          "(kredietbeperking)",
                                              example="true"),
            "credit_restriction_account": text(optional=True,
                                               description="Account the credit restriction is "
                                                           "credited on; needed with "
                                                           "use_credit_restriction",
                                               example="8910"),
            "use_payment_discount": boolean(description="Record the debtor's "
                                                        "payment_discount_pct "
                                                        "(betalingskorting) on the open item",
                                            example="true"),
            "payment_discount_days": integer(optional=True, minimum=0, maximum=3650,
                                             description="Days after the invoice date within "
                                                         "which the payment discount applies; "
                                                         "needed with use_payment_discount",
                                             example="8"),
            "cost_of_sales_rc_account": text(optional=True,
                                             description="Intercompany account for cost of "
                                                         "sales (RC kostprijs verkoop) of a "
                                                         "`stock` or `stock_intercompany` type",
                                             example="1350"),
            "purchase_rc_account": text(optional=True,
                                        description="Intercompany account for purchases (RC "
                                                    "inkoop) of a stock type",
                                        example="489000"),
            "stock_transfer_account": text(optional=True,
                                           description="Account for the difference between "
                                                       "transfer price and cost price of a "
                                                       "stock transfer (Result./RC "
                                                       "voorraadoverb.)",
                                           example="8950"),
        },
        grain="one row per (administration, integration type) (integratiesoort)",
    ),
    "article_groups": table(
        "article_groups",
        {
            "admin_id": text(description="Administration of the article group",
                             example="NL01"),
            "article_group": text(description="Article group code (artikelgroep) the lines name",
                                  example="HG"),
            "description": text(optional=True, description="Name of the article group",
                                example="Handelsgoederen kantoorinrichting"),
            "contains_stock_items": boolean(description="The group holds stock items; not "
                                                        "allowed for an article group that "
                                                        "subscriptions use",
                                            example="true"),
            "revenue_account": text(description="Revenue account of its lines, unless the "
                                                "line's integration group has one",
                                    example="8000"),
            "credit_account": text(description="Revenue account of its credit lines, unless "
                                               "the line's integration group has one",
                                   example="8005"),
            "defer_revenue": boolean(description="Revenue is deferred over the service period "
                                                 "(transitorische boeking; "
                                                 "docs/deferred-revenue.md)",
                                     example="false"),
            "deferral_account": text(optional=True,
                                     description="Deferral account (tussenrekening "
                                                 "opbrengsten) of deferred revenue",
                                     example="1450"),
            "deferral_method": text(optional=True, isin=("equal", "pro_rata"),
                                    description="How deferred revenue is released: `equal` "
                                                "shares per month, or `pro_rata` by days",
                                    example="equal"),
            "stock_account": text(optional=True,
                                  description="Stock account credited for a delivery (stock "
                                              "entries: not built yet)",
                                  example="3000"),
            "cost_of_sales_account": text(optional=True,
                                          description="Cost of sales account debited for a "
                                                      "delivery (stock entries: not built yet)",
                                          example="7000"),
        },
        grain="one row per (administration, article group) (artikelgroep)",
    ),
    "integration_groups": table(
        "integration_groups",
        {
            "admin_id": text(description="Administration of the integration group",
                             example="NL01"),
            "integration_group": text(description="Integration group code (integratiegroep) a "
                                                  "line may name",
                                      example="WEBSHOP"),
            "revenue_account": text(description="Revenue account of its lines, instead of the "
                                                "article group's",
                                    example="8600"),
            "credit_account": text(description="Revenue account of its credit lines, instead "
                                               "of the article group's",
                                   example="8605"),
        },
        grain="one row per (administration, integration group) (integratiegroep)",
    ),
    "sales_relation_profiles": table(
        "sales_relation_profiles",
        {
            "profile_id": text(description="Profile code (verkooprelatieprofiel) the debtors "
                                           "name; `*****` is the profile of debtors without one",
                               example="STD"),
            "invoice_journal_code": text(optional=True,
                                         description="Journal of its debtors' invoices, instead "
                                                     "of the integration type's",
                                         example="VKP"),
            "credit_journal_code": text(optional=True,
                                        description="Journal of its debtors' credit invoices, "
                                                    "instead of the integration type's",
                                        example="VKC"),
            "collect_postcalc": boolean(description="Collect post-calculation lines; collecting "
                                                    "needs at least two of the four collect "
                                                    "flags",
                                        example="true"),
            "collect_subscriptions": boolean(description="Collect subscription lines",
                                             example="false"),
            "collect_installments": boolean(description="Collect installment lines",
                                            example="false"),
            "collect_courses": boolean(description="Collect course lines", example="false"),
            "collect_method": text(isin=COLLECT_METHODS,
                                   description="How collected lines form collective invoices "
                                               "(verzamelfacturen): per debtor, per debtor and "
                                               "project, or per debtor ignoring "
                                               "invoice_separately",
                                   example="per_sales_relation"),
            "collect_period": text(isin=COLLECT_PERIODS,
                                   description="Period one collective invoice covers: ISO "
                                               "week, calendar month, block of four ISO weeks, "
                                               "or all lines of the run",
                                   example="month"),
        },
        grain="one row per sales relation profile (verkooprelatieprofiel); `*****` is the default",
    ),
    "debtors": table(
        "debtors",
        {
            "debtor_id": digits(description="Debtor number (debiteur)", example="10004"),
            "name": text(description="Name of the debtor", example="Van Kempen Afbouw"),
            "profile_id": text(optional=True,
                               description="Sales relation profile of the debtor; empty: "
                                           "profile `*****` when there is one",
                               example="STD"),
            "free_code": digits(optional=True,
                                description="Free code: the V of the CODA mask",
                                example="4711"),
            "payment_term_days": integer(minimum=0, maximum=3650,
                                         description="Payment term: the due date is the "
                                                     "invoice date plus this many days",
                                         example="30"),
            "invoice_discount_pct": decimal(4, optional=True, precision=9,
                                            minimum="0", maximum="100",
                                            description="Invoice discount in percent (`2` is "
                                                        "2 %)",
                                            example="2"),
            "credit_restriction_pct": decimal(4, optional=True, precision=9,
                                              minimum="0", maximum="100",
                                              description="Credit restriction in percent: a "
                                                          "surcharge the debtor may deduct when "
                                                          "paying in time",
                                              example="2"),
            "payment_discount_pct": decimal(4, optional=True, precision=9,
                                            minimum="0", maximum="100",
                                            description="Payment discount in percent, recorded "
                                                        "on the open item",
                                            example="1.5"),
            "receivables_account": text(optional=True,
                                        description="Receivables account of the debtor, "
                                                    "instead of the administration's",
                                        example="1305"),
            "blocked": boolean(description="Blocked debtor: its lines stay open until the block "
                                           "is lifted",
                               example="false"),
        },
        grain="one row per debtor (debiteur); percentages as percent (2.5 = 2.5 %)",
    ),
    "projects": table(
        "projects",
        {
            "project_id": text(description="Project code", example="P1001"),
            "admin_id": text(description="Administration of the project: its lines (and its "
                                         "subscriptions') are invoiced there",
                             example="NL01"),
            "description": text(optional=True,
                                description="Description of the project, for project-based "
                                            "financial descriptions",
                                example="Nieuwbouw kantoor Zwolle"),
            "invoice_separately": boolean(description="Its collected lines get an invoice of "
                                                      "their own (method per_sales_relation)",
                                          example="false"),
            "exclude_from_collective": boolean(description="Its lines are never collected",
                                               example="false"),
        },
        grain="one row per project",
    ),
    "project_phases": table(
        "project_phases",
        {
            "project_id": text(description="Project of the phase", example="P1001"),
            "phase_id": text(description="Phase code within the project", example="F02"),
            "description": text(optional=True, description="Description of the phase",
                                example="Ontwerp"),
        },
        grain="one row per (project, phase)",
    ),
    "subscriptions": table(
        "subscriptions",
        {
            "subscription_id": text(description="Subscription code", example="S0002"),
            "debtor_id": digits(description="Debtor of the subscription", example="10005"),
            "project_id": text(optional=True,
                               description="Project the subscription belongs to: its "
                                           "administration and collecting settings apply",
                               example="P1001"),
            "admin_id": text(optional=True,
                             description="Administration of the subscription when it has no "
                                         "project; empty: default_admin",
                             example="NL01"),
            "exclude_from_collective": boolean(description="Its lines are never collected",
                                               example="false"),
        },
        grain="one row per subscription; optional `dim_<axis>` columns",
    ),
    "subscription_items": table(
        "subscription_items",
        {
            "subscription_id": text(description="Subscription of the item", example="S0001"),
            "item_code": text(description="Item (artikel) billed", example="ABO-6002"),
            "article_group": text(description="Article group of the item", example="ABO"),
            "description": text(optional=True, description="Description of the item",
                                example="Helpdesk-abonnement"),
            "quantity": decimal(4, description="Quantity per period", example="1"),
            "unit_price": decimal(4, description="Price per unit per period, excluding VAT",
                                  example="149.00"),
            "vat_code": text(description="VAT code of the item", example="H"),
            "frequency": text(isin=FREQUENCIES, description="Length of a billing period",
                              example="month"),
            "start_date": date(description="First day the item is billed; its periods start on "
                                           "this day of the month", example="2026-01-01"),
            "end_date": date(optional=True, description="Last day of the item; empty: running. "
                                                        "Before billed_through: the days after "
                                                        "it are credited",
                             example="2026-10-31"),
            "billed_through": date(optional=True,
                                   description="Last day already billed; billing goes on from "
                                               "the day after (once the books bill the item, "
                                               "from their subscription_state instead)",
                                   example="2026-09-30"),
        },
        grain="one row per (subscription, item) (abonnementsregel): the run bills each period "
              "due up to the reference date (SPEC §7, docs/subscription-billing.md)",
    ),
    "courses": table(
        "courses",
        {
            "course_id": text(description="Course code", example="CRS02"),
            "admin_id": text(optional=True,
                             description="Administration of the course's lines; empty: "
                                         "default_admin",
                             example="NL01"),
            "description": text(optional=True, description="Description of the course",
                                example="Leidinggeven aan facilitaire teams"),
            "exclude_from_collective": boolean(description="Its lines are never collected",
                                               example="false"),
        },
        grain="one row per course",
    ),
    "allocation_links": table(
        "allocation_links",
        {
            "axis": text(description="Cost allocation axis (verbijzonderingsas)",
                         example="department"),
            "link_type": text(isin=LINK_TYPES, description="Source whose lines the link applies "
                                                          "to",
                              example="sales_orders"),
            "field": text(description="Column of the line table whose value is the line's code "
                                      "on the axis",
                          example="representative"),
        },
        grain="one row per (axis, link type) (verbijzonderingskoppeling): the lines of the "
              "link type's sources (sales_orders: order and counter lines; projects: postcalc "
              "and installment lines; subscriptions; courses) carry the field's value as their "
              "code on the axis; a subscription's `dim_<axis>` column overrides it",
    ),
    "issued_invoice_numbers": table(
        "issued_invoice_numbers",
        {"number": text(description="Invoice number used elsewhere (purchase invoices, manual "
                                    "bookings): never issued again",
                        example="26000003")},
        grain="one row per invoice number already used outside journalize",
    ),
    # optional: when it has rows, an OS user may do an action only where a row allows it
    "authorisations": table(
        "authorisations",
        {
            "user": text(description="Operating system user name", example="jansen"),
            "action": text(isin=AUTHORISED_ACTIONS, description="What the user may do",
                           example="run"),
            "admin_id": text(description="Administration, or `*` for every one",
                             example="NL01"),
        },
        grain="one row per (OS user, action, administration or `*` for every one) allowed",
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
