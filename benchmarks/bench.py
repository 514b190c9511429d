"""`make bench`: the full month-end pipeline at 100k, 1M and 10M lines, and a plain-pandas
reference of the core path at 1M, with figures printed, never asserted.

Each measurement runs in a child process so that its peak RSS comes from the OS (wait4's
ru_maxrss) and caches of one size do not help the next. Datasets are generated once (seeded) under
benchmarks/data/ and reused.

    python benchmarks/bench.py [--sizes 100000,1000000,10000000] [--no-pandas] [--no-reruns]
    python benchmarks/bench.py --exports-of books.duckdb   # only the exports, of existing books
    python benchmarks/bench.py --sizes 10000000 --seal-cost 2  # + 2 × unsealed, sealed, sealed, unsealed

Beside each first run: the same input again on its books, and a month-end run on books that a run
to the 15th wrote (half the lines already invoiced), each with its ratio to the first run.

After each size's run, `journalize export` of its books in each format (Parquet, Profit's
FiEntries, XAF 4.0), each in a child of its own: wall time, peak RSS and the size of what it wrote
(the export is streamed, with DuckDB's memory bound at EXPORT_MEMORY_LIMIT: its memory should not
grow with the size of the books).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SIZES = (100_000, 1_000_000, 10_000_000)
MEMORY_LIMIT = "2300MB"


def label(lines: int) -> str:
    return f"{lines // 1_000_000}m" if lines >= 1_000_000 else f"{lines // 1000}k"


def dataset(lines: int, seed: int = 7) -> Path:
    folder = DATA / label(lines)
    ready = folder / "READY"
    if not (ready.exists() and ready.read_text().split() == [str(lines), str(seed)]):
        sys.path.insert(0, str(HERE))
        from generate import generate

        print(f"generating {lines:,} lines into {folder} …", flush=True)
        generate(lines, folder, seed)
    return folder


def child(code: str, *args: str) -> tuple[dict, float, int]:
    """Run `code` in a fresh interpreter; returns (its JSON result, wall seconds, peak RSS bytes)."""
    started = time.perf_counter()
    # DuckDB's memory bound for the run (it spills beyond it): the 3 GiB target for a run's peak
    # RSS less the Python side; JOURNALIZE_MEMORY_LIMIT overrides it
    env = {**os.environ, "JOURNALIZE_MEMORY_LIMIT": os.environ.get("JOURNALIZE_MEMORY_LIMIT", MEMORY_LIMIT)}
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                               cwd=HERE.parent, text=True, env=env)
    stdout = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark child failed ({status}):\n{stdout}")
    result = [line for line in stdout.splitlines() if line.startswith("{")]  # (past any noise)
    if not result:
        raise SystemExit(f"benchmark child printed no result:\n{stdout}")
    return json.loads(result[-1]), wall, usage.ru_maxrss * 1024


PIPELINE = r"""
import datetime as dt, json, sys, time
from pathlib import Path
from flows.parameters import RunParameters
from flows.pipeline import run_month_end
stamps = []
def progress(stage):
    stamps.append((stage, time.perf_counter()))
db, mode = Path(sys.argv[2]), sys.argv[3]
params = RunParameters.for_period("2026-10", input_dir=Path(sys.argv[1]), db_path=db)
if mode in ("first", "mid-month", "unsealed"):  # (new books; "again": on the books there are)
    for old in (db, Path(f"{db}.wal"), Path(f"{db}.log.jsonl")):
        old.unlink(missing_ok=True)
if mode == "mid-month":  # (a run to the 15th: the lines dated up to then, about half of them)
    params = params.model_copy(update={"reference_date": dt.date(2026, 10, 15),
                                       "invoice_date": dt.date(2026, 10, 15)})
if mode == "unsealed":  # (the same first run without hashing its rows: what sealing costs)
    from transforms import seal
    seal.RunSealer._hash = lambda self, *args: None
started = time.perf_counter()
result = run_month_end(params, progress=progress)
ended = time.perf_counter()
stamps.append(("end", ended))
stages = {}  # per stage, summed over the administrations the run goes through one by one
for i, (name, at) in enumerate(stamps[:-1]):
    stage = name.split(" (")[0]
    stages[stage] = stages.get(stage, 0.0) + stamps[i + 1][1] - at
import duckdb
with duckdb.connect(str(db), read_only=True) as con:
    con.execute("SET enable_progress_bar = false")
    rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("billable_lines", "invoices", "invoice_lines", "journal_entries", "open_items",
                      "stock_mutations", "stock_entry_lines")}
print(json.dumps({"run": ended - started, "stages": stages, "rows": rows,
                  "lines": result.counts["lines_read"], "seal": result.seal_seconds,
                  "invoices": result.counts["invoices"]}))
"""

# The floor under the persist stage: the time DuckDB takes to write the run's output rows alone
# (copied from the run's database into a fresh file, checkpointed), with no query around it.
WRITE_FLOOR = r"""
import json, sys, time
from pathlib import Path
import duckdb
copy = Path(sys.argv[2]); copy.unlink(missing_ok=True)
con = duckdb.connect(str(copy))
con.execute("SET enable_progress_bar = false")
con.execute("ATTACH $path AS run (READ_ONLY)", {"path": sys.argv[1]})
tables = ("billable_lines", "journal_entries", "invoices", "invoice_vat", "open_items")
for t in tables:  # read once first, so that the timing below is the write
    con.execute(f"SELECT count(*) FROM run.{t}").fetchone()
started = time.perf_counter()
con.execute("BEGIN")
for t in tables:
    con.execute(f"CREATE TABLE {t} AS FROM run.{t}")
con.execute("COMMIT")
con.execute("CHECKPOINT")
seconds = time.perf_counter() - started
con.close(); copy.unlink(missing_ok=True)
print(json.dumps({"run": seconds}))
"""

EXPORT = r"""
import json, shutil, sys, time
from pathlib import Path
from flows.export import ExportParameters, export_books
out = Path(sys.argv[2]); shutil.rmtree(out, ignore_errors=True)
books = sys.argv[1]
import duckdb
with duckdb.connect(books, read_only=True) as con:  # Profit's administration numbers: 1, 2, ...
    admins = [r[0] for r in con.execute("SELECT DISTINCT admin_id FROM journal_entries ORDER BY 1").fetchall()]
started = time.perf_counter()
result = export_books(ExportParameters(db_path=books, out_dir=out, format=sys.argv[3],
                                       unit_ids={a: n for n, a in enumerate(admins, 1)},
                                       memory_limit=sys.argv[4]))
seconds = time.perf_counter() - started
size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
shutil.rmtree(out, ignore_errors=True)
print(json.dumps({"run": seconds, "rows": result.rows, "files": len(result.files), "bytes": size}))
"""
EXPORT_FORMATS = ("parquet", "fientries", "xaf")
# DuckDB's bound for an export (less than a run's: an export streams, a chunk of entries at a time)
EXPORT_MEMORY_LIMIT = "1GB"


def exports(db: Path, out: Path) -> None:
    """`journalize export` of the books in each format, each in a child process."""
    for fmt in EXPORT_FORMATS:
        result, wall, rss = child(EXPORT, str(db), str(out), fmt, EXPORT_MEMORY_LIMIT)
        rows = ", ".join(f"{name} {n:,}" for name, n in result["rows"].items())
        print(f"   export {fmt:<9} {result['run']:6.1f} s (process wall {wall:.1f} s), peak RSS "
              f"{rss / 2**30:.2f} GiB, {result['files']:,} files, {result['bytes'] / 2**20:,.0f} "
              f"MiB ({rows})")


PANDAS = r"""
import json, sys, time
sys.path.insert(0, "benchmarks")
from pandas_reference import run
started = time.perf_counter()
rows = run(sys.argv[1])
print(json.dumps({"run": time.perf_counter() - started, "rows": rows}))
"""


def reruns(folder: Path, db: Path, first: dict) -> None:
    """Re-runs beside the first run (issue 14: at most 1.3x its time): the same input again on
    the books the first run wrote (every line already invoiced), and a month-end run on books
    that a run to the 15th wrote (about half the lines already invoiced)."""
    again, _, rss = child(PIPELINE, str(folder), str(db), "again")
    print(f"   re-run, every line already invoiced: {again['run']:.1f} s "
          f"({again['run'] / first['run']:.2f}x the first run; {again['invoices']:,} invoices), "
          f"peak RSS {rss / 2**30:.2f} GiB")
    mid, _, _ = child(PIPELINE, str(folder), str(db), "mid-month")
    half, _, rss = child(PIPELINE, str(folder), str(db), "again")
    print(f"   re-run, {mid['invoices']:,} of the invoices made by a run to the 15th: "
          f"month end {half['run']:.1f} s ({half['run'] / first['run']:.2f}x the first run; "
          f"{half['invoices']:,} invoices), peak RSS {rss / 2**30:.2f} GiB")
    for name, out in (("all again", again), ("half again", half)):
        print(f"     {name:<10} " + ", ".join(f"{stage} {seconds:.1f}"
                                           for stage, seconds in out["stages"].items()))


SEALING_STAGES = ("persist", "stock", "close")  # (where the hashing thread works, and the seal is written)


def seal_cost(folder: Path, db: Path, blocks: int) -> None:  # (beside db, removed after)
    """The same first run with the hashing of its rows switched off (the seal it writes is of no
    rows) against the run sealed, after the bench's first run (a warm-up here: the first run of a
    bench is the slowest by far, its input files cold) in blocks of unsealed, sealed, sealed,
    unsealed. The wall time sealing adds to a run, whatever of it overlaps DuckDB's work: the
    mean of the sealed runs less the mean of the unsealed ones. Each block cancels a machine's
    speed drifting evenly during its four runs (it drifted by 10 % within a quarter of an hour
    here); the blocks' own figures show how far one block can be trusted. Beside the whole run,
    the stages sealing works in (SEALING_STAGES): the other stages run the same code either way,
    and what they vary by from run to run is noise only."""
    times: dict[str, list[float]] = {"sealed": [], "unsealed": []}
    stages: dict[str, list[float]] = {"sealed": [], "unsealed": []}
    hashing, costs = [], []
    for _ in range(blocks):
        for mode in ("unsealed", "first", "first", "unsealed"):
            other = db.with_name(f"{db.stem}-{mode}.duckdb")
            out, _, _ = child(PIPELINE, str(folder), str(other), mode)
            for old in (other, Path(f"{other}.wal"), Path(f"{other}.log.jsonl")):
                old.unlink(missing_ok=True)
            kind = "unsealed" if mode == "unsealed" else "sealed"
            sealing = sum(out["stages"].get(stage, 0.0) for stage in SEALING_STAGES)
            times[kind].append(out["run"])
            stages[kind].append(sealing)
            if kind == "sealed":
                hashing.append(out["seal"].get("hashing (CPU, its own thread)", 0.0))
            print(f"   … {kind} {out['run']:.1f} s ({' + '.join(SEALING_STAGES)} {sealing:.1f} s)",
                  flush=True)  # (a bench of many minutes)
        unsealed = sum(times["unsealed"][-2:]) / 2  # (the block's two runs of each kind)
        costs.append(((sum(times["sealed"][-2:]) / 2 - unsealed) / unsealed,
                      (sum(stages["sealed"][-2:]) - sum(stages["unsealed"][-2:])) / 2 / unsealed))
    mean = {kind: sum(values) / len(values) for kind, values in times.items()}
    in_stages = {kind: sum(values) / len(values) for kind, values in stages.items()}
    cost, stage_cost = mean["sealed"] - mean["unsealed"], in_stages["sealed"] - in_stages["unsealed"]
    for kind in ("sealed", "unsealed"):
        print(f"   {kind:>8} runs: " + ", ".join(f"{t:.1f} s ({p:.1f})" for t, p in
                                                zip(times[kind], stages[kind], strict=True)))
    print(f"   sealing's wall cost: {cost:+.1f} s on the whole runs ({cost / mean['unsealed']:+.1%} "
          f"of the unsealed run's {mean['unsealed']:.1f} s), {stage_cost:+.1f} s in "
          f"{' + '.join(SEALING_STAGES)} ({stage_cost / mean['unsealed']:+.1%}); blocks "
          + ", ".join(f"{whole:+.1%} / {part:+.1%}" for whole, part in costs)
          + f"; hashing CPU {sum(hashing) / len(hashing):.1f} s per sealed run")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--no-pandas", action="store_true")
    parser.add_argument("--no-reruns", action="store_true", help="only first runs")
    parser.add_argument("--exports-of", type=Path, help="only the exports, of these books")
    parser.add_argument("--no-exports", action="store_true", help="no exports after the runs")
    parser.add_argument("--seal-cost", type=int, default=0, metavar="BLOCKS",
                        help="after each first run, BLOCKS times: unsealed, sealed, sealed, "
                             "unsealed (sealing's cost, the mean of the sealed runs less that of "
                             "the unsealed)")
    args = parser.parse_args()
    if args.exports_of:
        print(f"journalize export of {args.exports_of} — {os.cpu_count()} cores")
        exports(args.exports_of, DATA / "export-bench")
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    cores = os.cpu_count()
    limit = os.environ.get("JOURNALIZE_MEMORY_LIMIT", MEMORY_LIMIT)
    print(f"journalize benchmark — {cores} cores; full pipeline incl. validation and the database "
          f"write; DuckDB memory_limit {limit}; figures are printed, not asserted\n")
    results = {}
    for lines in sizes:
        folder = dataset(lines)
        db = DATA / f"{label(lines)}.duckdb"
        out, wall, rss = child(PIPELINE, str(folder), str(db), "first")
        results[lines] = out
        print(f"== {lines:,} lines: run {out['run']:.1f} s ({lines / out['run']:,.0f} lines/s), "
              f"process wall {wall:.1f} s, peak RSS {rss / 2**30:.2f} GiB")
        for stage, seconds in out["stages"].items():
            print(f"   {stage:<20} {seconds:6.2f} s")
        print("   rows out: " + ", ".join(f"{t} {n:,}" for t, n in out["rows"].items()))
        print("   sealing (SHA-256 chain of the posted rows): " + ", ".join(
            f"{what} {seconds:.2f} s" for what, seconds in out["seal"].items())
              + f"; {sum(out['seal'].values()) / out['run']:.1%} of the run if none of it overlapped")
        if args.seal_cost:
            seal_cost(folder, db, args.seal_cost)
        floor, _, _ = child(WRITE_FLOOR, str(db), str(DATA / f"{label(lines)}-copy.duckdb"))
        print(f"   write floor: writing those rows alone into a fresh database takes "
              f"{floor['run']:.1f} s")
        if not args.no_exports:
            exports(db, DATA / f"{label(lines)}-export")
        if not args.no_reruns:
            reruns(folder, db, out)
        for old in (db, Path(f"{db}.wal"), Path(f"{db}.log.jsonl")):
            old.unlink(missing_ok=True)
    if 1_000_000 in results and 10_000_000 in results:
        ratio = results[10_000_000]["run"] / results[1_000_000]["run"]
        print(f"\n10M / 1M time ratio: {ratio:.1f} (linear would be 10)")
    if not args.no_pandas and 1_000_000 in sizes:
        out, wall, rss = child(PANDAS, str(dataset(1_000_000)))
        mine = results[1_000_000]["run"]
        print(f"\n== plain-pandas reference of the core path at 1,000,000 lines: {out['run']:.1f} s, "
              f"peak RSS {rss / 2**30:.2f} GiB; journalize full pipeline {mine:.1f} s: "
              f"pandas / journalize = {out['run'] / mine:.1f}x")
        print("   rows out: " + ", ".join(f"{t} {n:,}" for t, n in out["rows"].items()))


if __name__ == "__main__":
    main()
