"""The one typed parameter object of a month-end run; its defaults run the shipped sample."""

from __future__ import annotations

import calendar
import datetime as dt
import importlib.util
from pathlib import Path

from pydantic import BaseModel, Field, model_validator

from schemas.lines import SOURCES, resolve_sources

DEFAULT_DB = Path("data/journalize.duckdb")


def sample_dataset() -> Path:
    """The shipped sample: data/sample in a checkout, package data once installed."""
    checkout = Path(__file__).resolve().parents[1] / "data" / "sample"
    if checkout.is_dir():
        return checkout
    spec = importlib.util.find_spec("journalize_sample")  # a namespace package: data only
    return Path(list(spec.submodule_search_locations)[0])


def month_end(period: str) -> dt.date:
    """'2026-10' → 2026-10-31."""
    try:
        year, month = (int(part) for part in period.split("-"))
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    except (ValueError, TypeError) as error:
        raise ValueError(f"period {period!r} is not YYYY-MM") from error


def previous_month_end(today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    return today.replace(day=1) - dt.timedelta(days=1)


class RunParameters(BaseModel):
    """A month-end run (SPEC §12 `journalize run`)."""

    input_dir: Path = Field(default_factory=sample_dataset)
    db_path: Path = DEFAULT_DB
    reference_date: dt.date = Field(default_factory=previous_month_end)  # peildatum
    invoice_date: dt.date | None = None  # defaults to the reference date
    admin: str | None = None
    sources: list[str] = Field(default_factory=lambda: list(SOURCES))
    include_credit_lines: bool = False  # meenemen te crediteren regels
    journalize: bool = True
    pro_forma: bool = False
    strict: bool = False  # any rejected line fails the run
    command: str = "run"  # recorded in runs: run, resume, backfill
    # recorded in runs (command_line): the CLI's sys.argv, or "python API" for a library call
    command_line: str = "python API"
    # DuckDB's memory bound, e.g. "2GB" (default: DuckDB's own, 80 % of RAM); beyond it DuckDB
    # spills to disk. JOURNALIZE_MEMORY_LIMIT sets it too.
    memory_limit: str | None = None
    batch_rows: int = 250_000
    # from this many lines on, a run maps, invoices and writes one administration at a time
    # (bounded working sets for big months; a few seconds of overhead on small ones)
    chunk_lines: int = 2_000_000

    @model_validator(mode="after")
    def _defaults(self) -> "RunParameters":
        if self.invoice_date is None:
            self.invoice_date = self.reference_date
        self.sources = resolve_sources(self.sources)
        if not self.sources:
            raise ValueError(f"no source chosen; known: {', '.join(SOURCES)}")
        return self

    @classmethod
    def for_period(cls, period: str, **values) -> "RunParameters":
        day = month_end(period)
        return cls(reference_date=day, invoice_date=day, **values)
