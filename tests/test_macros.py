"""The SQL helpers that encode a list of names (common/macros.sql) cover every line table."""

import duckdb

from schemas.lines import SOURCES
from transforms import sqlfile


def _con():
    con = duckdb.connect()
    sqlfile.run_script(con, "common", "macros")
    return con


def test_every_source_has_its_own_bit_and_reads_back_as_its_name():
    con = _con()
    bits = [con.execute("SELECT source_bit($s)", {"s": s}).fetchone()[0] for s in SOURCES]
    assert None not in bits
    assert len(set(bits)) == len(SOURCES)
    assert all(b & (b - 1) == 0 for b in bits)  # one bit each
    for source, bit in zip(SOURCES, bits, strict=True):
        assert con.execute("SELECT source_names($b)", {"b": bit}).fetchone()[0] == source


def test_a_set_of_sources_reads_back_sorted_and_comma_separated():
    con = _con()
    got = con.execute(
        "SELECT source_names(bit_or(source_bit(s))) FROM unnest($s) AS t(s)",
        {"s": ["subscription_lines", "course_lines", "postcalc_lines", "course_lines"]},
    ).fetchone()[0]
    assert got == "course_lines,postcalc_lines,subscription_lines"
    everything = con.execute(
        "SELECT source_names(bit_or(source_bit(s))) FROM unnest($s) AS t(s)", {"s": list(SOURCES)}
    ).fetchone()[0]
    assert everything == ",".join(sorted(SOURCES))
