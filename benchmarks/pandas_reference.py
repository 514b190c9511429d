"""A plain-pandas implementation of the core month-end path, as a yardstick for `make bench`.

What a competent data engineer would write in pandas without journalize: read the line tables,
parse and check the values, find the administration, group lines into invoices (per source, no
collective invoices), amounts in integer cents (half-up), VAT once per invoice and code, number
per journal, journal entry lines (debtor, revenue per account and VAT code, VAT), written to
Parquet. It skips what journalize does besides (rejection messages, discounts, descriptions, CODA,
skipped numbers, reconciliation, one transaction), so the ratio flatters pandas.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

KEYS = {
    "order_lines": ["admin_id", "debtor_id", "order_id"],
    "counter_lines": ["admin_id", "receipt_id", "debtor_id", "payment_method"],
    "postcalc_lines": ["admin_id", "debtor_id", "project_id"],
    "installment_lines": ["admin_id", "debtor_id", "project_id", "installment_id"],
    "subscription_lines": ["admin_id", "debtor_id", "subscription_id"],
    "course_lines": ["admin_id", "debtor_id", "course_id"],
}


def _cents(quantity: pd.Series, price: pd.Series) -> pd.Series:
    # four-decimal fixed point to avoid binary floats; half-up to cents
    q = (pd.to_numeric(quantity, errors="coerce") * 10_000).round()
    p = (pd.to_numeric(price, errors="coerce") * 10_000).round()
    raw = q * p / 1_000_000  # cents * 100
    return np.sign(raw) * np.floor(np.abs(raw) + 0.5)


def run(folder: str) -> dict[str, int]:
    root = Path(folder)
    master = {p.stem: pd.read_parquet(p) for p in (root / "master").glob("*.parquet")}
    settings = dict(zip(master["settings"]["key"], master["settings"]["value"], strict=True))
    projects = master["projects"].set_index("project_id")["admin_id"]
    subs = master["subscriptions"].set_index("subscription_id")
    courses = master["courses"].set_index("course_id")["admin_id"]
    groups = master["article_groups"].set_index(["admin_id", "article_group"])
    vat = master["vat_codes"].set_index(["admin_id", "vat_code"])
    debtors = master["debtors"].set_index("debtor_id")
    frames = []
    for source, keys in KEYS.items():
        lines = pd.read_parquet(root / "lines" / f"{source}.parquet")
        if source in ("postcalc_lines", "installment_lines"):
            lines["admin_id"] = lines["project_id"].map(projects)
        elif source == "subscription_lines":
            sub = subs.reindex(lines["subscription_id"])
            admin = sub["project_id"].map(projects).fillna(sub["admin_id"].replace("", np.nan))
            lines["admin_id"] = admin.fillna(settings["default_admin"]).to_numpy()
        elif source == "course_lines":
            lines["admin_id"] = lines["course_id"].map(courses).replace("", np.nan).fillna(
                settings["default_admin"])
        date = pd.to_datetime(lines["line_date"], format="%Y-%m-%d", errors="coerce")
        cents = _cents(lines["quantity"], lines["unit_price"])
        credit = lines["is_credit"].str.lower().eq("true")
        cents = np.where(credit, -cents.abs(), cents)
        known = lines["debtor_id"].isin(debtors.index)
        ok = date.notna() & ~np.isnan(cents) & known & (date <= "2026-10-31")
        ok &= ~debtors["blocked"].reindex(lines["debtor_id"]).eq("true").to_numpy()
        lines = lines[ok].assign(cents=cents[ok])
        key = pd.Series(source, index=lines.index)
        for column in keys:  # vectorised string concatenation (no row-wise apply)
            key = key + "|" + lines[column].astype(str)
        lines["key"] = key
        lines["account"] = groups["revenue_account"].reindex(
            pd.MultiIndex.from_frame(lines[["admin_id", "article_group"]])).to_numpy()
        frames.append(lines[["key", "admin_id", "debtor_id", "vat_code", "account", "cents"]])
    lines = pd.concat(frames, ignore_index=True)
    per_code = lines.groupby(["key", "admin_id", "debtor_id", "vat_code"], as_index=False)["cents"].sum()
    rate = vat["rate"].astype(float).reindex(
        pd.MultiIndex.from_frame(per_code[["admin_id", "vat_code"]])).to_numpy()
    raw_vat = per_code["cents"] * rate
    per_code["vat"] = np.sign(raw_vat) * np.floor(np.abs(raw_vat) + 0.5)
    invoices = per_code.groupby(["key", "admin_id", "debtor_id"], as_index=False)[["cents", "vat"]].sum()
    invoices["journal"] = np.where(invoices["cents"] + invoices["vat"] < 0, "VKC", "VK")
    invoices = invoices.sort_values(["admin_id", "journal", "debtor_id", "key"])
    invoices["number"] = invoices.groupby(["admin_id", "journal"]).cumcount() + 1
    invoices["invoice_number"] = invoices["admin_id"] + "-" + invoices["journal"] + "-" + \
        invoices["number"].astype(str)
    numbers = invoices.set_index("key")["invoice_number"]
    revenue = lines.groupby(["key", "account", "vat_code"], as_index=False)["cents"].sum()
    revenue["amount"] = -revenue["cents"]
    debtor = invoices.assign(account="1300", vat_code=None, amount=invoices["cents"] + invoices["vat"])
    vat_lines = per_code.assign(account="1500", amount=-per_code["vat"])
    entries = pd.concat([
        debtor[["key", "account", "vat_code", "amount"]],
        revenue[["key", "account", "vat_code", "amount"]],
        vat_lines[["key", "account", "vat_code", "amount"]],
    ], ignore_index=True)
    entries = entries[entries["amount"] != 0]
    entries["invoice_number"] = entries["key"].map(numbers)
    entries["debit"] = entries["amount"].clip(lower=0) / 100
    entries["credit"] = (-entries["amount"]).clip(lower=0) / 100
    assert abs(entries["debit"].sum() - entries["credit"].sum()) < 0.5
    with tempfile.TemporaryDirectory() as out:
        invoices.to_parquet(Path(out) / "invoices.parquet")
        entries.drop(columns=["key"]).to_parquet(Path(out) / "entries.parquet")
    return {"invoices": len(invoices), "journal_entries": len(entries), "lines": len(lines)}
