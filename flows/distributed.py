"""The month-end run past one machine: one Prefect task per administration on a Dask
cluster (prefect-dask's ``DaskTaskRunner``), results merged into partitioned Parquet and, if asked,
one DuckDB database.

Numbering and journals are per administration and number series may not overlap (SPEC §5, checked
by the configuration check), so administrations are independent: each task runs the ordinary
pipeline (``flows.pipeline.run_month_end``) with ``admin=<its administration>`` into its own
database under the work folder, and the merge puts the pieces together exactly as one run over
all administrations would have written them (entry ids continue over the administrations in
order, each line comes from the task of its administration, rejected lines once).

Point it at a real cluster with ``--address tcp://scheduler:8786`` (every worker needs journalize
installed and the input and work folders on a shared filesystem, or object storage mounted as
one: e.g. ``s3fs``/``gcsfuse``; DuckDB can also read ``s3://`` Parquet through its httpfs
extension).
"""

from __future__ import annotations

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

from flows.parameters import RunParameters
from flows.pipeline import RunFailed, run_month_end
from transforms import ingest, sqlfile, workspace
from transforms.ingest import _quote
from transforms.validate import ConfigurationError

if TYPE_CHECKING:
    from prefect_dask import DaskTaskRunner

# the merged tables: per-administration rows, unioned (billable and rejected lines need care)
UNIONED = ("invoices", "invoice_vat", "open_items", "journal_counters",
           "skipped_numbers", "changed_lines", "subscription_state")
PARQUET_TABLES = ("invoices", "invoice_lines", "journal_entries", "open_items", "billable_lines")
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
    run_month_end(params.model_copy(update={"admin": admin_id, "db_path": db}))
    return AdminRun(admin_id, db, index)


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
def merge(runs: list[AdminRun], out_dir: Path, db_path: Path | None = None) -> dict[str, int]:
    """Put the administrations' databases together: partitioned Parquet under out_dir (and one
    DuckDB database when db_path is given). Both are built aside (the database next to db_path,
    the Parquet in a folder of their own inside out_dir) and put in place only when complete: a
    failed merge leaves no database and out_dir as it was."""
    runs = sorted(runs, key=lambda r: r.index)
    for run in runs:  # attach only what run_administration built
        if Path(run.db_path).name != work_db_name(run.index, run.admin_id):
            raise RunFailed([f"{run.db_path}: not the database journalize made for administration "
                             f"{run.admin_id!r} (nothing was written)"])
    out_dir, db_path = Path(out_dir), (Path(db_path) if db_path is not None else None)
    check_parquet_out(out_dir)
    if db_path is not None and db_path.exists():
        raise RunFailed([f"database {db_path} exists (nothing was written)"])
    made = make_dirs(out_dir)
    staging = db_staging = None
    done = False
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=out_dir))
        if db_path is not None:
            made += make_dirs(db_path.parent)
            db_staging = Path(tempfile.mkdtemp(prefix=f".{db_path.name}.", suffix=".partial",
                                               dir=db_path.parent))
        con = duckdb.connect(str(db_staging / "merged.duckdb") if db_staging else ":memory:")
        try:
            rows = _merged(con, runs, staging)
        finally:
            con.close()
        _check_partitions(staging)
        if db_path is not None and db_path.exists():
            raise RunFailed([f"database {db_path} appeared during the run (nothing was written)"])
        _publish_parquet(staging, out_dir)
        if db_path is not None:
            _publish_database(db_staging / "merged.duckdb", db_path)
        done = True
        return rows
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


def _merged(con: duckdb.DuckDBPyConnection, runs: list[AdminRun], staging: Path) -> dict[str, int]:
    con.execute("SET enable_progress_bar = false")  # (a batch job: no bar on stdout)
    for n, run in enumerate(runs):
        con.execute(f"ATTACH $path AS a{n} (READ_ONLY)", {"path": str(run.db_path)})
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'a0' "
        "AND table_type = 'BASE TABLE'").fetchall()]
    for table in tables:
        con.execute(f"CREATE OR REPLACE TABLE {_quote(table)} AS FROM a0.{_quote(table)} LIMIT 0")
    sqlfile.run_script(con, "persist", "views")  # (invoice_lines, the cockpit views)
    for n, run in enumerate(runs):
        for table in UNIONED:
            con.execute(f"INSERT INTO {_quote(table)} BY NAME SELECT * FROM a{n}.{_quote(table)}")
        # entry ids go on over the administrations in order, as one run numbers them
        con.execute(f"""
            INSERT INTO journal_entries BY NAME
            SELECT * REPLACE (entry_id + (SELECT coalesce(max(entry_id), 0) FROM journal_entries)
                              - (SELECT coalesce(min(entry_id), 1) - 1 FROM a{n}.journal_entries)
                              AS entry_id)
            FROM a{n}.journal_entries""")
        # a line belongs to the task of its administration; lines no administration claims
        # (rejected before one was known) come from the first task
        con.execute(f"""
            INSERT INTO billable_lines BY NAME
            SELECT * FROM a{n}.billable_lines
            WHERE status <> 'excluded' AND (admin_id = $admin OR ($first AND (
                admin_id IS NULL OR NOT list_contains($admins, admin_id))))""",
                    {"admin": run.admin_id, "first": n == 0,
                     "admins": [r.admin_id for r in runs]})
        con.execute(f"""
            INSERT INTO rejected_lines BY NAME
            SELECT * FROM a{n}.rejected_lines AS r
            WHERE NOT EXISTS (SELECT 1 FROM rejected_lines AS m
                              WHERE m."table" = r."table" AND m.row_number = r.row_number
                                AND m."check" = r."check")""")
    rows = {}
    for table in PARQUET_TABLES:
        con.execute(f"COPY {_quote(table)} TO $target (FORMAT parquet, PARTITION_BY (admin_id))",
                    {"target": str(staging / table)})
        rows[table] = con.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]
    return rows


def _check_partitions(staging: Path) -> None:
    """Every file the COPY wrote is <table>/admin_id=<value>/<file> inside the staging folder (a
    guard on DuckDB's encoding of the values: none may make a folder of its own)."""
    for table in PARQUET_TABLES:
        for partition in (staging / table).iterdir():
            if not (partition.is_dir() and partition.name.startswith("admin_id=")
                    and all(f.is_file() for f in partition.iterdir())):
                raise RunFailed([f"{partition}: not a partition folder of {table} (nothing was "
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
) -> dict[str, int]:
    """Run the month end with one task per administration on Dask; returns rows written.

    The merged database is a new one: counters and numbers of an existing database would have to
    travel to every worker first, which this first version does not do (it refuses instead).

    The administrations' databases go into a folder of this run's own under work_dir, removed at
    the end (work_dir too when this run made it and nothing else is in it), after a failure as
    well, unless keep_work."""
    if db_path is not None and Path(db_path).exists():
        raise ConfigurationError([
            f"database {db_path} exists: a distributed run writes a new database (run on one "
            "machine to continue an existing one; nothing was done)"])
    check_parquet_out(Path(out_dir))
    admins = administrations(params.input_dir)
    work_dir = Path(work_dir)
    made = make_dirs(work_dir)
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=work_dir))
    # (mkdtemp's folder is the owner's alone: workers running as another user of the shared
    # file system get what the work folder gives them)
    try:
        os.chmod(run_dir, work_dir.stat().st_mode & 0o777)

        @flow(name="journalize-month-end-dask", task_runner=dask_runner(address, workers))
        def by_administration() -> dict[str, int]:
            futures = [run_administration.submit(params, admin, run_dir, index)
                       for index, admin in enumerate(admins)]
            wait(futures)  # all, failed or not: nothing writes to run_dir once it is removed
            return merge([f.result() for f in futures], Path(out_dir), db_path)

        return by_administration()
    finally:
        if not keep_work:
            remove_work(run_dir, made)


def remove_work(run_dir: Path, made: list[Path] = ()) -> None:
    """Remove a run's own folder under the work folder (made with mkdtemp: only the
    administrations' databases, their WAL and DuckDB's spill folders are in it), then the folders
    the run made for it (the work folder itself), where they are empty."""
    shutil.rmtree(run_dir, ignore_errors=True)
    remove_empty_dirs(list(made))
