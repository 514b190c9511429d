"""The one typed parameter object of a month-end run; its defaults run the shipped sample."""

from __future__ import annotations

import calendar
import datetime as dt
import importlib.util
import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from schemas.lines import SOURCES, resolve_sources

DEFAULT_DB = Path("data/journalize.duckdb")
# the dates a run may be given (reference and invoice date): a finance month end, not a typo
FIRST_RUN_DATE, LAST_RUN_DATE = dt.date(1970, 1, 1), dt.date(2199, 12, 31)
# the invoice date lies within this many days of the reference date
INVOICE_DATE_SPAN = 366
MEMORY_UNITS = ("B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB")
_MEMORY = re.compile(r"\s*([0-9]{1,12}(?:\.[0-9]{1,6})?)\s*(%|[KMGT]i?B|B)\s*", re.IGNORECASE)


def parse_memory_limit(text: str) -> str:
    """A DuckDB memory bound as `<number><unit>` (2300MB, 1.5GiB) or a share of the memory
    (80%), returned in one canonical spelling; ValueError for anything else. The value is bound
    as a parameter, never pasted into SQL, but it is checked here so that a typo is a usage error
    with the forms allowed, not a failed run."""
    match = _MEMORY.fullmatch(text or "")
    if not match:
        raise ValueError(f"--memory-limit / JOURNALIZE_MEMORY_LIMIT {text!r} is not a size: give "
                         f"a number and a unit ({', '.join(MEMORY_UNITS)}), e.g. 2GB, or a "
                         "percentage of the memory, e.g. 80%")
    number, unit = match.groups()
    if float(number) <= 0 or (unit == "%" and float(number) > 100):
        raise ValueError(f"--memory-limit {text!r} must be more than 0"
                         + (" and at most 100%" if unit == "%" else ""))
    canonical = {u.lower(): u for u in MEMORY_UNITS} | {"%": "%"}
    return f"{number}{canonical[unit.lower()]}"


def sample_dataset() -> Path:
    """The shipped sample: data/sample in a checkout, package data once installed."""
    checkout = Path(__file__).resolve().parents[1] / "data" / "sample"
    if checkout.is_dir():
        return checkout
    spec = importlib.util.find_spec("journalize_sample")  # a namespace package: data only
    return Path(list(spec.submodule_search_locations)[0])


def month_end(period: str) -> dt.date:
    """'2026-10' → 2026-10-31; a period outside the years a run may be given is refused."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}", period or ""):
        raise ValueError(f"period {period!r} is not YYYY-MM")
    year, month = (int(part) for part in period.split("-"))
    if not 1 <= month <= 12:
        raise ValueError(f"period {period!r}: month {month} is not 01..12")
    if not FIRST_RUN_DATE.year <= year <= LAST_RUN_DATE.year:
        raise ValueError(f"period {period!r}: the year lies outside "
                         f"{FIRST_RUN_DATE.year}..{LAST_RUN_DATE.year}")
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def memory_limit_or_environment(value: str | None) -> str | None:
    """The memory bound given, else JOURNALIZE_MEMORY_LIMIT's, checked (parse_memory_limit);
    None for DuckDB's own."""
    value = value or os.environ.get("JOURNALIZE_MEMORY_LIMIT") or None
    return None if value is None else parse_memory_limit(value)


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
    # a pro forma's whole list, one row per invoice: a .csv or .parquet file (run --out)
    pro_forma_out: Path | None = None
    strict: bool = False  # any rejected line fails the run
    command: str = "run"  # recorded in runs: run, resume, backfill
    # recorded in runs (command_line): the CLI's sys.argv, or "python API" for a library call
    command_line: str = "python API"
    # DuckDB's memory bound, e.g. "2GB" (default: DuckDB's own, 80 % of RAM); beyond it DuckDB
    # spills to disk. JOURNALIZE_MEMORY_LIMIT sets it too.
    memory_limit: str | None = Field(default=None, validate_default=True)
    batch_rows: int = 250_000
    # from this many lines on, a run maps, invoices and writes one administration at a time
    # (bounded working sets for big months; a few seconds of overhead on small ones)
    chunk_lines: int = 2_000_000

    @field_validator("memory_limit", mode="before")
    @classmethod
    def _memory_limit(cls, value: str | None) -> str | None:
        return memory_limit_or_environment(value)

    @model_validator(mode="after")
    def _defaults(self) -> "RunParameters":
        if self.invoice_date is None:
            self.invoice_date = self.reference_date
        for name in ("reference_date", "invoice_date"):
            day = getattr(self, name)
            if not FIRST_RUN_DATE <= day <= LAST_RUN_DATE:
                raise ValueError(f"{name.replace('_', ' ')} {day} lies outside "
                                 f"{FIRST_RUN_DATE} .. {LAST_RUN_DATE}")
        if abs((self.invoice_date - self.reference_date).days) > INVOICE_DATE_SPAN:
            raise ValueError(f"invoice date {self.invoice_date} lies more than "
                             f"{INVOICE_DATE_SPAN} days from the reference date "
                             f"{self.reference_date}")
        if self.pro_forma_out is not None:
            self._check_pro_forma_out()
        self.sources = resolve_sources(self.sources)
        if not self.sources:
            raise ValueError(f"no source chosen; known: {', '.join(SOURCES)}")
        return self

    def _check_pro_forma_out(self) -> None:
        """--out: a .csv or .parquet file in a folder that exists, outside the input folder (it
        would be read as input, or overwrite it)."""
        out = Path(self.pro_forma_out)
        if out.suffix.lower() not in (".csv", ".parquet"):
            raise ValueError(f"--out {out}: give a file ending in .csv or .parquet (the list of "
                             "the pro forma invoices, one row per invoice)")
        if out.is_dir():
            raise ValueError(f"--out {out} is a folder: give a file ending in .csv or .parquet")
        if not out.parent.is_dir():
            raise ValueError(f"--out {out}: the folder {out.parent} does not exist")
        if out.resolve().is_relative_to(Path(self.input_dir).resolve()):
            raise ValueError(f"--out {out} lies inside the input folder {self.input_dir}: write "
                             "the list elsewhere")

    @classmethod
    def for_period(cls, period: str, **values: Any) -> "RunParameters":
        day = month_end(period)
        return cls(reference_date=day, invoice_date=day, **values)
