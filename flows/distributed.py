"""The month-end run past one machine (issue 5): one Prefect task per administration on a Dask
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

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
from prefect import flow, task

from flows.parameters import RunParameters
from flows.pipeline import RunFailed, run_month_end
from transforms import ingest, sqlfile

# the merged tables: per-administration rows, unioned (billable and rejected lines need care)
UNIONED = ("invoices", "invoice_vat", "open_items", "journal_counters",
           "skipped_numbers", "changed_lines")
PARQUET_TABLES = ("invoices", "invoice_lines", "journal_entries", "open_items", "billable_lines")


@dataclass(frozen=True)
class AdminRun:
    admin_id: str
    db_path: Path


def administrations(input_dir: Path) -> list[str]:
    files = ingest.find_tables(input_dir)
    table = files.get("administrations")
    if table is None:
        raise RunFailed([f"{input_dir}: master/administrations is missing"])
    con = duckdb.connect()
    try:
        ingest.ingest_raw(con, table)
        return [r[0] for r in con.execute(
            "SELECT DISTINCT admin_id FROM raw_administrations WHERE admin_id IS NOT NULL "
            "ORDER BY 1").fetchall()]
    finally:
        con.close()


@task(name="administration", cache_policy=None, persist_result=False, retries=0)
def run_administration(params: RunParameters, admin_id: str, work: Path) -> AdminRun:
    db = Path(work) / f"{admin_id}.duckdb"
    db.unlink(missing_ok=True)
    run_month_end(params.model_copy(update={"admin": admin_id, "db_path": db}))
    return AdminRun(admin_id, db)


@task(name="merge", cache_policy=None, persist_result=False)
def merge(runs: list[AdminRun], out_dir: Path, db_path: Path | None = None) -> dict[str, int]:
    """Put the administrations' databases together: partitioned Parquet under out_dir (and one
    DuckDB database when db_path is given)."""
    runs = sorted(runs, key=lambda r: r.admin_id)
    con = duckdb.connect(str(db_path) if db_path else ":memory:")
    con.execute("SET enable_progress_bar = false")  # (a batch job: no bar on stdout)
    try:
        for n, run in enumerate(runs):
            con.execute(f"ATTACH '{run.db_path}' AS a{n} (READ_ONLY)")
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'a0' "
            "AND table_type = 'BASE TABLE'").fetchall()]
        for table in tables:
            con.execute(f'CREATE OR REPLACE TABLE "{table}" AS FROM a0."{table}" LIMIT 0')
        sqlfile.run_script(con, "persist", "views")  # (invoice_lines, the cockpit views)
        for n, run in enumerate(runs):
            for table in UNIONED:
                con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM a{n}."{table}"')
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
        out_dir = Path(out_dir)
        shutil.rmtree(out_dir, ignore_errors=True)
        out_dir.mkdir(parents=True)
        rows = {}
        for table in PARQUET_TABLES:
            target = out_dir / table
            con.execute(f"COPY \"{table}\" TO '{target}' (FORMAT parquet, PARTITION_BY (admin_id))")
            rows[table] = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        return rows
    finally:
        con.close()


def dask_runner(address: str | None = None, workers: int = 2):
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1,
                                          "processes": True, "dashboard_address": None})


def month_end_distributed(
    params: RunParameters, out_dir: Path, work_dir: Path, *, address: str | None = None,
    workers: int = 2, db_path: Path | None = None,
) -> dict[str, int]:
    """Run the month end with one task per administration on Dask; returns rows written.

    The merged database is a new one: counters and numbers of an existing database would have to
    travel to every worker first, which this first version does not do (it refuses instead)."""
    if db_path is not None and Path(db_path).exists():
        raise RunFailed([f"database {db_path} exists: a distributed run writes a new database "
                         "(run on one machine to continue an existing one)"])
    admins = administrations(params.input_dir)

    @flow(name="journalize-month-end-dask", task_runner=dask_runner(address, workers))
    def by_administration() -> dict[str, int]:
        Path(work_dir).mkdir(parents=True, exist_ok=True)
        futures = [run_administration.submit(params, admin, Path(work_dir)) for admin in admins]
        return merge([f.result() for f in futures], Path(out_dir), db_path)

    return by_administration()
