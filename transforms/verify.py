"""`journalize verify` (issue 4): audit an output database as an auditor would, without trusting
the run that wrote it. Each rule is a SQL file in ``sql/verify`` returning (check, finding) rows;
no finding means the rule holds."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from transforms import seal, sqlfile

CHECKS = {
    "entries_balance": "every entry balances; no negative debit or credit",
    "numbers_unique": "invoice numbers unique across the environment",
    "numbers_gapless": "numbers gapless per journal series (skips recorded with their reason)",
    "lines_once": "every invoiced line on exactly one invoice",
    "counters": "journal counters equal the highest number issued",
    "invoices_booked": "every journalised invoice has its entry and one open item",
    "sealed": "every posted row matches its seal; each administration's and journal's chain holds",
}


@dataclass
class Audit:
    findings: dict[str, list[str]] = field(default_factory=dict)
    figures: dict[str, int] = field(default_factory=dict)
    skips: list[tuple[str, str, int]] = field(default_factory=list)
    seal: str | None = None  # the books' seal as recomputed from their rows (latest run)
    unsealed_runs: list[int] = field(default_factory=list)  # written before sealing

    @property
    def clean(self) -> bool:
        return not any(self.findings.values())


def audit(con: duckdb.DuckDBPyConnection, expected_seal: str | None = None) -> Audit:
    """Every rule of CHECKS; with expected_seal (kept outside the books), also that the books
    are the ones that seal was given for."""
    result = Audit()
    for name in CHECKS:
        if name == "sealed":
            sealed = seal.audit(con, expected_seal)
            result.findings[name] = sealed.findings
            result.unsealed_runs = sealed.unsealed_runs
            result.seal = sealed.run_seals[max(sealed.run_seals)] if sealed.run_seals else None
            continue
        result.findings[name] = [row[1] for row in sqlfile.run(con, "verify", name).fetchall()]
    for table in ("runs", "invoices", "journal_entries", "billable_lines", "skipped_numbers"):
        result.figures[table] = sqlfile.count(con, table)
    result.figures["entries"] = con.execute(
        "SELECT count(DISTINCT entry_id) FROM journal_entries").fetchone()[0]
    result.skips = con.execute(
        "SELECT admin_id || '/' || journal_code, reason, count(*) FROM skipped_numbers "
        "GROUP BY ALL ORDER BY ALL").fetchall()
    return result
