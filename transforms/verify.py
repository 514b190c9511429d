"""`journalize verify` (issue 4): audit an output database as an auditor would, without trusting
the run that wrote it. Each rule is a SQL file in ``sql/verify`` returning (check, finding) rows;
no finding means the rule holds."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from transforms import sqlfile

CHECKS = {
    "entries_balance": "every entry balances; no negative debit or credit",
    "numbers_unique": "invoice numbers unique across the environment",
    "numbers_gapless": "numbers gapless per journal series (skips recorded with their reason)",
    "lines_once": "every invoiced line on exactly one invoice",
    "counters": "journal counters equal the highest number issued",
    "invoices_booked": "every journalised invoice has its entry and one open item",
}


@dataclass
class Audit:
    findings: dict[str, list[str]] = field(default_factory=dict)
    figures: dict[str, int] = field(default_factory=dict)
    skips: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not any(self.findings.values())


def audit(con: duckdb.DuckDBPyConnection) -> Audit:
    result = Audit()
    for name in CHECKS:
        result.findings[name] = [row[1] for row in sqlfile.run(con, "verify", name).fetchall()]
    for table in ("runs", "invoices", "journal_entries", "billable_lines", "skipped_numbers"):
        result.figures[table] = sqlfile.count(con, table)
    result.figures["entries"] = con.execute(
        "SELECT count(DISTINCT entry_id) FROM journal_entries").fetchone()[0]
    result.skips = con.execute(
        "SELECT admin_id || '/' || journal_code, reason, count(*) FROM skipped_numbers "
        "GROUP BY ALL ORDER BY ALL").fetchall()
    return result
