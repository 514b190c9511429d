"""`journalize export` (SPEC §12): the books leave the database, read-only, in one of three
formats, into one export folder:

    <out>/parquet/<table>/admin_id=…/fiscal_year=…/period=…/data_0.parquet
    <out>/fientries/admin_id=…/fiscal_year=…/period=…/FiEntries.jsonl   (one message a line)
    <out>/xaf/<admin>_<year>[-<MM>]_XAF<version>.xaf

Everything is written aside first (a staging folder inside the export folder), checked, and only
then swapped in, file by file with an atomic rename: a failed export leaves the folder as it was,
and exporting a period again replaces that period's files only (the partitions of the selection
that no longer have rows are removed). An export folder holds ``.journalize-export``, journalize's
mark: a folder that is not empty and lacks it is someone else's and is refused.

The DuckDB side (what each format holds, the checks) is ``transforms.export``; this module opens
the books, writes the files and validates them (XAF against its XSD with lxml, as it is written)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

import duckdb
from pydantic import BaseModel, Field, field_validator, model_validator

from flows import provenance, storage
from flows.parameters import memory_limit_or_environment
from flows.post import books_latest_input, read_only_books
from transforms import export
from transforms.export import ExportFailure, Selection, XafFile
from transforms.faults import ConfigurationFailure

MARKER = ".journalize-export"
STAGING = ".journalize-staging-"
FIENTRIES_FILE = "FiEntries.jsonl"
PARQUET_FILE = "data_0.parquet"
XAF_NAMESPACES = {
    "4.0": "http://www.odb.belastingdienst.nl/Belastingdienst/BCPP/1.1/structures/XmlauditfileXAF_4.0",
    "3.2": "http://www.auditfiles.nl/XAF/3.2",
}
XSD_FILES = {"4.0": "XmlAuditfileFinancieel4.0.xsd", "3.2": "XmlAuditfileFinancieel3.2.xsd"}
BATCH_ROWS = 20_000  # transactions or messages fetched from DuckDB at a time


class ExportParameters(BaseModel):
    """One export (SPEC §12 `journalize export`): the books, the export folder, the format and
    the selection (an administration, fiscal year and period; each None for all)."""

    db_path: Path
    out_dir: Path
    format: str = "parquet"
    admin: str | None = None
    year: int | None = Field(default=None, ge=1970, le=2199)
    period: int | None = Field(default=None, ge=1, le=12)
    xaf_version: str = "4.0"
    # FiEntries: Profit's administration number (UnId) of each administration whose id is no
    # number
    unit_ids: dict[str, int] = Field(default_factory=dict)
    # DuckDB's memory bound (as a run's: --memory-limit / JOURNALIZE_MEMORY_LIMIT); beyond it
    # DuckDB spills to its temp directory
    memory_limit: str | None = Field(default=None, validate_default=True)
    command_line: str = provenance.API

    @field_validator("memory_limit", mode="before")
    @classmethod
    def _memory_limit(cls, value: str | None) -> str | None:
        return memory_limit_or_environment(value)

    @model_validator(mode="after")
    def _valid(self) -> "ExportParameters":
        if self.format not in export.FORMATS:
            raise ValueError(f"--format {self.format!r}: give one of {', '.join(export.FORMATS)}")
        if self.xaf_version not in export.XAF_VERSIONS:
            raise ValueError(f"--xaf-version {self.xaf_version!r}: give one of "
                             f"{', '.join(export.XAF_VERSIONS)}")
        if self.period is not None and self.year is None:
            raise ValueError("--period needs --year (a period is a month of a fiscal year)")
        return self

    @property
    def selection(self) -> Selection:
        return Selection(self.admin, self.year, self.period)


@dataclass
class ExportResult:
    out_dir: Path
    format: str
    files: list[Path] = field(default_factory=list)  # written (relative to out_dir)
    removed: list[Path] = field(default_factory=list)  # of the selection, no longer with rows
    rows: dict[str, int] = field(default_factory=dict)  # per table, or messages / lines
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0


def export_books(params: ExportParameters) -> ExportResult:
    """Write the selection of the books in the chosen format into the export folder."""
    started = time.perf_counter()
    out_dir = Path(params.out_dir)
    check_out_dir(out_dir)
    latest_input = _check_books(Path(params.db_path))
    if latest_input is not None:
        provenance.authorise(latest_input, "export", params.admin)
    result = ExportResult(out_dir, params.format)
    with storage.private_files(), read_only_books(Path(params.db_path)) as con:
        if params.memory_limit:
            con.execute("SET memory_limit = $limit", {"limit": params.memory_limit})
        export.prepare(con)
        if params.admin is not None and params.admin not in export.administrations(con):
            raise ConfigurationFailure(f"--admin {params.admin!r}: the books have no entries or "
                                       "invoices of that administration", kind="usage")
        made = _make_dirs(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=out_dir))
        done = False
        try:
            writer = {"parquet": _parquet, "fientries": _fientries, "xaf": _xaf}[params.format]
            writer(con, params, staging, result)
            _publish(staging, out_dir, params, result)
            done = True
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            if not done:
                for folder in sorted(made, key=lambda p: len(p.parts), reverse=True):
                    try:
                        folder.rmdir()
                    except OSError:
                        pass
    if not result.files and not result.removed:
        result.notices.append(f"nothing to export for {params.selection.describe()}")
    result.seconds = time.perf_counter() - started
    return result


# --- the books and the export folder -------------------------------------------------------------


def _check_books(db_path: Path) -> Path | None:
    """Refuse what is not journalize's books; the input folder of their newest run when it still
    exists (its master/authorisations decide whether the user may export)."""
    if not db_path.exists():
        raise ConfigurationFailure(f"database {db_path} does not exist: nothing to export",
                                   kind="usage")
    return books_latest_input(db_path)


def check_out_dir(out_dir: Path) -> None:
    """An export folder is new, empty, or one journalize exported into (its MARKER)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigurationFailure(f"export folder {out_dir} is a file, not a folder",
                                   kind="usage")
    if not out_dir.exists() or (out_dir / MARKER).is_file():
        return
    if any(not p.name.startswith(STAGING) for p in out_dir.iterdir()):
        raise ConfigurationFailure(
            f"export folder {out_dir} is not empty and was not written by journalize export (no "
            f"{MARKER} in it): name a new or empty folder (nothing was written)", kind="usage")


def _make_dirs(folder: Path) -> list[Path]:
    missing = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def _publish(staging: Path, out_dir: Path, params: ExportParameters,
             result: ExportResult) -> None:
    """Swap the files written aside into the export folder, each with one atomic rename, and
    remove the files of the selection's partitions (or XAF files) that this export no longer
    has; then the marker."""
    check_out_dir(out_dir)  # again: the folder may have changed meanwhile
    written = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
    root = staging.resolve()
    for relative in written:
        if root not in (staging / relative).resolve().parents:
            raise ExportFailure(f"{relative}: outside the export folder (nothing was written)")
    for relative in written:
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relative, target)
    result.files = written
    kept = set(written)
    for stale in _selected_files(out_dir, params):
        if stale not in kept:
            (out_dir / stale).unlink()
            result.removed.append(stale)
            _remove_empty_parents(out_dir, (out_dir / stale).parent)
    marker = staging / MARKER
    marker.write_text(json.dumps({"written_by": "journalize export",
                                  "version": provenance.version()}) + "\n", encoding="utf-8")
    os.replace(marker, out_dir / MARKER)


def _selected_files(out_dir: Path, params: ExportParameters) -> list[Path]:
    """The files already in the export folder that the export's selection covers."""
    selection = params.selection
    if params.format == "xaf":
        return []  # (one file per administration and year: replaced by name, never removed)
    roots = ([out_dir / "parquet" / t for t in export.PARQUET_TABLES]
             if params.format == "parquet" else [out_dir / "fientries"])
    found = []
    for root in roots:
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.is_file() and _in_selection(path.relative_to(root), selection):
                found.append(path.relative_to(out_dir))
    return sorted(found)


def _in_selection(relative: Path, selection: Selection) -> bool:
    values = {}
    for part in relative.parts[:-1]:
        key, _, value = part.partition("=")
        values[key] = urllib.parse.unquote(value)
    if set(values) != set(export.PARTITION_COLUMNS):
        return False  # (not a partition file journalize writes)
    wanted = {"admin_id": selection.admin, "fiscal_year": selection.year,
              "period": selection.period}
    return all(want is None or values[key] == str(want) for key, want in wanted.items())


def _remove_empty_parents(out_dir: Path, folder: Path) -> None:
    while folder != out_dir and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def partition_path(admin_id: str, fiscal_year: int, period: int) -> Path:
    """A partition's folder, written the way DuckDB writes Hive partitions (values
    percent-encoded, so that no value can make a folder of its own)."""
    return Path(f"admin_id={urllib.parse.quote(admin_id, safe='')}", f"fiscal_year={fiscal_year}",
                f"period={period}")


# --- Parquet -------------------------------------------------------------------------------------


def _parquet(con: duckdb.DuckDBPyConnection, params: ExportParameters, staging: Path,
             result: ExportResult) -> None:
    """Each table's rows of the selection, one Parquet file per partition."""
    for table in export.PARQUET_TABLES:
        target = staging / "parquet" / table
        target.parent.mkdir(parents=True, exist_ok=True)
        # the journal entries one partition at a time: each line's list of allocation codes is
        # built per month of an administration (the whole books' lists at once outgrew a 1 GB
        # memory limit at 10M lines)
        selections = (_entry_partitions(con, params.selection) if table == "journal_entries"
                      else [params.selection])
        result.rows[table] = 0
        for selection in selections:
            sql, bound = export.parquet_query(table, selection)
            result.rows[table] += con.execute(
                f"COPY ({sql}) TO $target (FORMAT parquet, PARTITION_BY "
                f"({', '.join(export.PARTITION_COLUMNS)}), FILENAME_PATTERN 'data_{{i}}', "
                "OVERWRITE_OR_IGNORE)", {**bound, "target": str(target)}).fetchone()[0]
        for partition in {p.parent for p in target.rglob("*") if p.is_file()}:
            names = sorted(f.name for f in partition.iterdir())
            if names != [PARQUET_FILE]:  # (one file per partition: each swap is one rename)
                raise ExportFailure(f"{partition}: DuckDB wrote {', '.join(names)} where one "
                                    f"file {PARQUET_FILE} was expected (nothing was written)")


def _entry_partitions(con: duckdb.DuckDBPyConnection,
                      selection: export.Selection) -> list[export.Selection]:
    """The (administration, fiscal year, period) partitions of the selection's entries, each as
    a selection of its own."""
    rows = con.execute("SELECT DISTINCT admin_id, fiscal_year, period FROM "
                       "export_entries($admin, $year, $period) ORDER BY ALL",
                       selection.params).fetchall()
    return [replace(selection, admin=a, year=y, period=p) for a, y, p in rows] \
        or [selection]


# --- FiEntries -----------------------------------------------------------------------------------


def _fientries(con: duckdb.DuckDBPyConnection, params: ExportParameters, staging: Path,
               result: ExportResult) -> None:
    """One JSON message a line (a POST body of Profit's FiEntries UpdateConnector), one file per
    administration and period, after Profit's limits: any value that does not fit fails the
    export, one message per value."""
    faults = export.fientries_prepare(con, params.selection, params.unit_ids)
    if faults:
        raise ExportFailure([f"{len(faults)} value(s) do not fit Profit's FiEntries (nothing was "
                             "written):", *faults], headed=True)
    current, handle = None, None
    messages = lines = 0
    try:
        for batch in _batches(con, params.selection):
            columns = batch.to_pydict()
            for admin, year, period, count, message in zip(
                    columns["admin_id"], columns["fiscal_year"], columns["period"],
                    columns["lines"], columns["message"], strict=True):
                key = (admin, year, period)
                if key != current:  # (a partition's entries may come in more than one chunk)
                    if handle is not None:
                        handle.close()
                    path = staging / "fientries" / partition_path(*key) / FIENTRIES_FILE
                    path.parent.mkdir(parents=True, exist_ok=True)
                    handle = path.open("a", encoding="utf-8", newline="\n")
                    current = key
                handle.write(message)
                handle.write("\n")
                messages += 1
                lines += count
    finally:
        if handle is not None:
            handle.close()
    result.rows = {"messages": messages, "lines": lines}


def _batches(con: duckdb.DuckDBPyConnection, selection: Selection) -> Iterator:
    """The messages, chunk by chunk of entries, in Arrow batches. (A chunk's entries are of
    every administration and period of the selection; the file of a partition is still written
    in one go, as the entries of one administration and period are consecutive.)"""
    for first, last in export.entry_ranges(con, selection):
        yield from export.fientries_messages(con, selection, first, last).to_arrow_reader(
            BATCH_ROWS)


# --- XAF -----------------------------------------------------------------------------------------


def xaf_name(file: XafFile, version: str) -> str:
    admin = urllib.parse.quote(file.admin_id, safe="")
    period = f"-{file.period:02d}" if file.period else ""
    return f"{admin}_{file.fiscal_year}{period}_XAF{version}.xaf"


def xsd_path(version: str) -> Path:
    """The XSD of an XAF version (package data: schemas/xaf, with its SOURCE note)."""
    return Path(str(resources.files("schemas").joinpath("xaf", XSD_FILES[version])))


def _xaf(con: duckdb.DuckDBPyConnection, params: ExportParameters, staging: Path,
         result: ExportResult) -> None:
    """One audit file per administration and fiscal year of the selection: every file's checks
    first (nothing is written while any fails), then each file streamed and validated against
    its XSD as it is written."""
    version = params.xaf_version
    files = export.xaf_files(con, params.selection)
    faults = [fault for file in files for fault in export.xaf_faults(con, file, version)]
    if faults:
        raise ExportFailure([f"{len(faults)} fault(s) keep the XAF files from being complete "
                             "and consistent (nothing was written):", *faults], headed=True)
    (staging / "xaf").mkdir()
    lines = 0
    for file in files:
        write_xaf(con, file, version, staging / "xaf" / xaf_name(file, version))
        lines += file.lines
    result.rows = {"files": len(files), "lines": lines}


class _Tee:
    """What lxml's xmlfile writes goes to the file and to the file's skeleton (everything but
    the transactions, which are written to the file alone)."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.skeleton = io.BytesIO()

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.skeleton.write(data)


def write_xaf(con: duckdb.DuckDBPyConnection, file: XafFile, version: str, path: Path) -> None:
    """Write one audit file streaming and validate it against its XSD with lxml as it goes: the
    header and master data with lxml's xmlfile, each journal's transactions as DuckDB renders
    them, batch by batch, so that memory stays that of a few batches whatever the size of the
    year. The file is valid when its skeleton (the file without its transactions) is, and each
    batch of transactions is, inside a journal of a minimal audit file (transaction* is the last
    part of a journal's content): the batches are validated in a thread while DuckDB renders the
    next (lxml validates without holding the GIL). The line count and totals the file declares
    are checked against the transactions as they are written."""
    from lxml import etree

    ns = XAF_NAMESPACES[version]
    v32 = version == "3.2"
    schema = etree.XMLSchema(etree.parse(str(xsd_path(version))))
    master = export.xaf_master_data(con, file)
    year = file.fiscal_year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if file.period:
        start = dt.date(year, file.period, 1)
        end = _month_end(year, file.period)
    validation = _BatchValidation(schema, ns, path.name)
    with path.open("wb") as out:
        tee = _Tee(out)
        with etree.xmlfile(tee, encoding="UTF-8", buffered=False) as xf:

            def leaf(tag: str, text: object) -> None:
                if text is None:
                    return
                with xf.element(f"{{{ns}}}{tag}"):
                    xf.write(str(text))

            @contextmanager
            def element(tag: str) -> Iterator[None]:
                with xf.element(f"{{{ns}}}{tag}"):
                    yield

            xf.write_declaration()
            with xf.element(f"{{{ns}}}auditfile", nsmap={None: ns}):
                with element("header"):
                    leaf("fiscalYear", year)
                    leaf("startDate", start)
                    leaf("endDate", end)
                    leaf("curCode", file.currency)
                    leaf("dateCreated", dt.date.today())
                    leaf("softwareDesc", export.XAF_SOFTWARE_DESC)
                    leaf("softwareVersion", provenance.version()[:20])
                with element("company"):
                    if v32:
                        leaf("companyIdent", file.admin_id)
                    leaf("companyName", file.company_name)
                    leaf("taxRegistrationCountry", file.country)
                    leaf("taxRegIdent", "")
                    if master["customers"]:
                        with element("customersSuppliers"):
                            for debtor_id, name in master["customers"]:
                                with element("customerSupplier"):
                                    leaf("custSupID", debtor_id)
                                    leaf("custSupName", None if name is None else name[:50])
                                    leaf("custSupTp", "C")
                    if master["accounts"]:
                        with element("generalLedger"):
                            for account, description, acc_tp in master["accounts"]:
                                with element("ledgerAccount"):
                                    leaf("accID", account)
                                    leaf("accDesc", description[:255])
                                    leaf("accTp", acc_tp)
                    if master["vat_codes"]:
                        with element("vatCodes"):
                            for vat_code, description, payable in master["vat_codes"]:
                                with element("vatCode"):
                                    leaf("vatID", vat_code)
                                    leaf("vatDesc", description)
                                    leaf("vatToPayAccID", payable)
                    with element("periods"):
                        for number in range(1, 13):
                            with element("period"):
                                leaf("periodNumber", number)
                                leaf("startDatePeriod", dt.date(year, number, 1))
                                leaf("endDatePeriod", _month_end(year, number))
                    with element("transactions"):
                        leaf("linesCount", file.lines)
                        leaf("totalDebit", file.total_debit)
                        leaf("totalCredit", file.total_credit)
                        lines, debit, credit = 0, Decimal(0), Decimal(0)
                        for journal, description, jrn_tp in master["journals"]:
                            with element("journal"):
                                leaf("jrnID", journal)
                                leaf("desc", description)
                                leaf("jrnTp", jrn_tp)
                                for first, last in export.entry_ranges(con, file.selection,
                                                                       journal):
                                    relation = export.xaf_transactions(con, file, journal,
                                                                       version, first, last)
                                    for batch in relation.to_arrow_reader(BATCH_ROWS):
                                        columns = batch.to_pydict()
                                        text = "".join(columns["xml"]).encode("utf-8")
                                        out.write(text)  # (the file alone: not the skeleton)
                                        validation.submit(text, journal, columns["entry_id"])
                                        lines += sum(columns["lines"])
                                        debit += sum(columns["debit"], Decimal(0))
                                        credit += sum(columns["credit"], Decimal(0))
    validation.skeleton(tee.skeleton.getvalue())
    validation.wait()
    if (lines, debit, credit) != (file.lines, file.total_debit, file.total_credit):
        raise ExportFailure(
            f"{path.name}: the file declares {file.lines} lines, debit {file.total_debit}, "
            f"credit {file.total_credit}, but its transactions hold {lines} lines, debit {debit}, "
            f"credit {credit} (nothing was written)")


class _BatchValidation:
    """Batches of transactions validated against the XSD in a thread, at most PENDING at a time
    (memory stays that of a few batches), inside a journal of a minimal audit file."""

    PENDING = 2

    def __init__(self, schema: Any, ns: str, name: str) -> None:
        self.schema, self.name = schema, name
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xaf-validation")
        self.pending: list[Future] = []
        self.head = (
            f'<auditfile xmlns="{ns}"><header><fiscalYear>2000</fiscalYear><startDate>2000-01-01'
            "</startDate><endDate>2000-12-31</endDate><curCode>EUR</curCode><dateCreated>"
            "2000-01-01</dateCreated><softwareDesc>-</softwareDesc><softwareVersion>-"
            "</softwareVersion></header><company><companyName>-</companyName>"
            "<taxRegistrationCountry>NL</taxRegistrationCountry><taxRegIdent></taxRegIdent>"
            "<transactions><linesCount>0</linesCount><totalDebit>0.00</totalDebit><totalCredit>"
            "0.00</totalCredit><journal><jrnID>-</jrnID><desc>-</desc>").encode("utf-8")
        self.tail = b"</journal></transactions></company></auditfile>"

    def submit(self, text: bytes, journal: str, entries: list[int]) -> None:
        while len(self.pending) >= self.PENDING:
            self.pending.pop(0).result()
        where = f"a transaction of journal {journal} among entries {entries[0]}..{entries[-1]}"
        self.pending.append(self.pool.submit(self._check, self.head + text + self.tail, where))

    def skeleton(self, document: bytes) -> None:
        self.pending.append(self.pool.submit(self._check, document, "the file's header, "
                                             "company and master data"))

    def wait(self) -> None:
        try:
            for future in self.pending:
                future.result()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _check(self, document: bytes, where: str) -> None:
        from lxml import etree

        parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
        try:
            self.schema.assertValid(etree.fromstring(document, parser))
        except (etree.DocumentInvalid, etree.XMLSyntaxError) as error:
            raise ExportFailure(f"{self.name} is not valid against its XSD, in {where}: {error} "
                                "(nothing was written)") from error


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)
