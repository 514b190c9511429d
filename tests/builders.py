"""Small input datasets for tests, written as files exactly as a user would (SPEC §2).

`base_master()` is a one-administration NL configuration that passes `journalize check`; tests
change the rows they care about and add 2–5 lines. Expected values in tests are computed by hand
from the spec, never taken from the code's output.
"""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from flows.parameters import RunParameters
from flows.pipeline import RunResult, run_month_end
from schemas import LINES_FOLDER_SCHEMAS, MASTER_SCHEMAS

NL_ACCOUNTS = {
    "1000": "balance", "1100": "balance", "1300": "balance", "1310": "balance",
    "1500": "balance", "1510": "balance", "1520": "balance",
    "8000": "result", "8001": "result", "8100": "result", "8101": "result",
    "8200": "result", "8201": "result", "8900": "result", "8910": "result",
}


def base_master() -> dict[str, list[dict]]:
    return copy.deepcopy(
        {
            "administrations": [
                dict(admin_id="NL01", name="Noord BV", country="NL", currency="EUR",
                     receivables_account="1300"),
            ],
            "settings": [dict(key="default_admin", value="NL01")],
            "journals": [
                dict(admin_id="NL01", journal_code="VK", journal_type="sales",
                     description="Verkoop", last_invoice_number="1000", number_range_end="99999"),
                dict(admin_id="NL01", journal_code="VKC", journal_type="sales",
                     description="Creditnota's", last_invoice_number="0", number_prefix="C"),
                dict(admin_id="NL01", journal_code="KAS", journal_type="cash",
                     description="Kas", last_invoice_number="0", contra_account="1000"),
                dict(admin_id="NL01", journal_code="MEM", journal_type="memorial",
                     description="Memoriaal", last_invoice_number="0"),
            ],
            "accounts": [
                dict(admin_id="NL01", account=a, description=f"account {a}", account_type=t)
                for a, t in NL_ACCOUNTS.items()
            ],
            "vat_codes": [
                dict(admin_id="NL01", vat_code="H", rate="0.21", payable_account="1500"),
                dict(admin_id="NL01", vat_code="L", rate="0.09", payable_account="1510"),
                dict(admin_id="NL01", vat_code="0", rate="0", payable_account="1520"),
            ],
            "integration_types": [
                integration_type("sales_invoice", "VK", credit_journal_code="VKC"),
                integration_type("counter_invoice", "VK", credit_journal_code="VKC"),
                integration_type("cash_sale", "KAS"),
                integration_type("project_invoice", "VK", credit_journal_code="VKC"),
                integration_type("subscription_invoice", "VK", credit_journal_code="VKC"),
                integration_type("course_invoice", "VK", credit_journal_code="VKC"),
                integration_type("collective_invoice", "VK", credit_journal_code="VKC"),
            ],
            "article_groups": [
                dict(admin_id="NL01", article_group="GOODS", description="Goederen",
                     contains_stock_items="false", revenue_account="8000", credit_account="8001",
                     defer_revenue="false"),
                dict(admin_id="NL01", article_group="SERV", description="Diensten",
                     contains_stock_items="false", revenue_account="8100", credit_account="8101",
                     defer_revenue="false"),
            ],
            "integration_groups": [
                dict(admin_id="NL01", integration_group="WEB", revenue_account="8200",
                     credit_account="8201"),
            ],
            "sales_relation_profiles": [],
            "debtors": [
                debtor("10001", "Jansen Installatie BV"),
                debtor("10002", "De Vries Bouw"),
                debtor("10003", "Bakker Techniek"),
            ],
        }
    )


def integration_type(kind: str, journal: str, admin_id: str = "NL01", **values) -> dict:
    row = dict(admin_id=admin_id, integration_type=kind, journal_code=journal,
               financial_description="source_description", use_invoice_discount="false",
               use_credit_restriction="false", use_payment_discount="false")
    row.update(values)
    return row


def debtor(debtor_id: str, name: str, **values) -> dict:
    row = dict(debtor_id=debtor_id, name=name, payment_term_days="30", blocked="false")
    row.update(values)
    return row


def order_line(line_id: str, order_id: str = "O1", *, debtor_id: str = "10001",
               quantity: str = "1", unit_price: str = "100", vat_code: str = "H",
               article_group: str = "GOODS", line_date: str = "2026-10-15", **values) -> dict:
    row = dict(line_id=line_id, debtor_id=debtor_id, line_date=line_date, item_code="ITEM",
               article_group=article_group, description=f"line {line_id}", quantity=quantity,
               unit_price=unit_price, vat_code=vat_code, is_credit="false", manual="false",
               admin_id="NL01", order_id=order_id, delivery_date=line_date)
    row.update(values)
    return row


def counter_line(line_id: str, receipt_id: str = "R1", *, payment_method: str = "on_account",
                 debtor_id: str = "10001", quantity: str = "1", unit_price: str = "100",
                 vat_code: str = "H", **values) -> dict:
    row = dict(line_id=line_id, debtor_id=debtor_id, line_date="2026-10-15", item_code="ITEM",
               article_group="GOODS", description=f"line {line_id}", quantity=quantity,
               unit_price=unit_price, vat_code=vat_code, is_credit="false", manual="false",
               admin_id="NL01", receipt_id=receipt_id, payment_method=payment_method)
    row.update(values)
    return row


def profile(profile_id: str, *, collect: str = "", method: str = "per_sales_relation",
            period: str = "none", **values) -> dict:
    """A sales relation profile; `collect` names its collect flags, e.g. "postcalc,courses"."""
    flags = {f.strip() for f in collect.split(",") if f.strip()}
    unknown = flags - {"postcalc", "subscriptions", "installments", "courses"}
    assert not unknown, unknown
    row = dict(profile_id=profile_id,
               collect_postcalc=str("postcalc" in flags).lower(),
               collect_subscriptions=str("subscriptions" in flags).lower(),
               collect_installments=str("installments" in flags).lower(),
               collect_courses=str("courses" in flags).lower(),
               collect_method=method, collect_period=period)
    row.update(values)
    return row


def project(project_id: str, admin_id: str = "NL01", **values) -> dict:
    row = dict(project_id=project_id, admin_id=admin_id, description=f"Project {project_id}",
               invoice_separately="false", exclude_from_collective="false")
    row.update(values)
    return row


def subscription(subscription_id: str, debtor_id: str = "10001", **values) -> dict:
    row = dict(subscription_id=subscription_id, debtor_id=debtor_id,
               exclude_from_collective="false")
    row.update(values)
    return row


def course(course_id: str, **values) -> dict:
    row = dict(course_id=course_id, description=f"Course {course_id}",
               exclude_from_collective="false")
    row.update(values)
    return row


def _common_line(line_id: str, debtor_id: str, quantity: str, unit_price: str, vat_code: str,
                 article_group: str, line_date: str) -> dict:
    return dict(line_id=line_id, debtor_id=debtor_id, line_date=line_date, item_code="ITEM",
                article_group=article_group, description=f"line {line_id}", quantity=quantity,
                unit_price=unit_price, vat_code=vat_code, is_credit="false", manual="false")


def postcalc_line(line_id: str, project_id: str = "P1", *, debtor_id: str = "10001",
                  quantity: str = "1", unit_price: str = "100", vat_code: str = "H",
                  article_group: str = "SERV", line_date: str = "2026-10-15", **values) -> dict:
    row = _common_line(line_id, debtor_id, quantity, unit_price, vat_code, article_group, line_date)
    row.update(project_id=project_id)
    row.update(values)
    return row


def installment_line(line_id: str, project_id: str = "P1", installment_id: str = "T1", *,
                     debtor_id: str = "10001", quantity: str = "1", unit_price: str = "100",
                     vat_code: str = "H", article_group: str = "SERV",
                     line_date: str = "2026-10-15", **values) -> dict:
    row = _common_line(line_id, debtor_id, quantity, unit_price, vat_code, article_group, line_date)
    row.update(project_id=project_id, installment_id=installment_id,
               exclude_from_collective="false")
    row.update(values)
    return row


def subscription_line(line_id: str, subscription_id: str = "S1", *, debtor_id: str = "10001",
                      quantity: str = "1", unit_price: str = "100", vat_code: str = "H",
                      article_group: str = "SERV", line_date: str = "2026-10-01",
                      **values) -> dict:
    row = _common_line(line_id, debtor_id, quantity, unit_price, vat_code, article_group, line_date)
    row.update(subscription_id=subscription_id, period_start=line_date, period_end="")
    row.update(values)
    return row


def course_line(line_id: str, course_id: str = "C1", *, debtor_id: str = "10001",
                quantity: str = "1", unit_price: str = "100", vat_code: str = "H",
                article_group: str = "SERV", line_date: str = "2026-10-15", **values) -> dict:
    row = _common_line(line_id, debtor_id, quantity, unit_price, vat_code, article_group, line_date)
    row.update(course_id=course_id)
    row.update(values)
    return row


def with_be01(master: dict) -> dict:
    """Add administration BE01 (a copy of NL01's accounts, VAT codes and article groups) with its
    own sales journal VKB, prefix B so that the number series cannot overlap, for the project,
    subscription, course and collective integration types."""
    master["administrations"].append(dict(admin_id="BE01", name="Zuid BV", country="BE",
                                          currency="EUR", receivables_account="1300"))
    master["journals"].append(dict(admin_id="BE01", journal_code="VKB", journal_type="sales",
                                   description="Verkoop BE", last_invoice_number="0",
                                   number_prefix="B"))
    master["accounts"] += [dict(admin_id="BE01", account=a, description=f"account {a}",
                                account_type=t) for a, t in NL_ACCOUNTS.items()]
    for table in ("vat_codes", "article_groups"):
        master[table] += [dict(row, admin_id="BE01") for row in master[table]
                          if row["admin_id"] == "NL01"]
    master["integration_types"] += [
        integration_type(kind, "VKB", admin_id="BE01")
        for kind in ("project_invoice", "subscription_invoice", "course_invoice",
                     "collective_invoice")]
    return master


def write_dataset(folder: Path, master: dict[str, list[dict]] | None = None, *,
                  fmt: str = "csv", **lines: list[dict]) -> Path:
    """Write master tables and line tables (by table name) into folder/master and folder/lines."""
    master = base_master() if master is None else master
    for table, rows in master.items():
        _write(folder / "master" / table, rows, list(MASTER_SCHEMAS[table].columns), fmt)
    for table, rows in lines.items():
        _write(folder / "lines" / table, rows, list(LINES_FOLDER_SCHEMAS[table].columns), fmt)
    return folder


def _write(stem: Path, rows: list[dict], schema_columns: list[str], fmt: str) -> None:
    stem.parent.mkdir(parents=True, exist_ok=True)
    extra = [c for row in rows for c in row if c not in schema_columns]
    columns = schema_columns + sorted(set(extra), key=extra.index)
    if fmt == "csv":
        with open(stem.with_suffix(".csv"), "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, columns)
            writer.writeheader()
            writer.writerows(rows)
    else:
        table = pa.table({c: pa.array([r.get(c) or None for r in rows], pa.string()) for c in columns})
        pq.write_table(table, stem.with_suffix(".parquet"))


def run(folder: Path, db: Path, period: str = "2026-10", **params) -> RunResult:
    return run_month_end(RunParameters.for_period(period, input_dir=folder, db_path=db, **params))


def query(db: Path, sql: str, params: dict | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


def count_rows(db: Path, table: str) -> int:
    """Rows in an output table; 0 when a failed first run left no table (or no file) at all."""
    if not Path(db).exists():
        return 0
    with duckdb.connect(str(db), read_only=True) as con:
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = $t", {"t": table}
        ).fetchone()[0]
        return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] if exists else 0
