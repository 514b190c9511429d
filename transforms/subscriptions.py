"""Stage 2, validate (in load lines): the subscription lines the run generates from the subscription
items (SPEC §7, Profit Abonnementen's "factureren tot peildatum"), staged with the lines of
``lines/subscription_lines`` as one stream (``validate/staged_lines.sql``).

* ``validate.subscription_billing``: one row per item, with the billed_through its billing goes on
  from (the books' subscription_state once they have one, else the input's);
* ``validate.given_subscription_periods``: the periods the given subscription lines bill (a period a
  given line bills is not generated again);
* ``validate.generated_subscription_lines``: one row per billing period due up to the reference
  date, and per billed period an item's end credits.

How far the run billed each item is written by persist (``persist/subscription_state.sql``)."""

from __future__ import annotations

import datetime as dt

import duckdb

from transforms import sqlfile


def generate_lines(con: duckdb.DuckDBPyConnection, *, reference_date: dt.date | None,
                   at_most: int | None = None) -> int:
    """The subscription lines due up to reference_date (None: a resume, which generates none;
    at_most: periods per item at most). Returns how many were generated, and says so in a run
    notice: the generated lines count as read in the reconciliation of subscription_lines."""
    sqlfile.build(con, "validate", "subscription_billing")
    sqlfile.build(con, "validate", "given_subscription_periods")
    sqlfile.build(con, "validate", "generated_subscription_lines",
                  {"reference_date": reference_date, "at_most": at_most})
    generated, credits = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE is_credit) FROM generated_subscription_lines"
    ).fetchone()
    if generated and reference_date is not None:
        of_which = f", {credits:,} of them credit lines" if credits else ""
        con.execute("INSERT INTO run_notices VALUES ($m)", {"m": (
            f"{generated:,} subscription line(s) generated from master/subscription_items "
            f"(billing periods up to the reference date {reference_date:%Y-%m-%d}{of_which}); "
            "they are read as subscription_lines")})
    return generated
