"""The month-end run past one machine: one Prefect task per administration on a Dask
cluster (prefect-dask's ``DaskTaskRunner``), results merged into partitioned Parquet and, if asked,
one DuckDB database.

Numbering and journals are per administration and number series may not overlap (SPEC §5, checked
by the configuration check), so administrations are independent: each task runs the ordinary
pipeline (``flows.pipeline.run_month_end``) with ``admin=<its administration>`` into its own
database under the work folder, and the merge puts the pieces together exactly as one run over
all administrations would have written them (entry ids continue over the administrations in
order, each line comes from the task of its administration, rejected lines once). The merged
books are one run, as a single-machine run would have made them: its row in ``runs`` (run id the
books' next), its reconciliation, the input files and master data it used, and its seal, computed
over the merged rows as ``verify`` reads them; the result is the single-machine run's
``RunResult``, so the CLI prints the same summary (and ``--json``).

Point it at a real cluster with ``--address tcp://scheduler:8786`` (every worker needs journalize
installed and the input and work folders on a shared filesystem, or object storage mounted as
one: e.g. ``s3fs``/``gcsfuse``; DuckDB can also read ``s3://`` Parquet through its httpfs
extension).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from prefect import flow, task
from prefect.futures import wait

from flows import provenance, storage
from flows.parameters import RunParameters
from flows.pipeline import RunFailed, RunResult, _record_run, run_month_end, summarise
from transforms import ingest, persist, seal, workspace
from transforms.faults import USAGE
from transforms.ingest import _quote, escaped
from transforms.reconcile import ReconciliationError
from transforms.validate import ConfigurationError

if TYPE_CHECKING:
    from prefect_dask import DaskTaskRunner

# the merged tables: per-administration rows, unioned (billable and rejected lines need care)
UNIONED = ("invoices", "invoice_vat", "open_items", "journal_counters",
           "skipped_numbers", "changed_lines", "draft_open_items",
           "subscription_state")
# numbered with entry ids, which go on over the administrations in order
NUMBERED = ("journal_entries", "draft_entries")
# that name an entry: its new id is the one journal_entries gives it (merged before them)
ENTRY_KEYED = ("entry_allocations", "deferral_schedule")
# the same in every task (the same input files): taken from the first, checked against the rest
SHARED = ("run_accounts", "run_journals", "run_vat_codes", "run_administrations")
# what the merge writes itself (the run's record, reconciliation and seal) or does not take:
# a table of a task's books outside these lists that holds rows stops the merge, so that no
# output is dropped unseen (entry_allocations and deferral_schedule are renumbered with
# journal_entries)
MERGED_OTHERWISE = ("billable_lines", "rejected_lines", "run_debtors", "runs", "run_inputs",
                    "run_reconciliation", "seals", "seal_chunks", *ENTRY_KEYED)
PARQUET_TABLES = ("invoices", "invoice_lines", "journal_entries", "open_items", "billable_lines")
# the Hive partitions of every Parquet table: <table>/admin_id=…/fiscal_year=…/period=…/*.parquet
# (SPEC §12's export layout); fiscal year and period are the entry's own, the invoice date's for
# invoices, open items and invoiced lines, the line date's for lines not invoiced
PARTITIONS = ("admin_id", "fiscal_year", "period")
PARQUET_ROWS = {
    "invoices": "SELECT *, year(invoice_date) AS fiscal_year, month(invoice_date) AS period "
                "FROM invoices",
    "invoice_lines": "SELECT l.*, year(i.invoice_date) AS fiscal_year, "
                     "month(i.invoice_date) AS period FROM invoice_lines AS l "
                     "LEFT JOIN invoices AS i USING (invoice_number)",
    "journal_entries": "SELECT * FROM journal_entries",
    "open_items": "SELECT *, year(invoice_date) AS fiscal_year, month(invoice_date) AS period "
                  "FROM open_items",
    "billable_lines": "SELECT b.*, year(coalesce(i.invoice_date, b.line_date)) AS fiscal_year, "
                      "month(coalesce(i.invoice_date, b.line_date)) AS period "
                      "FROM billable_lines AS b LEFT JOIN invoices AS i USING (invoice_number)",
}
# journalize's own mark on a Parquet output folder: the tables it wrote there (the only ones a
# next run replaces); a non-empty folder without it is someone else's and is never touched
MARKER = ".journalize-parquet"
STAGING = ".journalize-staging-"  # a run's Parquet, written aside inside the output folder
MAX_NAME = 255  # bytes in one file name (ext4, xfs, apfs, ntfs)


@dataclass(frozen=True)
class AdminRun:
    admin_id: str
    db_path: Path
    index: int = 0
    notices: tuple[str, ...] = ()  # the run's notices (not kept in its books)


def work_db_name(index: int, admin_id: str) -> str:
    """The file name of an administration's database in the work folder: never the raw id (it may
    hold a path, `..` or a quote), but the administration's place in the run and a digest of its
    id, with the id's plain letters and digits for a reader."""
    plain = re.sub(r"[^A-Za-z0-9]", "", admin_id)[:32]
    digest = hashlib.sha256(admin_id.encode("utf-8")).hexdigest()[:16]
    return f"{index:04d}-{plain}-{digest}.duckdb"


def administrations(input_dir: Path) -> list[str]:
    """The administrations of master/administrations, in DuckDB's order (the order of the merge).

    An id is a partition folder of the Parquet output (`admin_id=<id>`, DuckDB percent-encodes
    `/`, `'`, `%` and the like, so a value cannot leave its table's folder): one whose folder name
    would be too long for a file system is refused here, before any work is done."""
    files = ingest.find_tables(input_dir)
    table = files.get("administrations")
    if table is None:
        raise ConfigurationError(["master/administrations: required table is missing (no "
                                  "administrations.csv or .parquet)"])
    con = duckdb.connect()
    workspace.open_work(con)
    try:
        if ingest.ingest_raw(con, table).empty:
            raise ConfigurationError([f"{table.display}: no administrations"])
        rows = con.execute(
            f"SELECT min({ingest.ROW}), admin_id FROM raw_administrations "
            "WHERE admin_id IS NOT NULL GROUP BY admin_id ORDER BY admin_id").fetchall()
    finally:
        con.close()
    if not rows:
        raise ConfigurationError([f"{table.display}: no administrations"])
    too_long = [
        f"{table.display} row {row}, column admin_id: {admin_id[:40]!r}… is too long for the "
        f"partition folder of the Parquet output (at most {MAX_NAME} bytes as admin_id=<id>, "
        "percent-encoded)"
        for row, admin_id in rows if len(_partition_name(admin_id).encode()) > MAX_NAME]
    if too_long:
        raise ConfigurationError(too_long)
    return [admin_id for _, admin_id in rows]


def _partition_name(admin_id: str) -> str:
    # an upper bound of DuckDB's name: it encodes no more than urllib does with nothing safe
    return "admin_id=" + urllib.parse.quote(admin_id, safe="")


@task(name="administration", cache_policy=None, persist_result=False, retries=0)
def run_administration(params: RunParameters, admin_id: str, work: Path,
                       index: int = 0) -> AdminRun:
    """One administration's month end into a new database in the work folder (a folder of this
    run's own: no file of an earlier run, or of anyone else, is in it or replaced)."""
    db = Path(work) / work_db_name(index, admin_id)
    if db.exists():
        raise RunFailed([f"{db} exists: the work folder of a run is its own (nothing was done)"])
    result = run_month_end(params.model_copy(update={"admin": admin_id, "db_path": db}))
    return AdminRun(admin_id, db, index, tuple(result.notices))


def check_parquet_out(out_dir: Path) -> None:
    """Raise ConfigurationError unless out_dir may take a run's Parquet: a new or empty folder, or
    one journalize wrote (its marker names the table folders a run replaces)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigurationError([f"Parquet output {out_dir} is a file, not a folder"])
    if not out_dir.exists():
        return
    owned = _owned_tables(out_dir)
    if owned is None:
        if any(not p.name.startswith(STAGING) for p in out_dir.iterdir()):
            raise ConfigurationError([
                f"Parquet output folder {out_dir} is not empty and was not written by journalize "
                f"(no {MARKER} in it): name a new or empty folder (nothing was written)"])
        return
    foreign = [t for t in PARQUET_TABLES if (out_dir / t).exists() and t not in owned]
    if foreign:
        raise ConfigurationError([
            f"Parquet output folder {out_dir}: {', '.join(foreign)} not written by journalize "
            f"(not in its {MARKER}): name a new or empty folder (nothing was written)"])


def _owned_tables(out_dir: Path) -> set[str] | None:
    marker = out_dir / MARKER
    if not marker.is_file():
        return None
    try:
        tables = json.loads(marker.read_text(encoding="utf-8"))["tables"]
        return {t for t in tables if t in PARQUET_TABLES}
    except (ValueError, KeyError, TypeError) as error:
        raise ConfigurationError([f"{marker}: not journalize's marker ({error})"]) from error


@task(name="merge", cache_policy=None, persist_result=False)
def merge(runs: list[AdminRun], out_dir: Path, db_path: Path | None = None, *,
          params: RunParameters, started: dt.datetime | None = None) -> RunResult:
    """Put the administrations' databases together into the books of one run (params, begun at
    started): partitioned Parquet under out_dir (and one DuckDB database when db_path is given).
    Both are built aside (the database next to db_path, the Parquet in a folder of their own
    inside out_dir) and put in place only when complete: a failed merge leaves no database and
    out_dir as it was. Returns the run's result, as a single-machine run returns it, with the
    Parquet rows written (parquet_rows)."""
    runs = sorted(runs, key=lambda r: r.index)
    if not runs:
        raise RunFailed(["no administration ran (nothing was written)"])
    for run in runs:  # attach only what run_administration built
        if Path(run.db_path).name != work_db_name(run.index, run.admin_id):
            raise RunFailed([f"{run.db_path}: not the database journalize made for administration "
                             f"{run.admin_id!r} (nothing was written)"])
    out_dir, db_path = Path(out_dir), (Path(db_path) if db_path is not None else None)
    if db_path is not None:
        params = params.model_copy(update={"db_path": db_path})
    check_parquet_out(out_dir)
    if db_path is not None and db_path.exists():
        raise RunFailed([f"database {db_path} exists (nothing was written)"])
    staging = db_staging = None
    made: list[Path] = []
    done = False
    # the books and the Parquet are private to the user who runs journalize, as a single-machine
    # run's books are (flows.storage)
    with storage.private_files():
        try:
            made += make_dirs(out_dir)
            staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=out_dir))
            if db_path is not None:
                made += make_dirs(db_path.parent)
                db_staging = Path(tempfile.mkdtemp(prefix=f".{db_path.name}.", suffix=".partial",
                                                   dir=db_path.parent))
            con = duckdb.connect(str(db_staging / "merged.duckdb") if db_staging else ":memory:")
            try:
                result = _merged(con, runs, staging, params, started or dt.datetime.now())
            finally:
                con.close()
            _check_partitions(staging)
            if db_path is not None and db_path.exists():
                raise RunFailed([f"database {db_path} appeared during the run (nothing was "
                                 "written)"])
            _publish_parquet(staging, out_dir)
            if db_path is not None:
                _publish_database(db_staging / "merged.duckdb", db_path)
            done = True
            result.parquet_dir = out_dir
            return result
        finally:
            # both folders are this merge's own (mkdtemp): only its files, and the old table
            # folders its marker named, are in them
            for folder in (staging, db_staging):
                if folder is not None:
                    shutil.rmtree(folder, ignore_errors=True)
            if not done:
                remove_empty_dirs(made)


def make_dirs(folder: Path) -> list[Path]:
    """mkdir -p; returns the folders it made, outermost first."""
    folder = Path(folder)
    missing = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def remove_empty_dirs(made: list[Path]) -> None:
    """Remove the folders make_dirs made (innermost first), where nothing else went into them."""
    for folder in sorted(made, key=lambda p: len(p.parts), reverse=True):
        try:
            folder.rmdir()
        except OSError:  # not empty: someone else's files, or another run's
            pass


def _merged(con: duckdb.DuckDBPyConnection, runs: list[AdminRun], staging: Path,
            params: RunParameters, started: dt.datetime) -> RunResult:
    """The merged books in con (a new database): the tasks' rows as one run's, its record,
    reconciliation and seal; then the Parquet in staging. Returns the run's result."""
    con.execute("SET enable_progress_bar = false")  # (a batch job: no bar on stdout)
    persist.create_output_tables(con)  # (this version's tables with their keys and rules)
    for n, run in enumerate(runs):
        con.execute(f"ATTACH $path AS a{n} (READ_ONLY)", {"path": str(run.db_path)})
    _refuse_unmerged_rows(con, runs)
    _refuse_different_inputs(con, runs)
    run_id = persist.next_run_id(con)
    as_run = {"run_id": run_id}
    for n, run in enumerate(runs):
        for table in UNIONED:
            con.execute(f"INSERT INTO {_quote(table)} BY NAME "
                        f"SELECT * REPLACE ($run_id AS run_id) FROM a{n}.{_quote(table)}", as_run)
        # entry ids go on over the administrations in order, as one run numbers them (the rows
        # that name an entry move with it)
        for table in ENTRY_KEYED:
            con.execute(f"""
                INSERT INTO {_quote(table)} BY NAME
                SELECT * REPLACE (
                    entry_id + (SELECT coalesce(max(entry_id), 0) FROM journal_entries)
                    - (SELECT coalesce(min(entry_id), 1) - 1 FROM a{n}.journal_entries)
                    AS entry_id, $run_id AS run_id)
                FROM a{n}.{_quote(table)}""", as_run)
        for table in NUMBERED:
            con.execute(f"""
                INSERT INTO {_quote(table)} BY NAME
                SELECT * REPLACE (
                    entry_id + (SELECT coalesce(max(entry_id), 0) FROM {_quote(table)})
                    - (SELECT coalesce(min(entry_id), 1) - 1 FROM a{n}.{_quote(table)})
                    AS entry_id, $run_id AS run_id)
                FROM a{n}.{_quote(table)}""", as_run)
        # a line belongs to the task of its administration; lines no task's administration
        # claims (rejected before one was known, or of an administration --admin left out) come
        # from the first task
        con.execute(f"""
            INSERT INTO billable_lines BY NAME
            SELECT * REPLACE ($run_id AS run_id) FROM a{n}.billable_lines
            WHERE admin_id = $admin OR ($first AND (
                admin_id IS NULL OR NOT list_contains($admins, admin_id)))""",
                    {**as_run, "admin": run.admin_id, "first": n == 0,
                     "admins": [r.admin_id for r in runs]})
        con.execute(f"""
            INSERT INTO rejected_lines BY NAME
            SELECT * REPLACE ($run_id AS run_id) FROM a{n}.rejected_lines AS r
            WHERE NOT EXISTS (SELECT 1 FROM rejected_lines AS m
                              WHERE m."table" = r."table" AND m.row_number = r.row_number
                                AND m."check" = r."check")""", as_run)
    # what the run read and the master data it used: the same files in every task
    for table in SHARED:
        con.execute(f"INSERT INTO {_quote(table)} BY NAME "
                    f"SELECT * REPLACE ($run_id AS run_id) FROM a0.{_quote(table)}", as_run)
    tasks_debtors = " UNION ".join(f"SELECT debtor_id, name FROM a{n}.run_debtors"
                                   for n in range(len(runs)))
    con.execute(f"INSERT INTO run_debtors BY NAME SELECT $run_id AS run_id, debtor_id, name "
                f"FROM ({tasks_debtors}) ORDER BY debtor_id", as_run)
    _reconcile(con, run_id)
    books_seal = seal.seal_stored_run(con, run_id)
    con.execute("CREATE TEMP TABLE run_notices (message VARCHAR)")
    notices = list(dict.fromkeys(notice for run in runs for notice in run.notices))
    if notices:
        con.executemany("INSERT INTO run_notices VALUES (?)", [(n,) for n in notices])
    inputs = [provenance.InputFile(path, size, sha256) for path, size, sha256 in con.execute(
        "SELECT path, bytes, sha256 FROM a0.run_inputs ORDER BY path").fetchall()]
    con.execute("CREATE TEMP TABLE reconciliation AS "
                "SELECT * EXCLUDE (run_id) FROM run_reconciliation WHERE run_id = $run_id", as_run)
    _record_run(con, con, run_id, params, started, inputs, books_seal)
    result = summarise(con, con, run_id, params)
    for table in ("reconciliation", "run_notices"):
        con.execute(f"DROP TABLE temp.{table}")
    for table in PARQUET_TABLES:
        con.execute(f"COPY ({PARQUET_ROWS[table]}) TO $target "
                    f"(FORMAT parquet, PARTITION_BY ({', '.join(PARTITIONS)}))",
                    {"target": str(staging / table)})
        result.parquet_rows[table] = con.execute(
            f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]
    for n in range(len(runs)):
        con.execute(f"DETACH a{n}")
    return result


def _tables_with_rows(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    tables = [t for (t,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = $catalog "
        "AND table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1",
        {"catalog": catalog}).fetchall()]
    return [t for t in tables if con.execute(
        f"SELECT count(*) > 0 FROM {catalog}.{_quote(t)}").fetchone()[0]]


def _refuse_unmerged_rows(con: duckdb.DuckDBPyConnection, runs: list[AdminRun]) -> None:
    """A task's table with rows that the merge does not take (a table of a later feature) stops
    the run: its rows would be lost from the books without a word."""
    known = set(UNIONED + NUMBERED + SHARED + MERGED_OTHERWISE)
    for n, run in enumerate(runs):
        left = [t for t in _tables_with_rows(con, f"a{n}") if t not in known]
        if left:
            raise RunFailed([f"administration {escaped(run.admin_id)}: its books have rows in "
                             f"{', '.join(left)}, which a distributed run cannot merge yet; run "
                             "on one machine (nothing was written)"])


def _refuse_different_inputs(con: duckdb.DuckDBPyConnection, runs: list[AdminRun]) -> None:
    """Every task read the same input files (the same sizes and SHA-256) and the same lines per
    source: a file that changed between two tasks would make books of two different inputs."""
    for n, run in enumerate(runs[1:], start=1):
        differs = con.execute(f"""
            SELECT coalesce(a.path, b.path) FROM
                (SELECT path, bytes, sha256 FROM a0.run_inputs) AS a
            FULL JOIN (SELECT path, bytes, sha256 FROM a{n}.run_inputs) AS b USING (path)
            WHERE a.sha256 IS DISTINCT FROM b.sha256 OR a.bytes IS DISTINCT FROM b.bytes
            UNION
            SELECT 'lines/' || coalesce(a.source, b.source) FROM
                (SELECT source, lines_read, amount_read FROM a0.run_reconciliation) AS a
            FULL JOIN (SELECT source, lines_read, amount_read FROM a{n}.run_reconciliation) AS b
                USING (source)
            WHERE a.lines_read IS DISTINCT FROM b.lines_read
               OR a.amount_read IS DISTINCT FROM b.amount_read
            ORDER BY 1""").fetchall()
        if differs:
            raise RunFailed([
                f"the input changed while the administrations ran: administration "
                f"{escaped(runs[0].admin_id)} and {escaped(run.admin_id)} read different "
                f"{', '.join(escaped(path) for (path,) in differs)}; run again on an input that "
                "stays as it is (nothing was written)"])


def _reconcile(con: duckdb.DuckDBPyConnection, run_id: int) -> None:
    """The run's reconciliation, per source table: lines read as every task read them (the
    same files), and what became of them in the merged lines (each line once: from the task of
    its administration); a reconciliation that does not close fails the run, as it would on one
    machine."""
    con.execute("""
        INSERT INTO run_reconciliation BY NAME
        WITH
        read AS (SELECT source, lines_read, amount_read FROM a0.run_reconciliation),
        lines AS (
            SELECT source,
                   count(*) FILTER (WHERE status = 'invoiced') AS lines_invoiced,
                   count(*) FILTER (WHERE status = 'open') AS lines_open,
                   count(*) FILTER (WHERE status = 'rejected') AS lines_rejected,
                   count(*) FILTER (WHERE status = 'excluded') AS lines_excluded,
                   coalesce(sum(amount) FILTER (WHERE status = 'invoiced'), 0) AS amount_invoiced,
                   coalesce(sum(amount) FILTER (WHERE status = 'open'), 0) AS amount_open,
                   coalesce(sum(amount) FILTER (WHERE status = 'rejected'), 0) AS amount_rejected,
                   coalesce(sum(amount) FILTER (WHERE status = 'excluded'), 0) AS amount_excluded
            FROM billable_lines WHERE run_id = $run_id GROUP BY source
        ),
        summed AS (
            SELECT $run_id AS run_id, coalesce(r.source, l.source) AS source,
                   coalesce(r.lines_read, 0) AS lines_read,
                   coalesce(l.lines_invoiced, 0) AS lines_invoiced,
                   coalesce(l.lines_open, 0) AS lines_open,
                   coalesce(l.lines_rejected, 0) AS lines_rejected,
                   coalesce(l.lines_excluded, 0) AS lines_excluded,
                   coalesce(r.amount_read, 0) AS amount_read,
                   coalesce(l.amount_invoiced, 0) AS amount_invoiced,
                   coalesce(l.amount_open, 0) AS amount_open,
                   coalesce(l.amount_rejected, 0) AS amount_rejected,
                   coalesce(l.amount_excluded, 0) AS amount_excluded
            FROM read AS r FULL JOIN lines AS l USING (source)
        )
        SELECT *,
               lines_read = lines_invoiced + lines_open + lines_rejected + lines_excluded
               AND amount_read = amount_invoiced + amount_open + amount_rejected
                                 + amount_excluded AS closes
        FROM summed""", {"run_id": run_id})
    broken = con.execute(
        "SELECT source, lines_read, lines_invoiced, lines_open, lines_rejected, lines_excluded, "
        "amount_read, amount_invoiced, amount_open, amount_rejected, amount_excluded "
        "FROM run_reconciliation WHERE run_id = $run_id AND NOT closes ORDER BY source",
        {"run_id": run_id}).fetchall()
    if broken:
        raise ReconciliationError([
            f"{s}: read {n} lines / {a} but the administrations' books have invoiced {ni} / {ai} "
            f"+ open {no} / {ao} + rejected {nr} / {ar} + excluded {ne} / {ae}: does not close "
            "(nothing was written)"
            for s, n, ni, no, nr, ne, a, ai, ao, ar, ae in broken])


def _check_partitions(staging: Path) -> None:
    """Every file the COPY wrote is <table>/admin_id=…/fiscal_year=…/period=…/<file> inside the
    staging folder (a guard on DuckDB's encoding of the values: none may make a folder of its
    own)."""
    for table in PARQUET_TABLES:
        level = [staging / table]
        for key in PARTITIONS:
            below = []
            for folder in level:
                for partition in folder.iterdir():
                    if not (partition.is_dir() and not partition.is_symlink()
                            and partition.name.startswith(f"{key}=")):
                        raise RunFailed([f"{partition}: not a {key} partition folder of {table} "
                                         "(nothing was written)"])
                    below.append(partition)
            level = below
        for folder in level:
            if not all(f.is_file() and not f.is_symlink() for f in folder.iterdir()):
                raise RunFailed([f"{folder}: not a partition folder of {table} (nothing was "
                                 "written)"])
    root = staging.resolve()
    for path in staging.rglob("*"):
        if root not in path.resolve().parents:
            raise RunFailed([f"{path}: outside the Parquet output (nothing was written)"])


def _publish_parquet(staging: Path, out_dir: Path) -> None:
    """Swap the table folders into out_dir: only those journalize's marker names are replaced (the
    old ones move into the staging folder, which goes)."""
    check_parquet_out(out_dir)  # again: the folder may have changed during the run
    owned = _owned_tables(out_dir) or set()
    marker = staging / MARKER
    marker.write_text(json.dumps({"written_by": "journalize",
                                  "tables": sorted(owned | set(PARQUET_TABLES))}) + "\n",
                      encoding="utf-8")
    os.replace(marker, out_dir / MARKER)
    for table in PARQUET_TABLES:
        target = out_dir / table
        if target.exists():
            target.rename(staging / f"old-{table}")
        (staging / table).rename(target)


def _publish_database(built: Path, db_path: Path) -> None:
    """Put the merged database in place under its name, never over a database that appeared."""
    try:
        os.link(built, db_path)  # fails if db_path exists
    except FileExistsError as error:
        raise RunFailed([f"database {db_path} appeared during the run"]) from error
    except OSError:  # a file system without hard links
        if db_path.exists():
            raise RunFailed([f"database {db_path} appeared during the run"]) from None
        os.rename(built, db_path)
        return
    built.unlink()


def dask_runner(address: str | None = None, workers: int = 2) -> DaskTaskRunner:
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1,
                                          "processes": True, "dashboard_address": None})


def month_end_distributed(
    params: RunParameters, out_dir: Path, work_dir: Path, *, address: str | None = None,
    workers: int = 2, db_path: Path | None = None, keep_work: bool = False,
) -> RunResult:
    """Run the month end with one task per administration on Dask; returns the run's result (as
    a single-machine run's, with the Parquet rows written and, with keep_work, the folder of the
    administrations' databases).

    The merged database is a new one: counters and numbers of an existing database would have to
    travel to every worker first, which this first version does not do (it refuses instead).
    With params.admin, that administration's task alone runs (the others' lines are excluded,
    as on one machine).

    The administrations' databases go into a folder of this run's own under work_dir, removed at
    the end (work_dir too when this run made it and nothing else is in it), after a failure as
    well, unless keep_work."""
    started = dt.datetime.now()
    if db_path is not None and Path(db_path).exists():
        raise ConfigurationError([
            f"database {db_path} exists: a distributed run writes a new database (run on one "
            "machine to continue an existing one; nothing was done)"])
    check_parquet_out(Path(out_dir))
    _refuse_stock_mutations(params.input_dir)
    admins = administrations(params.input_dir)
    if params.admin is not None:
        if params.admin not in admins:
            raise ConfigurationError([
                f"--admin {escaped(params.admin)}: there is no such administration in "
                f"master/administrations (there are: {', '.join(map(escaped, admins))})"],
                kind=USAGE)
        admins = [params.admin]
    work_dir = Path(work_dir)
    made = make_dirs(work_dir)
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=work_dir))
    # (mkdtemp's folder is the owner's alone: workers running as another user of the shared
    # file system get what the work folder gives them)
    try:
        os.chmod(run_dir, work_dir.stat().st_mode & 0o777)

        @flow(name="journalize-month-end-dask", task_runner=dask_runner(address, workers))
        def by_administration() -> RunResult:
            futures = [run_administration.submit(params, admin, run_dir, index)
                       for index, admin in enumerate(admins)]
            wait(futures)  # all, failed or not: nothing writes to run_dir once it is removed
            return merge([f.result() for f in futures], Path(out_dir), db_path, params=params,
                         started=started)

        result = by_administration()
        if keep_work:
            result.work_kept = run_dir
        return result
    finally:
        if not keep_work:
            remove_work(run_dir, made)


def _refuse_stock_mutations(input_dir: Path) -> None:
    """Stock mutations are booked once, after every administration (docs/stock.md): a mutation's
    entries span two administrations, which run on different workers here, so a distributed run
    refuses an input with stock mutations before anything runs."""
    stock = ingest.find_tables(input_dir).get("stock_mutations")
    if stock is not None:
        raise ConfigurationError([
            f"{stock.display}: a distributed run (--dask) does not book stock mutations (their "
            "entries span two administrations, which run on different workers); run on one "
            "machine (nothing was done)"])


def remove_work(run_dir: Path, made: list[Path] = ()) -> None:
    """Remove a run's own folder under the work folder (made with mkdtemp: only the
    administrations' databases, their WAL and DuckDB's spill folders are in it), then the folders
    the run made for it (the work folder itself), where they are empty."""
    shutil.rmtree(run_dir, ignore_errors=True)
    remove_empty_dirs(list(made))
