"""Seeded generator of the benchmark's realistic month-end datasets, of any size, as Parquet.

    python benchmarks/generate.py --lines 1000000 --out benchmarks/data/1m [--seed 7]

Five administrations (NL01, NL02, NL03, BE01 with a CODA mask, BE02), 200,000 debtors with sales
relation profiles (some collecting across modules, `*****` among them), projects with phases,
subscriptions with items billed to the reference date (SPEC §7: monthly, quarterly, half-yearly
and yearly, some a period behind, some ended early and credited, some cut short by their end),
courses, deferred article groups, allocation links, stock mutations (about one per order line
of the stock article group GOODS, some delivered by another administration than the invoicing
one, a few transfers), every billable source (orders
60 %, counter 10 %, postcalc 10 %, installments 5 %, subscriptions 10 %, courses 5 %), about 2 %
credit lines, 3 % lines after the reference date, blocked debtors and a few bad rows per 100,000
(unknown debtor, negative quantity without is_credit, unparsable date). The subscription items
(about 30,000 whatever the size) generate about 25,000 lines in the run.

The master tables are small and built in Python; the line tables are computed by DuckDB straight
into Parquet from `range(n)` with hash-based pseudo-random values, so any size is generated in
seconds and bounded memory, and the same seed gives the same files on any machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

ADMINS = [  # admin_id, country, number prefix of its sales journal, CODA mask
    ("NL01", "NL", "A", ""), ("NL02", "NL", "B", ""), ("NL03", "NL", "D", ""),
    ("BE01", "BE", "", "YYMMVVFFFF"), ("BE02", "BE", "E", ""),
]
DEBTORS = 200_000
PROJECTS = 20_000
SUBSCRIPTIONS = 50_000
COURSES = 500
REFERENCE = "2026-10-31"
SHARES = {  # source: share of the lines
    "order_lines": 0.60, "counter_lines": 0.10, "postcalc_lines": 0.10,
    "installment_lines": 0.05, "subscription_lines": 0.10, "course_lines": 0.05,
}
GROUP_SIZES = {  # lines per order, receipt, project, installment, subscription, course invoice
    "order_lines": 5, "counter_lines": 3, "postcalc_lines": 4, "installment_lines": 1,
    "subscription_lines": 2, "course_lines": 2,
}
GROUPS = [  # article group, revenue, credit, stock, defer
    ("GOODS", "8000", "8001", True, False), ("SERV", "8100", "8101", False, False),
    ("LIC", "8200", "8201", False, True), ("SUBS", "8300", "8301", False, True),
]


def _table(rows: list[dict]) -> pa.Table:
    columns = list(rows[0])
    return pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in columns})


def master_tables(seed: int) -> dict[str, pa.Table]:
    rng = random.Random(seed)
    tables: dict[str, list[dict]] = {k: [] for k in (
        "administrations", "settings", "journals", "accounts", "vat_codes", "integration_types",
        "article_groups", "integration_groups", "sales_relation_profiles", "projects",
        "project_phases", "subscriptions", "subscription_items", "courses", "allocation_links",
        "issued_invoice_numbers")}
    tables["settings"].append({"key": "default_admin", "value": "NL01"})
    for index, (admin, country, prefix, mask) in enumerate(ADMINS):
        tables["administrations"].append({
            "admin_id": admin, "name": f"Administration {admin}", "country": country,
            "currency": "EUR", "receivables_account": "1300", "coda_mask": mask})
        base = 26_000_000 + index * 1_000_000_000 if not prefix else 0
        for code, kind, last, pfx, end, contra in [
            ("VK", "sales", base, prefix, "", ""), ("VKC", "sales", 0, f"C{prefix or admin}", "", ""),
            ("KAS", "cash", 0, "", "", "1000"), ("MEM", "memorial", 0, "", "", "")]:
            tables["journals"].append({
                "admin_id": admin, "journal_code": code, "journal_type": kind,
                "description": code, "last_invoice_number": str(last), "number_prefix": pfx,
                "number_range_end": end, "contra_account": contra})
        for account, kind in [("1000", "balance"), ("1300", "balance"), ("1500", "balance"),
                              ("1510", "balance"), ("1700", "balance"), ("8000", "result"),
                              ("8001", "result"), ("8100", "result"), ("8101", "result"),
                              ("8200", "result"), ("8201", "result"), ("8300", "result"),
                              ("8301", "result"), ("8900", "result"), ("8910", "result")]:
            tables["accounts"].append({"admin_id": admin, "account": account,
                                       "description": f"Account {account}", "account_type": kind})
        high, low = ("0.21", "0.09") if country == "NL" else ("0.21", "0.06")
        tables["vat_codes"] += [
            {"admin_id": admin, "vat_code": "H", "rate": high, "payable_account": "1500"},
            {"admin_id": admin, "vat_code": "L", "rate": low, "payable_account": "1510"}]
        for kind in ("sales_invoice", "counter_invoice", "project_invoice",
                     "subscription_invoice", "course_invoice", "collective_invoice", "cash_sale"):
            journal = "KAS" if kind == "cash_sale" else "VK"
            tables["integration_types"].append({
                "admin_id": admin, "integration_type": kind, "journal_code": journal,
                "credit_journal_code": "" if kind == "cash_sale" else "VKC",
                "financial_description": rng.choice(["source_description", "source_debtor_name",
                                                     "source_debtor_number_name"]),
                "use_invoice_discount": "true", "invoice_discount_account": "8900",
                "use_credit_restriction": "true", "credit_restriction_account": "8910",
                "use_payment_discount": "true", "payment_discount_days": "8"})
        for group, revenue, credit, stock, defer in GROUPS:
            tables["article_groups"].append({
                "admin_id": admin, "article_group": group, "description": group,
                "contains_stock_items": str(stock).lower(), "revenue_account": revenue,
                "credit_account": credit, "defer_revenue": str(defer).lower(),
                "deferral_account": "1700" if defer else "",
                "deferral_method": "pro_rata" if group == "LIC" else ("equal" if defer else "")})
        tables["integration_groups"].append({"admin_id": admin, "integration_group": "WEB",
                                             "revenue_account": "8200", "credit_account": "8201"})
    for pid, flags, method, period in [
        ("*****", "0000", "per_sales_relation", "none"), ("STD", "1000", "per_sales_relation", "month"),
        ("VZF", "1111", "per_sales_relation", "month"), ("PRJ", "1100", "per_project", "month"),
        ("WK", "1010", "per_concept_debtor", "week"), ("4W", "0111", "per_sales_relation", "four_weeks")]:
        tables["sales_relation_profiles"].append({
            "profile_id": pid, "invoice_journal_code": "", "credit_journal_code": "",
            "collect_postcalc": str(flags[0] == "1").lower(),
            "collect_subscriptions": str(flags[1] == "1").lower(),
            "collect_installments": str(flags[2] == "1").lower(),
            "collect_courses": str(flags[3] == "1").lower(),
            "collect_method": method, "collect_period": period})
    for p in range(PROJECTS):
        tables["projects"].append({
            "project_id": f"P{p:06d}", "admin_id": ADMINS[p % len(ADMINS)][0],
            "description": f"Project {p}", "invoice_separately": str(p % 11 == 0).lower(),
            "exclude_from_collective": str(p % 17 == 0).lower()})
        for phase in range(1, 3):
            tables["project_phases"].append({"project_id": f"P{p:06d}", "phase_id": f"F{phase}",
                                             "description": f"Phase {phase}"})
    for s in range(SUBSCRIPTIONS):
        tables["subscriptions"].append({
            "subscription_id": f"S{s:06d}", "debtor_id": str(100_000 + (s * 7) % DEBTORS),
            "project_id": f"P{s % PROJECTS:06d}" if s % 5 == 0 else "",
            "admin_id": ADMINS[s % len(ADMINS)][0] if s % 3 else "",
            "exclude_from_collective": str(s % 13 == 0).lower(), "dim_department": f"D{s % 9}"})
        if s % 2 == 0:
            tables["subscription_items"].append(subscription_item(rng, s, 1))
        if s % 10 == 0:
            tables["subscription_items"].append(subscription_item(rng, s, 2))
    for c in range(COURSES):
        tables["courses"].append({"course_id": f"C{c:04d}",
                                  "admin_id": ADMINS[c % len(ADMINS)][0] if c % 4 else "",
                                  "description": f"Course {c}",
                                  "exclude_from_collective": str(c % 7 == 0).lower()})
    tables["allocation_links"] = [
        {"axis": "department", "link_type": "sales_orders", "field": "representative"},
        {"axis": "warehouse", "link_type": "sales_orders", "field": "warehouse"},
        {"axis": "department", "link_type": "subscriptions", "field": "representative"}]
    tables["issued_invoice_numbers"] = [{"number": f"A{n}"} for n in (3, 7, 1000)]
    _stock_master(tables)
    out = {name: _table(rows) for name, rows in tables.items()}
    out["debtors"] = debtor_table(seed)
    return out


# Stock (docs/stock.md): every administration but NL02 holds stock (its `stock` type in MEM);
# NL01 delivers NL02's goods (NL02 invoices them: its `stock_intercompany` type), BE01 transfers
# stock to BE02 at a transfer price
STOCK_ACCOUNTS = [("3000", "balance"), ("7000", "result"), ("1800", "balance"),
                  ("1810", "balance"), ("8950", "result")]
STOCK_HELD_BY = {"NL02": "NL01"}  # invoicing administration: the one holding its stock


def _stock_master(tables: dict[str, list[dict]]) -> None:
    """The accounts, article group accounts and integration types the stock mutations need."""
    for group in tables["article_groups"]:
        stock = group["contains_stock_items"] == "true"
        group["stock_account"] = "3000" if stock else ""
        group["cost_of_sales_account"] = "7000" if stock else ""
    rc = ("cost_of_sales_rc_account", "purchase_rc_account", "stock_transfer_account")
    for kind in tables["integration_types"]:
        kind.update(dict.fromkeys(rc, ""))
    for admin, *_ in ADMINS:
        tables["accounts"] += [{"admin_id": admin, "account": account,
                                "description": f"Account {account}", "account_type": kind}
                               for account, kind in STOCK_ACCOUNTS]
        kind = "stock_intercompany" if admin in STOCK_HELD_BY else "stock"
        tables["integration_types"].append({
            "admin_id": admin, "integration_type": kind, "journal_code": "MEM",
            "credit_journal_code": "", "financial_description": "source_description",
            "use_invoice_discount": "false", "invoice_discount_account": "",
            "use_credit_restriction": "false", "credit_restriction_account": "",
            "use_payment_discount": "false", "payment_discount_days": "",
            "cost_of_sales_rc_account": "1800",
            "purchase_rc_account": "" if kind == "stock_intercompany" else "1810",
            "stock_transfer_account": "" if kind == "stock_intercompany" else "8950"})


def stock_sql() -> str:
    """About one stock mutation per order line delivered from stock (article group GOODS): a
    delivery at 60 % of the unit price, from the invoicing administration's stock (NL02's from
    NL01's), dated on the delivery (the line date when that is after the reference date); one in
    a hundred of BE01's is a transfer to BE02 instead, at 110 % of cost."""
    held = " ".join(f"WHEN '{a}' THEN '{b}'" for a, b in STOCK_HELD_BY.items())
    return f"""
        WITH o AS (
            SELECT *, hash(line_id) AS h,
                   admin_id = 'BE01' AND hash(line_id) % 100 = 0 AS transfer
            FROM read_parquet($order_lines) WHERE article_group = 'GOODS'
        )
        SELECT 'SM' || line_id AS mutation_id,
               CASE WHEN transfer THEN 'transfer' ELSE 'delivery' END AS kind,
               CASE admin_id {held} ELSE admin_id END AS stock_admin_id,
               admin_id AS invoice_admin_id,
               CASE WHEN transfer THEN 'BE02' END AS to_admin_id,
               item_code, article_group, quantity,
               round(TRY_CAST(unit_price AS DECIMAL(18, 4)) * 0.6, 4)::VARCHAR AS cost_price,
               CASE WHEN transfer
                    THEN round(TRY_CAST(unit_price AS DECIMAL(18, 4)) * 0.66, 4)::VARCHAR
               END AS transfer_price,
               CASE WHEN line_date >= '2026-11-01' AND TRY_CAST(line_date AS DATE) IS NOT NULL
                    THEN line_date ELSE delivery_date END AS mutation_date
        FROM o
    """


FREQUENCIES = [("month", 1)] * 14 + [("quarter", 3)] * 3 + [("half_year", 6), ("year", 12)] * 1


def _plus_months(day: dt.date, months: int) -> dt.date:
    """day + months, on the month's last day when it lacks that day (as the run's periods)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = (dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month + 1, min(day.day, last))


def subscription_item(rng: random.Random, s: int, n: int) -> dict:
    """An item of subscription s, billed as a subscription module leaves it before the October
    run: through the end of its period that holds 2026-09-30 (so what is due is the periods that
    start in October), some a period behind, some ended (credited or cut short)."""
    frequency, months = rng.choice(FREQUENCIES)
    start = dt.date(rng.choice([2024, 2025, 2026]), rng.randint(1, 12), rng.choice([1, 1, 1, 15]))
    if start > dt.date(2026, 10, 31):
        start = start.replace(year=2025)
    k, through = 0, None
    while _plus_months(start, (k + 1) * months) <= dt.date(2026, 9, 30):
        k += 1
    if start <= dt.date(2026, 9, 30):
        through = _plus_months(start, (k + 1) * months) - dt.timedelta(days=1)
    end = None
    roll = rng.random()
    if through and roll < 0.04 and k > 0:  # a period behind: two are due
        through = _plus_months(start, k * months) - dt.timedelta(days=1)
    elif through and roll < 0.06:  # ended early, after it was billed: credited
        end = max(start, through - dt.timedelta(days=rng.randint(1, 20)))
    elif roll < 0.08:  # ends in the middle of October: cut short
        end = max(start, dt.date(2026, 10, 15))
    return {
        "subscription_id": f"S{s:06d}", "item_code": f"SUB-{n}",
        "article_group": rng.choice(["SUBS", "SUBS", "SERV", "LIC"]),
        "description": f"Subscription item {n}", "quantity": str(rng.choice([1, 1, 2, 5])),
        "unit_price": f"{rng.randint(500, 50000) / 100:.2f}", "vat_code": "H",
        "frequency": frequency, "start_date": start.isoformat(),
        "end_date": end.isoformat() if end else "",
        "billed_through": through.isoformat() if through else ""}


def debtor_table(seed: int) -> pa.Table:
    con = duckdb.connect()
    return con.sql(f"""
        SELECT (100000 + i)::VARCHAR AS debtor_id, 'Debtor ' || i AS name,
               CASE WHEN h % 10 < 5 THEN NULL
                    ELSE ['STD', 'VZF', 'PRJ', 'WK', '4W', '*****'][(h // 10) % 6 + 1] END AS profile_id,
               ((h // 100) % 10000)::VARCHAR AS free_code,
               [14, 30, 30, 60][(h // 7) % 4 + 1]::VARCHAR AS payment_term_days,
               CASE WHEN h % 7 = 0 THEN '2' END AS invoice_discount_pct,
               CASE WHEN h % 11 = 0 THEN '2' END AS credit_restriction_pct,
               CASE WHEN h % 13 = 0 THEN '1.5' END AS payment_discount_pct,
               NULL::VARCHAR AS receivables_account,
               (h % 997 = 0)::VARCHAR AS blocked
        FROM (SELECT i, (hash(i, {seed}) % 1000003)::BIGINT AS h FROM range({DEBTORS}) t(i))
        ORDER BY i
    """).to_arrow_table()


def line_sql(source: str, count: int, offset: int, seed: int) -> str:
    """One line table as a SELECT over range(count); line i uses hash(i, seed) for its values."""
    admins = "[" + ", ".join(f"'{a}'" for a, *_ in ADMINS) + "]"
    # subscription article groups hold no stock items (SPEC §4)
    groups = "['SUBS', 'SERV', 'LIC', 'SUBS']" if source == "subscription_lines" else \
        "['GOODS', 'SERV', 'LIC', 'SERV']"
    common = f"""
        '{source[:2].upper()}' || lpad((i + 1)::VARCHAR, 9, '0') AS line_id,
        CASE WHEN h % 10007 = 1 THEN '999999'
             ELSE (100000 + (g // 3) % {DEBTORS})::VARCHAR END AS debtor_id,
        CASE WHEN h % 10009 = 2 THEN '2026-13-45'
             WHEN g % 33 = 0 THEN strftime(DATE '2026-11-01' + ((h // 5) % 20)::INTEGER, '%Y-%m-%d')
             ELSE strftime(DATE '2026-10-01' + ((h // 5) % 31)::INTEGER, '%Y-%m-%d') END AS line_date,
        'ITEM-' || ((h // 7) % 5000)::VARCHAR AS item_code,
        {groups}[(h // 11) % 4 + 1] AS article_group,
        CASE WHEN h % 9 = 0 THEN 'WEB' END AS integration_group,
        'Line ' || i AS description,
        CASE WHEN h % 10037 = 3 THEN '-1'
             ELSE ((h // 13) % 20 + 1)::VARCHAR || CASE WHEN h % 4 = 0 THEN '.5' ELSE '' END
        END AS quantity,
        (((h // 17) % 200000) / 100.0 + 0.5)::DECIMAL(18, 4)::VARCHAR AS unit_price,
        CASE WHEN h % 6 = 0 THEN 'L' ELSE 'H' END AS vat_code,
        (h % 50 = 0)::VARCHAR AS is_credit,
        (h % 200 = 0)::VARCHAR AS manual,
        'R' || ((h // 19) % 40)::VARCHAR AS representative
    """
    extra = {
        "order_lines": f"""{admins}[(g // 23) % 5 + 1] AS admin_id,
            'O' || (i // 5)::VARCHAR AS order_id,
            strftime(DATE '2026-10-01' + ((h // 29) % 31)::INTEGER, '%Y-%m-%d') AS delivery_date,
            'W' || ((h // 31) % 4)::VARCHAR AS warehouse""",
        "counter_lines": f"""{admins}[(g // 23) % 5 + 1] AS admin_id,
            'R' || (i // 3)::VARCHAR AS receipt_id,
            ['on_account', 'cash', 'pin', 'chip'][((i // 3) * 7 + {seed}) % 4 + 1] AS payment_method""",
        "postcalc_lines": f"""'P' || lpad(((g // 37) % {PROJECTS})::VARCHAR, 6, '0') AS project_id,
            'F' || ((h // 41) % 2 + 1)::VARCHAR AS phase_id""",
        "installment_lines": f"""'P' || lpad(((g // 37) % {PROJECTS})::VARCHAR, 6, '0') AS project_id,
            'T' || ((h // 43) % 12 + 1)::VARCHAR AS installment_id,
            (h % 23 = 0)::VARCHAR AS exclude_from_collective""",
        "subscription_lines": f"""'S' || lpad(((g // 37) % {SUBSCRIPTIONS})::VARCHAR, 6, '0') AS subscription_id,
            '2026-10-01' AS period_start, '2026-10-31' AS period_end""",
        "course_lines": f"""'C' || lpad(((g // 37) % {COURSES})::VARCHAR, 4, '0') AS course_id""",
    }[source]
    # h: per line; g: per group of `size` consecutive lines (an order, a receipt, a project's
    # lines of the month, …) so that a group shares its debtor, administration and project
    size = GROUP_SIZES[source]
    return f"""
        SELECT {common}, {extra}
        FROM (SELECT i, (hash(i + {offset}, {seed}) >> 1)::BIGINT AS h,
                     (hash(i // {size} + {offset}, {seed} + 1) >> 1)::BIGINT AS g
              FROM range({count}) t(i))
    """


def generate(lines: int, out: Path, seed: int = 7, *, progress=print) -> Path:
    out = Path(out)
    (out / "master").mkdir(parents=True, exist_ok=True)
    (out / "lines").mkdir(parents=True, exist_ok=True)
    for name, table in master_tables(seed).items():
        pq.write_table(table, out / "master" / f"{name}.parquet")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # (DuckDB refuses it as a connect config)
    offset = 0
    for source, share in SHARES.items():
        count = int(lines * share)
        target = out / "lines" / f"{source}.parquet"
        started = time.perf_counter()
        con.execute(f"COPY ({line_sql(source, count, offset, seed)}) TO $target "
                    "(FORMAT parquet, ROW_GROUP_SIZE 250000)", {"target": str(target)})
        offset += count
        progress(f"  {source}: {count:,} lines in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    target = out / "lines" / "stock_mutations.parquet"
    con.execute(f"COPY ({stock_sql()}) TO $target (FORMAT parquet, ROW_GROUP_SIZE 250000)",
                {"target": str(target), "order_lines": str(out / "lines" / "order_lines.parquet")})
    mutations = con.execute("SELECT count(*) FROM read_parquet($t)", {"t": str(target)}).fetchone()[0]
    progress(f"  stock_mutations: {mutations:,} in {time.perf_counter() - started:.1f} s")
    (out / "READY").write_text(f"{lines} {seed}\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.lines, args.out, args.seed)


if __name__ == "__main__":
    main()
