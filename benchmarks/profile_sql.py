"""Time every SQL file the pipeline runs (for finding bottlenecks; `python benchmarks/profile_sql.py DIR`)."""

import sys
import time
from collections import defaultdict
from pathlib import Path

from flows.parameters import RunParameters
from flows.pipeline import run_month_end
from transforms import sqlfile

spent: dict[str, float] = defaultdict(float)
_run = sqlfile.run


def timed(con, stage, name, params=None):
    started = time.perf_counter()
    try:
        return _run(con, stage, name, params)
    finally:
        spent[f"{stage}/{name}"] += time.perf_counter() - started


sqlfile.run = timed
db = Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/profile.duckdb")
db.unlink(missing_ok=True)
started = time.perf_counter()
run_month_end(RunParameters.for_period("2026-10", input_dir=Path(sys.argv[1]), db_path=db))
total = time.perf_counter() - started
for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1])[:25]:
    print(f"{seconds:7.2f} s  {name}")
print(f"{sum(spent.values()):7.2f} s  in SQL files, {total:.2f} s in all")
