"""Property tests (hypothesis) over small generated datasets of order and counter lines.

Each example writes a dataset into a fresh temporary folder, runs the month-end pipeline and
checks invariants that SPEC §5, §8, §9 and §11 promise for *every* input:

(a) every journal entry balances to the cent, and no debit or credit is negative;
(b) invoice numbers are unique across the database, also after a second month's run with numbers
    listed in master/issued_invoice_numbers (and they are the first free numbers of each series);
(c) lines in = invoiced + open + rejected + excluded, in billable_lines and in the runs counters;
(d) every invoiced line is on exactly one invoice;
(e) per invoice, total_incl_vat = total_excl_vat + vat_amount = debit − credit of the debtor line;
(f) re-running the same input into the same database creates no new invoices.

Besides these invariants, the tests carry a small model of the spec written from its text alone
(which status a line gets, which lines form one invoice, the amounts and entry lines of §9 with
Decimal and half-up rounding, the cash settlement and open item, the next free invoice numbers
of §5), so the output is also compared with hand-derived expectations, not only with itself.

The examples are derandomized (the same ones on every run) and no example database is written.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
from builders import base_master, counter_line, order_line, run, write_dataset
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

REFERENCE_OCT = dt.date(2026, 10, 31)
REFERENCE_NOV = dt.date(2026, 11, 30)
DEBTORS = ("10001", "10002", "10003")
VAT_RATES = {"H": Decimal("0.21"), "L": Decimal("0.09"), "0": Decimal("0")}
CENT = Decimal("0.01")
HALF_CENT_PRICES = ("0.0050", "-0.0050", "2.6750", "12.3450", "-7.1250", "0.1150", "1000.0050")
SERIES = {"VK": ("", 1000), "VKC": ("C", 0)}  # journal: (prefix, last_invoice_number of master)

SETTINGS = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same examples on every run: a suite result does not flip by chance
    database=None,  # write no .hypothesis folder into the project
    # No shrinking: every step of it is a pipeline run (≈0.5 s), so a failure would take minutes
    # to shrink. The failing dataset is printed whole; it is at most 25 lines.
    phases=(Phase.explicit, Phase.generate),
)


# --- the generated dataset ---------------------------------------------------------------------


ALL_SOURCES = ("order_lines", "counter_lines")


@dataclass
class Dataset:
    master: dict[str, list[dict]]
    order_lines: list[dict] = field(default_factory=list)
    counter_lines: list[dict] = field(default_factory=list)
    sources: tuple[str, ...] = ALL_SOURCES  # the run's sources; lines of the others stay open

    def write(self, folder: Path) -> Path:
        return write_dataset(
            folder, self.master, order_lines=self.order_lines, counter_lines=self.counter_lines
        )

    def run(self, folder: Path, db: Path, period: str):
        return run(folder, db, period, sources=list(self.sources))

    def lines(self):
        yield from (("order_lines", row) for row in self.order_lines)
        yield from (("counter_lines", row) for row in self.counter_lines)


def _fmt(value: Decimal) -> str:
    return format(value, "f")


def _decimals(low: str, high: str, places: int = 4):
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places,
                       allow_nan=False, allow_infinity=False)


def _sometimes(draw, one_in: int) -> bool:
    return draw(st.integers(1, one_in)) == one_in


@st.composite
def masters(draw) -> dict[str, list[dict]]:
    """The base NL master with the integration-type flags on (payment discount on order invoices
    only), debtors with random invoice discount / credit restriction / payment discount
    percentages (or none), payment terms and perhaps their own receivables account, perhaps a
    blocked debtor, perhaps no cash_sale integration type."""
    master = base_master()
    for row in master["integration_types"]:
        if row["integration_type"] in ("sales_invoice", "counter_invoice"):
            row.update(use_invoice_discount="true", invoice_discount_account="8900",
                       use_credit_restriction="true", credit_restriction_account="8910")
        if row["integration_type"] == "sales_invoice":
            row.update(use_payment_discount="true", payment_discount_days="8")
    for row in master["debtors"]:
        pct = st.one_of(st.just(None), st.sampled_from(("2.5", "10", "3.3333")).map(Decimal),
                        _decimals("0.0001", "25"))
        discount, restriction, payment = draw(pct), draw(pct), draw(pct)
        row["invoice_discount_pct"] = "" if discount is None else _fmt(discount)
        row["credit_restriction_pct"] = "" if restriction is None else _fmt(restriction)
        row["payment_discount_pct"] = "" if payment is None else _fmt(payment)
        row["payment_term_days"] = draw(st.sampled_from(("30", "14", "0", "60")))
        if _sometimes(draw, 3):
            row["receivables_account"] = "1310"
        row["blocked"] = "true" if _sometimes(draw, 8) else "false"
    if _sometimes(draw, 5):
        master["integration_types"] = [
            r for r in master["integration_types"] if r["integration_type"] != "cash_sale"
        ]
    return master


@st.composite
def line_rows(draw, prefix: str, reference: dt.date, consistent_receipts: bool = True):
    """1–25 order and counter lines, numbered per table (so order line A1 and counter line A1 are
    two lines: a line is known by (source, line_id)). An order id may be shared by debtors (it
    then makes one invoice per debtor). With consistent_receipts a receipt belongs to one debtor
    and is paid one way, as at a till; without, each counter line draws its own debtor and payment
    method (SPEC §8 does not say how such a receipt is split, so only the invariants are checked
    then). About one line in four has an amount ending in half a cent, one in twelve of the
    others a negative quantity (a bad row unless is_credit), one in six is dated after the
    reference date."""
    receipts = {
        f"{prefix}R{i}": (draw(st.sampled_from(DEBTORS)),
                          draw(st.sampled_from(("on_account", "cash", "pin", "chip"))))
        for i in range(1, 4)
    }
    orders, counters = [], []
    for _ in range(draw(st.integers(1, 25))):
        if _sometimes(draw, 4):
            # an amount that ends in half a cent (rounding half-up)
            quantity = draw(st.sampled_from(("1", "3", "7")))
            unit_price = draw(st.sampled_from(HALF_CENT_PRICES))
        else:
            quantity = _fmt(draw(_decimals("-3", "0") if _sometimes(draw, 12)
                                 else _decimals("0", "40")))
            unit_price = _fmt(draw(_decimals("-500", "2500")))
        common = dict(
            quantity=quantity,
            unit_price=unit_price,
            vat_code=draw(st.sampled_from(tuple(VAT_RATES))),
            is_credit=draw(st.sampled_from(("false", "false", "true"))),
            manual=draw(st.sampled_from(("false", "true"))),
            article_group=draw(st.sampled_from(("GOODS", "SERV"))),
            line_date=draw(
                st.dates(reference + dt.timedelta(days=1), reference + dt.timedelta(days=15))
                if _sometimes(draw, 6)
                else st.dates(reference - dt.timedelta(days=40), reference)
            ).isoformat(),
        )
        if _sometimes(draw, 5):
            common["integration_group"] = "WEB"
        if draw(st.booleans()):
            order_id = draw(st.sampled_from([f"{prefix}ORD{k}" for k in range(1, 5)]))
            orders.append(order_line(f"{prefix}{len(orders) + 1}", order_id,
                                     debtor_id=draw(st.sampled_from(DEBTORS)), **common))
        else:
            receipt = draw(st.sampled_from(sorted(receipts)))
            debtor_id, method = receipts[receipt]
            if not consistent_receipts:
                debtor_id = draw(st.sampled_from(DEBTORS))
                method = draw(st.sampled_from(("on_account", "cash", "pin", "chip")))
            counters.append(counter_line(f"{prefix}{len(counters) + 1}", receipt,
                                         debtor_id=debtor_id, payment_method=method, **common))
    return orders, counters


@st.composite
def datasets(draw, prefix: str = "A", consistent_receipts: bool = True):
    master = draw(masters())
    orders, counters = draw(line_rows(prefix, REFERENCE_OCT, consistent_receipts))
    sources = (draw(st.sampled_from(ALL_SOURCES)),) if _sometimes(draw, 5) else ALL_SOURCES
    return Dataset(master, orders, counters, sources)


def issued_numbers(min_size: int = 0):
    """Numbers used elsewhere (master/issued_invoice_numbers), in the ranges the runs reach."""
    return st.frozensets(
        st.one_of(st.integers(1001, 1025).map(str), st.integers(1, 10).map(lambda n: f"C{n}")),
        min_size=min_size, max_size=10,
    )


# --- a model of the spec, from its text ----------------------------------------------------------


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(row: dict) -> Decimal:
    """§9: quantity × unit_price rounded half-up to cents; a credit line has a negative amount."""
    amount = half_up(Decimal(row["quantity"]) * Decimal(row["unit_price"]))
    return -abs(amount) if row["is_credit"] == "true" else amount


def expected_status(source: str, row: dict, data: Dataset, reference: dt.date) -> str:
    """§2/§8/§9/§11: a negative quantity on a line not marked is_credit is a bad row (rejected);
    lines of a source the run leaves out, lines after the reference date, of a
    blocked debtor, or paid cash/pin/chip in an administration without cash_sale stay open; the
    rest is invoiced."""
    master = data.master
    if Decimal(row["quantity"]) < 0 and row["is_credit"] != "true":
        return "rejected"
    if source not in data.sources:
        return "open"  # --sources keeps the other modules' lines open
    if dt.date.fromisoformat(row["line_date"]) > reference:
        return "open"
    debtor = next(d for d in master["debtors"] if d["debtor_id"] == row["debtor_id"])
    if debtor["blocked"] == "true":
        return "open"
    has_cash_sale = any(t["integration_type"] == "cash_sale" for t in master["integration_types"])
    if source == "counter_lines" and row["payment_method"] != "on_account" and not has_cash_sale:
        return "open"
    return "invoiced"


def invoice_key(source: str, row: dict) -> tuple:
    """§8 without collecting: one order invoice per (administration, debtor, order_id), one
    counter invoice per receipt_id."""
    if source == "order_lines":
        return (source, row["admin_id"], row["debtor_id"], row["order_id"])
    return (source, row["receipt_id"])


REVENUE_ACCOUNTS = {  # (integration group or article group) → (revenue, credit) account
    "WEB": ("8200", "8201"), "GOODS": ("8000", "8001"), "SERV": ("8100", "8101"),
}
VAT_ACCOUNTS = {"H": "1500", "L": "1510", "0": "1520"}


def revenue_account(row: dict) -> str:
    """§4: the integration group's account if given, else the article group's; the credit
    account for a credit line."""
    revenue, credit = REVENUE_ACCOUNTS[row.get("integration_group") or row["article_group"]]
    return credit if row["is_credit"] == "true" else revenue


@dataclass
class ModelInvoice:
    debtor_id: str
    excl: Decimal
    vat: Decimal
    incl: Decimal
    entry: Counter  # (account, vat_code, debit − credit) of the invoice entry, without zero lines
    settled: bool  # counter sale paid cash, pin or chip
    receivables: str  # the debtor's receivables account, else the administration's
    source: str
    term_days: int
    payment_discount_pct: Decimal | None  # on order invoices (the only type that uses it)


def model_invoice(members: list[tuple[str, dict]], debtor: dict) -> ModelInvoice:
    """§9 per invoice and VAT code (the integration types use discount and credit restriction)."""
    receivables = debtor.get("receivables_account") or "1300"
    rows = [r for _, r in members]
    discount_pct = Decimal(debtor["invoice_discount_pct"] or "0")
    restriction_pct = Decimal(debtor["credit_restriction_pct"] or "0")
    gross: dict[str, Decimal] = defaultdict(Decimal)
    revenue: dict[tuple, Decimal] = defaultdict(Decimal)
    for row in rows:
        gross[row["vat_code"]] += line_amount(row)
        revenue[(revenue_account(row), row["vat_code"])] += line_amount(row)
    excl = vat = restriction = Decimal("0")
    entry = Counter()
    for code, amount in gross.items():
        discount = half_up(amount * discount_pct / 100)
        net = amount - discount
        code_vat = half_up(net * VAT_RATES[code])
        vat += code_vat
        restriction += half_up(net * restriction_pct / 100)
        excl += net
        entry[(VAT_ACCOUNTS[code], code, -code_vat)] += 1  # VAT: credit per code
        entry[("8900", code, discount)] += 1  # invoice discount: debit per code
    excl += restriction
    entry[("8910", None, -restriction)] += 1  # credit restriction: a credit
    for (account, code), amount in revenue.items():
        entry[(account, code, -amount)] += 1  # revenue: credit per (account, VAT code)
    entry = Counter({line: n for line, n in entry.items() if line[2] != 0})
    entry[(receivables, None, excl + vat)] += 1  # debtor: debit total_incl_vat, always written
    source, first = members[0]
    settled = source == "counter_lines" and first["payment_method"] != "on_account"
    payment_pct = debtor["payment_discount_pct"] or None
    return ModelInvoice(
        first["debtor_id"], excl, vat, excl + vat, entry, settled, receivables, source,
        int(debtor["payment_term_days"]),
        Decimal(payment_pct) if source == "order_lines" and payment_pct else None,
    )


def model_invoices(data: Dataset, reference: dt.date) -> dict[frozenset, ModelInvoice]:
    """{frozenset of (source, line_id) of one invoice: what §8 and §9 make of it}."""
    groups: dict[tuple, list[tuple[str, dict]]] = defaultdict(list)
    for source, row in data.lines():
        if expected_status(source, row, data, reference) == "invoiced":
            groups[invoice_key(source, row)].append((source, row))
    debtors = {d["debtor_id"]: d for d in data.master["debtors"]}
    return {
        frozenset((s, r["line_id"]) for s, r in members):
            model_invoice(members, debtors[members[0][1]["debtor_id"]])
        for members in groups.values()
    }


Query = Callable[..., list[tuple]]


@contextmanager
def reading(db: Path) -> Iterator[Query]:
    """One read-only connection for all checks after a run (closed before the next run)."""
    with duckdb.connect(str(db), read_only=True) as con:
        yield lambda sql, params=None: con.execute(sql, params or {}).fetchall()


def _row(value) -> tuple:
    """A DuckDB row constructor comes back as a tuple or (older versions) a dict."""
    return tuple(value.values()) if isinstance(value, dict) else tuple(value)


# --- the checks (each returns nothing and asserts one property over the whole database) ------


def check_books(q: Query) -> None:
    """The invariants any database must keep: (a) balanced entries, (b) unique numbers,
    (d) each line on one invoice, (e) invoice totals equal the debtor line."""
    check_entries_balance(q)
    check_invoice_numbers_unique(q)
    check_lines_on_one_invoice(q)
    check_invoice_totals(q)


def check_entries_balance(q: Query) -> None:
    """(a) per entry_id Σ debit = Σ credit, to the cent; no negative debit or credit; a zero VAT
    amount writes no line (§9)."""
    unbalanced = q("""
        SELECT entry_id, sum(debit), sum(credit) FROM journal_entries
        GROUP BY entry_id HAVING sum(debit) <> sum(credit)""")
    assert unbalanced == [], f"unbalanced entries (entry_id, debit, credit): {unbalanced}"
    negative = q("""
        SELECT entry_id, line_no, account, debit, credit FROM journal_entries
        WHERE debit < 0 OR credit < 0 OR debit IS NULL OR credit IS NULL""")
    assert negative == [], f"negative or missing debit/credit: {negative}"
    cents = q("""
        SELECT entry_id, line_no, debit, credit FROM journal_entries
        WHERE debit <> round(debit, 2) OR credit <> round(credit, 2)""")
    assert cents == [], cents
    zero_vat = q("""
        SELECT entry_id, line_no, account FROM journal_entries
        WHERE account IN ('1500', '1510', '1520') AND debit = 0 AND credit = 0""")
    assert zero_vat == [], f"VAT lines of zero: {zero_vat}"


def check_invoice_numbers_unique(q: Query) -> None:
    """(b) an invoice number occurs once in the database (invoices, open items); each journal's
    persisted counter is the highest number it issued (§5: counters continue across runs)."""
    duplicates = q("""
        SELECT invoice_number, count(*) FROM invoices GROUP BY 1 HAVING count(*) > 1""")
    assert duplicates == [], f"invoice numbers issued more than once: {duplicates}"
    duplicates = q("""
        SELECT invoice_number, count(*) FROM open_items GROUP BY 1 HAVING count(*) > 1""")
    assert duplicates == [], f"open items made more than once: {duplicates}"
    issued = defaultdict(list)
    for journal, number in q("SELECT journal_code, invoice_number FROM invoices"):
        issued[journal].append(int(number.removeprefix(SERIES[journal][0])))
    counters = dict(q("SELECT journal_code, last_invoice_number FROM journal_counters"))
    assert counters == {journal: max(numbers) for journal, numbers in issued.items()}


def check_lines_accounted_for(q: Query, data: Dataset, reference: dt.date, run_id: int) -> None:
    """(c) lines in = invoiced + open + rejected + excluded, in billable_lines (one row per input
    row, with the status the spec gives it) and in the run's counters."""
    expected = Counter(
        (source, row["line_id"], expected_status(source, row, data, reference))
        for source, row in data.lines()
    )
    actual = Counter(q("SELECT source, line_id, status FROM billable_lines"))
    assert actual == expected
    assert sum(actual.values()) == len(data.order_lines) + len(data.counter_lines)
    ((read, invoiced, open_, rejected, excluded),) = q("""
        SELECT lines_read, lines_invoiced, lines_open, lines_rejected, lines_excluded
        FROM runs WHERE run_id = $r""", {"r": run_id})
    by_status = Counter(status for _, _, status in expected.elements())
    assert read == len(data.order_lines) + len(data.counter_lines)
    assert read == invoiced + open_ + rejected + excluded
    assert (invoiced, open_, rejected, excluded) == (
        by_status["invoiced"], by_status["open"], by_status["rejected"], by_status["excluded"])


def check_lines_on_one_invoice(q: Query) -> None:
    """(d) invoice_lines has every (source, line_id) once; they are exactly the invoiced lines of
    billable_lines, and billable_lines.invoice_number names that same, existing invoice."""
    twice = q("""
        SELECT source, line_id, count(*) FROM invoice_lines GROUP BY 1, 2 HAVING count(*) > 1""")
    assert twice == [], f"lines on more than one invoice: {twice}"
    mismatched = q("""
        SELECT b.source, b.line_id, b.status, b.invoice_number, l.invoice_number
        FROM billable_lines AS b
        FULL JOIN invoice_lines AS l USING (source, line_id)
        WHERE (b.status = 'invoiced') IS DISTINCT FROM (l.invoice_number IS NOT NULL)
           OR (b.status = 'invoiced' AND b.invoice_number IS DISTINCT FROM l.invoice_number)
           OR (b.status <> 'invoiced' AND b.invoice_number IS NOT NULL)""")
    assert mismatched == [], f"billable_lines and invoice_lines disagree: {mismatched}"
    orphans = q("""
        SELECT DISTINCT l.invoice_number FROM invoice_lines AS l
        WHERE NOT EXISTS (SELECT 1 FROM invoices AS i WHERE i.invoice_number = l.invoice_number)""")
    assert orphans == []
    empty = q("""
        SELECT invoice_number FROM invoices AS i
        WHERE NOT EXISTS (
            SELECT 1 FROM invoice_lines AS l WHERE l.invoice_number = i.invoice_number)""")
    assert empty == [], f"invoices without lines: {empty}"


def check_invoice_totals(q: Query) -> None:
    """(e) per invoice: total_incl_vat = total_excl_vat + vat_amount = the debit minus the credit
    of the one debtor line of its entry (a receivables account, the invoice's debtor), and
    is_credit exactly when total_incl_vat < 0, in the credit journal VKC."""
    rows = q("""
        SELECT i.invoice_number, i.debtor_id, i.journal_code, i.is_credit, i.total_excl_vat,
               i.vat_amount, i.total_incl_vat,
               (SELECT list((e.account, e.debtor_id, e.debit - e.credit))
                FROM journal_entries AS e
                WHERE e.invoice_number = i.invoice_number AND e.journal_code = i.journal_code
                  AND e.debtor_id IS NOT NULL) AS debtor_lines
        FROM invoices AS i""")
    for number, debtor_id, journal, is_credit, excl, vat, incl, debtor_lines in rows:
        assert incl == excl + vat, (number, excl, vat, incl)
        assert debtor_lines is not None and len(debtor_lines) == 1, (number, debtor_lines)
        account, line_debtor, balance = _row(debtor_lines[0])
        assert account in ("1300", "1310") and line_debtor == debtor_id, (number, debtor_lines)
        assert balance == incl, (number, balance, incl)
        assert is_credit == (incl < 0), (number, is_credit, incl)
        assert journal == ("VKC" if incl < 0 else "VK"), (number, journal, incl)


def check_invoices_match_model(q: Query, data: Dataset, reference: dt.date, run_id: int) -> None:
    """§8/§9 by hand: the run's invoices are exactly the model's groups of lines, with the model's
    debtor, totals, line amounts and accounts, entry lines, cash settlement and open item."""
    model = model_invoices(data, reference)
    rows = q("""
        SELECT i.invoice_number, i.debtor_id, i.journal_code, i.total_excl_vat, i.vat_amount,
               i.total_incl_vat, list((l.source, l.line_id))
        FROM invoices AS i JOIN invoice_lines AS l USING (invoice_number)
        WHERE i.run_id = $r GROUP BY ALL""", {"r": run_id})
    actual = {frozenset(_row(m) for m in members): (number, debtor, journal, excl, vat, incl)
              for number, debtor, journal, excl, vat, incl, members in rows}
    assert set(actual) == set(model), "the run grouped lines into other invoices than §8 says"
    lines = {(source, row["line_id"]): row for source, row in data.lines()}
    for source, line_id, amount, account in q("""
            SELECT source, line_id, amount, account FROM invoice_lines WHERE run_id = $r""",
            {"r": run_id}):
        row = lines[(source, line_id)]
        assert (amount, account) == (line_amount(row), revenue_account(row)), row
    entries, settlements = defaultdict(Counter), defaultdict(Counter)
    for number, journal, account, vat_code, balance, is_debtor in q("""
            SELECT invoice_number, journal_code, account, vat_code, debit - credit,
                   debtor_id IS NOT NULL
            FROM journal_entries WHERE run_id = $r""", {"r": run_id}):
        if journal == "KAS":
            if balance != 0:
                settlements[number][(account, balance)] += 1
        elif balance != 0 or is_debtor:
            entries[(number, journal)][(account, vat_code, balance)] += 1
    open_items = defaultdict(list)
    for number, *item in q("""
            SELECT invoice_number, debtor_id, due_date, amount, amount_open, payment_discount_pct,
                   payment_discount_date
            FROM open_items WHERE run_id = $r""", {"r": run_id}):
        open_items[number].append(tuple(item))
    for members_of, (number, debtor, journal, excl, vat, incl) in actual.items():
        want = model[members_of]
        why = (number, [lines[m] for m in members_of])
        assert (debtor, excl, vat, incl) == (want.debtor_id, want.excl, want.vat, want.incl), why
        assert entries[(number, journal)] == want.entry, why
        want_settlement = (Counter({("1000", incl): 1, (want.receivables, -incl): 1})
                           if want.settled and incl != 0 else Counter())
        assert settlements[number] == want_settlement, why
        # the open item: due on the invoice date + payment term; settled at once when paid at the
        # till; the payment discount pct and date (invoice date + 8 days) when the type uses it
        ((*item, discount_pct, discount_date),) = open_items[number]
        assert item == [debtor, reference + dt.timedelta(days=want.term_days), incl,
                        0 if want.settled else incl], why
        if want.payment_discount_pct is not None:
            assert (discount_pct, discount_date) == (
                want.payment_discount_pct, reference + dt.timedelta(days=8)), why
        elif want.source == "counter_lines":  # counter_invoice does not use payment discount
            assert (discount_pct, discount_date) == (None, None), why
        else:  # an order invoice of a debtor without a payment discount pct
            assert discount_pct in (None, 0), why


def _free_numbers(prefix: str, counter: int, used: set[str], count: int) -> list[str]:
    """§5 by hand: the next `count` numbers of a series above its counter that are not used."""
    out, n = [], counter
    while len(out) < count:
        n += 1
        if f"{prefix}{n}" not in used:
            out.append(f"{prefix}{n}")
    return out


def check_numbers_follow_the_counters(q: Query, issued: set[str], run_id: int) -> None:
    """§5: per journal the run's numbers are the first free ones above the counter (the highest
    number of earlier runs, else the master's), skipping numbers in issued_invoice_numbers or in
    the database; each number passed over is reported in skipped_numbers."""
    earlier = {n for (n,) in q("SELECT invoice_number FROM invoices WHERE run_id < $r",
                                   {"r": run_id})}
    for journal, (prefix, master_counter) in SERIES.items():
        mine = [n for (n,) in q("""
            SELECT invoice_number FROM invoices WHERE run_id = $r AND journal_code = $j""",
            {"r": run_id, "j": journal})]
        counter = max([master_counter] + [
            int(n[len(prefix):]) for (n,) in q("""
                SELECT invoice_number FROM invoices WHERE run_id < $r AND journal_code = $j""",
                {"r": run_id, "j": journal})])
        used = issued | earlier
        expected = _free_numbers(prefix, counter, used, len(mine))
        assert sorted(mine) == sorted(expected), (journal, counter, sorted(used))
        assert not set(mine) & issued, (journal, set(mine) & issued)
        top = max((int(n[len(prefix):]) for n in mine), default=counter)
        passed_over = {f"{prefix}{k}" for k in range(counter + 1, top + 1)} & used
        skipped = {n for (n,) in q("""
            SELECT invoice_number FROM skipped_numbers WHERE run_id = $r AND journal_code = $j""",
            {"r": run_id, "j": journal})}
        assert skipped == passed_over, (journal, skipped, passed_over)


def describe_example(q: Query) -> None:
    """What the example exercised (shown by pytest --hypothesis-show-statistics)."""
    for (status,) in q("SELECT DISTINCT status FROM billable_lines"):
        event(f"a line {status}")
    for (what,) in q("""
            SELECT 'a credit invoice' FROM invoices WHERE is_credit
            UNION SELECT 'an invoice discount' FROM invoice_vat WHERE invoice_discount <> 0
            UNION SELECT 'a credit restriction' FROM invoice_vat WHERE credit_restriction <> 0
            UNION SELECT 'a cash settlement' FROM journal_entries WHERE journal_code = 'KAS'
            UNION SELECT 'a skipped number' FROM skipped_numbers"""):
        event(f"{what}")


# --- the properties ------------------------------------------------------------------------------


@settings(max_examples=20, **SETTINGS)
@given(data=datasets())
def test_one_run_keeps_the_books_and_the_lines_straight(data: Dataset):
    """(a), (c), (d), (e) and the hand model of §8/§9 after one October run."""
    with tempfile.TemporaryDirectory() as tmp:
        folder, db = data.write(Path(tmp) / "input"), Path(tmp) / "out.duckdb"
        data.run(folder, db, "2026-10")
        with reading(db) as q:
            check_books(q)
            check_lines_accounted_for(q, data, REFERENCE_OCT, run_id=1)
            check_invoices_match_model(q, data, REFERENCE_OCT, run_id=1)
            describe_example(q)


@settings(max_examples=10, **SETTINGS)
@given(october=datasets("A", consistent_receipts=False),
       november_lines=line_rows("B", REFERENCE_NOV, False),
       issued_october=issued_numbers(), issued_november=issued_numbers(min_size=2))
def test_invoice_numbers_are_unique_across_two_months(october: Dataset, november_lines,
                                                      issued_october, issued_november):
    """(b) October, then November into the same database: November's dataset repeats October's
    lines (those invoiced stay on their invoice, those still open may be invoiced now), adds new
    ones, and lists numbers in master/issued_invoice_numbers. No number is issued twice or from
    the list."""
    october.master["issued_invoice_numbers"] = [dict(number=n) for n in sorted(issued_october)]
    november = Dataset(
        {**october.master,
         "issued_invoice_numbers": [dict(number=n) for n in sorted(issued_november)]},
        october.order_lines + november_lines[0], october.counter_lines + november_lines[1],
        ALL_SOURCES,
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "out.duckdb"
        october.run(october.write(Path(tmp) / "october"), db, "2026-10")
        with reading(db) as q:
            check_numbers_follow_the_counters(q, set(issued_october), run_id=1)
            check_invoice_numbers_unique(q)
        november.run(november.write(Path(tmp) / "november"), db, "2026-11")
        with reading(db) as q:
            check_books(q)
            check_numbers_follow_the_counters(q, set(issued_november), run_id=2)
            check_lines_accounted_for(q, november, REFERENCE_NOV, run_id=2)
            describe_example(q)


@settings(max_examples=8, **SETTINGS)
@given(data=datasets(consistent_receipts=False))
def test_rerunning_the_same_input_creates_no_new_invoices(data: Dataset):
    """(f) the same October input twice into one database: the second run makes no invoice, no
    entry and no open item, and every line keeps its status and invoice. (Its receipts may mix
    debtors and payment methods, so the first run is checked for the invariants (a) to (e).)"""
    with tempfile.TemporaryDirectory() as tmp:
        folder, db = data.write(Path(tmp) / "input"), Path(tmp) / "out.duckdb"
        data.run(folder, db, "2026-10")
        tables = ("invoices", "invoice_lines", "journal_entries", "open_items", "journal_counters")
        with reading(db) as q:
            check_books(q)
            check_lines_accounted_for(q, data, REFERENCE_OCT, run_id=1)
            before = {t: q(f"SELECT * EXCLUDE (run_id) FROM {t} ORDER BY ALL") for t in tables}
            lines_before = q(LINE_STATES)
        result = data.run(folder, db, "2026-10")
        assert result.counts["invoices"] == 0
        assert result.counts["journal_entry_lines"] == 0
        with reading(db) as q:
            assert q("SELECT count(*) FROM invoices WHERE run_id = 2") == [(0,)]
            for t in tables:
                assert q(f"SELECT * EXCLUDE (run_id) FROM {t} ORDER BY ALL") == before[t], t
            assert q(LINE_STATES) == lines_before
            check_lines_accounted_for(q, data, REFERENCE_OCT, run_id=2)


LINE_STATES = """
    SELECT source, line_id, status, status_reason, invoice_number FROM billable_lines
    ORDER BY ALL"""
