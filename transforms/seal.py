"""Tamper-evident books: every posted row is covered by a SHA-256 hash chained per administration
and journal from run to run (the inalterability hash of French and other ERPs).

What is sealed (``SEALED``): invoices (but ``journalized``, which a later post sets), invoice VAT,
journal entry lines, open items, the invoiced rows of billable_lines, the subscription
items' billed_through (subscription_state) and the stock mutations booked with their shares of
the stock entry lines (stock_mutations, stock_entry_lines), every column but
``run_id``, which places a row in its run's link instead.

How (format 2):

* A table's rows are hashed column by column as Arrow data, in the order the books store them:
  per column three streams, each hashed on its own — "is NULL" as one bit per row (eight rows a
  byte, little-endian bit order, the last byte of a chunk padded with zero bits), the values
  (NULLs as zero) as Arrow lays them out — fixed-width values as little-endian bytes (DECIMAL,
  at most 18 digits, as its unscaled 8-byte integer, DATE as 4-byte days, BOOLEAN a byte), text
  as its UTF-8 bytes — and, for text, each value's length as a 4-byte integer. The bytes do not
  depend on how rows are batched, so the run (which hashes the rows as they stream into the
  books) and ``verify`` (which reads them back) compute the same digests. (Format 1, which the
  development versions before 2026-12-02 wrote, spent a byte per row on "is NULL", 8 on a
  text's length and 16 on a DECIMAL: a quarter more bytes to hash.)
* Rows are hashed in *chunks* of ``CHUNK_ROWS`` consecutive rows of one (run, administration,
  journal, table): a chunk's digest is SHA-256 over its column digests. ``seal_chunks`` keeps each
  chunk's digest, column digests, row count and the keys of its first and last row, so that
  ``verify`` names the rows and the columns that no longer match.
* A *link* per (run, administration, journal): ``content = SHA-256(chunk digests in order)``,
  ``seal = SHA-256(previous seal of that administration and journal ‖ run ‖ administration ‖
  journal ‖ content)``. ``seals`` keeps the links; deleting, changing, adding or reordering a row,
  a chunk or a link breaks the chain from there on.
* The run's seal (``runs.seal``, printed by the run) is SHA-256 over the newest link of every
  administration and journal after the run: kept elsewhere, it lets ``verify --seal`` prove that
  books whose seals were rewritten as a whole are not the books that were sealed.

The chain proves that the books are the ones journalize wrote; it does not stop someone who can
write the database file from writing it (authorisations guard against mistakes of CLI users).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FORMAT = 2
CHUNK_ROWS = 16_384
# a group's rows are hashed where they lie in their batch (nothing copied but the fixed-width
# values of those rows); a text column's bytes run by run of consecutive rows where the runs
# average at least MIN_RUN_ROWS rows, else gathered by Arrow (take) and hashed in one update (a
# hash update per run costs about what taking 50 rows does; at 1M lines, thresholds from 16 to
# 512 and "always take" measured within noise of each other)
MIN_RUN_ROWS = 48
MANY_GROUPS = 16  # groups in a batch beyond which they are found by a sort (verify of many runs)
# batches (and their bytes) that may wait for the hashing thread while the books take more: the
# thread runs at a lower priority (HASHING_NICENESS) and falls behind while DuckDB keeps both
# cores busy; then the books wait for it (measured at 1M lines: 0.5-0.8 s with 4 batches, none
# with 16)
QUEUED_BATCHES = 16
QUEUED_BYTES = 512 * 2**20
GENESIS = "0" * 64  # the previous seal of a chain's first link
SEP = "\x1f"


@dataclass(frozen=True)
class Sealed:
    """A sealed table: its sealed columns with their Arrow types, where a row's administration
    and journal come from (its own columns, or the invoice's), and the columns that name a row."""

    table: str
    columns: tuple[tuple[str, pa.DataType], ...]
    key: tuple[str, ...]
    journal_from_invoice: bool = False  # admin and journal are those of the row's invoice
    only_invoiced: bool = False  # billable_lines: the invoiced rows only
    journal_from_entry: bool = False  # admin and journal are those of the row's journal entry

    @property
    def carries_journal(self) -> bool:
        """The work side's stream carries the row's administration and journal in SEAL_ADMIN
        and SEAL_JOURNAL (the table itself has neither)."""
        return self.journal_from_invoice or self.journal_from_entry


def _cols(spec: str) -> tuple[tuple[str, pa.DataType], ...]:
    kinds = {"v": pa.string(), "i": pa.int32(), "I": pa.int64(), "d": pa.date32(),
             "b": pa.bool_(), "m": pa.decimal128(18, 2), "q": pa.decimal128(18, 4),
             "r": pa.decimal128(9, 4)}
    return tuple((name, kinds[kind]) for name, kind in
                 (item.split(":") for item in spec.split()))


SEALED: tuple[Sealed, ...] = (
    Sealed("invoices", _cols(
        "admin_id:v invoice_number:v sequence_number:I journal_code:v integration_type:v "
        "debtor_id:v invoice_date:d due_date:d is_credit:b is_collective:b collect_key:v "
        "sources:v currency:v payment_method:v total_excl_vat:m vat_amount:m total_incl_vat:m "
        "description:v coda_reference:v line_count:I"), key=("invoice_number",)),
    Sealed("invoice_vat", _cols(
        "invoice_number:v vat_code:v vat_rate:r gross:m invoice_discount:m net:m vat:m "
        "credit_restriction:m"), key=("invoice_number", "vat_code"), journal_from_invoice=True),
    Sealed("journal_entries", _cols(
        "admin_id:v journal_code:v entry_id:I line_no:i entry_date:d fiscal_year:i period:i "
        "account:v debtor_id:v invoice_number:v description:v debit:m credit:m vat_code:v "
        "source:v due_date:d"), key=("entry_id", "line_no")),
    Sealed("open_items", _cols(
        "admin_id:v debtor_id:v invoice_number:v invoice_date:d due_date:d amount:m "
        "amount_open:m payment_discount_pct:r payment_discount_date:d"),
        key=("invoice_number",), journal_from_invoice=True),
    Sealed("billable_lines", _cols(
        "source:v line_id:v row_number:I admin_id:v debtor_id:v line_date:d item_code:v "
        "article_group:v integration_group:v description:v quantity:q unit_price:q vat_code:v "
        "is_credit:b manual:b order_id:v receipt_id:v payment_method:v delivery_date:d "
        "project_id:v phase_id:v installment_id:v subscription_id:v course_id:v period_start:d "
        "period_end:d exclude_from_collective:b amount:m status:v status_reason:v "
        "is_collective:b collect_key:v invoice_number:v revenue_account:v"),
        key=("source", "line_id"), journal_from_invoice=True, only_invoiced=True),
    # SPEC §7: how far each subscription item is billed (a changed billed_through would bill a
    # period twice or never): sealed in the chain of the invoice that billed through it
    Sealed("subscription_state", _cols(
        "subscription_id:v item_code:v billed_through:d invoice_number:v"),
        key=("subscription_id", "item_code"), journal_from_invoice=True),
    # SPEC §9: the release plan of deferred revenue, sealed in the chain of its invoice (not the
    # entry_id a later run sets when it releases a row: verify checks it against the entries)
    Sealed("deferral_schedule", _cols(
        "admin_id:v invoice_number:v account:v deferral_account:v release_date:d amount:m "
        "allocation:v"), key=("invoice_number", "account", "release_date"),
        journal_from_invoice=True),
    # SPEC §9: the allocation codes of entry lines, sealed in the chain of their entry
    Sealed("entry_allocations", _cols("entry_id:I line_no:i axis:v code:v"),
           key=("entry_id", "line_no", "axis"), journal_from_entry=True),
    # stock (SPEC §9): the mutations booked (in the stock administration's stock journal's
    # chain; a changed one would be booked again, or never) and each one's share of the stock
    # entry lines (in the chain of the line's administration and journal)
    Sealed("stock_mutations", _cols(
        "mutation_id:v row_number:I kind:v stock_admin_id:v invoice_admin_id:v to_admin_id:v "
        "item_code:v article_group:v quantity:q cost_price:q transfer_price:q mutation_date:d "
        "cost_amount:m transfer_amount:m admin_id:v journal_code:v"), key=("mutation_id",)),
    Sealed("stock_entry_lines", _cols(
        "mutation_id:v admin_id:v journal_code:v entry_id:I line_no:i entry_date:d account:v "
        "role:v counter_admin_id:v debit:m credit:m"), key=("entry_id", "line_no", "mutation_id")),
)
BY_TABLE = {s.table: s for s in SEALED}
# the columns of a work-side stream that carry the administration and journal of a row's invoice
SEAL_ADMIN, SEAL_JOURNAL = "seal_admin_id", "seal_journal_code"


def _digest(*parts: str) -> str:
    return hashlib.sha256(SEP.join(parts).encode("utf-8")).hexdigest()


# --- hashing rows --------------------------------------------------------------------------------


class _ColumnHasher:
    """A column's three byte streams, each hashed on its own so that the bytes of a stream do not
    depend on where the rows were cut into batches: "is NULL" per row (packed eight rows a byte,
    the bits of rows not yet a whole byte kept until they are), the values, and (text) the length
    of each value."""

    __slots__ = ("nulls", "values", "lengths", "pending")

    def __init__(self) -> None:
        self.nulls, self.values, self.lengths = (hashlib.sha256() for _ in range(3))
        self.pending = _NO_BITS

    def feed_nulls(self, bits: np.ndarray) -> None:
        if len(self.pending):
            bits = np.concatenate((self.pending, bits))
        whole = len(bits) & ~7
        if whole:
            self.nulls.update(np.packbits(bits[:whole], bitorder="little"))
        self.pending = bits[whole:]

    def feed_valid(self, rows: int) -> None:
        """``rows`` rows none of which is NULL (a column without NULLs: no bits to gather)."""
        if len(self.pending) or rows & 7:
            self.feed_nulls(np.zeros(rows, dtype=np.uint8))
        else:
            self.nulls.update(bytes(rows >> 3))

    def hexdigest(self) -> str:
        if len(self.pending):  # (the chunk's last rows: a byte padded with zero bits)
            self.nulls.update(np.packbits(self.pending, bitorder="little"))
            self.pending = _NO_BITS
        return _digest(self.nulls.hexdigest(), self.lengths.hexdigest(), self.values.hexdigest())


_NO_BITS = np.zeros(0, dtype=np.uint8)


class _Column:
    """One column of a batch as its canonical byte streams (see the module's docstring), made
    once per batch, so that the rows of any chunk are hashed by slicing them."""

    __slots__ = ("nulls", "lengths", "offsets", "data", "values", "width", "text")

    def __init__(self, array: pa.Array, dtype: pa.DataType) -> None:
        wide = pa.types.is_string(dtype) and pa.types.is_large_string(array.type)
        if array.type != dtype and not wide:
            array = array.cast(dtype)
        rows = len(array)
        buffers = array.buffers()
        self.nulls = 1 - _bits(buffers[0], array.offset, rows, default=1) if array.null_count \
            else None  # 1 where NULL (None: no NULL)
        self.lengths = self.offsets = self.data = self.values = self.text = None
        self.width = 0
        if pa.types.is_string(dtype):
            if buffers[1] is None:
                self.lengths = np.zeros(rows, dtype=np.int32)
                return
            offsets = np.frombuffer(buffers[1], dtype=np.int64 if wide else np.int32,
                                    count=rows + 1, offset=array.offset * (8 if wide else 4))
            self.offsets, self.data = offsets, buffers[2]
            lengths = np.diff(offsets).astype(np.int32, copy=False)
            if array.null_count:
                self.lengths = np.where(self.nulls, 0, lengths).astype(np.int32)
                clean = not lengths[self.nulls.astype(bool)].any()
            else:
                self.lengths, clean = lengths, True
            # (rows gathered by take: only where no NULL leaves bytes behind, which take drops)
            self.text = array if clean else None
        elif pa.types.is_boolean(dtype):  # (NULL as false)
            self.values = _bits(buffers[1], array.offset, rows, default=0)
            if self.nulls is not None:
                self.values &= 1 - self.nulls
        else:
            decimal = pa.types.is_decimal(dtype)  # (at most 18 digits: its low 8 bytes are exact)
            self.width = 8 if decimal else dtype.bit_width // 8
            if buffers[1] is None or array.null_count == rows:
                return  # (every value NULL: zeros, made when hashed)
            if decimal:
                values = np.frombuffer(buffers[1], dtype=np.int64, count=rows * 2,
                                       offset=array.offset * 16)[::2].copy()
            else:  # (as little-endian integers of their width: one gather per row)
                values = np.frombuffer(buffers[1], dtype=f"<u{self.width}", count=rows,
                                       offset=array.offset * self.width)
            if array.null_count:  # the bytes under a NULL are whatever the writer left: zero them
                values = values.copy() if not decimal else values
                values[self.nulls.astype(bool)] = 0
            self.values = values

    def feed(self, hasher: _ColumnHasher, start: int, stop: int) -> None:
        """The bytes of rows [start, stop) into a chunk's column hasher."""
        if self.nulls is not None:
            hasher.feed_nulls(self.nulls[start:stop])
        else:
            hasher.feed_valid(stop - start)
        if self.lengths is not None:  # text
            lengths = self.lengths[start:stop]
            hasher.lengths.update(lengths)
            if self.data is not None and lengths.any():
                hasher.values.update(
                    memoryview(self.data)[int(self.offsets[start]):int(self.offsets[stop])])
        elif self.values is not None:
            hasher.values.update(self.values[start:stop])
        else:
            hasher.values.update(bytes((stop - start) * self.width))

    def feed_rows(self, hasher: _ColumnHasher, rows: np.ndarray, starts: list[int],
                  stops: list[int]) -> None:
        """The bytes of the rows at positions ``rows`` (ascending), which are the runs
        [starts[i], stops[i]) of consecutive rows, into a chunk's column hasher: the same bytes
        as those rows taken into a batch of their own and fed whole."""
        if self.nulls is not None:
            hasher.feed_nulls(self.nulls[rows])
        else:
            hasher.feed_valid(len(rows))
        if self.lengths is not None:  # text
            lengths = self.lengths[rows]
            hasher.lengths.update(lengths)
            if self.data is None or not lengths.any():
                return
            if self.text is not None and len(starts) * MIN_RUN_ROWS > len(rows):
                taken = self.text.take(pa.array(rows))  # (short runs: their bytes in one piece)
                _, offsets, data = taken.buffers()
                kind = np.int64 if pa.types.is_large_string(taken.type) else np.int32
                offsets = np.frombuffer(offsets, dtype=kind, count=len(taken) + 1,
                                        offset=taken.offset * np.dtype(kind).itemsize)
                first, last = int(offsets[0]), int(offsets[-1])
                hasher.values.update(memoryview(data)[first:last])
                return
            data, offsets = memoryview(self.data), self.offsets  # (long runs: run by run)
            for first, last in zip(offsets[starts].tolist(), offsets[stops].tolist(),
                                   strict=True):
                if last > first:
                    hasher.values.update(data[first:last])
        elif self.values is not None:
            hasher.values.update(np.ascontiguousarray(self.values[rows]))
        else:
            hasher.values.update(bytes(len(rows) * self.width))


def _bits(buffer: pa.Buffer | None, offset: int, rows: int, default: int) -> np.ndarray:
    """An Arrow bitmap (validity or boolean values) as one uint8 (0/1) per row; no bitmap: default."""
    if buffer is None:
        return np.full(rows, default, dtype=np.uint8)
    first, last = offset // 8, (offset + rows + 7) // 8  # (only the bytes of these rows)
    bits = np.unpackbits(np.frombuffer(buffer, dtype=np.uint8, count=last - first,
                                       offset=first), bitorder="little")
    return bits[offset - first * 8:offset - first * 8 + rows]


def _key_text(batch: pa.RecordBatch, key: tuple[str, ...], row: int) -> str:
    return "/".join(str(batch.column(name)[row].as_py()) for name in key)


class Rows:
    """Some rows of a batch, hashed where they lie (not copied into a batch of their own): their
    positions (ascending) and the batch's columns as byte streams, made once for every group of
    the batch."""

    __slots__ = ("batch", "positions", "columns")

    def __init__(self, batch: pa.RecordBatch, positions: np.ndarray, columns: list) -> None:
        self.batch, self.positions, self.columns = batch, positions, columns


def _runs(positions: np.ndarray) -> tuple[list[int], list[int]]:
    """Ascending positions as runs of consecutive rows: their starts and (exclusive) stops."""
    breaks = np.flatnonzero(np.diff(positions) != 1) + 1
    starts = positions[np.concatenate(([0], breaks))]
    stops = positions[np.concatenate((breaks - 1, [len(positions) - 1]))] + 1
    return starts.tolist(), stops.tolist()


@dataclass
class _Chunk:
    hashers: list
    rows: int = 0
    first: str = ""
    last: str = ""


@dataclass
class ChunkDigest:
    run_id: int
    admin_id: str
    journal_code: str
    table: str
    chunk: int
    rows: int
    first_row: str
    last_row: str
    digest: str
    column_digests: list[str]


@dataclass
class Hasher:
    """Hashes the rows of sealed tables into chunk digests per (run, administration, journal,
    table), rows fed in the order the books store them."""

    chunks: list[ChunkDigest] = field(default_factory=list)
    _open: dict[tuple, _Chunk] = field(default_factory=dict)
    _count: dict[tuple, int] = field(default_factory=dict)

    def feed(self, spec: Sealed, run_id: int, admin_id: str, journal_code: str,
             batch: pa.RecordBatch | Rows) -> None:
        """Rows of one (run, administration, journal) of a table, in storage order: a batch of
        their own, or (Rows) rows where they lie in a batch of several groups."""
        group = (run_id, admin_id, journal_code, spec.table)
        if isinstance(batch, Rows):
            positions, columns, batch = batch.positions, batch.columns, batch.batch
        else:
            positions = None
            columns = _columns(spec, batch)
        rows = batch.num_rows if positions is None else len(positions)
        start = 0
        while start < rows:
            chunk = self._open.get(group)
            if chunk is None:
                chunk = self._open[group] = _Chunk([_ColumnHasher() for _ in spec.columns])
                chunk.first = _key_text(batch, spec.key, start if positions is None
                                        else int(positions[start]))
            take = min(CHUNK_ROWS - chunk.rows, rows - start)
            if positions is None:
                for hasher, column in zip(chunk.hashers, columns, strict=True):
                    column.feed(hasher, start, start + take)
                last = start + take - 1
            else:
                part = positions[start:start + take]
                starts, stops = _runs(part)
                for hasher, column in zip(chunk.hashers, columns, strict=True):
                    column.feed_rows(hasher, part, starts, stops)
                last = int(part[-1])
            chunk.rows += take
            chunk.last = _key_text(batch, spec.key, last)
            start += take
            if chunk.rows == CHUNK_ROWS:
                self._close(group)

    def _close(self, group: tuple) -> None:
        chunk = self._open.pop(group)
        number = self._count.get(group, 0)
        self._count[group] = number + 1
        columns = [h.hexdigest() for h in chunk.hashers]
        run_id, admin_id, journal_code, table = group
        self.chunks.append(ChunkDigest(run_id, admin_id, journal_code, table, number, chunk.rows,
                                       chunk.first, chunk.last, _digest(*columns), columns))

    def finish(self) -> list[ChunkDigest]:
        """Every chunk, in the order of (run, administration, journal, table, chunk)."""
        for group in list(self._open):
            self._close(group)
        tables = [s.table for s in SEALED]
        self.chunks.sort(key=lambda c: (c.run_id, c.admin_id, c.journal_code,
                                        tables.index(c.table), c.chunk))
        return self.chunks


def split(spec: Sealed, batch: pa.RecordBatch, admin: str, journal: str,
          run: str | None = None) -> Iterator[tuple[tuple, pa.RecordBatch | Rows]]:
    """A batch's rows by (run, administration, journal), each group's rows in their order within
    the batch (only the invoiced rows of billable_lines): the batch itself when it is one group,
    else each group's rows where they lie (Rows: nothing copied before they are hashed)."""
    kept = None  # the rows to hash (None: every row)
    if spec.only_invoiced:
        status = batch.column("status")
        invoiced = pc.equal(status, pa.scalar("invoiced", status.type))
        if invoiced.null_count or not pc.all(invoiced).as_py():
            kept = np.flatnonzero(pc.fill_null(invoiced, False).to_numpy(zero_copy_only=False))
            if not len(kept):
                return
    if not batch.num_rows:
        return
    names = ([run] if run is not None else []) + [admin, journal]
    one = [_the_value(batch.column(name), kept) for name in names]
    if all(value is not None for value in one):  # (the usual batch: one group)
        yield tuple(one), (batch if kept is None else Rows(batch, kept, _columns(spec, batch)))
        return
    codes = np.zeros(batch.num_rows, dtype=np.int64)
    dictionaries = []
    for name in names:  # each group column dictionary-encoded: a group is a tuple of codes
        encoded = pc.dictionary_encode(batch.column(name), null_encoding="encode")
        indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        dictionary = ["" if v is None else str(v) for v in encoded.dictionary.to_pylist()]
        codes = codes * (len(dictionary) + 1) + indices
        dictionaries.append(dictionary)
    rows = np.arange(batch.num_rows) if kept is None else kept
    codes = codes[rows]
    columns = _columns(spec, batch)  # (made once, for every group of the batch)
    # the codes present: counted where their range is small (always, but for verify of many
    # runs and administrations in one batch), else found by unique
    present = np.flatnonzero(np.bincount(codes)) if codes.max() < 4 * len(codes) + 1024 \
        else np.unique(codes)
    if len(present) <= MANY_GROUPS:  # (a handful, as a run's batches have: no sort)
        for code in present.tolist():
            yield _group(code, dictionaries), Rows(batch, rows[codes == code], columns)
        return
    order = np.argsort(codes, kind="stable")  # (many: one sort, each group's rows in order)
    bounds = np.searchsorted(codes[order], present).tolist() + [len(order)]
    for code, (start, stop) in zip(present.tolist(), itertools.pairwise(bounds), strict=True):
        yield _group(code, dictionaries), Rows(batch, rows[order[start:stop]], columns)


def _columns(spec: Sealed, batch: pa.RecordBatch) -> list[_Column]:
    return [_Column(batch.column(name), dtype) for name, dtype in spec.columns]


def _group(code: int, dictionaries: list[list[str]]) -> tuple[str, ...]:
    """The group columns' values of a group code (see split)."""
    parts, rest = [], code
    for dictionary in reversed(dictionaries):
        rest, index = divmod(rest, len(dictionary) + 1)
        parts.append(dictionary[index])
    return tuple(reversed(parts))


def _the_value(column: pa.Array, kept: np.ndarray | None = None) -> str | None:
    """The value of a column that holds one value and no NULL (in the kept rows), as text; else
    None."""
    if kept is not None:
        column = column.take(pa.array(kept))
    if column.null_count:
        return None
    first = column[0]
    if not pc.all(pc.equal(column, first)).as_py():
        return None
    return str(first.as_py())


# --- sealing a run -------------------------------------------------------------------------------


# the hashing thread's niceness (Linux: a thread's own): DuckDB's insert threads go first, and the
# hashing takes the CPU they leave (persist keeps 1.6 of 2 cores busy); the queue of batches keeps
# it from falling behind. Measured at 1M, three triples: persist +1.40 s with the seal at the
# run's priority, +0.91 s at niceness 19; 10 (a tenth of a core's share against a thread of the
# run's priority) at 10M in benchmarks/README.md. Not 19: on a machine busy with other work, the
# hashing should not wait so long that the run waits for it
HASHING_NICENESS = 10


def _lower_priority() -> None:
    """Lower the calling thread's priority (on Linux, where a thread has its own) to at least
    HASHING_NICENESS (never above the priority it has)."""
    try:
        thread = threading.get_native_id()
        own = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, max(own, HASHING_NICENESS))
    except (AttributeError, OSError):  # (no per-thread priority here: hashing as it was)
        pass


class RunSealer:
    """Hashes the rows of a run as persist streams them into the books (in a worker thread, so
    that hashing overlaps DuckDB's insert), then writes the run's chunks and links."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.hasher = Hasher()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seal",
                                        initializer=_lower_priority)
        self._pending: deque[tuple[Future, int]] = deque()  # (batches not yet hashed, bytes)
        self._queued = 0  # (their bytes)
        # what sealing cost: CPU seconds of the hashing thread, wall seconds of writing the seal
        self.hash_seconds = 0.0
        self.wait_seconds = 0.0  # (the books' stream waiting for the hashing thread to catch up)
        self.close_seconds = 0.0

    def stream(self, table: str, reader: pa.RecordBatchReader) -> pa.RecordBatchReader:
        """The same stream, each batch also hashed (tables that are not sealed pass as they are)."""
        spec = BY_TABLE.get(table)
        if spec is None:
            return reader
        admin, journal = ((SEAL_ADMIN, SEAL_JOURNAL) if spec.carries_journal
                          else ("admin_id", "journal_code"))

        def batches() -> Iterator[pa.RecordBatch]:
            for batch in reader:
                size = batch.nbytes
                waited = time.perf_counter()
                while self._pending and (self._pending[0][0].done()
                                         or len(self._pending) >= QUEUED_BATCHES
                                         or self._queued + size > QUEUED_BYTES):
                    future, hashed = self._pending.popleft()  # (the oldest: hashed, or waited for)
                    future.result()  # (a failure in the hashing thread is raised here)
                    self._queued -= hashed
                self.wait_seconds += time.perf_counter() - waited
                self._pending.append((self._pool.submit(self._hash, spec, batch, admin, journal),
                                      size))
                self._queued += size
                yield batch

        return pa.RecordBatchReader.from_batches(reader.schema, batches())

    def _hash(self, spec: Sealed, batch: pa.RecordBatch, admin: str, journal: str) -> None:
        started = time.thread_time()
        for (admin_id, journal_code), rows in split(spec, batch, admin, journal):
            self.hasher.feed(spec, self.run_id, admin_id, journal_code, rows)
        self.hash_seconds += time.thread_time() - started

    def close(self, books: duckdb.DuckDBPyConnection) -> str:
        """Write the run's chunks and links into the books; the run's seal."""
        started = time.perf_counter()
        for future, _ in self._pending:
            future.result()  # (in order: the hasher sees the batches as the books stored them)
        self._pool.shutdown()
        books_seal = _seal(books, self.run_id, self.hasher.finish())
        self.close_seconds = time.perf_counter() - started
        return books_seal


def seal_stored_run(books: duckdb.DuckDBPyConnection, run_id: int) -> str:
    """Seal a run whose rows are in the books already, hashed as ``verify`` reads them back (in
    the order the books store them): the merge of a distributed run, which puts together rows
    that the administrations' tasks wrote (and sealed) in books of their own, with the entry ids
    and run id of the merged run. Writes the run's chunks and links; returns the run's seal."""
    return _seal(books, run_id, [c for c in recompute(books) if c.run_id == run_id])


def _seal(books: duckdb.DuckDBPyConnection, run_id: int, chunks: list[ChunkDigest]) -> str:
    """Write a run's chunks and its links (each on the newest link of its administration and
    journal); the books' seal after the run."""
    _write_chunks(books, chunks)
    previous = dict(books.execute(
        "SELECT admin_id || $sep || journal_code, seal FROM seals "
        "QUALIFY row_number() OVER (PARTITION BY admin_id, journal_code "
        "ORDER BY run_id DESC) = 1", {"sep": SEP}).fetchall())
    links = link_rows(run_id, chunks, previous)
    if links:
        books.executemany("INSERT INTO seals VALUES (?, ?, ?, ?, ?, ?, ?, ?)", links)
    heads = {**previous, **{f"{a}{SEP}{j}": seal for _, a, j, _, _, seal, _, _ in links}}
    return run_seal(run_id, heads)


def _write_chunks(books: duckdb.DuckDBPyConnection, chunks: list[ChunkDigest]) -> None:
    if not chunks:
        return
    table = pa.table({
        "run_id": [c.run_id for c in chunks], "admin_id": [c.admin_id for c in chunks],
        "journal_code": [c.journal_code for c in chunks], "table": [c.table for c in chunks],
        "chunk": [c.chunk for c in chunks], "rows": [c.rows for c in chunks],
        "first_row": [c.first_row for c in chunks], "last_row": [c.last_row for c in chunks],
        "digest": [c.digest for c in chunks],
        "column_digests": [c.column_digests for c in chunks],
    })
    books.register("sealed_chunks", table)
    try:
        books.execute("INSERT INTO seal_chunks BY NAME SELECT * FROM sealed_chunks")
    finally:
        books.unregister("sealed_chunks")


def content_digest(chunks: list[ChunkDigest]) -> str:
    ordered = sorted(chunks, key=lambda c: ([s.table for s in SEALED].index(c.table), c.chunk))
    return _digest(*(f"{c.table}:{c.chunk}:{c.rows}:{c.digest}" for c in ordered))


def link_rows(run_id: int, chunks: list[ChunkDigest], previous: dict[str, str]) -> list[tuple]:
    """The run's links, one per (administration, journal) it wrote rows in."""
    groups: dict[tuple[str, str], list[ChunkDigest]] = {}
    for chunk in chunks:
        groups.setdefault((chunk.admin_id, chunk.journal_code), []).append(chunk)
    links = []
    for (admin_id, journal_code), members in sorted(groups.items()):
        before = previous.get(f"{admin_id}{SEP}{journal_code}", GENESIS)
        content = content_digest(members)
        seal = _digest(before, str(run_id), admin_id, journal_code, content)
        links.append((run_id, admin_id, journal_code, before, content, seal,
                      sum(c.rows for c in members), FORMAT))
    return links


def run_seal(run_id: int, heads: dict[str, str]) -> str:
    """The books' seal after a run: over the newest link of every administration and journal."""
    return _digest(f"run {run_id}", *(f"{key}={heads[key]}" for key in sorted(heads)))


# --- verifying the books -------------------------------------------------------------------------


@dataclass
class SealAudit:
    findings: list[str] = field(default_factory=list)
    run_seals: dict[int, str] = field(default_factory=dict)  # recomputed from the rows
    unsealed_runs: list[int] = field(default_factory=list)  # written before the books were sealed


def _stored_rows(con: duckdb.DuckDBPyConnection, spec: Sealed) -> pa.RecordBatchReader:
    """A sealed table's rows in the order the books store them, with their run, administration
    and journal."""
    columns = ", ".join(f't."{name}"' for name, _ in spec.columns)
    if spec.journal_from_invoice:
        sql = (f"SELECT t.run_id, i.admin_id AS {SEAL_ADMIN}, i.journal_code AS {SEAL_JOURNAL}, "
               f"{columns} FROM {spec.table} AS t LEFT JOIN invoices AS i "
               "ON i.invoice_number = t.invoice_number ORDER BY t.rowid")
    elif spec.journal_from_entry:
        sql = (f"SELECT t.run_id, e.admin_id AS {SEAL_ADMIN}, e.journal_code AS {SEAL_JOURNAL}, "
               f"{columns} FROM {spec.table} AS t LEFT JOIN (SELECT entry_id, "
               "any_value(admin_id) AS admin_id, any_value(journal_code) AS journal_code "
               "FROM journal_entries GROUP BY entry_id) AS e ON e.entry_id = t.entry_id "
               "ORDER BY t.rowid")
    else:
        sql = f"SELECT t.run_id, {columns} FROM {spec.table} AS t"
    return con.sql(sql).to_arrow_reader(122_880)


def recompute(con: duckdb.DuckDBPyConnection) -> list[ChunkDigest]:
    """Every sealed row's chunk digests, computed again from the rows as the books hold them."""
    con.execute("SET preserve_insertion_order = true")  # (rows in the order they are stored)
    hasher = Hasher()
    for spec in SEALED:
        admin, journal = ((SEAL_ADMIN, SEAL_JOURNAL) if spec.carries_journal
                          else ("admin_id", "journal_code"))
        if not con.execute(f'SELECT EXISTS (FROM "{spec.table}")').fetchall()[0][0]:
            continue  # (no rows to hash: also books of a version whose table lacked a column)
        for batch in _stored_rows(con, spec):
            for (run, admin_id, journal_code), rows in split(spec, batch, admin, journal, "run_id"):
                hasher.feed(spec, int(run) if run else -1, admin_id, journal_code, rows)
    return hasher.finish()


def _stored_chunks(con: duckdb.DuckDBPyConnection) -> dict[tuple, tuple]:
    return {(r, a, j, t, c): (n, first, last, digest, list(columns))
            for r, a, j, t, c, n, first, last, digest, columns in con.execute(
                'SELECT run_id, admin_id, journal_code, "table", chunk, rows, first_row, last_row, '
                "digest, column_digests FROM seal_chunks").fetchall()}


def audit(con: duckdb.DuckDBPyConnection, expected_seal: str | None = None) -> SealAudit:
    """Recompute every chunk, link and run seal from the rows and compare them with what the
    books recorded; name the first rows that no longer match in each administration, journal and
    table, and the first link that breaks each chain."""
    result = SealAudit()
    if not _has_seals(con):  # books of a version before sealing: nothing to check
        result.unsealed_runs = [r for (r,) in con.execute("SELECT run_id FROM runs").fetchall()]
        if expected_seal is not None:
            result.findings.append(f"the seal {expected_seal} cannot be checked: these books "
                                   "were written before journalize sealed its books")
        return result
    runs = con.execute("SELECT run_id, seal FROM runs ORDER BY run_id").fetchall()
    for run_id, sealed_in in con.execute(
            "SELECT run_id, min(format) FROM seals WHERE format IS DISTINCT FROM $format "
            "GROUP BY run_id ORDER BY run_id", {"format": FORMAT}).fetchall():
        result.findings.append(
            f"run {run_id} was sealed in format {sealed_in}, which this version does not "
            f"recompute (it seals in format {FORMAT}): its rows cannot be checked against it")
    sealed_runs = [r for r, s in runs if s is not None]
    first_sealed = min(sealed_runs) if sealed_runs else None
    result.unsealed_runs = [r for r, s in runs if s is None and
                            (first_sealed is None or r < first_sealed)]
    for run_id, seal in runs:
        if seal is None and first_sealed is not None and run_id > first_sealed:
            result.findings.append(f"run {run_id} has no seal, while run {first_sealed} before it "
                                   "was sealed: its seal was removed")
    try:
        chunks = [c for c in recompute(con) if c.run_id not in result.unsealed_runs]
    except (duckdb.CatalogException, duckdb.BinderException) as error:
        reason = str(error).strip().splitlines()[0]
        result.findings.append(f"the sealed rows cannot be read as they were sealed ({reason}): "
                               "a sealed table or column was removed")
        return result
    stored = _stored_chunks(con)
    _compare_chunks(result, chunks, stored)
    _compare_links(result, con, chunks, runs)
    if expected_seal is not None and expected_seal not in result.run_seals.values():
        result.findings.append(
            f"the seal {expected_seal} is not the seal of any run of these books as they are now: "
            "they are not the books that seal was given for, or they were changed since")
    return result


def _has_seals(con: duckdb.DuckDBPyConnection) -> bool:
    present = {(t, c) for t, c in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_catalog = current_database()").fetchall()}
    return {("runs", "seal"), ("seals", "seal"), ("seal_chunks", "digest")} <= present


def _describe(chunk_key: tuple) -> str:
    run_id, admin_id, journal_code, table, _ = chunk_key
    where = f"{admin_id}/{journal_code}" if admin_id or journal_code else "no invoice"
    return f"{table} of {where}, run {run_id}"


def _compare_chunks(result: SealAudit, chunks: list[ChunkDigest], stored: dict) -> None:
    now = {(c.run_id, c.admin_id, c.journal_code, c.table, c.chunk): c for c in chunks}
    reported: set[tuple] = set()
    for key in sorted(set(now) | set(stored), key=lambda k: (k[0], k[1], k[2], k[3], k[4])):
        group = key[:4]
        if group in reported:
            continue  # the first rows that break a group's seal are named; the rest follow
        chunk, sealed = now.get(key), stored.get(key)
        if chunk is not None and sealed is not None and chunk.digest == sealed[3] \
                and chunk.rows == sealed[0]:
            continue
        reported.add(group)
        if sealed is None:
            result.findings.append(
                f"{_describe(key)}: rows {chunk.first_row} … {chunk.last_row} ({chunk.rows} rows) "
                "are covered by no seal: added after the run, or moved from elsewhere")
        elif chunk is None:
            result.findings.append(
                f"{_describe(key)}: the sealed rows {sealed[1]} … {sealed[2]} ({sealed[0]} rows) "
                "are gone")
        else:
            names = [name for (name, _), now_digest, then in
                     zip(BY_TABLE[key[3]].columns, chunk.column_digests, sealed[4], strict=True)
                     if now_digest != then]
            what = (f"{chunk.rows} rows now, {sealed[0]} sealed" if chunk.rows != sealed[0]
                    else f"column(s) {', '.join(names)} changed")
            result.findings.append(
                f"{_describe(key)}: the rows stored from {sealed[1]} to {sealed[2]} "
                f"({sealed[0]} rows, chunk {key[4]}) no longer match their seal ({what})")


def _compare_links(result: SealAudit, con: duckdb.DuckDBPyConnection,
                   chunks: list[ChunkDigest], runs: list[tuple]) -> None:
    stored = {(r, a, j): (before, content, seal) for r, a, j, before, content, seal in
              con.execute("SELECT run_id, admin_id, journal_code, previous_seal, content, seal "
                          "FROM seals").fetchall()}
    by_run: dict[int, list[ChunkDigest]] = {}
    for chunk in chunks:
        by_run.setdefault(chunk.run_id, []).append(chunk)
    heads: dict[str, str] = {}
    broken: set[tuple[str, str]] = set()
    stored_runs = dict(runs)
    for run_id, _ in runs:
        if run_id in result.unsealed_runs:
            continue
        recomputed = link_rows(run_id, by_run.get(run_id, []), heads)
        for _, admin_id, journal_code, _before, _content, seal, _, _ in recomputed:
            link = stored.pop((run_id, admin_id, journal_code), None)
            if (admin_id, journal_code) not in broken and (link is None or link[2] != seal):
                broken.add((admin_id, journal_code))
                result.findings.append(
                    f"the chain of {admin_id}/{journal_code} breaks at run {run_id}: "
                    + ("the run's rows there have no link" if link is None else
                       "its link does not match the rows (or an earlier link was changed)"))
            heads[f"{admin_id}{SEP}{journal_code}"] = seal
        result.run_seals[run_id] = run_seal(run_id, heads)
        if stored_runs.get(run_id) is not None and stored_runs[run_id] != result.run_seals[run_id]:
            result.findings.append(f"run {run_id}: its recorded seal is not the seal of the books "
                                   "it left (rows, links or later runs changed)")
    for run_id, admin_id, journal_code in sorted(stored):
        if (admin_id, journal_code) not in broken:
            result.findings.append(f"the chain of {admin_id}/{journal_code} has a link at run "
                                   f"{run_id} whose rows are gone")
