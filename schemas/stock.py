"""Stock mutation schema, SPEC §2 `lines/stock_mutations` (voorraadmutaties). Not a billable line:
a mutation makes no invoice; it becomes a memorial entry in the `stock` journal of the
administrations it touches (SPEC §9, docs/stock.md). Validated like the line tables (bad rows
quarantined in rejected_lines with file, row, column and rule), staged on its own."""

import pandera.pandas as pa

from schemas.columns import date, decimal, table, text

STOCK_KINDS = ("delivery", "transfer")

STOCK_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "stock_mutations": table(
        "stock_mutations",
        {
            "mutation_id": text(description="Identifier of the mutation, unique within the table; "
                                            "a mutation is booked once, whatever the runs",
                                example="SM-0001"),
            "kind": text(isin=STOCK_KINDS,
                         description="`delivery`: goods delivered to a customer (cost of sales); "
                                     "`transfer`: stock moved to another administration",
                         example="delivery"),
            "stock_admin_id": text(description="Administration that holds the stock (its "
                                               "`stock` journal books the stock leaving)",
                                   example="NL01"),
            "invoice_admin_id": text(description="Administration that invoices the delivery; "
                                                 "another than stock_admin_id: the two meet on "
                                                 "their RC accounts",
                                     example="NL01"),
            "to_admin_id": text(optional=True,
                                description="A transfer: the administration the stock moves to",
                                example="BE01"),
            "item_code": text(description="Item (artikel) code", example="HG-1002"),
            "article_group": text(description="Article group of the item: its stock and cost of "
                                              "sales accounts, in each administration",
                                  example="HG"),
            "quantity": decimal(4, description="Quantity; a negative quantity (a return) "
                                               "reverses the entry",
                                example="4"),
            "cost_price": decimal(4, minimum="0",
                                  description="Cost price per unit (kostprijs); the entry's "
                                              "amount is quantity × cost_price, rounded half-up "
                                              "to cents",
                                  example="301.5000"),
            "transfer_price": decimal(4, optional=True, minimum="0",
                                      description="A transfer: the fixed transfer price per "
                                                  "unit (verrekenprijs) the stock enters the "
                                                  "other administration at; empty: the cost "
                                                  "price",
                                      example="220.0000"),
            "mutation_date": date(description="Date of the mutation: the entry's date; a "
                                              "mutation dated after the reference date waits "
                                              "for a later run",
                                  example="2026-10-05"),
        },
        grain="one row per stock mutation (voorraadmutatie: a delivery or a transfer)",
    ),
}
