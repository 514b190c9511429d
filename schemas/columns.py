"""Column builders shared by every schema: the text formats journalize accepts.

Each builder returns a pandera ``Column`` over raw text with checks named after the rule they
enforce (the name lands in ``rejected_lines.check``) and an error message for people; its
``metadata["sql_type"]`` is the DuckDB type the engine casts the text to once it passed.

What a column means is documentation only, carried by the column for ``schemas/docs.py`` (which
writes docs/input-tables.md from it): pandera's ``description``, and in its metadata ``format``
(the kind of value: text, digits, decimal(p,s), …) and ``example`` (a value from the shipped
sample). They take no part in validation.
"""

from __future__ import annotations

import copy

import pandas as pd
import pandera.pandas as pa

# dates a finance run can mean (and pandas can hold)
FIRST_YEAR, LAST_YEAR = 1900, 2199
TRUE_WORDS = ("true", "1", "yes", "y", "t", "ja", "j")
FALSE_WORDS = ("false", "0", "no", "n", "f", "nee")


def _column(
    sql_type: str,
    checks: list[pa.Check],
    optional: bool,
    value_required: bool = True,
    sql: list[str] = (),
    *,
    shape: str,
    description: str | None = None,
    example: str | None = None,
) -> pa.Column:
    """`sql` holds, for each check, the same rule as a DuckDB predicate over `{c}` (the value,
    never NULL there: like pandera's checks, they pass empty values). The engine uses them to
    find the rows worth validating; pandera validates those and writes every message.
    tests/test_columns.py checks that both forms agree."""
    checks = list(checks)
    predicates = list(sql)
    assert len(predicates) == len(checks), "one SQL predicate per check"
    if not optional and value_required:
        checks.insert(0, _required())
    return pa.Column(
        None,  # raw text as read; the engine casts it to sql_type once the checks passed
        checks=checks,
        nullable=True,  # emptiness is reported by the `required` check, with its own message
        required=not optional,
        coerce=False,
        description=description,  # (documentation only, as are format and example)
        metadata={"sql_type": sql_type, "optional": optional,
                  "value_required": not optional and value_required, "sql": predicates,
                  "format": shape, "example": example},
    )


def sql_condition(name: str, column: pa.Column) -> str:
    """The column's checks as one DuckDB condition over the raw text column `name`: true when
    every check passes."""
    quoted = '"' + name.replace('"', '""') + '"'
    parts = [f"({p.format(c=quoted)})" for p in column.metadata["sql"]]
    passes = " AND ".join(parts) if parts else "true"
    if column.metadata.get("value_required"):
        return f"({quoted} IS NOT NULL AND {passes})"
    return f"({quoted} IS NULL OR ({passes}))"


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _required() -> pa.Check:
    return pa.Check(
        lambda s: s.notna(),
        ignore_na=False,
        name="required",
        error="a value is required",
    )


def text(*, optional: bool = False, isin: tuple[str, ...] | None = None,
         description: str | None = None, example: str | None = None) -> pa.Column:
    checks, sql = [], []
    if isin is not None:
        checks.append(
            pa.Check(
                lambda s, allowed=isin: s.isin(allowed),
                name="isin",
                error=f"must be one of {', '.join(isin)}",
            )
        )
        sql.append("{c} IN (" + ", ".join(_sql_text(v) for v in isin) + ")")
    shape = "text" if isin is None else "one of " + ", ".join(f"`{v}`" for v in isin)
    return _column("VARCHAR", checks, optional, sql=sql, shape=shape,
                   description=description, example=example)


def digits(*, optional: bool = False, description: str | None = None,
           example: str | None = None) -> pa.Column:
    return _column(
        "VARCHAR",
        [pa.Check(lambda s: s.str.fullmatch(r"[0-9]+"), name="digits", error="must be digits only")],
        optional,
        sql=["regexp_full_match({c}, '[0-9]+')"],
        shape="digits",
        description=description,
        example=example,
    )


def _between(low: str | None, high: str | None,
             cast: str) -> tuple[list[pa.Check], list[str], str]:
    """A plausibility range (inclusive) as a pandera check, its SQL form and in words; it only
    judges values that have the column's shape (the shape check reports the others)."""
    if low is None and high is None:
        return [], [], ""
    import decimal as exact

    bounds = [exact.Decimal(b) if b is not None else None for b in (low, high)]
    words = (f"between {low} and {high}" if low is not None and high is not None
             else f"at least {low}" if low is not None else f"at most {high}")

    def within(s: pd.Series, lo: exact.Decimal | None = bounds[0],
               hi: exact.Decimal | None = bounds[1]) -> pd.Series:
        def ok(value: object) -> bool:
            try:
                number = exact.Decimal(str(value))
            except exact.InvalidOperation:
                return True  # not a number: the shape check says so
            if not number.is_finite():
                return True
            return (lo is None or number >= lo) and (hi is None or number <= hi)

        return s.map(ok).astype(bool)

    # (the bounds are the schema's own constants, as exact decimals: no value reaches this text)
    value = f"TRY_CAST({{c}} AS {cast})"
    limits = [f"{value} {op} {exact.Decimal(bound)}"
              for op, bound in ((">=", low), ("<=", high)) if bound is not None]
    sql = f"({value} IS NULL OR ({' AND '.join(limits)}))"
    return [pa.Check(within, name="range", error=f"must be {words}")], [sql], words


def decimal(scale: int, *, optional: bool = False, precision: int = 18,
            minimum: str | None = None, maximum: str | None = None,
            description: str | None = None, example: str | None = None) -> pa.Column:
    """A decimal with '.' as decimal point, at most `scale` decimals and fitting DECIMAL(p, s);
    with minimum/maximum, also within that plausible range (inclusive)."""
    integer_digits = precision - scale
    pattern = rf"[+-]?[0-9]{{1,{integer_digits}}}(\.[0-9]{{1,{scale}}})?"
    ranged, ranged_sql, words = _between(minimum, maximum, f"DECIMAL({precision},{scale})")
    return _column(
        f"DECIMAL({precision},{scale})",
        [
            pa.Check(
                lambda s, p=pattern: s.str.fullmatch(p),
                name=f"decimal({precision},{scale})",
                error=(
                    f"must be a number with '.' as decimal point and no thousands separators, at "
                    f"most {integer_digits} digits before and {scale} after it"
                ),
            ),
            *ranged,
        ],
        optional,
        sql=["regexp_full_match({c}, '" + pattern.replace("{", "{{").replace("}", "}}") + "')",
             *ranged_sql],
        shape=f"decimal({precision},{scale})" + (f", {words}" if words else ""),
        description=description,
        example=example,
    )


def integer(*, optional: bool = False, minimum: int | None = None,
            maximum: int | None = None, description: str | None = None,
            example: str | None = None) -> pa.Column:
    """A whole number; with minimum/maximum, also within that plausible range (inclusive)."""
    ranged, ranged_sql, words = _between(None if minimum is None else str(minimum),
                                         None if maximum is None else str(maximum), "HUGEINT")
    return _column(
        "BIGINT",
        [pa.Check(lambda s: s.str.fullmatch(r"[+-]?[0-9]{1,18}"), name="integer",
                  error="must be a whole number"), *ranged],
        optional,
        sql=["regexp_full_match({c}, '[+-]?[0-9]{{1,18}}')", *ranged_sql],
        shape="whole number" + (f", {words}" if words else ""),
        description=description,
        example=example,
    )


def date(*, optional: bool = False, description: str | None = None,
         example: str | None = None) -> pa.Column:
    def valid(s: pd.Series) -> pd.Series:
        shaped = s.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fillna(False).astype(bool)
        parsed = pd.to_datetime(s.where(shaped), format="%Y-%m-%d", errors="coerce")
        return shaped & parsed.notna() & parsed.dt.year.between(FIRST_YEAR, LAST_YEAR)

    return _column(
        "DATE",
        [pa.Check(valid, name="iso_date",
                  error=f"must be a real date written YYYY-MM-DD (years {FIRST_YEAR}-{LAST_YEAR})")],
        optional,
        sql=["regexp_full_match({c}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
             f"AND year(TRY_CAST({{c}} AS DATE)) BETWEEN {FIRST_YEAR} AND {LAST_YEAR}"],
        shape="date (YYYY-MM-DD)",
        description=description,
        example=example,
    )


def boolean(*, optional: bool = False, description: str | None = None,
            example: str | None = None) -> pa.Column:
    """A flag. The column must be there unless optional; an empty value means false, as Profit
    exports an unticked box."""
    words = TRUE_WORDS + FALSE_WORDS
    return _column(
        "BOOLEAN",
        [
            pa.Check(
                lambda s: s.str.lower().isin(words),
                name="boolean",
                error="must be true or false",
            )
        ],
        optional,
        value_required=False,
        sql=["lower({c}) IN (" + ", ".join(_sql_text(w) for w in words) + ")"],
        shape="flag",
        description=description,
        example=example,
    )


def table(name: str, columns: dict[str, pa.Column], *, grain: str) -> pa.DataFrameSchema:
    """A raw-table schema; extra columns are allowed (free fields that allocation links may name)."""
    return pa.DataFrameSchema(
        columns,
        name=name,
        description=grain,
        strict=False,
        coerce=False,
    )


def with_example(column: pa.Column, example: str) -> pa.Column:
    """A copy of the column with another example (the same rules): for a column many tables
    share, each table's example comes from its own sample file."""
    copied = copy.deepcopy(column)
    copied.metadata = {**column.metadata, "example": example}
    return copied


def sql_type(column: pa.Column) -> str:
    return column.metadata["sql_type"]


def is_optional(column: pa.Column) -> bool:
    return bool(column.metadata.get("optional"))


def value_format(column: pa.Column) -> str:
    """What a value of the column must look like, in words (documentation)."""
    return column.metadata["format"]


def example_of(column: pa.Column) -> str | None:
    """A value of the column, from the shipped sample where it has one (documentation)."""
    return column.metadata.get("example")
