"""The benchmark's dataset generator runs on the DuckDB a fresh install gets (it used to pass
DuckDB's progress bar as a connect config, which DuckDB 2.0 refuses), on a tiny size."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from generate import SHARES, generate  # noqa: E402


def test_the_generator_writes_every_line_table_with_its_share(tmp_path):
    out = generate(2_000, tmp_path / "2k", seed=3, progress=lambda message: None)

    with duckdb.connect() as con:
        for source, share in SHARES.items():
            path = str(out / "lines" / f"{source}.parquet")
            assert con.execute("SELECT count(*) FROM read_parquet($p)", {"p": path}).fetchone()[0] \
                == int(2_000 * share)
    assert (out / "READY").read_text().split() == ["2000", "3"]
    assert (out / "master" / "administrations.parquet").exists()
