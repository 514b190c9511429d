"""`journalize post` (SPEC §12): invoicing and journalising as two steps. A run --no-journalize
numbers its invoices and keeps their entries and open items as drafts; post books them, in one
transaction, as a run of its own; a second post books nothing; verify counts the invoices
awaiting post without calling them a fault."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import duckdb
import pytest
from builders import base_master, order_line, query, run, with_be01, write_dataset
from typer.testing import CliRunner

from flows import provenance
from flows.cli import app
from flows.parameters import sample_dataset
from flows.post import post

WIDE = {"COLUMNS": "250"}
# what differs between a run and a run --no-journalize + post by design: the post is a run of its
# own (its record, its seal links and its copy of the master data it booked with), and it carries
# the entries and open items it booked
RUN_TABLES = {"runs", "seals", "seal_chunks", "run_accounts", "run_journals", "run_vat_codes",
              "run_debtors", "run_administrations", "run_inputs"}
BOOKED_BY_POST = {"journal_entries", "open_items", "entry_allocations"}


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def tables(db: Path) -> list[str]:
    return [t for (t,) in query(db, "SELECT table_name FROM information_schema.tables "
                                    "WHERE table_type = 'BASE TABLE' ORDER BY 1")]


def rows(db: Path, table: str) -> list[tuple]:
    columns = "* EXCLUDE (run_id)" if table in BOOKED_BY_POST else "*"
    return sorted(query(db, f'SELECT {columns} FROM "{table}"'), key=repr)


def _without_deferral(text: str) -> str:
    """article_groups.csv with defer_revenue false in every row."""
    rows = list(csv.DictReader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({**row, "defer_revenue": "false"} for row in rows)
    return out.getvalue()


@pytest.fixture(scope="module")
def sample_books(tmp_path_factory):
    """The sample month twice: a plain run, and a run --no-journalize followed by post. (The
    sample without its stock mutations and deferred revenue: a run --no-journalize books neither
    stock nor releases, post books invoices only, and a later run books them; docs/stock.md,
    docs/deferred-revenue.md, tests/test_deferral.py.)"""
    folder = tmp_path_factory.mktemp("post")
    sample = folder / "sample"
    shutil.copytree(sample_dataset(), sample, ignore=shutil.ignore_patterns("stock_mutations.*"))
    plain, posted = folder / "plain.duckdb", folder / "posted.duckdb"
    groups = sample / "master" / "article_groups.csv"
    groups.write_text(_without_deferral(groups.read_text(encoding="utf-8")), encoding="utf-8")
    assert invoke("run", "--input", sample, "--db", plain, "--period", "2026-10").exit_code == 0
    drafted = invoke("run", "--input", sample, "--db", posted, "--period", "2026-10",
                     "--no-journalize")
    assert drafted.exit_code == 0, drafted.output
    before = {t: query(posted, f'SELECT count(*) FROM "{t}"')[0][0]
              for t in ("journal_entries", "open_items", "draft_entries", "draft_open_items")}
    booked = invoke("post", "--db", posted)
    assert booked.exit_code == 0, booked.output
    return plain, posted, before, booked.output


def test_a_run_no_journalize_keeps_drafts_and_books_no_entry(sample_books):
    _, _, before, _ = sample_books
    assert before["journal_entries"] == before["open_items"] == 0
    # (the sample's: 144 invoices, 667 entry lines; its generated subscription lines add one
    # invoice of three entry lines, S0008's July, and a LIC revenue line to BE01's 27000004;
    # cost allocation splits 11 revenue lines, e.g. 26000004's 8010/H into R010/EDE 12.33 and
    # R010/ZWL 18.75: tests/test_sample_end_to_end.py)
    assert before["draft_entries"] == 667 and before["draft_open_items"] == 144


def test_run_no_journalize_then_post_gives_the_books_of_a_plain_run(sample_books):
    plain, posted, _, _ = sample_books
    assert tables(plain) == tables(posted)
    for table in tables(plain):
        if table not in RUN_TABLES:
            assert rows(posted, table) == rows(plain, table), table
    assert query(posted, "SELECT DISTINCT run_id FROM journal_entries") == [(2,)]
    assert query(posted, "SELECT command, journal_entry_lines FROM runs ORDER BY run_id") == [
        ("run", 0), ("post", 667)]
    assert query(posted, "SELECT count(*) FROM invoices WHERE NOT journalized") == [(0,)]
    assert query(posted, "SELECT count(*) FROM draft_entries") == [(0,)]


def test_post_says_what_it_booked_and_prints_its_seal(sample_books):
    _, posted, _, output = sample_books
    assert "post 2: 144 invoices journalised (of run(s) 1): 667 journal entry lines, 144 open " \
           "items" in output
    (seal,) = query(posted, "SELECT seal FROM runs WHERE run_id = 2")[0]
    assert f"seal: {seal}" in output


def test_the_posted_books_verify_clean_with_the_seal_post_printed(sample_books):
    _, posted, _, output = sample_books
    seal = output.split("seal: ")[1].split()[0]
    result = invoke("verify", "--db", posted, "--seal", seal)
    assert result.exit_code == 0, result.output
    assert "invoices awaiting post (made with" not in result.output


def test_a_second_post_books_nothing_and_changes_nothing(sample_books, tmp_path):
    _, posted, _, _ = sample_books
    copy = tmp_path / "again.duckdb"
    shutil.copy(posted, copy)
    books = {t: rows(copy, t) for t in tables(copy)}

    again = invoke("post", "--db", copy)

    assert again.exit_code == 0, again.output
    assert "nothing to post" in again.output
    assert {t: rows(copy, t) for t in tables(copy)} == books


def test_a_posted_entry_that_is_changed_breaks_its_seal(sample_books, tmp_path):
    _, posted, _, _ = sample_books
    copy = tmp_path / "tampered.duckdb"
    shutil.copy(posted, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("UPDATE journal_entries SET description = 'other' WHERE entry_id = "
                    "(SELECT min(entry_id) FROM journal_entries)")

    result = invoke("verify", "--db", copy)

    assert result.exit_code == 1
    assert "journal_entries of" in result.output and "run 2" in result.output


# --- verify, before post ---------------------------------------------------------------------------


@pytest.fixture
def drafted(tmp_path) -> Path:
    db = tmp_path / "drafted.duckdb"
    assert invoke("run", "--db", db, "--period", "2026-10", "--no-journalize").exit_code == 0
    return db


def test_verify_counts_the_invoices_awaiting_post_and_calls_them_no_fault(drafted):
    result = invoke("verify", "--db", drafted)

    assert result.exit_code == 0, result.output
    assert "invoices awaiting post (made with --no-journalize): 144; journalize post books " \
           "them" in result.output


@pytest.mark.parametrize(("edit", "found"), [
    ("DELETE FROM draft_entries WHERE line_no = 2 AND entry_id = (SELECT min(entry_id) "
     "FROM draft_entries)", "do not balance"),
    ("UPDATE invoices SET journalized = true WHERE invoice_number = (SELECT min(invoice_number) "
     "FROM invoices)", "are left although it is journalised"),
    ("INSERT INTO journal_entries SELECT * EXCLUDE (allocation) REPLACE (99 AS run_id) "
     "FROM draft_entries WHERE entry_id = (SELECT min(entry_id) FROM draft_entries)", "awaits post but already has"),
])
def test_verify_finds_drafts_that_do_not_hold(drafted, edit, found):
    with duckdb.connect(str(drafted)) as con:
        con.execute(edit)

    result = invoke("verify", "--db", drafted)

    assert result.exit_code == 1
    assert found in result.output


# --- what is posted ----------------------------------------------------------------------------------


def test_post_one_administration_then_the_rest(drafted):
    first = invoke("post", "--db", drafted, "--admin", "BE01")
    assert first.exit_code == 0, first.output
    assert query(drafted, "SELECT admin_id, bool_and(journalized) FROM invoices GROUP BY 1 "
                          "ORDER BY 1") == [("BE01", True), ("NL01", False)]
    (first_ids,) = query(drafted, "SELECT min(entry_id), count(DISTINCT entry_id), "
                                  "max(entry_id) FROM journal_entries")
    assert first_ids[0] == 1 and first_ids[1] == first_ids[2] >= 43  # (43 BE01 invoices)

    rest = invoke("post", "--db", drafted)

    assert rest.exit_code == 0, rest.output
    assert query(drafted, "SELECT count(*) FROM invoices WHERE NOT journalized") == [(0,)]
    assert query(drafted, "SELECT min(entry_id) FROM journal_entries WHERE run_id = 3") == [
        (first_ids[2] + 1,)]
    assert invoke("verify", "--db", drafted).exit_code == 0


def test_post_one_invoice_by_its_number(drafted):
    (number,) = query(drafted, "SELECT min(invoice_number) FROM invoices")[0]

    result = invoke("post", "--db", drafted, "--invoice", number)

    assert result.exit_code == 0, result.output
    assert query(drafted, "SELECT invoice_number FROM invoices WHERE journalized") == [(number,)]
    assert query(drafted, "SELECT DISTINCT invoice_number FROM journal_entries") == [(number,)]
    again = invoke("post", "--db", drafted, "--invoice", number)
    assert again.exit_code == 0
    assert f"invoice {number} is journalised already" in again.output
    assert "nothing to post" in again.output


def test_an_invoice_number_not_in_the_books_is_refused_and_nothing_is_posted(drafted):
    result = invoke("post", "--db", drafted, "--invoice", "NOPE-1")

    assert result.exit_code == 2
    assert "invoice NOPE-1 is not in the books" in result.output
    assert query(drafted, "SELECT count(*) FROM journal_entries") == [(0,)]


def test_post_refuses_a_database_that_is_not_the_books(tmp_path):
    missing = invoke("post", "--db", tmp_path / "none.duckdb")
    assert missing.exit_code == 2 and "does not exist: nothing to post" in missing.output
    assert not (tmp_path / "none.duckdb").exists()
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    refused = invoke("post", "--db", other)
    assert refused.exit_code == 2 and "not journalize's books" in refused.output


# --- authorised ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("allowed", "refused"), [
    (["run"], True), (["run", "post"], False)])
def test_post_is_an_authorised_action(tmp_path, monkeypatch, allowed, refused):
    monkeypatch.setattr(provenance, "os_user", lambda: "alice")
    master = with_be01(base_master())
    master["authorisations"] = [dict(user="alice", action=a, admin_id="*") for a in allowed]
    dataset = write_dataset(tmp_path / "input", master, order_lines=[order_line("L1")])
    db = tmp_path / "out.duckdb"
    run(dataset, db, journalize=False)

    if refused:
        with pytest.raises(Exception, match="not authorised to post"):
            post(db)
        assert query(db, "SELECT count(*) FROM journal_entries") == [(0,)]
    else:
        assert post(db).invoices == 1


def test_resume_after_a_post_resumes_the_run_not_the_post(sample_books, tmp_path):
    _, posted, _, _ = sample_books
    copy = tmp_path / "resumed.duckdb"
    shutil.copy(posted, copy)

    result = invoke("resume", "--db", copy)

    assert result.exit_code == 0, result.output
    (reference_date,) = query(copy, "SELECT reference_date FROM runs WHERE run_id = 3")[0]
    assert str(reference_date) == "2026-10-31"  # (run 1's: the post has none)
    refused = invoke("resume", "--db", copy, "--run-id", "2")
    assert refused.exit_code == 3 and "(a post is not a run of lines)" in refused.output
