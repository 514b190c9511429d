"""`journalize post` (SPEC §12; Profit's "journaliseren"): book the invoices a run
--no-journalize made. Invoicing and journalising are two steps in Profit; a run --no-journalize
numbers its invoices (CODA references included) and keeps each invoice's entry lines and open item
as drafts (``draft_entries``, ``draft_open_items``: not posted, not sealed). ``post`` books the
drafts of the invoices asked for into ``journal_entries`` and ``open_items``, entry ids numbered
on from the books' last in the order the drafts were made, marks the invoices journalised and
removes their drafts, in one transaction, as a run of its own (``runs.command = 'post'``) whose
rows are sealed in its administrations' and journals' chains. A second post finds nothing to
book and writes nothing.

The entries are those the invoicing run made, with the master data of that run (its accounts,
journals and VAT codes, which the post run records again for ``verify``): a run --no-journalize
followed by ``post`` leaves the books a plain run leaves, but for the run that carries the
entries (tests/test_post.py compares them table by table)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from flows import provenance
from flows.books import RunFailed, _connections
from transforms import persist, seal, sqlfile
from transforms.faults import ConfigurationFailure
from transforms.ingest import escaped

# the master data a run records, copied for the post run from the runs it posts invoices of
RECORDED = ("run_administrations", "run_accounts", "run_journals", "run_vat_codes",
            "run_debtors")


@dataclass
class PostResult:
    db_path: Path
    run_id: int | None = None  # None: nothing was awaiting post (nothing written)
    invoices: int = 0
    entry_lines: int = 0
    open_items: int = 0
    seal: str | None = None
    from_runs: list[int] = field(default_factory=list)  # the runs that made the invoices
    per_journal: list[tuple[str, str, int]] = field(default_factory=list)  # admin, journal, invoices
    notices: list[str] = field(default_factory=list)


def post(db_path: Path, *, admin: str | None = None, run_id: int | None = None,
         invoices: list[str] | None = None, input_dir: Path | None = None,
         command_line: str = "") -> PostResult:
    """Book the invoices awaiting post (of one administration, run or list of invoice numbers;
    each None: all). input_dir: the dataset whose master/authorisations decide whether the user
    may post (default: the input of the newest run of the books, when that folder still exists)."""
    db_path = Path(db_path)
    latest_input = books_latest_input(db_path)
    input_dir = input_dir or latest_input
    if input_dir is not None:
        provenance.authorise(input_dir, "post", admin)
    started = dt.datetime.now()
    result = PostResult(db_path)
    selection = {"admin": admin, "run_id": run_id, "invoices": list(invoices) if invoices else None}
    with _connections(db_path) as (books, work):
        sqlfile.build(work, "post", "posted_invoices", selection)
        result.notices = _asked_for_but_not_awaiting(work, invoices)
        undrafted = [r[0] for r in work.execute(
            "SELECT invoice_number FROM post.posted_invoices WHERE draft_lines = 0 "
            "ORDER BY invoice_number").fetchall()]
        if undrafted:
            raise RunFailed([
                f"{len(undrafted)} invoice(s) await post but have no draft entries (made by a "
                f"version of journalize before post existed), e.g. {', '.join(undrafted[:5])}: "
                "they cannot be posted; nothing was posted"])
        result.per_journal = work.execute(
            "SELECT admin_id, journal_code, count(*) FROM post.posted_invoices "
            "GROUP BY ALL ORDER BY ALL").fetchall()
        result.invoices = sum(n for _, _, n in result.per_journal)
        if not result.invoices:
            return result
        result.run_id = new_run = persist.next_run_id(work)
        result.from_runs = [r[0] for r in work.execute(
            "SELECT DISTINCT run_id FROM post.posted_invoices ORDER BY 1").fetchall()]
        base = work.execute(
            "SELECT coalesce(max(entry_id), 0) FROM books.journal_entries").fetchone()[0]
        sealer = seal.RunSealer(new_run)
        with persist.rows(books, work, "journal_entries", sealer=sealer, stage="post",
                          params={"entry_base": base}):
            persist._insert(books, "journal_entries", new_run)
        with persist.rows(books, work, "entry_allocations", sealer=sealer, stage="post",
                          params={"entry_base": base}):
            persist._insert(books, "entry_allocations", new_run)
        with persist.rows(books, work, "open_items", sealer=sealer, stage="post"):
            persist._insert(books, "open_items", new_run)
        posted = work.sql("SELECT invoice_number FROM post.posted_invoices").to_arrow_table()
        books.register("rows", posted)
        try:
            sqlfile.run(books, "post", "delete_posted_drafts").fetchall()
        finally:
            books.unregister("rows")
        for table in RECORDED:  # (verify checks the entries' references against these)
            books.execute(
                f'INSERT INTO "{table}" SELECT DISTINCT * REPLACE ($new AS run_id) FROM "{table}" '
                "WHERE list_contains($runs, run_id)", {"new": new_run, "runs": result.from_runs},
            ).fetchall()
        result.entry_lines, result.open_items = books.execute(
            "SELECT (SELECT count(*) FROM journal_entries WHERE run_id = $r), "
            "(SELECT count(*) FROM open_items WHERE run_id = $r)", {"r": new_run}).fetchall()[0]
        result.seal = sealer.close(books)
        _record(books, new_run, result, selection, started, command_line)
    return result


@contextmanager
def read_only_books(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The database at db_path opened read-only (what post and export look at), or
    ConfigurationFailure naming why it cannot be opened."""
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as error:
        raise ConfigurationFailure(
            f"database {db_path} cannot be opened: {str(error).strip().splitlines()[0]}"
        ) from error
    try:
        yield con
    finally:
        con.close()


def books_latest_input(db_path: Path) -> Path | None:
    """Refuse what is not journalize's books; the input folder of their newest run, when it
    still exists (one read-only look at the database)."""
    from transforms.verify import books_fault

    if not db_path.exists():
        raise ConfigurationFailure(f"database {db_path} does not exist: nothing to post")
    with read_only_books(db_path) as con:
        fault = books_fault(con, str(db_path))
        if fault:
            raise ConfigurationFailure(fault)
        found = con.execute("SELECT input_dir FROM runs WHERE input_dir IS NOT NULL "
                            "ORDER BY run_id DESC LIMIT 1").fetchall()
    return Path(found[0][0]) if found and Path(found[0][0]).is_dir() else None


def _asked_for_but_not_awaiting(work: duckdb.DuckDBPyConnection,
                                invoices: list[str] | None) -> list[str]:
    """--invoice numbers that are not awaiting post: already journalised, or not in the books
    (a number not in the books is a usage error: nothing is posted)."""
    if not invoices:
        return []
    rows = work.execute(
        "SELECT n, i.journalized FROM unnest($asked::VARCHAR[]) AS t(n) "
        "LEFT JOIN books.invoices AS i ON i.invoice_number = t.n "
        "WHERE n NOT IN (SELECT invoice_number FROM post.posted_invoices) ORDER BY n",
        {"asked": list(invoices)}).fetchall()
    unknown = [n for n, journalized in rows if journalized is None]
    if unknown:
        raise ConfigurationFailure([f"invoice {escaped(n)} is not in the books"
                                    for n in unknown])
    return [f"invoice {escaped(n)} is journalised already" for n, _ in rows]


def _record(books: duckdb.DuckDBPyConnection, run_id: int, result: PostResult,
            selection: dict, started: dt.datetime, command_line: str) -> None:
    books.execute(
        """
        INSERT INTO runs BY NAME
        SELECT $run_id AS run_id, 'post' AS command, 'succeeded' AS status,
               $started AS started_at, now()::TIMESTAMP AS finished_at, $admin AS admin_id,
               true AS journalize, 0 AS lines_read, 0 AS lines_invoiced, 0 AS lines_open,
               0 AS lines_rejected, 0 AS lines_excluded, 0 AS invoices,
               $entry_lines AS journal_entry_lines, $os_user AS os_user, $host AS host,
               $version AS journalize_version, $command_line AS command_line,
               $parameters AS parameters, $seal AS seal
        """,
        {"run_id": run_id, "started": started, "admin": selection["admin"],
         "entry_lines": result.entry_lines, "os_user": provenance.os_user(),
         "host": provenance.host(), "version": provenance.version(),
         "command_line": command_line,
         "parameters": json.dumps({**selection, "db_path": str(result.db_path),
                                   "posted_from_runs": result.from_runs}),
         "seal": result.seal})
