"""`journalize run --dask` touches only what it made.

An administration id is data: it never becomes a path or SQL text (a per-administration database
is named by the administration's place and a digest of its id, and attached with a bound value);
its Parquet partition folder stays inside its table's folder. --parquet-out is never removed: a
non-empty folder journalize did not write is refused, and in one it wrote only its own table
folders are replaced. A failed run leaves no merged database, and the per-administration databases
go at the end of every run unless asked to be kept.

The pure parts (administrations(), run_administration's paths, merge()) are called without a
flow (`.fn`); one child interpreter runs two Dask runs end to end under Prefect's test harness.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import textwrap
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest
from builders import (
    base_master,
    order_line,
    postcalc_line,
    project,
    query,
    with_be01,
    write_dataset,
)
from typer.testing import CliRunner

from flows.cli import app
from flows.distributed import administrations, merge, run_administration
from flows.parameters import RunParameters
from flows.pipeline import RunFailed
from transforms.reconcile import ReconciliationError
from transforms.validate import ConfigurationError
from transforms.verify import audit

# an id that, pasted into `ATTACH '<work>/<id>.duckdb' AS a0 (READ_ONLY)`, closes the string and
# runs a COPY of its own (relative: into the working folder)
EVIL = "x.duckdb' AS q (READ_ONLY); COPY (SELECT 42 AS n) TO 'pwned.csv'; ATTACH ':memory:"
UP = "../up"  # an id that is a path out of the work folder


def renamed(master: dict, old: str, new: str) -> dict:
    """The master data with administration old called new (every admin_id, default_admin)."""
    for rows in master.values():
        for row in rows:
            if row.get("admin_id") == old:
                row["admin_id"] = new
            if row.get("key") == "default_admin" and row.get("value") == old:
                row["value"] = new
    return master


def two_odd_administrations(folder: Path) -> Path:
    """NL01 called EVIL (one order, 1 × 100.00 → 121.00 on invoice 1001) and BE01 called UP (one
    postcalculation line of project P1, 1 × 100.00 → 121.00 on invoice B1)."""
    master = with_be01(base_master())
    master["projects"] = [project("P1", admin_id="BE01")]
    master = renamed(renamed(master, "NL01", EVIL), "BE01", UP)
    return write_dataset(folder, master, order_lines=[order_line("L1", admin_id=EVIL)],
                         postcalc_lines=[postcalc_line("P-L1", "P1")])


def params(input_dir: Path) -> RunParameters:
    return RunParameters.for_period("2026-10", input_dir=input_dir)


@pytest.fixture(scope="module")
def admin_runs(tmp_path_factory):
    """Both administrations of two_odd_administrations run (as the flow's tasks would) into a work
    folder; the merges read their databases."""
    folder = tmp_path_factory.mktemp("odd")
    input_dir = two_odd_administrations(folder / "input")
    work = folder / "base" / "work"  # (UP's database went to base/up.duckdb before the fix)
    work.mkdir(parents=True)
    admins = administrations(input_dir)
    runs = [run_administration.fn(params(input_dir), admin, work) for admin in admins]
    return folder, admins, runs


@pytest.fixture(scope="module")
def odd_params(admin_runs) -> RunParameters:
    """The run's parameters, which the merge records in its row of runs."""
    folder, _, _ = admin_runs
    return params(folder / "input")


@pytest.fixture(scope="module")
def up_run(admin_runs):
    """UP's database alone (no quote in its id: the merges of the output tests attach only it)."""
    _, _, runs = admin_runs
    return next(r for r in runs if r.admin_id == UP)


def parquet(folder: Path, table: str, columns: str) -> list[tuple]:
    with duckdb.connect() as con:
        return sorted(con.execute(
            f"SELECT {columns} FROM read_parquet($files, hive_partitioning = true)",
            {"files": str(folder / table / "**" / "*.parquet")}).fetchall())


# --- 1. the administration id is neither a path nor SQL --------------------------------------


@pytest.mark.parametrize("kind", ["absolute", "relative"])
def test_an_admin_id_that_is_a_path_touches_no_file_outside_the_work_folder(tmp_path, kind):
    input_dir = write_dataset(tmp_path / "input", order_lines=[order_line("L1")])
    work = tmp_path / "base" / "work"
    work.mkdir(parents=True)
    victim = tmp_path / "base" / "victim.duckdb"
    victim.write_bytes(b"someone else's database")
    admin_id = str(tmp_path / "base" / "victim") if kind == "absolute" else "../victim"
    try:  # (no such administration in master: the run may well stop; the file must not care)
        run_administration.fn(params(input_dir), admin_id, work)
    except (ConfigurationError, RunFailed):
        pass
    assert victim.read_bytes() == b"someone else's database"
    assert sorted(p.name for p in (tmp_path / "base").iterdir()) == ["victim.duckdb", "work"]
    assert all(p.parent == work for p in work.rglob("*"))


def test_work_database_names_are_one_plain_file_name_per_administration():
    from flows.distributed import work_db_name

    ids = ["NL01", "/etc/x", "../x", "..", "a/b", "ab", EVIL, "", "é"]
    names = [work_db_name(n, admin_id) for n, admin_id in enumerate(ids)]
    assert len(set(names)) == len(ids)
    for name in names:
        assert Path(name).name == name and name.endswith(".duckdb")
        assert set(name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")
        assert not name.startswith(".")
    # the same id at another place, or another id with the same letters: another name
    assert work_db_name(0, "a/b") != work_db_name(0, "ab") != work_db_name(1, "ab")
    assert work_db_name(0, "NL01").startswith("0000-NL01-")


def test_a_quote_in_an_admin_id_runs_no_sql_and_its_partitions_stay_inside(admin_runs,
                                                                           odd_params,
                                                                           monkeypatch):
    folder, admins, runs = admin_runs
    assert admins == sorted([EVIL, UP])
    duckdb.connect(str(folder / "base" / "work" / "x.duckdb")).close()  # for the injected ATTACH
    monkeypatch.chdir(folder)
    out = folder / "quote-out"
    rows = merge.fn(runs, out, params=odd_params).parquet_rows
    assert not (folder / "pwned.csv").exists()
    assert rows["invoices"] == 2
    # the values are percent-encoded by DuckDB into one folder each, and read back as they were
    for table in ("invoices", "journal_entries", "billable_lines", "invoice_lines", "open_items"):
        assert all(p.is_dir() and "/" not in p.name and p.name.startswith("admin_id=")
                   for p in (out / table).iterdir())
    assert parquet(out, "invoices", "admin_id, invoice_number, total_incl_vat") == sorted([
        (EVIL, "1001", 121), (UP, "B1", 121)])
    assert not (folder / "up").exists() and not (folder / "base" / "up.duckdb").exists()


def test_administrations_refuses_an_id_too_long_for_a_partition_folder(tmp_path):
    master = renamed(base_master(), "NL01", "N" * 300)
    input_dir = write_dataset(tmp_path / "input", master)
    with pytest.raises(ConfigurationError) as refused:
        administrations(input_dir)
    assert refused.value.messages[0].startswith(
        "master/administrations.csv row 1, column admin_id: 'NNNN")
    assert "too long" in refused.value.messages[0]


def test_merge_attaches_only_the_databases_run_administration_made(admin_runs, odd_params,
                                                                    tmp_path):
    _, _, runs = admin_runs
    elsewhere = tmp_path / "other.duckdb"
    duckdb.connect(str(elsewhere)).close()
    with pytest.raises(RunFailed, match="not the database journalize made"):
        merge.fn([runs[0], dataclasses.replace(runs[1], db_path=elsewhere)], tmp_path / "out",
                 params=odd_params)
    assert not (tmp_path / "out").exists()


# --- 2. --parquet-out: never a folder journalize did not write -------------------------------


def test_a_foreign_parquet_out_folder_is_refused_and_left_alone(up_run, odd_params, tmp_path):
    runs = [up_run]
    out = tmp_path / "reports"
    (out / "invoices").mkdir(parents=True)
    (out / "invoices" / "q3.xlsx").write_bytes(b"the user's")
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ConfigurationError, match="not written by journalize"):
        merge.fn(runs, out, params=odd_params)
    assert (out / "invoices" / "q3.xlsx").read_bytes() == b"the user's"
    assert sorted(p.name for p in out.rglob("*")) == ["invoices", "notes.txt", "q3.xlsx"]


def test_the_cli_refuses_a_foreign_parquet_out_before_running(tmp_path):
    input_dir = write_dataset(tmp_path / "input", order_lines=[order_line("L1")])
    out = tmp_path / "reports"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    db = tmp_path / "books.duckdb"
    done = CliRunner().invoke(app, ["run", "--dask", "--input", str(input_dir), "--db", str(db),
                                    "--period", "2026-10", "--parquet-out", str(out)],
                              env={"COLUMNS": "250"})
    assert done.exit_code == 2, done.output
    assert "not written by journalize" in done.output
    assert (out / "notes.txt").read_text() == "mine"
    # (the refused attempt is in the run log beside the books: flows/provenance.py)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["books.duckdb.log.jsonl", "input",
                                                         "reports"]


def test_the_cli_refuses_an_existing_database_before_running(tmp_path):
    input_dir = write_dataset(tmp_path / "input", order_lines=[order_line("L1")])
    db = tmp_path / "books.duckdb"
    db.write_bytes(b"the books")
    done = CliRunner().invoke(app, ["run", "--dask", "--input", str(input_dir), "--db", str(db),
                                    "--period", "2026-10", "--parquet-out", str(tmp_path / "pq")],
                              env={"COLUMNS": "250"})
    assert done.exit_code == 2, done.output
    assert f"database {db} exists" in done.output
    assert db.read_bytes() == b"the books"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["books.duckdb", "books.duckdb.log.jsonl",
                                                         "input"]


def test_work_folders_go_only_where_the_run_made_them_and_nothing_else_is_in_them(tmp_path):
    from flows.distributed import make_dirs, remove_work

    theirs = tmp_path / "theirs"
    theirs.mkdir()
    made = make_dirs(theirs / "a" / "b.work")
    assert made == [theirs / "a", theirs / "a" / "b.work"]
    run_dir = theirs / "a" / "b.work" / "run-1"
    (run_dir / "0000-NL01-0123.duckdb.tmp").mkdir(parents=True)
    (run_dir / "0000-NL01-0123.duckdb").write_bytes(b"db")
    remove_work(run_dir, made)
    assert list(tmp_path.iterdir()) == [theirs] and list(theirs.iterdir()) == []
    # a work folder the user had (or one with someone else's file in it) stays
    kept = tmp_path / "kept.work"
    (kept / "run-2").mkdir(parents=True)
    (kept / "notes.txt").write_text("mine")
    remove_work(kept / "run-2", make_dirs(kept))
    assert [p.name for p in kept.iterdir()] == ["notes.txt"]


def test_a_rerun_replaces_only_journalize_s_own_table_folders(up_run, odd_params, tmp_path):
    out = tmp_path / "out"
    merge.fn([up_run], out, params=odd_params)
    marker = json.loads((out / ".journalize-parquet").read_text())
    assert marker["tables"] == sorted(
        ["invoices", "invoice_lines", "journal_entries", "open_items", "billable_lines"])
    (out / "README.txt").write_text("the user's")  # beside journalize's folders
    stale = out / "invoices" / "admin_id=GONE"  # a partition of an earlier run
    stale.mkdir()
    merge.fn([up_run], out, params=odd_params)
    assert (out / "README.txt").read_text() == "the user's"
    assert not stale.exists()
    assert [p.name for p in (out / "invoices").iterdir()] == ["admin_id=..%2Fup"]
    assert sorted(p.name for p in out.iterdir()) == [
        ".journalize-parquet", "README.txt", "billable_lines", "invoice_lines", "invoices",
        "journal_entries", "open_items"]


def test_a_quote_in_the_parquet_out_folder_is_a_name_not_sql(up_run, odd_params, tmp_path):
    out = tmp_path / "it's here"
    rows = merge.fn([up_run], out, params=odd_params).parquet_rows
    assert rows["invoices"] == 1
    assert parquet(out, "invoices", "admin_id, invoice_number") == [(UP, "B1")]


# --- 3. a failed merge leaves no database ------------------------------------------------------


def test_a_failed_merge_leaves_no_database_and_the_next_one_is_not_refused(up_run, odd_params,
                                                                          tmp_path):
    broken_dir = tmp_path / "broken"
    broken_dir.mkdir()
    broken = dataclasses.replace(up_run, db_path=broken_dir / up_run.db_path.name)
    broken.db_path.write_bytes(b"not a database")
    db, out = tmp_path / "books" / "merged.duckdb", tmp_path / "out"
    db.parent.mkdir()
    with pytest.raises(duckdb.Error):
        merge.fn([up_run, broken], out, db, params=odd_params)
    assert list(db.parent.iterdir()) == []
    assert not out.exists()
    merge.fn([up_run], out, db, params=odd_params)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT admin_id, invoice_number FROM invoices").fetchall() == [
            (UP, "B1")]
    assert sorted(p.name for p in db.parent.iterdir()) == ["merged.duckdb"]


# --- 4. the merged books are one run's -----------------------------------------------------------


def test_the_merged_books_record_one_run_with_its_reconciliation(admin_runs, odd_params,
                                                                 tmp_path):
    # by hand: EVIL's order L1 (1 × 100.00, VAT H 21 %) → invoice 1001 of 121.00, UP's
    # postcalculation line P-L1 (1 × 100.00 H) → invoice B1 of 121.00; each entry has a debtor,
    # a revenue and a VAT line: 6 entry lines; every line read is invoiced
    _, _, runs = admin_runs
    db = tmp_path / "books.duckdb"
    result = merge.fn(runs, tmp_path / "out", db, params=odd_params)
    assert result.run_id == 1
    assert query(db, """
        SELECT run_id, command, status, input_dir, reference_date::VARCHAR, admin_id,
               lines_read, lines_invoiced, lines_open, lines_rejected, lines_excluded,
               invoices, journal_entry_lines, seal = $seal FROM runs""",
                 {"seal": result.seal}) == [
        (1, "run", "succeeded", str(odd_params.input_dir), "2026-10-31", None,
         2, 2, 0, 0, 0, 2, 6, True)]
    assert query(db, """
        SELECT source, lines_read, lines_invoiced, lines_open, lines_rejected, lines_excluded,
               amount_read, amount_invoiced, closes
        FROM run_reconciliation WHERE lines_read > 0 ORDER BY source""") == [
        ("order_lines", 1, 1, 0, 0, 0, D("100.00"), D("100.00"), True),
        ("postcalc_lines", 1, 1, 0, 0, 0, D("100.00"), D("100.00"), True)]
    # every row is of run 1; the run's input files once, as each task read them
    for table in ("invoices", "journal_entries", "billable_lines", "run_inputs", "seals",
                  "run_accounts", "run_debtors"):
        assert query(db, f"SELECT DISTINCT run_id FROM {table}") == [(1,)], table
    assert query(db, "SELECT count(*) > 0 AND count(*) = count(DISTINCT path) FROM run_inputs"
                 ) == [(True,)]
    assert sorted(query(db, "SELECT debtor_id FROM run_debtors")) == [("10001",)]
    assert (result.counts["invoices"], result.counts["lines_invoiced_now"]) == (2, 2)
    assert [(a, n, incl) for a, _, n, _, _, incl in result.invoices_by_journal] == sorted(
        [(EVIL, 1, D("121.00")), (UP, 1, D("121.00"))])
    with duckdb.connect(str(db), read_only=True) as con:
        found = audit(con)
    assert {name: f for name, f in found.findings.items() if f} == {}


def copied_runs(runs: list, folder: Path) -> list:
    """The tasks' databases copied into folder (under the names the merge accepts)."""
    folder.mkdir()
    copies = []
    for run in runs:
        shutil.copy(run.db_path, folder / run.db_path.name)
        copies.append(dataclasses.replace(run, db_path=folder / run.db_path.name))
    return copies


def test_a_merge_of_tasks_that_read_different_input_writes_nothing(admin_runs, odd_params,
                                                                   tmp_path):
    _, _, runs = admin_runs
    runs = copied_runs(runs, tmp_path / "work")
    with duckdb.connect(str(runs[1].db_path)) as con:  # (a file changed between the two tasks)
        con.execute("UPDATE run_inputs SET sha256 = repeat('0', 64) "
                    "WHERE path = 'lines/order_lines.csv'")
    db, out = tmp_path / "books.duckdb", tmp_path / "out"
    with pytest.raises(RunFailed) as failed:
        merge.fn(runs, out, db, params=odd_params)
    assert "the input changed while the administrations ran" in failed.value.messages[0]
    assert "lines/order_lines.csv" in failed.value.messages[0]
    assert not db.exists() and not out.exists()


def test_a_merge_that_would_drop_rows_it_cannot_merge_writes_nothing(admin_runs, odd_params,
                                                                     tmp_path):
    _, _, runs = admin_runs
    runs = copied_runs(runs, tmp_path / "work")
    with duckdb.connect(str(runs[0].db_path)) as con:  # (a table the merge does not know)
        con.execute("CREATE TABLE future_feature AS SELECT 1 AS x")
    db = tmp_path / "books.duckdb"
    with pytest.raises(RunFailed, match="future_feature, which a distributed run cannot "
                                        "merge yet"):
        merge.fn(runs, tmp_path / "out", db, params=odd_params)
    assert not db.exists()


def test_a_merge_whose_lines_do_not_reconcile_writes_nothing(admin_runs, odd_params, tmp_path):
    _, _, runs = admin_runs
    runs = copied_runs(runs, tmp_path / "work")
    up = next(run for run in runs if run.admin_id == UP)
    with duckdb.connect(str(up.db_path)) as con:  # (UP's postcalculation line lost)
        con.execute("DELETE FROM billable_lines WHERE line_id = 'P-L1'")
    db = tmp_path / "books.duckdb"
    with pytest.raises(ReconciliationError) as failed:
        merge.fn(runs, tmp_path / "out", db, params=odd_params)
    assert failed.value.messages == [
        "postcalc_lines: read 1 lines / 100.00 but the administrations' books have invoiced 0 / "
        "0.00 + open 0 / 0.00 + rejected 0 / 0.00 + excluded 0 / 0.00: does not close (nothing "
        "was written)"]
    assert not db.exists()


# --- 4. the work folder goes (end to end, on a local Dask cluster) ------------------------------

DASK_RUNS = textwrap.dedent(
    """
    import sys
    from pathlib import Path


    def main():
        from prefect.testing.utilities import prefect_test_harness
        from flows.distributed import month_end_distributed
        from flows.parameters import RunParameters

        failing, good, base = (Path(a) for a in sys.argv[1:4])
        with prefect_test_harness(server_startup_timeout=None):  # (the conftest's 180 s: a busy machine)
            try:
                month_end_distributed(
                    RunParameters.for_period("2026-10", input_dir=failing), base / "f-out",
                    base / "f.duckdb.work", workers=2, db_path=base / "f.duckdb")
            except Exception as error:
                print("FAILED", type(error).__name__)
            result = month_end_distributed(
                RunParameters.for_period("2026-10", input_dir=good), base / "g-out",
                base / "g.duckdb.work", workers=2, db_path=base / "g.duckdb")
        print("ROWS", result.parquet_rows["invoices"], "RUN", result.run_id)


    if __name__ == "__main__":  # Dask's worker processes import this module again
        main()
    """
)


@pytest.mark.flow
def test_a_dask_run_removes_its_work_databases_after_failure_and_success(tmp_path):
    master = base_master()
    master["journals"][0]["number_range_end"] = "10"  # below last_invoice_number 1000: refused
    failing = write_dataset(tmp_path / "failing", master, order_lines=[order_line("L1")])
    good = two_odd_administrations(tmp_path / "good")
    base = tmp_path / "base"
    (base / "g.duckdb.work").mkdir(parents=True)
    (base / "g.duckdb.work" / "notes.txt").write_text("the user's")
    script = tmp_path / "dask_runs.py"
    script.write_text(DASK_RUNS)
    done = subprocess.run([sys.executable, str(script), str(failing), str(good), str(base)],
                          capture_output=True, text=True, timeout=600,
                          cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert "FAILED ConfigurationError" in done.stdout
    assert "ROWS 2 RUN 1" in done.stdout
    # the failed run: no database, no work folder (it made it), no Parquet folder
    # the good one: its database and Parquet; of the work folder only what was there before
    assert sorted(p.name for p in base.iterdir()) == ["g-out", "g.duckdb", "g.duckdb.work"]
    assert [p.name for p in (base / "g.duckdb.work").iterdir()] == ["notes.txt"]
    with duckdb.connect(str(base / "g.duckdb"), read_only=True) as con:
        assert sorted(con.execute("SELECT admin_id, invoice_number FROM invoices").fetchall()) \
            == sorted([(EVIL, "1001"), (UP, "B1")])
        assert con.execute("SELECT run_id, lines_read, invoices FROM runs").fetchall() == [
            (1, 2, 2)]
    assert (base / "g.duckdb").stat().st_mode & 0o777 == 0o600  # (books are private)
    assert not (tmp_path / "pwned.csv").exists()
