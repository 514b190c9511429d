"""Billable line schemas, SPEC §2 `lines/` (te factureren regels). Large tables: validated in
bounded batches, never as one pandas copy of the whole table."""

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


def _line_table(name: str, extra: dict, grain: str):
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
}

# The canonical order in which sources are processed and reported.
SOURCES = tuple(LINE_SCHEMAS)
