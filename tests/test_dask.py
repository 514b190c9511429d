"""`journalize run --dask` (one Prefect task per administration on a Dask cluster, merged into
one database) writes the books of the single-process run, as one run of its own: the same
invoice numbers, entries (ids included), lines, quarantine, counters, its row in runs, its
reconciliation, the input files and master data it used and a seal that verify accepts; it
prints the single-process run's summary (and --json), leaves no work folder unless asked, and its
Parquet is Hive-partitioned by admin_id / fiscal_year / period. A single-process run on its
books goes on from them: a run id of its own, no line twice, nothing invoiced twice.

The dask runs go through the CLI in one child interpreter (as tests/test_flow.py explains), under
prefect_test_harness, on one local cluster of 2 worker processes that every run of the module
shares (starting it and the harness is most of the time).
"""

from __future__ import annotations

import functools
import getpass
import json
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import duckdb
import pytest
from builders import query
from typer.testing import CliRunner

from flows.cli import app
from flows.distributed import merge, month_end_distributed, run_administration
from flows.parameters import RunParameters, sample_dataset
from flows.pipeline import run_month_end
from transforms import persist
from transforms.faults import USAGE
from transforms.validate import ConfigurationError
from transforms.verify import audit

DASK_RUNS = textwrap.dedent(
    """
    import json
    import sys
    import time
    from pathlib import Path


    def main():
        from distributed import LocalCluster
        from prefect.testing.utilities import prefect_test_harness
        from typer.testing import CliRunner

        from flows.cli import app

        folder, sample = Path(sys.argv[1]), sys.argv[2]
        runs = {"json": ["--json"], "text": ["--no-journalize", "--keep-work"]}
        results = {}
        started = time.time()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster:
            with prefect_test_harness(server_startup_timeout=None):  # (the conftest's 180 s: a busy machine)
                for name, options in runs.items():
                    done = CliRunner().invoke(app, [
                        "run", "--dask-address", cluster.scheduler_address, "--input", sample,
                        "--db", str(folder / f"{name}.duckdb"), "--period", "2026-10",
                        "--parquet-out", str(folder / f"{name}-parquet"), *options],
                        env={"COLUMNS": "250"})
                    results[name] = {"exit_code": done.exit_code, "stdout": done.stdout,
                                     "stderr": done.stderr, "seconds": time.time() - started}
                    started = time.time()
        (folder / "results.json").write_text(json.dumps(results))


    if __name__ == "__main__":  # Dask's worker processes import this module again
        main()
    """
)

# the columns that differ between two runs of the same month by their nature: when and where
# they ran (parameters name the database), and the seals, which hash the rows in the order each
# run stored them (which no statement depends on) and chain them per run
RUN_SPECIFIC = {
    "runs": "EXCLUDE (started_at, finished_at, command_line, parameters, seal)",
    "seals": "EXCLUDE (previous_seal, content, seal)",
    "seal_chunks": "EXCLUDE (first_row, last_row, digest, column_digests)",
}
VIEWS = ("invoice_lines", "cockpit_all_invoices", "cockpit_unprocessed_invoices",
         "cockpit_all_invoice_lines", "trial_balance", "revenue", "revenue_entry_lines",
         "revenue_by_allocation", "invoices_by_source", "collective_vs_separate_invoices",
         "open_items_ageing", "allocation_gaps", "intercompany_balance")
TABLES = sorted({table for table, _ in persist.expected_columns()})


@functools.cache
def sample_without_stock() -> Path:
    """The sample without its stock mutations, which a distributed run refuses (docs/stock.md:
    a mutation's entries span two administrations)."""
    folder = Path(tempfile.mkdtemp(prefix="sample-without-stock-")) / "sample"
    shutil.copytree(sample_dataset(), folder, ignore=shutil.ignore_patterns("stock_mutations.*"))
    return folder


def rows(db: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute(f'SELECT * {RUN_SPECIFIC.get(table, "")} FROM "{table}"')
                      .fetchall(), key=repr)


def single(folder: Path, name: str, **values) -> Path:
    db = folder / f"single-{name}.duckdb"
    run_month_end(RunParameters.for_period("2026-10", input_dir=sample_without_stock(), db_path=db,
                                           **values))
    return db


@pytest.fixture(scope="module")
def dask(tmp_path_factory):
    """The dask runs of DASK_RUNS: their CLI results by name, their books as
    folder/<name>.duckdb."""
    folder = tmp_path_factory.mktemp("dask")
    script = folder / "dask_runs.py"
    script.write_text(DASK_RUNS)
    done = subprocess.run([sys.executable, str(script), str(folder), str(sample_without_stock())],
                          capture_output=True, text=True, timeout=900,
                          cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    results = json.loads((folder / "results.json").read_text())
    for name, result in results.items():
        assert result["exit_code"] == 0, (name, result)
    return folder, results


@pytest.fixture(scope="module")
def books(dask):
    """(the dask run's books, the single-process run's) of the plain month end."""
    folder, _ = dask
    return folder / "json.duckdb", single(folder, "plain")


# --- 7. the same books -----------------------------------------------------------------------


@pytest.mark.flow
@pytest.mark.parametrize("table", TABLES + list(VIEWS))
def test_dask_run_writes_the_same_books_as_one_process(books, table):
    merged, one = books
    expected = rows(one, table)
    assert rows(merged, table) == expected
    if table in ("invoices", "journal_entries", "billable_lines", "runs", "run_reconciliation",
                 "run_inputs", "seals", "rejected_lines", "subscription_state"):
        assert expected, f"the sample makes {table}"


@pytest.mark.flow
def test_the_comparison_covers_every_table_of_the_books(books):
    merged, _ = books
    with duckdb.connect(str(merged), read_only=True) as con:
        present = {t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")
            .fetchall()}
    assert present == set(TABLES) | set(VIEWS)


@pytest.mark.flow
def test_the_dask_books_verify_clean(books):
    merged, _ = books
    with duckdb.connect(str(merged), read_only=True) as con:
        result = audit(con)
    assert {name: found for name, found in result.findings.items() if found} == {}
    assert not result.unchecked and not result.unsealed_runs
    assert result.seal == query(merged, "SELECT seal FROM runs")[0][0]


@pytest.mark.flow
def test_a_no_journalize_run_writes_the_same_drafts_as_one_process(dask):
    folder, _ = dask
    merged, one = folder / "text.duckdb", single(folder, "drafts", journalize=False)
    for table in TABLES:
        assert rows(merged, table) == rows(one, table), table
    assert query(merged, "SELECT count(*) FROM journal_entries") == [(0,)]
    # (the drafts' entry ids go on over the administrations, as on one machine)
    assert query(merged, "SELECT count(*) > 0, count(DISTINCT entry_id) = max(entry_id) "
                         "FROM draft_entries") == [(True, True)]


def test_admin_runs_that_administration_alone_as_one_process_does(tmp_path):
    # (the task month_end_distributed runs for --admin BE01, and the merge, without a cluster)
    params = RunParameters.for_period("2026-10", input_dir=sample_without_stock(), admin="BE01")
    work = tmp_path / "work"
    work.mkdir()
    task = run_administration.fn(params, "BE01", work)
    merged = tmp_path / "merged.duckdb"
    merge.fn([task], tmp_path / "out", merged, params=params)
    one = single(tmp_path, "be01", admin="BE01")
    for table in TABLES:
        assert rows(merged, table) == rows(one, table), table
    assert query(merged, "SELECT DISTINCT admin_id FROM invoices") == [("BE01",)]
    assert query(merged, "SELECT DISTINCT admin_id FROM billable_lines WHERE status = 'excluded'"
                 ) == [("NL01",)]


def test_an_admin_that_is_not_there_is_refused_before_anything_runs(tmp_path):
    params = RunParameters.for_period("2026-10", input_dir=sample_without_stock(), admin="XX99")
    with pytest.raises(ConfigurationError) as refused:
        month_end_distributed(params, tmp_path / "out", tmp_path / "b.duckdb.work",
                              db_path=tmp_path / "b.duckdb")
    assert refused.value.kind == USAGE
    assert refused.value.messages == [
        "--admin XX99: there is no such administration in master/administrations (there are: "
        "BE01, NL01)"]
    assert list(tmp_path.iterdir()) == []


# --- 1. the runs record and the reconciliation -----------------------------------------------


@pytest.mark.flow
def test_the_dask_run_is_a_run_of_the_books(books):
    merged, _ = books
    ((run_id, command, status, started, finished, admin, user, host, lines_read, invoices,
      entry_lines, parameters, seal),) = query(merged, """
        SELECT run_id, command, status, started_at, finished_at, admin_id, os_user, host,
               lines_read, invoices, journal_entry_lines, parameters, seal FROM runs""")
    assert (run_id, command, status, admin) == (1, "run", "succeeded", None)
    assert started <= finished
    assert (user, host) == (getpass.getuser(), socket.gethostname())
    assert query(merged, "SELECT command_line FROM runs") == [(shlex.join(
        [str(merged.parent / "dask_runs.py"), str(merged.parent), str(sample_without_stock())]),)]
    assert json.loads(parameters)["db_path"] == str(merged)
    assert re.fullmatch(r"[0-9a-f]{64}", seal)
    # its figures are its rows': every table of the run carries run id 1
    assert (lines_read, invoices, entry_lines) == query(merged, """
        SELECT (SELECT sum(lines_read) FROM run_reconciliation WHERE run_id = 1),
               (SELECT count(*) FROM invoices WHERE run_id = 1),
               (SELECT count(*) FROM journal_entries WHERE run_id = 1)""")[0]
    assert query(merged, "SELECT count(*) FROM billable_lines") == [(lines_read,)]
    assert query(merged, "SELECT bool_and(closes), count(*) FROM run_reconciliation "
                         "WHERE run_id = 1") == [(True, 6)]


# --- 2. the summary and --json ---------------------------------------------------------------


def summary_lines(text: str) -> list[str]:
    """A run's summary without what differs between two runs of the same month: progress lines
    (a single-process run's, per stage), where the books are, their seal; and what only a
    distributed run writes (its Parquet, the kept work folder)."""
    return [line for line in text.splitlines()
            if not line.startswith(("journalize: ", "database: ", "seal: ", "Parquet: ",
                                    "administrations' databases kept"))]


@pytest.mark.flow
def test_the_dask_run_prints_the_single_process_summary(dask, tmp_path):
    folder, results = dask
    db = tmp_path / "one.duckdb"
    one = CliRunner().invoke(app, ["run", "--input", str(sample_without_stock()), "--db", str(db),
                                   "--period", "2026-10", "--no-journalize"],
                             env={"COLUMNS": "250"})
    assert one.exit_code == 0, one.output
    text = results["text"]["stdout"]
    assert summary_lines(text) == summary_lines(one.stdout)
    assert summary_lines(text)[0].startswith("run 1  reference date 2026-10-31")
    assert f"database: {folder / 'text.duckdb'}" in text.splitlines()
    seal = query(folder / "text.duckdb", "SELECT seal FROM runs")[0][0]
    assert any(line.startswith(f"seal: {seal} ") for line in text.splitlines())
    (parquet,) = [line for line in text.splitlines() if line.startswith("Parquet: ")]
    assert parquet.startswith(f"Parquet: {folder / 'text-parquet'} (invoices ")
    assert "admin_id=…/fiscal_year=…/period=… partitions" in parquet


@pytest.mark.flow
def test_json_says_the_dask_run_as_it_says_a_single_process_run(dask, books, tmp_path):
    folder, results = dask
    merged, _ = books
    db = tmp_path / "one.duckdb"
    one = CliRunner().invoke(app, ["run", "--input", str(sample_without_stock()), "--db", str(db),
                                   "--period", "2026-10", "--json"])
    assert one.exit_code == 0, one.output
    expected = json.loads(one.stdout.strip().splitlines()[-1])
    said = json.loads(results["json"]["stdout"].strip().splitlines()[-1])
    parquet = said.pop("parquet")
    for result in (said, expected):
        result.pop("db"), result.pop("seal")
    assert said == expected
    assert expected["run_id"] == 1 and expected["counts"]["invoices"] > 0
    assert parquet["dir"] == str(folder / "json-parquet")
    assert parquet["rows"] == {
        table: query(merged, f"SELECT count(*) FROM {table}")[0][0]
        for table in ("invoices", "invoice_lines", "journal_entries", "open_items",
                      "billable_lines")}
    assert "work_kept" not in said


# --- 3. the work folder ----------------------------------------------------------------------


@pytest.mark.flow
def test_no_work_folder_is_left_unless_kept(dask):
    folder, results = dask
    assert not (folder / "json.duckdb.work").exists()
    (kept,) = (folder / "text.duckdb.work").iterdir()
    assert sorted(p.suffix for p in kept.iterdir()) == [".duckdb", ".duckdb"]
    assert (f"administrations' databases kept (--keep-work): {kept}"
            in results["text"]["stdout"].splitlines())


# --- 4. a single-process run on the books a dask run wrote -----------------------------------


@pytest.mark.flow
def test_a_single_process_run_goes_on_from_the_dask_books(books, tmp_path):
    merged, _ = books
    db = tmp_path / "books.duckdb"
    shutil.copy(merged, db)
    params = RunParameters.for_period("2026-10", input_dir=sample_without_stock(), db_path=db)
    lines = query(db, "SELECT count(*) FROM billable_lines")[0][0]
    invoiced = query(db, "SELECT source, line_id, invoice_number, run_id FROM billable_lines "
                         "WHERE status = 'invoiced' ORDER BY ALL")
    for run_id in (2, 3):  # the same month again, and again
        result = run_month_end(params)
        assert result.run_id == run_id
        assert result.counts["invoices"] == 0 and result.invoices_by_journal == []
        assert result.counts["lines_invoiced_now"] == 0
        # (the lines that arrive again: the subscription lines the run generated from the items
        # are not generated again, SPEC §7: their periods are billed)
        given = query(db, "SELECT count(*) FROM billable_lines "
                          "WHERE status = 'invoiced' AND row_number IS NOT NULL")[0][0]
        assert 0 < given < len(invoiced)
        assert result.counts["lines_invoiced_earlier"] == given
        assert query(db, "SELECT count(*), count(DISTINCT (source, line_id, row_number)) "
                         "FROM billable_lines") == [(lines, lines)]
        assert query(db, "SELECT source, line_id, invoice_number, run_id FROM billable_lines "
                         "WHERE status = 'invoiced' ORDER BY ALL") == invoiced
        assert query(db, "SELECT DISTINCT run_id FROM billable_lines WHERE status <> 'invoiced'"
                     ) == [(run_id,)]
        with duckdb.connect(str(db), read_only=True) as con:
            found = audit(con)
        assert {name: f for name, f in found.findings.items() if f} == {}
    assert query(db, "SELECT run_id FROM runs ORDER BY 1") == [(1,), (2,), (3,)]
    assert query(db, "SELECT DISTINCT run_id FROM invoices") == [(1,)]


# --- 6. Parquet: admin_id / fiscal_year / period ---------------------------------------------


def parquet(folder: Path, table: str, columns: list[str]) -> list[tuple]:
    """A Parquet table read back (its partition columns from the folder names), these columns."""
    with duckdb.connect() as con:
        return sorted(con.execute(
            f"SELECT {', '.join(columns)} FROM read_parquet($files, hive_partitioning = true)",
            {"files": str(folder / table / "**" / "*.parquet")}).fetchall(), key=repr)


def books_rows(db: Path, sql: str) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        result = con.execute(sql)
        return [d[0] for d in result.description], sorted(result.fetchall(), key=repr)


@pytest.mark.flow
def test_parquet_is_partitioned_by_administration_fiscal_year_and_period(dask, books):
    folder, _ = dask
    merged, _ = books
    out = folder / "json-parquet"
    for table in ("invoices", "invoice_lines", "journal_entries", "open_items", "billable_lines"):
        files = sorted((out / table).rglob("*.parquet"))
        assert files, table
        for file in files:
            parts = file.relative_to(out / table).parts
            assert len(parts) == 4 and re.fullmatch(
                r"admin_id=[^/]+", parts[0]) and re.fullmatch(
                r"fiscal_year=(\d{4}|__HIVE_DEFAULT_PARTITION__)", parts[1]) and re.fullmatch(
                r"period=(\d{1,2}|__HIVE_DEFAULT_PARTITION__)", parts[2]), (table, parts)
    # read back: each table's rows, with the fiscal year and period of their partition (the
    # entry's own; the invoice date's; a line not invoiced: its line date's)
    year, month = "year({0}) AS fiscal_year", "month({0}) AS period"
    derived = {
        "journal_entries": "SELECT * FROM journal_entries",
        "invoices": f"SELECT *, {year.format('invoice_date')}, {month.format('invoice_date')} "
                    "FROM invoices",
        "open_items": f"SELECT *, {year.format('invoice_date')}, "
                      f"{month.format('invoice_date')} FROM open_items",
        "invoice_lines": f"SELECT l.*, {year.format('i.invoice_date')}, "
                         f"{month.format('i.invoice_date')} "
                         "FROM invoice_lines AS l JOIN invoices AS i USING (invoice_number)",
        "billable_lines": f"SELECT b.*, {year.format('coalesce(i.invoice_date, b.line_date)')}, "
                          f"{month.format('coalesce(i.invoice_date, b.line_date)')} "
                          "FROM billable_lines AS b LEFT JOIN invoices AS i USING (invoice_number)",
    }
    for table, sql in derived.items():
        columns, expected = books_rows(merged, sql)
        assert parquet(out, table, columns) == expected, table
    # the sample's lines: invoiced in October 2026, open ones dated in November too, and
    # BE01's line rejected for its date (OL-000161, 2026-13-45) has no period
    periods = {p.relative_to(out / "billable_lines").parts[:3]
               for p in (out / "billable_lines").rglob("*.parquet")}
    assert ("admin_id=NL01", "fiscal_year=2026", "period=10") in periods
    assert ("admin_id=NL01", "fiscal_year=2026", "period=11") in periods
    assert ("admin_id=BE01", "fiscal_year=__HIVE_DEFAULT_PARTITION__",
            "period=__HIVE_DEFAULT_PARTITION__") in periods
    assert {p.parts[:3] for p in (p.relative_to(out / "journal_entries")
                                  for p in (out / "journal_entries").rglob("*.parquet"))} == {
        ("admin_id=BE01", "fiscal_year=2026", "period=10"),
        ("admin_id=NL01", "fiscal_year=2026", "period=10")}


def test_stock_mutations_are_refused_before_anything_runs(tmp_path):
    params = RunParameters.for_period("2026-10", input_dir=sample_dataset())
    with pytest.raises(ConfigurationError) as refused:
        month_end_distributed(params, tmp_path / "parquet", tmp_path / "work",
                              db_path=tmp_path / "books.duckdb")
    assert refused.value.messages == [
        "lines/stock_mutations.csv: a distributed run (--dask) does not book stock mutations "
        "(their entries span two administrations, which run on different workers); run on one "
        "machine (nothing was done)"]
    assert not (tmp_path / "books.duckdb").exists() and not (tmp_path / "work").exists()
