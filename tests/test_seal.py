"""Tamper-evident books: every posted row is covered by a SHA-256 chain per
administration and journal, from run to run. Each edit an auditor fears, made with plain SQL on
a copy of the books, is found by `journalize verify` (exit 1, naming what changed); a seal kept
outside the books finds even books whose seals were rewritten to match."""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import threading
from decimal import Decimal as D
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from builders import query
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from flows.cli import app
from flows.parameters import RunParameters
from flows.pipeline import run_month_end
from transforms import seal

WIDE = {"COLUMNS": "250"}


@pytest.fixture(scope="module")
def sealed_books(tmp_path_factory) -> tuple[Path, str, str]:
    """The shipped sample, October then November, with the seal each run returned."""
    db = tmp_path_factory.mktemp("sealed") / "books.duckdb"
    october = run_month_end(RunParameters.for_period("2026-10", db_path=db))
    november = run_month_end(RunParameters.for_period("2026-11", db_path=db))
    return db, october.seal, november.seal


def verify(db: Path, *args: str):
    return CliRunner().invoke(app, ["verify", "--db", str(db), *args], env=WIDE)


def tampered(books: Path, tmp_path: Path, *statements: str) -> Path:
    copy = tmp_path / "tampered.duckdb"
    shutil.copy(books, copy)
    with duckdb.connect(str(copy)) as con:
        for statement in statements:
            con.execute(statement)
    return copy


def seal_findings(output: str) -> list[str]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if "matches its seal" in line)
    assert lines[start].startswith("FAIL"), output
    return [line.strip() for line in lines[start + 1:] if line.startswith("       ")]


def test_untampered_books_verify_clean_and_match_the_seal_the_run_printed(sealed_books):
    db, october, november = sealed_books

    result = verify(db, "--seal", november)

    assert result.exit_code == 0, result.output
    assert f"seal of the books as they are: {november}" in result.output
    assert "ok   every posted row matches its seal" in result.output
    # an older seal still proves the books up to its run
    assert verify(db, "--seal", october).exit_code == 0


def test_each_run_records_its_seal_and_links_to_the_one_before(sealed_books):
    db, october, november = sealed_books

    assert query(db, "SELECT run_id, seal FROM runs ORDER BY run_id") == [(1, october),
                                                                         (2, november)]
    links = query(db, "SELECT run_id, admin_id, journal_code, previous_seal, seal FROM seals "
                      "ORDER BY admin_id, journal_code, run_id")
    heads: dict[tuple[str, str], str] = {}
    for run_id, admin, journal, previous, link in links:
        assert previous == heads.get((admin, journal), seal.GENESIS), (run_id, admin, journal)
        content = query(db, "SELECT content FROM seals WHERE run_id = $r AND admin_id = $a AND "
                            "journal_code = $j", {"r": run_id, "a": admin, "j": journal})[0][0]
        expected = hashlib.sha256("\x1f".join(
            [previous, str(run_id), admin, journal, content]).encode()).hexdigest()
        assert link == expected
        heads[(admin, journal)] = link
    # November wrote in journals October wrote in too: their chains go on
    assert any(r == 2 and p != seal.GENESIS for r, _, _, p, _ in links)
    # every sealed row is in exactly one chunk
    for spec in seal.SEALED:
        where = " WHERE status = 'invoiced'" if spec.only_invoiced else ""
        rows = query(db, f"SELECT count(*) FROM {spec.table}{where}")[0][0]
        sealed = query(db, 'SELECT coalesce(sum("rows"), 0) FROM seal_chunks WHERE "table" = $t',
                       {"t": spec.table})[0][0]
        assert sealed == rows, spec.table


# Each edit with the words verify must use for it. Entry 1 is the first entry of the books.
TAMPERING = {
    "an entry's description": (
        ["UPDATE journal_entries SET description = 'other' WHERE entry_id = 1 AND line_no = 1"],
        ["journal_entries of", "column(s) description changed"]),
    "an entry's account": (
        ["UPDATE journal_entries SET account = '9999' WHERE entry_id = 1 AND line_no = 2"],
        ["journal_entries of", "column(s) account changed"]),
    "an entry's date and period": (
        ["UPDATE journal_entries SET entry_date = entry_date + 40, period = period % 12 + 1 "
         "WHERE entry_id = 1"],
        ["journal_entries of", "entry_date", "period"]),
    "an amount moved between lines of one entry (still balanced)": (
        ["UPDATE journal_entries SET debit = debit + 1 WHERE entry_id = 1 AND debit > 0 "
         "AND line_no = (SELECT min(line_no) FROM journal_entries WHERE entry_id = 1 AND debit > 0)",
         "UPDATE journal_entries SET credit = credit + 1 WHERE entry_id = 1 AND credit > 0 "
         "AND line_no = (SELECT min(line_no) FROM journal_entries WHERE entry_id = 1 "
         "AND credit > 0)"],
        ["journal_entries of"]),
    "an invoice, its entry and open item raised together": (
        ["UPDATE invoices SET total_excl_vat = total_excl_vat + 100, "
         "total_incl_vat = total_incl_vat + 100 WHERE invoice_number = "
         "(SELECT invoice_number FROM journal_entries WHERE entry_id = 1 LIMIT 1)",
         "UPDATE open_items SET amount = amount + 100, amount_open = amount_open + 100 "
         "WHERE invoice_number = (SELECT invoice_number FROM journal_entries WHERE entry_id = 1 "
         "LIMIT 1)",
         "UPDATE journal_entries SET debit = debit + 100 WHERE entry_id = 1 AND line_no = 1",
         "UPDATE journal_entries SET credit = credit + 100 WHERE entry_id = 1 AND line_no = 2"],
        ["invoices of", "total_incl_vat", "open_items of", "journal_entries of"]),
    "the cash settlements deleted": (
        ["DELETE FROM journal_entries WHERE journal_code = 'KAS'"],  # (the cash journal)
        ["KAS, run 1", "are gone"]),
    "a balanced entry made up in a journal that does not exist": (
        ["INSERT INTO journal_entries SELECT * REPLACE ('ZZ' AS journal_code, 999999 AS entry_id) "
         "FROM journal_entries WHERE entry_id = 1"],
        ["/ZZ, run", "covered by no seal"]),
    "the last invoice deleted and its counter lowered": (
        ["CREATE TABLE last AS SELECT admin_id, journal_code, invoice_number, sequence_number "
         "FROM invoices ORDER BY run_id DESC, sequence_number DESC LIMIT 1",
         "DELETE FROM journal_entries WHERE invoice_number = (SELECT invoice_number FROM last)",
         "DELETE FROM open_items WHERE invoice_number = (SELECT invoice_number FROM last)",
         "DELETE FROM invoice_vat WHERE invoice_number = (SELECT invoice_number FROM last)",
         "DELETE FROM billable_lines WHERE invoice_number = (SELECT invoice_number FROM last)",
         "DELETE FROM invoices WHERE invoice_number = (SELECT invoice_number FROM last)",
         "UPDATE journal_counters SET last_invoice_number = last_invoice_number - 1 "
         "WHERE (admin_id, journal_code) = (SELECT (admin_id, journal_code) FROM last)",
         "DROP TABLE last"],
        ["invoices of"]),
    "an invoiced line's content": (
        ["UPDATE billable_lines SET unit_price = unit_price + 1 WHERE status = 'invoiced' "
         "AND line_id = (SELECT min(line_id) FROM billable_lines WHERE status = 'invoiced')"],
        ["billable_lines of", "unit_price"]),
    "an invoice's VAT": (
        ["UPDATE invoice_vat SET vat = vat + 1 WHERE invoice_number = "
         "(SELECT min(invoice_number) FROM invoice_vat)"],
        ["invoice_vat of", "column(s) vat changed"]),
    "a link removed": (
        ["DELETE FROM seals WHERE run_id = 2 AND seal = (SELECT min(seal) FROM seals "
         "WHERE run_id = 2)"],
        ["breaks at run 2", "have no link"]),
    "a sealed column dropped": (
        ["ALTER TABLE invoices DROP COLUMN description"],
        ["cannot be read as they were sealed", "description"]),
    "a NULL given a value and a value made NULL (the bits of 'is NULL')": (
        ["UPDATE journal_entries SET vat_code = NULL WHERE entry_id = 1 AND vat_code IS NOT NULL",
         "UPDATE journal_entries SET debtor_id = 'D-made-up' WHERE entry_id = 1 "
         "AND debtor_id IS NULL"],
        ["journal_entries of", "debtor_id", "vat_code"]),
    "a text's bytes moved between two values (same bytes, other lengths)": (
        ["UPDATE invoices SET description = description || 'x', "
         "collect_key = left(collect_key, length(collect_key) - 1) WHERE invoice_number = "
         "(SELECT min(invoice_number) FROM invoices)"],
        ["invoices of", "collect_key", "description"]),
    "a link's format changed": (
        ["UPDATE seals SET format = 1 WHERE run_id = 2"],
        ["run 2 was sealed in format 1"]),
    "a run's seal removed": (
        ["UPDATE runs SET seal = NULL WHERE run_id = 2"],
        ["run 2 has no seal"]),
}


@pytest.mark.parametrize("edit", TAMPERING)
def test_every_edit_of_the_posted_books_is_found(sealed_books, tmp_path, edit):
    db, _, november = sealed_books
    statements, words = TAMPERING[edit]

    result = verify(tampered(db, tmp_path, *statements))

    assert result.exit_code == 1, result.output
    found = " | ".join(seal_findings(result.output))
    for word in words:
        assert word in found, found


def test_books_resealed_as_a_whole_are_found_by_the_seal_kept_elsewhere(sealed_books, tmp_path):
    """Someone who can write the database file and knows the algorithm can rewrite every seal
    to match an edit: the books then verify clean by themselves, but not against the seal the
    run printed and the controller kept."""
    db, _, november = sealed_books
    copy = tampered(db, tmp_path, "UPDATE journal_entries SET description = 'other' "
                                  "WHERE entry_id = 1 AND line_no = 1")
    with duckdb.connect(str(copy)) as con:
        chunks = seal.recompute(con)
        con.execute("DELETE FROM seal_chunks")
        con.execute("DELETE FROM seals")
        seal._write_chunks(con, chunks)
        heads: dict[str, str] = {}
        for (run_id,) in con.execute("SELECT run_id FROM runs ORDER BY run_id").fetchall():
            links = seal.link_rows(run_id, [c for c in chunks if c.run_id == run_id], heads)
            con.executemany("INSERT INTO seals VALUES (?, ?, ?, ?, ?, ?, ?, ?)", links)
            heads |= {f"{a}\x1f{j}": s for _, a, j, _, _, s, _, _ in links}
            con.execute("UPDATE runs SET seal = $s WHERE run_id = $r",
                        {"s": seal.run_seal(run_id, heads), "r": run_id})

    assert verify(copy).exit_code == 0  # (resealed: consistent in itself)
    result = verify(copy, "--seal", november)
    assert result.exit_code == 1
    assert f"the seal {november} is not the seal of any run" in result.output


def test_a_seal_that_is_no_seal_is_a_usage_error(sealed_books):
    db, _, _ = sealed_books
    result = verify(db, "--seal", "abc'; DROP TABLE runs; --")
    assert result.exit_code == 2
    assert "is not a seal" in result.stderr


def test_books_written_before_sealing_verify_and_the_next_run_starts_the_chain(tmp_path):
    db = tmp_path / "books.duckdb"
    run_month_end(RunParameters.for_period("2026-10", db_path=db))
    with duckdb.connect(str(db)) as con:  # as a version before sealing wrote them
        con.execute("DROP TABLE seals")
        con.execute("DROP TABLE seal_chunks")
        con.execute("ALTER TABLE runs DROP COLUMN seal")
    before = verify(db)
    assert before.exit_code == 0, before.output
    assert "runs written before the books were sealed (not covered by a seal): 1" in before.output

    november = run_month_end(RunParameters.for_period("2026-11", db_path=db))

    after = verify(db, "--seal", november.seal)
    assert after.exit_code == 0, after.output
    assert "not covered by a seal): 1" in after.output
    assert query(db, "SELECT DISTINCT run_id FROM seals") == [(2,)]


@settings(max_examples=25, deadline=None)
@given(cuts=st.lists(st.integers(min_value=1, max_value=999), max_size=6, unique=True))
def test_digests_do_not_depend_on_how_the_rows_are_batched(cuts):
    """The run hashes rows as they stream in batches of DuckDB's choosing, verify as it reads
    them back: the same rows in the same order give the same digests however they are cut."""
    spec = seal.BY_TABLE["open_items"]
    rows = 1000
    table = pa.table({
        "run_id": pa.array([1] * rows, pa.int32()),
        "seal_admin_id": ["NL01"] * 600 + ["BE01"] * 400,
        "seal_journal_code": (["VK", "VKC"] * 500),
        "admin_id": ["NL01"] * rows,
        "debtor_id": [None if i % 7 == 0 else f"D{i}" for i in range(rows)],
        "invoice_number": [f"I{i:04d}" for i in range(rows)],
        "invoice_date": pa.array([None if i % 5 == 0 else 20000 + i for i in range(rows)],
                                 pa.date32()),
        "due_date": pa.array([20030] * rows, pa.date32()),
        "amount": pa.array([None if i % 3 == 0 else D(i) / 100 for i in range(rows)],
                           pa.decimal128(18, 2)),
        "amount_open": pa.array([D(i) for i in range(rows)], pa.decimal128(18, 2)),
        "payment_discount_pct": pa.array([D(2)] * rows, pa.decimal128(9, 4)),
        "payment_discount_date": pa.array([None] * rows, pa.date32()),
    })

    def digests(boundaries: list[int]) -> list[tuple]:
        hasher = seal.Hasher()
        edges = [0, *sorted(boundaries), rows]
        for start, end in itertools.pairwise(edges):
            batch = table.slice(start, end - start).combine_chunks().to_batches()
            for part in batch:
                for (run, admin, journal), group in seal.split(
                        spec, part, seal.SEAL_ADMIN, seal.SEAL_JOURNAL, "run_id"):
                    hasher.feed(spec, int(run), admin, journal, group)
        return [(c.admin_id, c.journal_code, c.chunk, c.rows, c.digest) for c in hasher.finish()]

    assert digests(cuts) == digests([])


def _rows_of(spec: seal.Sealed, groups: list[tuple[str, str]], status: list[str]) -> pa.Table:
    """Rows of a sealed table, every sealed column filled by its type (a NULL now and then, text
    of varying length), with the run and the administration and journal of each row."""
    count = len(groups)

    def column(index: int, name: str, dtype: pa.DataType) -> pa.Array:
        def value(i: int):
            if (i + index) % 11 == 0:
                return None
            if pa.types.is_string(dtype):
                return f"{name[:3]}-{i}" * (1 + (i * 7 + index) % 4)
            if pa.types.is_boolean(dtype):
                return (i + index) % 3 == 0
            if pa.types.is_date(dtype):
                return 20000 + i % 400
            if pa.types.is_decimal(dtype):
                return D(i * 37 - 500) / 10 ** dtype.scale
            return i * 13 + index
        if name == "status":
            return pa.array(status, dtype)
        return pa.array([value(i) for i in range(count)], dtype)

    columns = {name: column(index, name, dtype) for index, (name, dtype) in enumerate(spec.columns)}
    return pa.table({"run_id": pa.array([1] * count, pa.int32()),
                     seal.SEAL_ADMIN: [a for a, _ in groups],
                     seal.SEAL_JOURNAL: [j for _, j in groups], **columns})


def _digests_by_split(spec: seal.Sealed, table: pa.Table, cuts: list[int]) -> list[tuple]:
    hasher = seal.Hasher()
    for start, end in itertools.pairwise([0, *sorted(cuts), table.num_rows]):
        for part in table.slice(start, end - start).combine_chunks().to_batches():
            for (run, admin, journal), rows in seal.split(
                    spec, part, seal.SEAL_ADMIN, seal.SEAL_JOURNAL, "run_id"):
                hasher.feed(spec, int(run), admin, journal, rows)
    return [(c.admin_id, c.journal_code, c.chunk, c.rows, c.first_row, c.last_row, c.digest)
            for c in hasher.finish()]


@pytest.mark.parametrize("table_name", ["billable_lines", "journal_entries"])
@settings(max_examples=15, deadline=None)
@given(runs=st.lists(st.tuples(st.sampled_from([("NL01", "VK"), ("NL01", "VKC"), ("BE01", "VK")]),
                               st.integers(min_value=1, max_value=300)), min_size=1, max_size=12),
       open_every=st.sampled_from([0, 5, 97]),
       cuts=st.lists(st.integers(min_value=1, max_value=2000), max_size=4, unique=True))
def test_a_groups_rows_hashed_where_they_lie_or_taken_out_give_the_same_digests(
        table_name, runs, open_every, cuts):
    """Rows of several groups in one batch are hashed where they lie (seal.Rows), a text column's
    bytes run by run where the runs are long and gathered by take where they are short: each way
    gives the digests of each group's rows fed alone, however the batches are cut (and, for
    billable_lines, with the rows not invoiced left out)."""
    spec = seal.BY_TABLE[table_name]
    groups = [group for group, length in runs for _ in range(length)]
    status = ["open" if open_every and i % open_every == 3 else "invoiced"
              for i in range(len(groups))]
    table = _rows_of(spec, groups, status)
    cuts = [c for c in cuts if c < table.num_rows]

    expected = seal.Hasher()  # each group's (invoiced) rows alone, in their order
    for admin, journal in sorted(set(groups)):
        mask = [g == (admin, journal) and (not spec.only_invoiced or s == "invoiced")
                for g, s in zip(groups, status, strict=True)]
        alone = table.filter(pa.array(mask)).combine_chunks()
        if alone.num_rows:
            expected.feed(spec, 1, admin, journal, alone.to_batches(max_chunksize=10**9)[0])
    want = [(c.admin_id, c.journal_code, c.chunk, c.rows, c.first_row, c.last_row, c.digest)
            for c in expected.finish()]

    assert _digests_by_split(spec, table, cuts) == want
    for threshold, many in ((10**9, 16), (1, 16), (48, 0)):  # every text gathered by take; every
        with pytest.MonkeyPatch.context() as patch:  # text run by run; groups found by a sort
            patch.setattr(seal, "MIN_RUN_ROWS", threshold)
            patch.setattr(seal, "MANY_GROUPS", many)
            assert _digests_by_split(spec, table, cuts) == want


def test_text_whose_nulls_keep_bytes_is_hashed_the_same_gathered_or_run_by_run():
    """Arrow lets a NULL text keep bytes under it (another writer's leftovers); take drops them.
    A column like that is hashed run by run whatever its runs, so both ways give one digest."""
    spec = seal.Sealed("invoices", (("text", pa.string()),), key=("text",))  # (one column)
    values = ["ab", "cd", "ef", "gh"] * 8
    offsets = pa.array([2 * i for i in range(len(values) + 1)], pa.int32()).buffers()[1]
    valid = pa.array([i % 3 != 1 for i in range(len(values))]).buffers()[1]  # (NULLs over "cd" …)
    text = pa.StringArray.from_buffers(len(values), offsets, pa.py_buffer("".join(values).encode()),
                                       valid)
    batch = pa.record_batch({"text": text, "admin_id": ["A"] * len(values),
                             "journal_code": [["VK", "MEM"][i % 2] for i in range(len(values))]})
    taken = text.take(pa.array([0, 1]))  # (take drops the bytes under the NULL)
    assert np.frombuffer(taken.buffers()[1], np.int32, 3, taken.offset * 4).tolist() == [0, 2, 2]

    def digests() -> list[str]:
        hasher = seal.Hasher()
        for (admin, journal), rows in seal.split(spec, batch, "admin_id", "journal_code"):
            hasher.feed(spec, 1, admin, journal, rows)
        return [c.digest for c in hasher.finish()]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(seal, "MIN_RUN_ROWS", 1)
        run_by_run = digests()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(seal, "MIN_RUN_ROWS", 10**9)
        assert digests() == run_by_run


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="no thread priorities on this system")
def test_the_hashing_thread_runs_below_the_runs_priority():
    """DuckDB's insert threads go first; the hashing takes the CPU they leave."""
    sealer = seal.RunSealer(1)
    try:
        own = sealer._pool.submit(
            lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())).result()
    finally:
        sealer._pool.shutdown()
    assert own == max(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()),
                      seal.HASHING_NICENESS)


def _sealed_stream(sealer: seal.RunSealer, batches: int) -> list[pa.RecordBatch]:
    spec = seal.BY_TABLE["journal_entries"]
    table = _rows_of(spec, [("NL01", "VK")] * 64, ["invoiced"] * 64)
    batch = table.combine_chunks().to_batches()[0]
    reader = pa.RecordBatchReader.from_batches(batch.schema, [batch] * batches)
    return list(sealer.stream("journal_entries", reader))


def test_the_batches_waiting_for_the_hashing_thread_are_bounded_by_their_bytes(monkeypatch):
    """The books wait for the hashing thread rather than hold more than QUEUED_BYTES of batches
    it has not hashed yet (the batch it is given always goes: one batch is never too many)."""
    queued: list[int] = []
    hash_batch = seal.RunSealer._hash

    def slow(self, *args):
        queued.append(self._queued)
        threading.Event().wait(0.005)
        hash_batch(self, *args)

    monkeypatch.setattr(seal.RunSealer, "_hash", slow)
    monkeypatch.setattr(seal, "QUEUED_BYTES", 1)
    sealer = seal.RunSealer(1)
    streamed = _sealed_stream(sealer, 20)
    sealer._pool.shutdown()  # (every batch hashed)
    assert len(streamed) == 20 and len(queued) == 20
    assert max(queued) <= streamed[0].nbytes and sealer.wait_seconds > 0
    assert sum(c.rows for c in sealer.hasher.finish()) == 20 * 64  # (every batch hashed)


def test_a_failure_in_the_hashing_thread_stops_the_run(monkeypatch):
    """A batch the hashing thread could not hash is not lost: the error reaches the run (which
    then writes nothing), from the stream or at the latest when the seal is written."""
    calls = []
    hash_batch = seal.RunSealer._hash

    def fail(self, *args):  # (the first batch: long done when the last are streamed)
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("hashing failed")
        hash_batch(self, *args)

    monkeypatch.setattr(seal.RunSealer, "_hash", fail)
    sealer = seal.RunSealer(1)
    with pytest.raises(RuntimeError, match="hashing failed"), duckdb.connect() as books:
        _sealed_stream(sealer, 40)
        sealer.close(books)


def _filled(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """The column with a value of its type for each NULL."""
    kind = column.type
    value = ("x" if pa.types.is_string(kind) else False if pa.types.is_boolean(kind)
             else D(0) if pa.types.is_decimal(kind) else 0)
    return column.fill_null(pa.scalar(value, kind))


@pytest.mark.parametrize("cut", [8, 13, 16_384 + 3])
def test_batches_without_nulls_hash_their_null_bits_like_any_other(cut):
    """A batch whose columns hold no NULL skips gathering its "is NULL" bits: they are the same
    zero bits, also where a batch ends within a byte or a chunk and the next one holds NULLs."""
    spec = seal.BY_TABLE["invoice_vat"]
    table = _rows_of(spec, [("NL01", "VK")] * (cut + 40), ["invoiced"] * (cut + 40))
    head = table.slice(0, cut)
    head = pa.table({name: _filled(column) if name in dict(spec.columns) else column
                     for name, column in zip(head.column_names, head.columns, strict=True)})
    assert not any(column.null_count for column in head.columns)
    whole = pa.concat_tables([head, table.slice(cut)]).combine_chunks()

    def digests(batches: list[pa.RecordBatch]) -> list[str]:
        hasher = seal.Hasher()
        for batch in batches:
            for (run, admin, journal), part in seal.split(
                    spec, batch, seal.SEAL_ADMIN, seal.SEAL_JOURNAL, "run_id"):
                hasher.feed(spec, int(run), admin, journal, part)
        return [c.digest for c in hasher.finish()]

    one = whole.to_batches(max_chunksize=10**9)
    assert sum(column.null_count for column in one[0].columns) > 0  # (hashed with its NULL bits)
    cut_batches = [*whole.slice(0, cut).to_batches(), *whole.slice(cut).to_batches()]
    assert digests(cut_batches) == digests(one)
