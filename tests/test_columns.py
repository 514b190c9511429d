"""Each column check exists twice: as a pandera check (which names the fault) and as a DuckDB
predicate (which finds the rows worth validating, so good rows never leave the engine). They must
agree on every value, or a bad value could slip past validation; hypothesis hunts for one."""

from __future__ import annotations

import duckdb
import pandas as pd
import pandera.errors
import pandera.pandas as pa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from schemas.columns import boolean, date, decimal, digits, integer, sql_condition, text

COLUMNS = {
    "text": text(),
    "optional_text": text(optional=True),
    "isin": text(isin=("on_account", "cash", "pin", "chip")),
    "digits": digits(),
    "decimal": decimal(4),
    "money": decimal(2),
    "integer": integer(),
    "date": date(),
    "optional_date": date(optional=True),
    "boolean": boolean(),
}

CON = duckdb.connect()

values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.text(alphabet="0123456789+-.,eE ٣", max_size=22),
    st.dates().map(lambda d: d.isoformat()),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.sampled_from(["true", "FALSE", "Ja", "nee", "cash", "CASH", "1.5", "1,5", "-0.0001",
                     "12345678901234.5678", "123456789012345", "2026-02-29", "2024-02-29",
                     "1899-12-31", "2200-01-01", "٣", "１２"]),
)


def pandera_passes(name: str, value: str | None) -> bool:
    schema = pa.DataFrameSchema({name: COLUMNS[name]})
    try:
        schema.validate(pd.DataFrame({name: pd.Series([value], dtype=object)}), lazy=True)
    except pandera.errors.SchemaErrors:
        return False
    return True


def sql_passes(name: str, value: str | None) -> bool:
    condition = sql_condition(name, COLUMNS[name])
    query = f'SELECT coalesce({condition}, false) FROM (SELECT $v::VARCHAR AS "{name}")'
    return CON.execute(query, {"v": value}).fetchone()[0]


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(COLUMNS)), value=values)
@example(name="decimal", value="٣")  # a Unicode digit: Python's \d would take it, DuckDB not
@example(name="date", value="2026-02-30")
@example(name="boolean", value=None)
def test_the_sql_form_of_each_check_agrees_with_pandera(name, value):
    assert sql_passes(name, value) == pandera_passes(name, value), (name, value)


def test_known_values():
    assert sql_passes("decimal", "1.5") and not sql_passes("decimal", "1,5")
    assert not sql_passes("decimal", "12345678901234.56789")
    assert sql_passes("date", "2024-02-29") and not sql_passes("date", "2026-02-29")
    assert not sql_passes("text", None) and sql_passes("optional_text", None)
    assert sql_passes("boolean", None)  # an empty flag means false
