"""Billable line schemas, SPEC §2 `lines/` (te factureren regels). Large tables: validated in
bounded batches, never as one pandas copy of the whole table."""

import pandera.pandas as pa

from schemas.columns import boolean, date, decimal, digits, table, text, with_example

PAYMENT_METHODS = ("on_account", "cash", "pin", "chip")

# Columns every line table has (each table gives its own examples: `_line_table`).
LINE_COMMON = {
    "line_id": text(description="Identifier of the line, unique within its table"),
    "debtor_id": digits(description="Debtor to invoice"),
    "line_date": date(description="Date of the line; a line dated after the reference date "
                                  "stays open"),
    "item_code": text(description="Item (artikel) code"),
    "article_group": text(description="Article group of the line: its revenue and credit "
                                      "accounts"),
    "integration_group": text(optional=True,
                              description="Integration group of the line; when given, its "
                                          "accounts instead of the article group's"),
    "description": text(optional=True, description="Description of the line"),
    "quantity": decimal(4, description="Quantity"),
    "unit_price": decimal(4, description="Price per unit excluding VAT; the amount is quantity "
                                         "× unit_price, rounded half-up to cents"),
    "vat_code": text(description="VAT code of the line's administration"),
    "is_credit": boolean(description="A line to credit (te crediteren regel): its amount "
                                     "counts negative"),
    "manual": boolean(description="A manually added line: never collected"),
}


def _line_table(name: str, extra: dict, grain: str,
                examples: dict[str, str]) -> pa.DataFrameSchema:
    """A line table: the common columns, with this table's `examples`, and its own `extra`."""
    assert examples.keys() == LINE_COMMON.keys(), "an example for every common column"
    common = {column: with_example(spec, examples[column]) for column, spec in LINE_COMMON.items()}
    return table(name, {**common, **extra}, grain=grain)


LINE_SCHEMAS = {
    "order_lines": _line_table(
        "order_lines",
        {
            "admin_id": text(description="Administration of the order", example="BE01"),
            "order_id": text(description="Order number: one invoice per (administration, "
                                         "debtor, order)",
                             example="O26-0001"),
            "delivery_date": date(optional=True,
                                  description="Delivery date; `source_delivery_week` names the "
                                              "week of the earliest (else of the line date)",
                                  example="2026-10-05"),
        },
        "one row per order line (Ordermanagement, pakbonregel) to invoice",
        {"line_id": "OL-000001", "debtor_id": "20001", "line_date": "2026-10-01",
         "item_code": "HG-1002", "article_group": "HG", "integration_group": "WEBSHOP",
         "description": "Zit-sta bureau 160x80", "quantity": "4", "unit_price": "589.00",
         "vat_code": "21", "is_credit": "false", "manual": "false"},
    ),
    "counter_lines": _line_table(
        "counter_lines",
        {
            "admin_id": text(description="Administration of the sale", example="NL01"),
            "receipt_id": text(description="Receipt (bon): one invoice per receipt, debtor and "
                                           "payment method",
                               example="BON-0001"),
            "payment_method": text(isin=PAYMENT_METHODS,
                                   description="On account, or paid in cash, by pin or chip "
                                               "(then settled in the `cash_sale` journal)",
                                   example="pin"),
        },
        "one row per counter/direct sale line (Balie-/directfactuur)",
        {"line_id": "CL-000001", "debtor_id": "10026", "line_date": "2026-10-02",
         "item_code": "HG-1008", "article_group": "HG", "integration_group": "WEBSHOP",
         "description": "Koffiebonen espresso 1 kg", "quantity": "5", "unit_price": "21.4750",
         "vat_code": "L", "is_credit": "false", "manual": "false"},
    ),
    # Project lines take their administration from the project (SPEC §4).
    "postcalc_lines": _line_table(
        "postcalc_lines",
        {
            "project_id": text(description="Project of the line: it gives the administration",
                               example="P1001"),
            "phase_id": text(optional=True, description="Phase of the project",
                             example="F01"),
        },
        "one row per post-calculation line (nacalculatie) of a project to invoice",
        {"line_id": "PL-000001", "debtor_id": "10005", "line_date": "2026-09-29",
         "item_code": "DNS-3002", "article_group": "DIENST", "integration_group": "WEBSHOP",
         "description": "Advies inrichting per uur", "quantity": "6", "unit_price": "115.00",
         "vat_code": "H", "is_credit": "false", "manual": "false"},
    ),
    "installment_lines": _line_table(
        "installment_lines",
        {
            "project_id": text(description="Project of the line: it gives the administration",
                               example="P1001"),
            "installment_id": text(description="Installment (termijn) of the project: one "
                                               "invoice per (debtor, project, installment)",
                                   example="T02"),
            "exclude_from_collective": boolean(optional=True,
                                               description="The line is never collected",
                                               example="false"),
        },
        "one row per installment (termijn) of a project to invoice",
        {"line_id": "IL-000001", "debtor_id": "10005", "line_date": "2026-10-01",
         "item_code": "DNS-3006", "article_group": "DIENST", "integration_group": "WEBSHOP",
         "description": "Termijn 2 van 5: ontwerp", "quantity": "1", "unit_price": "2500.00",
         "vat_code": "H", "is_credit": "false", "manual": "false"},
    ),
    # Subscriptions: the project's administration, else the subscription's, else default_admin.
    "subscription_lines": _line_table(
        "subscription_lines",
        {
            "subscription_id": text(description="Subscription of the line: it gives the "
                                                "administration and project",
                                    example="S0001"),
            "period_start": date(optional=True, description="First day of the period billed",
                                 example="2026-10-01"),
            "period_end": date(optional=True, description="Last day of the period billed",
                               example="2026-10-31"),
        },
        "one row per subscription line (abonnementsregel) of a billing period",
        {"line_id": "SL-000001", "debtor_id": "10004", "line_date": "2026-10-01",
         "item_code": "ABO-6002", "article_group": "ABO", "integration_group": "WEBSHOP",
         "description": "Helpdesk-abonnement", "quantity": "1", "unit_price": "149.00",
         "vat_code": "H", "is_credit": "false", "manual": "false"},
    ),
    # Courses: the course's administration, else default_admin.
    "course_lines": _line_table(
        "course_lines",
        {"course_id": text(description="Course of the registration: it gives the "
                                       "administration (else default_admin)",
                           example="CRS01")},
        "one row per course registration line (cursusinschrijving) to invoice",
        {"line_id": "CO-000001", "debtor_id": "10004", "line_date": "2026-10-06",
         "item_code": "CRS-7001", "article_group": "CURS", "integration_group": "WEBSHOP",
         "description": "Cursusgeld per deelnemer", "quantity": "2", "unit_price": "695.00",
         "vat_code": "0", "is_credit": "false", "manual": "false"},
    ),
}

# Sources whose credit lines are invoiced only with --include-credit-lines (SPEC §7, §8).
CREDIT_ON_REQUEST = ("subscription_lines", "course_lines")

# The canonical order in which sources are processed and reported.
SOURCES = tuple(LINE_SCHEMAS)

# What `--sources` accepts besides the table names: the cockpit's module names.
SOURCE_ALIASES = {
    "order": ("order_lines",),
    "orders": ("order_lines",),
    "counter": ("counter_lines",),
    "postcalc": ("postcalc_lines",),
    "installment": ("installment_lines",),
    "installments": ("installment_lines",),
    "project": ("postcalc_lines", "installment_lines"),
    "projects": ("postcalc_lines", "installment_lines"),
    "subscription": ("subscription_lines",),
    "subscriptions": ("subscription_lines",),
    "course": ("course_lines",),
    "courses": ("course_lines",),
}


def resolve_sources(names: list[str]) -> list[str]:
    """Table names for `--sources` names (tables or module aliases), in SOURCES order.
    Raises ValueError naming what is unknown."""
    wanted: set[str] = set()
    unknown: list[str] = []
    for name in (n.strip().lower() for n in names):
        if name in SOURCES:
            wanted.add(name)
        elif name in SOURCE_ALIASES:
            wanted.update(SOURCE_ALIASES[name])
        elif name:
            unknown.append(name)
    if unknown:
        raise ValueError(
            f"unknown source(s) {', '.join(unknown)}; known: {', '.join(SOURCES)} "
            f"(or {', '.join(sorted(SOURCE_ALIASES))})"
        )
    return [s for s in SOURCES if s in wanted]
