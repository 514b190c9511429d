"""The `journalize` command line (SPEC §12): exit codes, what it prints, what it writes."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from builders import (
    base_master,
    count_rows,
    integration_type,
    order_line,
    query,
    run,
    write_dataset,
)
from typer.testing import CliRunner

from flows.cli import app

# a wide terminal, so that rich does not wrap paths and table cells
WIDE = {"COLUMNS": "250"}


def invoke(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def invoice_count(db: Path) -> int:
    return count_rows(db, "invoices")


def faulty_master() -> dict:
    master = base_master()
    master["integration_types"].append(integration_type("sales_invoice", "VK"))  # duplicate kind
    return master


def two_orders() -> list[dict]:
    # O1: 1 × 100.00 → 121.00; O2: 2 × 100.00 → 242.00 (VAT H 21 %)
    return [order_line("L1"), order_line("L2", "O2", quantity="2")]


def joined(text: str) -> str:
    return " ".join(text.split())


# --- run -------------------------------------------------------------------------------------------


def test_run_exits_0_and_prints_the_database_and_counts(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=two_orders())

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 0, result.output
    out = joined(result.stdout)
    assert str(db.resolve()) in out
    assert "2 invoices" in out
    assert "invoiced 2" in out
    assert "363.00" in out  # 121.00 + 242.00 in journal VK
    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices ORDER BY 1") == [
        ("1001", Decimal("121.00")), ("1002", Decimal("242.00"))]
    assert query(db, "SELECT DISTINCT invoice_date::VARCHAR FROM invoices") == [("2026-10-31",)]


def test_run_with_reference_date(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", "O2", line_date="2026-10-25")])

    result = invoke("run", "--input", dataset_dir, "--db", db, "--reference-date", "2026-10-20")

    assert result.exit_code == 0, result.output
    assert query(db, "SELECT invoice_number, invoice_date::VARCHAR FROM invoices") == [
        ("1001", "2026-10-20")]
    assert query(db, "SELECT line_id, status FROM billable_lines ORDER BY 1") == [
        ("L1", "invoiced"), ("L2", "open")]


def test_period_and_reference_date_together_is_a_usage_error(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=two_orders())

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10",
                    "--reference-date", "2026-10-31")

    assert result.exit_code != 0
    assert "--period" in result.stderr
    assert invoice_count(db) == 0


def test_bad_period_is_a_usage_error(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=two_orders())

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "oktober")

    assert result.exit_code != 0
    assert "oktober" in result.stderr
    assert invoice_count(db) == 0


def test_run_with_a_faulty_configuration(dataset_dir, db):
    write_dataset(dataset_dir, faulty_master(), order_lines=two_orders())

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith("journalize: configuration error")
    assert "sales_invoice" in first
    assert result.stdout == ""
    assert invoice_count(db) == 0


def test_run_on_a_missing_input_folder(tmp_path, db):
    result = invoke("run", "--input", tmp_path / "nowhere", "--db", db, "--period", "2026-10")

    assert result.exit_code != 0
    assert len(result.stderr.splitlines()) == 1
    assert "nowhere" in result.stderr
    assert invoice_count(db) == 0


# --- check -----------------------------------------------------------------------------------------


def test_check_valid_configuration(dataset_dir):
    write_dataset(dataset_dir)

    result = invoke("check", "--input", dataset_dir)

    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout


def test_check_faulty_configuration_prints_one_line_per_fault(dataset_dir):
    master = faulty_master()
    master["article_groups"][0]["revenue_account"] = "8999"
    write_dataset(dataset_dir, master)

    result = invoke("check", "--input", dataset_dir)

    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert any("sales_invoice" in line and "2 times" in line for line in lines)
    assert any("GOODS" in line and "8999" in line for line in lines)
    assert "2 fault" in result.stderr


# --- pro forma -------------------------------------------------------------------------------------


def test_pro_forma_prints_the_invoices_and_writes_nothing(tmp_path, db):
    first = write_dataset(tmp_path / "first", order_lines=[order_line("L1")])
    run(first, db)  # invoice 1001
    second = write_dataset(tmp_path / "second", order_lines=two_orders())

    result = invoke("run", "--input", second, "--db", db, "--period", "2026-10", "--pro-forma")

    assert result.exit_code == 0, result.output
    assert "242.00" in result.stdout  # the O2 invoice the run would make
    assert "121.00" not in result.stdout  # L1 was invoiced by the first run
    assert "10001" in result.stdout
    assert "1002" not in result.stdout  # not numbered
    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices") == [("1001", 121)]
    assert query(db, "SELECT count(*) FROM runs") == [(1,)]
    assert query(db, "SELECT line_id FROM billable_lines") == [("L1",)]


def test_pro_forma_on_a_new_database_writes_no_invoices(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=two_orders())

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10", "--pro-forma")

    assert result.exit_code == 0, result.output
    assert "121.00" in result.stdout and "242.00" in result.stdout
    assert invoice_count(db) == 0


def test_pro_forma_shows_the_financial_description(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10", "--pro-forma")

    assert result.exit_code == 0, result.output
    assert "[vkf] Verkoopfactuur" in result.stdout


# --- --admin ---------------------------------------------------------------------------------------


def two_administrations() -> dict:
    master = base_master()
    master["administrations"].append(dict(admin_id="BE01", name="Zuid BV", country="BE",
                                          currency="EUR", receivables_account="400000"))
    master["accounts"] += [
        dict(admin_id="BE01", account=a, description=f"account {a}", account_type=t)
        for a, t in {"400000": "balance", "451000": "balance", "700000": "result",
                     "700100": "result"}.items()
    ]
    master["vat_codes"].append(dict(admin_id="BE01", vat_code="21", rate="0.21",
                                    payable_account="451000"))
    master["journals"].append(dict(admin_id="BE01", journal_code="VF", journal_type="sales",
                                   description="Verkoop BE", last_invoice_number="0",
                                   number_prefix="B"))
    master["integration_types"].append(integration_type("sales_invoice", "VF", admin_id="BE01"))
    master["article_groups"].append(dict(admin_id="BE01", article_group="GOODS", description="Goederen",
                                         contains_stock_items="false", revenue_account="700000",
                                         credit_account="700100", defer_revenue="false"))
    return master


def test_admin_leaves_the_other_administration_excluded(dataset_dir, db):
    write_dataset(dataset_dir, two_administrations(), order_lines=[
        order_line("L1"),
        order_line("B1", "OB1", admin_id="BE01", vat_code="21", debtor_id="10002"),
    ])

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10", "--admin", "NL01")

    assert result.exit_code == 0, result.output
    assert query(db, "SELECT line_id, admin_id, status FROM billable_lines ORDER BY 1") == [
        ("B1", "BE01", "excluded"), ("L1", "NL01", "invoiced")]
    assert query(db, "SELECT admin_id, invoice_number, total_incl_vat FROM invoices") == [
        ("NL01", "1001", 121)]
    assert "excluded 1" in joined(result.stdout)


def test_without_admin_both_administrations_are_invoiced(dataset_dir, db):
    write_dataset(dataset_dir, two_administrations(), order_lines=[
        order_line("L1"),
        order_line("B1", "OB1", admin_id="BE01", vat_code="21", debtor_id="10002"),
    ])

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 0, result.output
    # BE journal VF: prefix B, counter 0 → B1
    assert query(db, "SELECT admin_id, invoice_number, total_incl_vat FROM invoices ORDER BY 1") == [
        ("BE01", "B1", 121), ("NL01", "1001", 121)]


# --- the console script ------------------------------------------------------------------------------


def console_script() -> list[str]:
    script = Path(sys.executable).parent / "journalize"
    return [str(script)] if script.exists() else [sys.executable, "-m", "flows.cli"]


def plain_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}


def test_console_script_runs(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=two_orders())

    done = subprocess.run([*console_script(), "run", "--input", str(dataset_dir), "--db", str(db),
                           "--period", "2026-10"], capture_output=True, text=True, timeout=300,
                          env={**plain_env(), **WIDE})

    assert done.returncode == 0, done.stderr
    assert str(db.resolve()) in done.stdout
    assert "2 invoices" in done.stdout
    assert query(db, "SELECT count(*) FROM invoices") == [(2,)]


def test_console_script_check_fails_on_a_faulty_configuration(dataset_dir):
    write_dataset(dataset_dir, faulty_master())

    done = subprocess.run([*console_script(), "check", "--input", str(dataset_dir)],
                          capture_output=True, text=True, timeout=300, env=plain_env())

    assert done.returncode == 2
    assert "sales_invoice" in done.stdout
    assert done.stderr.startswith("journalize: configuration error")


def test_console_script_failed_run_gives_a_one_line_reason(dataset_dir, db):
    write_dataset(dataset_dir, faulty_master(), order_lines=two_orders())

    done = subprocess.run([*console_script(), "run", "--input", str(dataset_dir), "--db", str(db),
                           "--period", "2026-10"], capture_output=True, text=True, timeout=300,
                          env=plain_env())

    assert done.returncode == 2
    assert invoice_count(db) == 0
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert "sales_invoice" in lines[0] and "at most once per administration" in lines[0]


def test_running_out_of_memory_is_a_failed_run_with_its_remedy_not_a_bug(dataset_dir, db):
    """A memory limit too small for the data: DuckDB's out-of-memory error is reported as a
    failed run (exit 3) that says what to do, and nothing is written."""
    write_dataset(dataset_dir, order_lines=two_orders())

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10",
                    "--memory-limit", "1MB")

    assert result.exit_code == 3, result.output
    text = joined(result.stderr)
    assert text.startswith("journalize: run failed, nothing written")
    assert "DuckDB ran out of memory" in text
    assert "raise --memory-limit (or JOURNALIZE_MEMORY_LIMIT)" in text
    assert "internal error" not in text and "configuration error" not in text
    assert not db.exists()


# --- day-one output: what a person and a scheduler read -----------------------------------------------


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("journalize ") and result.output.split()[1][0].isdigit()


def test_help_texts_are_whole_in_a_narrow_terminal():
    narrow = {"COLUMNS": "80"}
    for command in ("run", "backfill"):
        text = " ".join(CliRunner().invoke(app, [command, "--help"], env=narrow).output.split())
        text = text.replace("│ ", "").replace(" │", "")
        assert "course_lines" in text and "…" not in text, text
        assert "also invoice the credit lines of subscriptions and courses" in text
    resume_help = CliRunner().invoke(app, ["resume", "--help"], env=narrow).output
    assert "--include-credit-lines" in resume_help
    backfill_help = CliRunner().invoke(app, ["backfill", "--help"], env=narrow).output
    assert "--sources" in backfill_help and "--strict" in backfill_help
    assert "--memory-limit" in backfill_help


def test_figures_are_never_cut_outside_a_terminal(tmp_path):
    """CliRunner is no terminal: rich's 80 columns. Every figure of the journal table is whole,
    however wide the table (a long administration name and amounts in the billions)."""
    master = base_master()
    lines = [order_line("L1", quantity="1000", unit_price="1234567.89"),
             order_line("L2", "O2", quantity="3")]
    dataset = write_dataset(tmp_path / "input", master, order_lines=lines)
    db = tmp_path / "out.duckdb"

    result = CliRunner().invoke(app, ["run", "--input", str(dataset), "--db", str(db),
                                      "--period", "2026-10"], env={"COLUMNS": "80"})

    assert result.exit_code == 0, result.output
    # 1000 × 1,234,567.89 = 1,234,567,890.00 + 300.00 = 1,234,568,190.00 excl. VAT; 21 % VAT
    # = 259,259,319.90; incl. 1,493,827,509.90
    for figure in ("1,234,568,190.00", "259,259,319.90", "1,493,827,509.90"):
        assert figure in result.output, result.output


def test_counts_have_thousands_separators(tmp_path):
    lines = [order_line(f"L{i}", f"O{i % 3}") for i in range(1, 1201)]  # 1,200 lines, 3 orders
    dataset = write_dataset(tmp_path / "input", order_lines=lines)

    result = invoke("run", "--input", dataset, "--db", tmp_path / "out.duckdb",
                    "--period", "2026-10")

    assert result.exit_code == 0, result.output
    assert "lines read 1,200: invoiced 1,200" in result.output
    assert "order_lines: 1,200 = 1,200 + 0 + 0 + 0 lines" in result.output


def test_open_reasons_beyond_ten_are_counted_not_dropped(tmp_path):
    """Twelve blocked debtors: twelve reasons; ten are listed and the other two counted."""
    from builders import debtor

    master = base_master()
    master["debtors"] += [debtor(f"900{i:02d}", f"Blocked {i}", blocked="true") for i in range(12)]
    lines = [order_line(f"L{i}", f"O{i}", debtor_id=f"900{i:02d}") for i in range(12)]
    dataset = write_dataset(tmp_path / "input", master, order_lines=lines)

    result = invoke("run", "--input", dataset, "--db", tmp_path / "out.duckdb",
                    "--period", "2026-10")

    assert result.exit_code == 0, result.output
    assert result.output.count("  open: 1 × debtor 900") == 10
    assert "… 2 more reasons for 2 open lines" in result.output


def test_strict_counts_the_faults_it_lists(tmp_path):
    lines = [order_line("L1", quantity="x"), order_line("L2", quantity="y"), order_line("L3")]
    dataset = write_dataset(tmp_path / "input", order_lines=lines)

    result = CliRunner().invoke(app, ["run", "--input", str(dataset), "--db",
                                      str(tmp_path / "out.duckdb"), "--period", "2026-10",
                                      "--strict"], env=WIDE)

    assert result.exit_code == 3
    first, *listed = result.stderr.splitlines()
    assert first == ("journalize: run failed, nothing written: --strict: 2 fault(s) in the "
                     "lines; nothing written")
    assert len([line for line in listed if line.startswith("  - ")]) == 2


def test_an_admin_that_is_not_in_the_master_data_is_a_usage_error(tmp_path):
    dataset = write_dataset(tmp_path / "input", order_lines=[order_line("L1")])
    db = tmp_path / "out.duckdb"

    result = invoke("run", "--input", dataset, "--db", db, "--period", "2026-10",
                    "--admin", "XX99")

    assert result.exit_code == 2
    assert ("journalize: usage: --admin XX99: there is no such administration in "
            "master/administrations (there are: NL01)") in result.output
    assert not db.exists()


def test_backfill_takes_sources_strict_and_memory_limit(tmp_path):
    dataset = write_dataset(tmp_path / "input", order_lines=[order_line("L1")])
    db = tmp_path / "out.duckdb"

    bad = invoke("backfill", "--from", "2026-10", "--to", "2026-10", "--input", dataset,
                 "--db", db, "--memory-limit", "lots")
    assert bad.exit_code == 2 and not db.exists()
    only = invoke("backfill", "--from", "2026-10", "--to", "2026-10", "--input", dataset,
                  "--db", db, "--sources", "course", "--strict", "--memory-limit", "1GB")
    assert only.exit_code == 0, only.output
    assert query(db, "SELECT status, status_reason FROM billable_lines") == [
        ("open", "source order_lines is not in this run (--sources)")]
    assert query(db, "SELECT sources FROM runs") == [("course_lines",)]


def test_query_reads_the_books_as_a_table_or_csv_and_writes_nothing(tmp_path):
    dataset = write_dataset(tmp_path / "input", order_lines=two_orders())
    db = tmp_path / "out.duckdb"
    assert invoke("run", "--input", dataset, "--db", db, "--period", "2026-10").exit_code == 0

    shown = invoke("query", "--db", db, "SELECT sum(total_incl_vat) AS total FROM invoices")
    as_csv = invoke("query", "--db", db, "--csv",
                    "SELECT invoice_number, total_incl_vat FROM invoices ORDER BY 1")
    write = invoke("query", "--db", db, "DELETE FROM invoices")

    assert shown.exit_code == 0 and "363.00" in shown.output and "(1 rows)" in shown.output
    assert as_csv.output.splitlines() == ["invoice_number,total_incl_vat", "1001,121.00",
                                          "1002,242.00"]
    assert write.exit_code == 2 and "read-only" in write.output
    assert invoice_count(db) == 2
    missing = invoke("query", "--db", tmp_path / "none.duckdb", "SELECT 1")
    assert missing.exit_code == 2 and not (tmp_path / "none.duckdb").exists()


def test_the_sample_run_uses_its_deferred_groups_and_allocation_links(tmp_path):
    """The sample declares deferred article groups and allocation links: the run uses them
    and says nothing is left unbuilt."""
    result = invoke("run", "--db", tmp_path / "out.duckdb", "--period", "2026-10")

    assert result.exit_code == 0, result.output
    assert "not built yet" not in result.output
    # (subscription items are billed: the run says how many lines it generated from them)
    assert "billing subscriptions from their items is not built yet" not in result.output
    assert "note: 4 subscription line(s) generated from master/subscription_items (billing " \
           "periods up to the reference date 2026-10-31); they are read as subscription_lines" \
           in result.output


def test_every_figure_of_a_rerun_summary_is_that_runs(tmp_path):
    dataset = write_dataset(tmp_path / "input", order_lines=two_orders())
    db = tmp_path / "out.duckdb"
    first = invoke("run", "--input", dataset, "--db", db, "--period", "2026-10")
    again = invoke("run", "--input", dataset, "--db", db, "--period", "2026-10")

    assert "lines read 2: invoiced 2, open 0" in first.output
    assert ("lines read 2: invoiced 0 (and 2 invoiced by earlier runs), open 0, rejected 0, "
            "excluded 0; 0 invoices, 0 journal entry lines (all of this run)") in again.output


def test_progress_lines_name_each_stage_with_its_time_and_rows_outside_a_terminal(tmp_path):
    dataset = write_dataset(tmp_path / "input", order_lines=two_orders())

    result = invoke("run", "--input", dataset, "--db", tmp_path / "out.duckdb",
                    "--period", "2026-10")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for stage, rows in (("load lines", 2), ("group", 2), ("number", 2),
                        ("journalise", 6)):  # 2 invoices × (receivable, revenue, VAT)
        assert any(line.startswith(f"journalize: {stage}: ") and line.endswith(f" s, {rows} rows")
                   for line in lines), (stage, lines)
    assert any(line.startswith("journalize: persist: ") for line in lines)
    assert any(line.startswith("journalize: map: ") for line in lines)  # (a view: not counted)
    assert not result.stderr  # (stderr keeps a failure's reason)


def test_json_is_one_result_for_a_scheduler_or_the_reason_it_failed(tmp_path):
    import json

    dataset = write_dataset(tmp_path / "input", order_lines=two_orders())
    db = tmp_path / "out.duckdb"

    done = invoke("run", "--input", dataset, "--db", db, "--period", "2026-10", "--json")
    refused = invoke("run", "--input", dataset, "--db", db, "--period", "2026-10", "--json",
                     "--admin", "XX99")

    result = json.loads(done.stdout)
    assert (result["outcome"], result["exit_code"], result["run_id"]) == ("succeeded", 0, 1)
    assert result["counts"]["invoices"] == 2 and result["counts"]["lines_invoiced_now"] == 2
    assert result["totals"] == {"total_excl_vat": "300.00", "vat_amount": "63.00",
                                "total_incl_vat": "363.00"}
    failure = json.loads(refused.stdout)
    assert (failure["outcome"], failure["exit_code"], failure["kind"]) == ("refused", 2, "usage")
    assert failure["reason"].startswith("--admin XX99: there is no such administration")
