"""Billable line schemas, SPEC §2 `lines/` (te factureren regels). Large tables: validated in
bounded batches, never as one pandas copy of the whole table."""

import pandera.pandas as pa

from schemas.columns import boolean, date, decimal, digits, table, text

PAYMENT_METHODS = ("on_account", "cash", "pin", "chip")

# Columns every line table has.
LINE_COMMON = {
    "line_id": text(),
    "debtor_id": digits(),
    "line_date": date(),
    "item_code": text(),
    "article_group": text(),
    "integration_group": text(optional=True),
    "description": text(optional=True),
    "quantity": decimal(4),
    "unit_price": decimal(4),
    "vat_code": text(),
    "is_credit": boolean(),
    "manual": boolean(),
}


def _line_table(name: str, extra: dict, grain: str) -> pa.DataFrameSchema:
    return table(name, {**LINE_COMMON, **extra}, grain=grain)


LINE_SCHEMAS = {
    "order_lines": _line_table(
        "order_lines",
        {"admin_id": text(), "order_id": text(), "delivery_date": date(optional=True)},
        "one row per order line (Ordermanagement, pakbonregel) to invoice",
    ),
    "counter_lines": _line_table(
        "counter_lines",
        {
            "admin_id": text(),
            "receipt_id": text(),
            "payment_method": text(isin=PAYMENT_METHODS),
        },
        "one row per counter/direct sale line (Balie-/directfactuur)",
    ),
    # Project lines take their administration from the project (SPEC §4).
    "postcalc_lines": _line_table(
        "postcalc_lines",
        {"project_id": text(), "phase_id": text(optional=True)},
        "one row per post-calculation line (nacalculatie) of a project to invoice",
    ),
    "installment_lines": _line_table(
        "installment_lines",
        {
            "project_id": text(),
            "installment_id": text(),
            "exclude_from_collective": boolean(optional=True),
        },
        "one row per installment (termijn) of a project to invoice",
    ),
    # Subscriptions: the project's administration, else the subscription's, else default_admin.
    "subscription_lines": _line_table(
        "subscription_lines",
        {
            "subscription_id": text(),
            "period_start": date(optional=True),
            "period_end": date(optional=True),
        },
        "one row per subscription line (abonnementsregel) of a billing period",
    ),
    # Courses: the course's administration, else default_admin.
    "course_lines": _line_table(
        "course_lines",
        {"course_id": text()},
        "one row per course registration line (cursusinschrijving) to invoice",
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
