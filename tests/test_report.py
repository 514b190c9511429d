"""`journalize report` (issue 17): the month-end report's figures on a small dataset worked out by
hand, what the terminal shows, its refusals, and the HTML file rendered in real headless Chromium
with every figure it shows checked against the database.

Chromium: the test uses $JOURNALIZE_CHROMIUM when set, else `chromium` (Debian's package,
`apt-get install chromium`) or `chromium-browser`/`google-chrome` on the PATH, and is skipped,
saying so, when there is none."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import stat
import subprocess
import sys
from decimal import Decimal as D
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from builders import order_line, run, write_dataset
from typer.testing import CliRunner

from flows import report as month_end_report
from flows.cli import app
from flows.parameters import RunParameters, sample_dataset
from flows.pipeline import run_month_end

ROOT = Path(__file__).resolve().parent.parent
WIDE = {"COLUMNS": "250"}


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def joined(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def four_months(tmp_path_factory) -> Path:
    """NL01, debtor 10001, one run per month end from September to December 2026 (VAT H 21 %,
    L 9 %; GOODS on 8000, its credit account 8001; SERV on 8100):
      1001 2026-09-30  L1 1 × 100.00 GOODS H             100.00 + 21.00 = 121.00
      1002 2026-10-31  L2 3 × 10.00 SERV L                30.00 +  2.70 =  32.70
      C1   2026-10-31  L3 credit 1 × 20.00 GOODS H       −20.00 −  4.20 = −24.20 (journal VKC)
      1003 2026-11-30  L4 1 × 200.00 GOODS H             200.00 + 42.00 = 242.00
      1004 2026-12-31  L5 4 × 12.50 SERV H + L6 1 × 50.00 GOODS H (one order)
                                                         100.00 + 21.00 = 121.00
      L7 (dated 2027-01-05, 10.00) stays open."""
    folder = tmp_path_factory.mktemp("four_months")
    dataset, db = folder / "input", folder / "books.duckdb"
    write_dataset(dataset, order_lines=[
        order_line("L1", "O1", line_date="2026-09-15"),
        order_line("L2", "O2", quantity="3", unit_price="10", article_group="SERV", vat_code="L"),
        order_line("L3", "O3", unit_price="20", is_credit="true", line_date="2026-10-20"),
        order_line("L4", "O4", unit_price="200", line_date="2026-11-10"),
        order_line("L5", "O5", quantity="4", unit_price="12.5", article_group="SERV",
                   line_date="2026-12-05"),
        order_line("L6", "O5", unit_price="50", line_date="2026-12-06"),
        order_line("L7", "O7", unit_price="10", line_date="2027-01-05"),
    ])
    for period in ("2026-09", "2026-10", "2026-11", "2026-12"):
        run(dataset, db, period)
    return db


def test_the_figures_of_a_month(four_months):
    report = month_end_report.month_end_report(four_months, "2026-12")
    zero = D("0.00")
    # revenue = credit − debit on result accounts: September 100.00, October 30.00 − 20.00,
    # November 200.00, December 50.00 + 50.00; the twelve periods 2026-01 .. 2026-12
    assert [(r["fiscal_year"], r["period"], r["revenue"]) for r in report.revenue_by_period] == [
        (2026, p, {9: D("100.00"), 10: D("10.00"), 11: D("200.00"), 12: D("100.00")}.get(p, zero))
        for p in range(1, 13)]
    assert [(r["account"], r["period_revenue"], r["year_to_date"])
            for r in report.revenue_by_account] == [
        ("8000", D("50.00"), D("350.00")),  # 100 + 200 + 50
        ("8001", zero, D("-20.00")),
        ("8100", D("50.00"), D("80.00")),  # 30 + 50
    ]
    assert [tuple(r.values()) for r in report.invoices_by_source] == [
        ("NL01", "order_lines", "VK", 1, 0, 0, 2, D("100.00"))]
    assert [tuple(r.values()) for r in report.invoice_kinds] == [
        ("NL01", "separate", 1, 0, 1, 2, D("100.00"), D("21.00"), D("121.00"))]
    # on 2026-12-31: 1004 0 days old, 1003 31, 1002 and C1 61 (32.70 − 24.20), 1001 92
    assert report.ageing_table() == [("NL01", {
        "0-30": D("121.00"), "31-60": D("242.00"), "61-90": D("8.50"), ">90": D("121.00")},
        {"0-30": 1, "31-60": 1, "61-90": 2, ">90": 1})]
    # the December run read the seven lines: six invoiced (by it and earlier runs), L7 open
    assert [r["run_id"] for r in report.runs] == [4]
    assert [tuple(r.values()) for r in report.reconciliation] == [
        (4, "order_lines", 7, 6, 1, 0, 0, D("420.00"), D("410.00"), D("10.00"), zero, zero, True)]


def test_the_terminal_shows_the_figures(four_months):
    result = invoke("report", "--db", four_months, "--period", "2026-12")
    assert result.exit_code == 0, result.output
    out = joined(result.stdout)
    assert "month-end report 2026-12 (2026-12-01 .. 2026-12-31)" in out
    assert "│ 2026-09 │ 100.00 │" in out and "│ 2026-12 │ 100.00 │" in out
    assert "│ NL01 │ 8000 │ 50.00 │ 350.00 │" in out
    assert "│ NL01 │ order_lines │ VK │ 1 │ 0 │ 0 │ 2 │ 100.00 │" in out
    assert "│ NL01 │ separate │ 1 │ 0 │ 1 │ 2 │ 100.00 │ 21.00 │ 121.00 │" in out
    assert "│ NL01 │ 121.00 │ 242.00 │ 8.50 │ 121.00 │ 492.50 │ 5 │" in out
    assert "│ order_lines │ 7 │ 6 │ 1 │ 0 │ 0 │ 420.00 │ 410.00 │ 10.00 │ 0.00 │ 0.00 │ yes │" in out


def test_the_default_period_is_the_newest_runs(four_months):
    assert month_end_report.month_end_report(four_months).period == "2026-12"


def test_the_report_writes_nothing_in_the_books(four_months, tmp_path):
    before = four_months.read_bytes()
    html = tmp_path / "out" / "report.html"
    result = invoke("report", "--db", four_months, "--period", "2026-11", "--html", html)
    assert result.exit_code == 0, result.output
    assert four_months.read_bytes() == before
    assert stat.S_IMODE(html.stat().st_mode) == 0o600  # (figures of a company, like the books)
    assert [p.name for p in html.parent.iterdir()] == ["report.html"]  # nothing left aside


def refused(*args) -> str:
    result = invoke("report", *args)
    assert result.exit_code == 2, result.output
    return joined(result.stderr)


def test_refusals(four_months, tmp_path):
    assert "database nowhere.duckdb does not exist" in refused("--db", "nowhere.duckdb")
    text_file = tmp_path / "notes.duckdb"
    text_file.write_text("not a database")
    assert "it is not a DuckDB database" in refused("--db", text_file)
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
    assert "is not journalize's books: it has no table runs" in refused("--db", other)
    assert "period '2026-13': month 13 is not 01..12" in refused("--db", four_months,
                                                                 "--period", "2026-13")
    assert ("the books hold no run, invoice or entry of period 2026-08: its runs cover "
            "2026-09 .. 2026-12") in refused("--db", four_months, "--period", "2026-08")
    assert "is the database itself" in refused("--db", four_months, "--period", "2026-12",
                                               "--html", four_months)


def test_books_of_an_earlier_version_without_the_views(four_months, tmp_path):
    old = tmp_path / "old.duckdb"
    shutil.copy(four_months, old)
    with duckdb.connect(str(old)) as con:
        con.execute("DROP VIEW revenue_by_allocation")  # (it reads revenue)
        con.execute("DROP VIEW revenue")
        con.execute("DROP MACRO TABLE open_items_ageing_at")
    message = refused("--db", old, "--period", "2026-12")
    assert ("was written by an earlier version of journalize: it has no view revenue, macro "
            "open_items_ageing_at (the next run or post of this version adds them)") in message


def test_an_html_file_that_cannot_be_written(four_months, tmp_path):
    (tmp_path / "a_file").write_text("")
    message = refused("--db", four_months, "--html", tmp_path / "a_file" / "report.html")
    assert f"--html {tmp_path / 'a_file' / 'report.html'} cannot be written" in message


def test_a_failed_write_leaves_the_file_that_was_there(four_months, tmp_path, monkeypatch):
    html = tmp_path / "report.html"
    html.write_text("last month's")
    report = month_end_report.month_end_report(four_months, "2026-12")

    def no_room(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(month_end_report.os, "replace", no_room)
    with pytest.raises(Exception, match="cannot be written: No space left on device"):
        month_end_report.write_html(report, html, four_months)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # (nothing left aside)
    assert html.read_text() == "last month's"


# --- the HTML file in headless Chromium ------------------------------------------------------

def chromium() -> str | None:
    return (os.environ.get("JOURNALIZE_CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser") or shutil.which("google-chrome"))


class Page(HTMLParser):
    """The tables (id → rows of cell texts), the SVG bars' tooltips, the cards and every
    attribute that could make the page fetch something, of a DOM Chromium dumped."""

    def __init__(self, dom: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.bars: list[str] = []
        self.cards: dict[str, str] = {}
        self.fetching: list[str] = []
        self.tags: set[str] = set()
        self._table = self._cell = self._card = None
        self._in_bar = self._in_value = False
        self._text: list[str] = []
        self.feed(dom)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        self.fetching += [f"{tag} {k}={v}" for k, v in attrs.items()
                          if k in ("src", "href", "srcset", "data", "poster", "action")]
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell, self._text = tag, []
        elif tag == "rect" and "bar" in (attrs.get("class") or ""):
            self._in_bar = True
        elif tag == "title" and self._in_bar:
            self._text = []
        elif tag == "div" and (attrs.get("id") or "").startswith("card-"):
            self._card = attrs["id"].removeprefix("card-")
        elif tag == "div" and self._card and attrs.get("class") == "value":
            self._in_value, self._text = True, []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell:
            self._table[-1].append("".join(self._text).strip())
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "title" and self._in_bar:
            self.bars.append("".join(self._text).strip())
        elif tag == "rect":
            self._in_bar = False
        elif tag == "div" and self._in_value:
            self.cards[self._card] = "".join(self._text).strip()
            self._in_value, self._card = False, None

    def handle_data(self, data):
        self._text.append(data)


def amount(text: str) -> D:
    return D(text.replace(",", ""))


@pytest.fixture(scope="module")
def sample_books(tmp_path_factory) -> Path:
    """The shipped sample (NL01 and BE01, every source, collective invoices), October and
    November 2026."""
    db = tmp_path_factory.mktemp("sample") / "books.duckdb"
    for period in ("2026-10", "2026-11"):
        run_month_end(RunParameters.for_period(period, input_dir=sample_dataset(), db_path=db))
    return db


@pytest.mark.skipif(chromium() is None, reason="no Chromium: install Debian's chromium package "
                    "(apt-get install chromium) or set JOURNALIZE_CHROMIUM to a Chromium binary")
def test_the_html_report_in_headless_chromium_shows_the_books_figures(sample_books, tmp_path):
    html = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "report", "--db", str(sample_books), "--period",
         "2026-11", "--html", str(html)], capture_output=True, text=True, timeout=120,
        cwd=ROOT, env={**os.environ, **WIDE, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    dom = subprocess.run(
        [chromium(), "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}",
         # no network: a name that resolves nowhere for every host
         "--host-resolver-rules=MAP * ~NOTFOUND", "--dump-dom", html.as_uri()],
        capture_output=True, text=True, timeout=120).stdout
    page = Page(dom)
    assert "Month-end report 2026-11" in dom  # (what Chromium made of the file, not the file)

    # self-contained: no script, no linked resource, nothing that fetches
    assert not page.fetching and "script" not in page.tags and "link" not in page.tags
    assert "default-src 'none'" in html.read_text()

    with duckdb.connect(str(sample_books), read_only=True) as con:
        def q(sql: str) -> list[tuple]:
            return con.execute(sql).fetchall()

        # revenue per administration and period, straight from the entries: credit − debit on
        # the result accounts the writing run recorded, stock entries (vrd) left out
        revenue = dict(((a, f"{y}-{p:02d}"), r) for a, y, p, r in q(
            "SELECT j.admin_id, j.fiscal_year, j.period, sum(j.credit - j.debit) "
            "FROM journal_entries AS j JOIN run_accounts AS a USING (run_id, admin_id, account) "
            "WHERE a.account_type = 'result' AND j.source <> 'vrd' GROUP BY ALL"))
        header, *rows = page.tables["revenue-by-period"]
        assert header == ["period", "BE01", "NL01", "total"]
        assert [row[0] for row in rows] == [f"2025-{m}" for m in ("12",)] + [
            f"2026-{m:02d}" for m in range(1, 12)]
        for period, *cells in rows:
            expected = [revenue.get((admin, period), D("0")) for admin in ("BE01", "NL01")]
            assert [amount(c) for c in cells] == [*expected, sum(expected)], period
        assert revenue[("NL01", "2026-11")] != 0 and revenue[("BE01", "2026-10")] != 0
        # each bar of the revenue chart says its figure
        for admin in ("BE01", "NL01"):
            assert f"{admin} 2026-10: {revenue[(admin, '2026-10')]:,.2f}" in page.bars

        by_account = {(a, account): (r, ytd) for a, account, r, ytd in q(
            "SELECT j.admin_id, j.account, sum(j.credit - j.debit) FILTER (WHERE j.period = 11), "
            "sum(j.credit - j.debit) FROM journal_entries AS j JOIN run_accounts AS a "
            "USING (run_id, admin_id, account) WHERE a.account_type = 'result' AND "
            "j.source <> 'vrd' AND j.fiscal_year = 2026 AND j.period <= 11 GROUP BY ALL")}
        header, *rows = page.tables["revenue-by-account"]
        assert len(rows) == len(by_account)
        for admin, account, period, ytd in rows:
            expected = by_account[(admin, account)]
            assert (amount(period), amount(ytd)) == (expected[0] or 0, expected[1])

        # invoices per source and journal of November, from the invoiced lines
        header, *rows = page.tables["invoices-by-source"]
        assert [tuple(r[:3]) + (int(r[3]), int(r[6]), amount(r[7])) for r in rows] == q(
            "SELECT i.admin_id, b.source, i.journal_code, count(DISTINCT i.invoice_number), "
            "count(*), sum(b.amount) FROM billable_lines AS b JOIN invoices AS i "
            "USING (invoice_number) WHERE b.status = 'invoiced' AND i.invoice_date "
            "BETWEEN DATE '2026-11-01' AND DATE '2026-11-30' GROUP BY ALL ORDER BY 1, 2, 3")
        assert rows  # (the sample's lines dated after October are invoiced in November)

        header, *rows = page.tables["invoice-kinds"]
        assert [(r[0], r[1], int(r[2]), amount(r[8])) for r in rows] == q(
            "SELECT admin_id, CASE WHEN is_collective THEN 'collective' ELSE 'separate' END, "
            "count(*), sum(total_incl_vat) FROM invoices WHERE invoice_date "
            "BETWEEN DATE '2026-11-01' AND DATE '2026-11-30' GROUP BY ALL ORDER BY 1, 2")

        # ageing on 2026-11-30, bucketed here from the open items themselves
        buckets: dict[str, dict[str, D]] = {}
        for admin, invoice_date, amount_open in q(
                "SELECT admin_id, invoice_date, amount_open FROM open_items "
                "WHERE amount_open <> 0 AND invoice_date <= DATE '2026-11-30'"):
            days = (dt.date(2026, 11, 30) - invoice_date).days
            age = "0-30" if days <= 30 else "31-60" if days <= 60 else "61-90" if days <= 90 \
                else ">90"
            admin_buckets = buckets.setdefault(admin, dict.fromkeys(
                ("0-30", "31-60", "61-90", ">90"), D("0")))
            admin_buckets[age] += amount_open
        header, *rows = page.tables["ageing"]
        assert header[1:6] == ["0-30", "31-60", "61-90", ">90", "total"]
        assert {r[0]: [amount(c) for c in r[1:6]] for r in rows} == {
            admin: [*b.values(), sum(b.values())] for admin, b in buckets.items()}
        # (October's invoices are 30 days old on 2026-11-30, November's 0: all in 0-30)
        assert all(b["0-30"] != 0 for b in buckets.values()) and set(buckets) == {"BE01", "NL01"}

        # the November run's reconciliation, as run_reconciliation holds it
        (run_id,) = q("SELECT run_id FROM runs WHERE reference_date = DATE '2026-11-30'")[0]
        header, *rows = page.tables[f"reconciliation-run-{run_id}"]
        expected = q(f"SELECT * EXCLUDE (run_id) FROM run_reconciliation WHERE run_id = {run_id} "
                     "ORDER BY source")
        assert [(r[0], *map(int, r[1:6]), *map(amount, r[6:11]), r[11] == "yes")
                for r in rows] == expected

        # the cards: the month's invoices and their total, its revenue, what is open
        (invoices, invoiced), = q("SELECT count(*), sum(total_incl_vat) FROM invoices WHERE "
                                  "invoice_date BETWEEN DATE '2026-11-01' AND DATE '2026-11-30'")
        assert page.cards["invoices"] == f"{invoices:,}"
        assert amount(page.cards["invoiced"]) == invoiced
        assert amount(page.cards["revenue"]) == sum(
            r for (a, p), r in revenue.items() if p == "2026-11")
        assert amount(page.cards["open"]) == sum(sum(b.values()) for b in buckets.values())


def test_values_from_the_books_are_shown_as_text(four_months):
    """An administration id, account or source is data: in the HTML file escaped, in the terminal
    no rich markup."""
    from flows.report_html import render

    report = month_end_report.month_end_report(four_months, "2026-12")
    hostile = '<img src=x onerror=alert(1)>[bold]"'
    for rows in (report.revenue_by_period, report.revenue_by_account, report.ageing,
                 report.invoice_kinds, report.invoices_by_source):
        for row in rows:
            row["admin_id"] = hostile
    page = Page(render(report, db_path=four_months, generated_at=dt.datetime(2027, 1, 2, 9, 0)))
    assert not page.fetching and "img" not in page.tags
    assert page.tables["ageing"][1][0] == hostile  # (shown as the text it is)
    header = page.tables["revenue-by-period"][0]
    assert header == ["period", hostile]
    from rich.console import Console

    console = Console(width=250, record=True, file=io.StringIO())
    for table in month_end_report.terminal_tables(report):
        console.print(table)
    assert hostile in console.export_text()
