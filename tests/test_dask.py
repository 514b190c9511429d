"""The month end with one Prefect task per administration on a local Dask cluster (2
worker processes) gives exactly the books of the single-process run: the same invoice numbers,
the same entries (ids included), the same lines; and its partitioned Parquet holds them too.

The flow runs in a child interpreter (as tests/test_flow.py explains), under prefect_test_harness.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from flows.parameters import RunParameters, sample_dataset
from flows.pipeline import run_month_end

DASK_RUN = textwrap.dedent(
    """
    import sys
    from pathlib import Path


    def main():
        from prefect.testing.utilities import prefect_test_harness
        from flows.distributed import month_end_distributed
        from flows.parameters import RunParameters

        params = RunParameters.for_period("2026-10", input_dir=Path(sys.argv[1]))
        with prefect_test_harness():
            rows = month_end_distributed(params, Path(sys.argv[2]), Path(sys.argv[3]),
                                         workers=2, db_path=Path(sys.argv[4]))
        print("ROWS", rows)


    if __name__ == "__main__":  # Dask's worker processes import this module again
        main()
    """
)

COMPARED = {  # table: its columns in a stable order (run_id and timestamps are the same: run 1)
    "invoices": "*",
    "invoice_vat": "*",
    "invoice_lines": "*",
    "journal_entries": "*",
    "open_items": "*",
    "journal_counters": "*",
    "skipped_numbers": "*",
    "billable_lines": "*",
    "rejected_lines": "*",
    "subscription_state": "*",  # (SPEC §7: each administration's task bills its own items)
}


def rows(db: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute(f"SELECT {COMPARED[table]} FROM {table}").fetchall(), key=repr)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask")
    single = folder / "single.duckdb"
    run_month_end(RunParameters.for_period("2026-10", input_dir=sample_dataset(), db_path=single))
    script = folder / "dask_run.py"
    script.write_text(DASK_RUN)
    merged, out, work = folder / "merged.duckdb", folder / "out", folder / "work"
    done = subprocess.run(
        [sys.executable, str(script), str(sample_dataset()), str(out), str(work), str(merged)],
        capture_output=True, text=True, timeout=600, cwd=Path(__file__).parent.parent,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert "ROWS" in done.stdout
    return single, merged, out


@pytest.mark.flow
@pytest.mark.parametrize("table", list(COMPARED))
def test_dask_run_writes_the_same_books_as_one_process(runs, table):
    single, merged, _ = runs
    expected = rows(single, table)
    assert rows(merged, table) == expected
    if table in ("invoices", "journal_entries", "billable_lines", "subscription_state"):
        assert expected, f"the sample makes {table}"


@pytest.mark.flow
def test_both_administrations_ran_as_their_own_task(runs):
    single, _, out = runs
    with duckdb.connect(str(single), read_only=True) as con:
        admins = {r[0] for r in con.execute("SELECT DISTINCT admin_id FROM invoices").fetchall()}
    assert admins == {"NL01", "BE01"}
    assert {p.name for p in (out / "invoices").iterdir()} == {"admin_id=BE01", "admin_id=NL01"}


@pytest.mark.flow
def test_partitioned_parquet_holds_the_same_entries(runs):
    single, _, out = runs
    columns = "entry_id, line_no, admin_id, journal_code, account, invoice_number, debit, credit"
    with duckdb.connect() as con:
        from_parquet = sorted(con.execute(
            f"SELECT {columns} FROM read_parquet('{out}/journal_entries/**/*.parquet', "
            "hive_partitioning = true)").fetchall())
    with duckdb.connect(str(single), read_only=True) as con:
        expected = sorted(con.execute(f"SELECT {columns} FROM journal_entries").fetchall())
    assert from_parquet == expected
