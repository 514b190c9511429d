"""The month-end report as one self-contained HTML file: the figures of ``transforms.report`` in
tables, and charts drawn here as inline SVG. Nothing is fetched when it is opened (no script, no
font, no image, no style sheet from elsewhere; its Content-Security-Policy allows none), so it
opens from a mail or a share without a network. Every value from the books is HTML-escaped.

Each table has an id (``revenue-by-period``, ``revenue-by-account``, ``invoices-by-source``,
``invoice-kinds``, ``ageing``, ``reconciliation-run-<id>``) and each figure is shown as the
terminal shows it (``1,234.56``), so that a reader, or a test, can find them."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from html import escape
from pathlib import Path

from flows import provenance
from flows.report import AMOUNT_COLUMNS, LINE_COLUMNS, count, money, period_label, revenue_of
from transforms.report import BUCKETS, MonthEndReport

# one colour per administration (and per bucket), in order; readable on white and in print
PALETTE = ("#1f5f99", "#d9822b", "#3b8f4f", "#a23b72", "#6c5ba7", "#8c6d31", "#2a9d9d",
           "#c44e52")
CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d232b;
       margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 2px solid #1f5f99; padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p.meta { color: #5b6470; margin-top: 0; }
.cards { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1rem 0; }
.card { border: 1px solid #d5dae0; border-radius: 6px; padding: .6rem .9rem; min-width: 11rem; }
.card .label { color: #5b6470; font-size: .85rem; }
.card .value { font-size: 1.3rem; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding-bottom: .3rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #e3e7eb; text-align: left; }
th { background: #f3f5f7; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.total td { font-weight: 600; border-top: 2px solid #9aa4ae; }
td.bad { color: #b3261e; font-weight: 600; }
svg { display: block; margin: .4rem 0 1rem; max-width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: #3a424c; }
.note { color: #5b6470; }
@media print { h2 { break-after: avoid; } table, svg { break-inside: avoid; } }
"""


def render(report: MonthEndReport, *, db_path: Path, generated_at: dt.datetime) -> str:
    admins = report.administrations
    colours = {admin: PALETTE[i % len(PALETTE)] for i, admin in enumerate(admins)}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        # nothing may be fetched: no script, font, image or style sheet from anywhere
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Month-end report {escape(report.period)} — journalize</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Month-end report {escape(report.period)}</h1>",
        f'<p class="meta">Books <code>{escape(str(db_path))}</code> · period '
        f"{report.first_day} .. {report.last_day} · made {generated_at:%Y-%m-%d %H:%M} by "
        f"journalize {escape(provenance.version())}</p>",
        _cards(report),
        _revenue_section(report, colours),
        _invoices_section(report, colours),
        _ageing_section(report, colours),
        _reconciliation_section(report),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _cards(report: MonthEndReport) -> str:
    currency = report.one_currency
    invoices = sum(row["invoices"] for row in report.invoice_kinds)
    cards = [("invoices", "Invoices in the period", count(invoices))]
    if currency:
        cards += [
            ("invoiced", f"Invoiced incl. VAT ({escape(currency)})",
             money(sum((r["total_incl_vat"] for r in report.invoice_kinds), Decimal("0.00")))),
            ("revenue", f"Revenue ({escape(currency)})",
             money(sum((r["period_revenue"] for r in report.revenue_by_account),
                       Decimal("0.00")))),
            ("open", f"Open items on {report.last_day} ({escape(currency)})",
             money(sum((r["amount_open"] for r in report.ageing), Decimal("0.00")))),
        ]
    return '<div class="cards">' + "".join(
        f'<div class="card" id="card-{key}"><div class="label">{label}</div>'
        f'<div class="value">{value}</div></div>' for key, label, value in cards) + "</div>"


def _revenue_section(report: MonthEndReport, colours: dict[str, str]) -> str:
    admins = report.administrations
    with_total = bool(report.one_currency) and len(admins) > 1
    periods = report.periods
    chart = grouped_bars(
        [period_label(y, p) for y, p in periods],
        [(admin, colours[admin], [revenue_of(report, admin, y, p) for y, p in periods])
         for admin in admins],
        title=f"Revenue per administration, the 12 periods to {report.period}")
    rows = []
    for year, period in periods:
        values = [revenue_of(report, admin, year, period) for admin in admins]
        rows.append([period_label(year, period), *map(_num, values)]
                    + ([_num(sum(values, Decimal(0)))] if with_total else []))
    by_period = table("revenue-by-period", "Revenue per administration and period",
                      ["period", *admins] + (["total"] if with_total else []), rows,
                      numeric_from=1)
    account_rows = [[row["admin_id"], row["account"], _num(row["period_revenue"]),
                     _num(row["year_to_date"])] for row in report.revenue_by_account]
    by_account = table("revenue-by-account",
                       f"Revenue per account, {report.period} and the year to date",
                       ["administration", "account", report.period, "year to date"],
                       account_rows, numeric_from=2)
    return ("<section id=\"revenue\"><h2>Revenue</h2>"
            '<p class="note">Credit − debit on the result accounts of the entries (stock entries '
            "left out): revenue, less credit notes and invoice discounts; deferred revenue in the "
            "period it is released in (docs/analyst-views.md).</p>"
            f"{chart}{by_period}{by_account}</section>")


def _invoices_section(report: MonthEndReport, colours: dict[str, str]) -> str:
    rows = report.invoices_by_source
    chart = horizontal_bars(
        [(f"{r['admin_id']} {r['source']} ({r['journal_code']})", colours[r["admin_id"]],
          r["amount"]) for r in rows],
        title=f"Amount invoiced excl. VAT per source, {report.period}")
    by_source = table(
        "invoices-by-source", f"Invoices per source and journal, {report.period}",
        ["administration", "source", "journal", "invoices", "collective", "credit", "lines",
         "amount excl. VAT"],
        [[r["admin_id"], r["source"], r["journal_code"], _num(r["invoices"]),
          _num(r["collective_invoices"]), _num(r["credit_invoices"]), _num(r["lines"]),
          _num(r["amount"])] for r in rows], numeric_from=3)
    kinds = table(
        "invoice-kinds", f"Collective and separate invoices, {report.period}",
        ["administration", "invoices", "count", "credit", "debtors", "lines", "excl. VAT", "VAT",
         "incl. VAT"],
        [[r["admin_id"], r["invoice_kind"], _num(r["invoices"]), _num(r["credit_invoices"]),
          _num(r["debtors"]), _num(r["lines"]), _num(r["total_excl_vat"]),
          _num(r["vat_amount"]), _num(r["total_incl_vat"])] for r in report.invoice_kinds],
        numeric_from=2)
    empty = "" if rows else f'<p class="note">No invoices dated in {report.period}.</p>'
    return (f'<section id="invoices"><h2>Invoices</h2>{empty}<p class="note">An invoice with '
            "lines of several sources (a collective invoice) counts under each of them.</p>"
            f"{chart}{by_source}{kinds}</section>")


def _ageing_section(report: MonthEndReport, colours: dict[str, str]) -> str:
    ageing = report.ageing_table()
    bucket_colours = dict(zip(BUCKETS, ("#3b8f4f", "#d9b02b", "#d9822b", "#b3261e"),
                              strict=True))
    chart = horizontal_bars(
        [(f"{admin} {bucket}", bucket_colours[bucket], amounts[bucket])
         for admin, amounts, _ in ageing for bucket in BUCKETS],
        title=f"Open items by age on {report.last_day}")
    rows = [[admin, *(_num(amounts[b]) for b in BUCKETS),
             _num(sum(amounts.values(), Decimal(0))), _num(sum(items.values()))]
            for admin, amounts, items in ageing]
    body = table("ageing", f"Open items by age (days since the invoice date) on {report.last_day}",
                 ["administration", *BUCKETS, "total", "items"], rows, numeric_from=1)
    return ('<section id="ageing"><h2>Open items ageing</h2><p class="note">The amount still open '
            "of every open item invoiced on or before the period's last day, by its age in days "
            "since the invoice date; credit notes count negative. journalize books no payments: "
            f"open is what the books hold.</p>{chart}{body}</section>")


def _reconciliation_section(report: MonthEndReport) -> str:
    if not report.runs:
        return ('<section id="reconciliation"><h2>Reconciliation</h2><p class="note">No run of '
                f"period {escape(report.period)} in the books.</p></section>")
    parts = ['<section id="reconciliation"><h2>Reconciliation</h2><p class="note">Every line a '
             "run read: read = invoiced + open + rejected + excluded, in lines and in money.</p>"]
    for run in report.runs:
        rows = []
        for r in (r for r in report.reconciliation if r["run_id"] == run["run_id"]):
            closes = ("yes", "") if r["closes"] else ("NO", "bad")
            rows.append([r["source"], *(_num(r[k]) for k in LINE_COLUMNS),
                         *(_num(r[k]) for k in AMOUNT_COLUMNS), closes])
        parts.append(table(
            f"reconciliation-run-{run['run_id']}",
            f"Run {run['run_id']} ({run['command']}, reference date {run['reference_date']}, "
            f"invoice date {run['invoice_date']}, {run['status']} {_when(run['finished_at'])}"
            + (f", administration {run['admin_id']}" if run["admin_id"] else "") + ")",
            ["source", "read", "invoiced", "open", "rejected", "excluded", "amount read",
             "invoiced", "open", "rejected", "excluded", "closes"], rows, numeric_from=1))
        if run["seal"]:
            parts.append(f'<p class="note">Seal after run {run["run_id"]}: '
                         f"<code>{escape(run['seal'])}</code></p>")
    parts.append("</section>")
    return "".join(parts)


def _when(moment: dt.datetime | None) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


# --- tables and charts ----------------------------------------------------------------------

def _num(value: Decimal | int | None) -> str:
    """A figure as the terminal shows it: amounts with cents, both with thousands separators."""
    return money(value) if isinstance(value, Decimal) else count(value)


def table(table_id: str, caption: str, header: Sequence[str], rows: Iterable[Sequence[object]],
          numeric_from: int) -> str:
    """An HTML table; cells from column numeric_from on are right-aligned numbers. A cell is
    text, or a (text, class) pair."""
    numeric = ' class="num"'
    head = "".join(f"<th{numeric if i >= numeric_from else ''}>{escape(str(h))}</th>"
                   for i, h in enumerate(header))
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            text, css = cell if isinstance(cell, tuple) else (cell, "")
            classes = " ".join(c for c in ("num" if i >= numeric_from else "", css) if c)
            attribute = f' class="{classes}"' if classes else ""
            cells.append(f"<td{attribute}>{escape(str(text))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<table id="{escape(table_id)}"><caption>{escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def _scale(values: Iterable[Decimal]) -> tuple[float, float, list[float]]:
    """The axis of a chart: its low and high end (0 always inside) and round tick values."""
    values = [float(v) for v in values] or [0.0]
    low, high = min(0.0, *values), max(0.0, *values)
    if low == high:
        high = 1.0
    raw = (high - low) / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    ticks = [low + i * step for i in range(round((high - low) / step) + 1)]
    return low, high, ticks


def _tick(value: float) -> str:
    return f"{value:,.0f}"


def grouped_bars(categories: Sequence[str], series: Sequence[tuple[str, str, Sequence[Decimal]]],
                 title: str) -> str:
    """Vertical bars: per category one bar per series (name, colour, values), a legend, and
    each bar's figure in its tooltip."""
    width, height, left, right, top, bottom = 900, 300, 80, 10, 30, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    low, high, ticks = _scale(v for _, _, values in series for v in values)

    def y(value: float) -> float:
        return top + (high - value) / (high - low) * plot_h

    out = [f'<svg id="chart-revenue" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="{escape(title)}" '
           'xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(title)}</title>"]
    for tick in ticks:
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                   f'stroke="{"#9aa4ae" if tick == 0 else "#e3e7eb"}"/>'
                   f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
                   f"{_tick(tick)}</text>")
    group = plot_w / max(len(categories), 1)
    bar = group * 0.8 / max(len(series), 1)
    for c, category in enumerate(categories):
        x0 = left + c * group + group * 0.1
        for s, (name, colour, values) in enumerate(series):
            value = float(values[c])
            top_y, base_y = sorted((y(value), y(0)))
            out.append(f'<rect class="bar" x="{x0 + s * bar:.1f}" y="{top_y:.1f}" '
                       f'width="{bar * 0.92:.1f}" height="{max(base_y - top_y, 0):.1f}" '
                       f'fill="{colour}" data-series="{escape(name)}" '
                       f'data-category="{escape(category)}"><title>{escape(name)} '
                       f"{escape(category)}: {money(values[c])}</title></rect>")
        out.append(f'<text x="{left + c * group + group / 2:.1f}" y="{height - bottom + 16}" '
                   f'text-anchor="middle">{escape(category)}</text>')
    for s, (name, colour, _) in enumerate(series):
        x = left + s * 110
        out.append(f'<rect x="{x}" y="{height - 18}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{x + 16}" y="{height - 8}">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def horizontal_bars(bars: Sequence[tuple[str, str, Decimal]], title: str) -> str:
    """One horizontal bar per (label, colour, value), its figure beside it."""
    if not bars:
        return ""
    label_w, value_w, row_h, width = 260, 110, 22, 900
    plot_w = width - label_w - value_w
    low, high, _ = _scale(value for _, _, value in bars)
    height = row_h * len(bars) + 36

    def x(value: float) -> float:
        return label_w + (value - low) / (high - low) * plot_w

    out = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
           f"<title>{escape(title)}</title>",
           f'<text x="0" y="14" font-weight="600">{escape(title)}</text>']
    for i, (label, colour, value) in enumerate(bars):
        y = 24 + i * row_h
        start, end = sorted((x(float(value)), x(0)))
        out.append(f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
                   f'<rect class="bar" x="{start:.1f}" y="{y + 3}" width="{end - start:.1f}" '
                   f'height="{row_h - 6}" fill="{colour}" data-label="{escape(label)}">'
                   f"<title>{escape(label)}: {money(value)}</title></rect>"
                   f'<text x="{max(end, x(0)) + 6:.1f}" y="{y + 14}">{money(value)}</text>')
    out.append(f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="20" y2="{height - 8}" '
               'stroke="#9aa4ae"/></svg>')
    return "".join(out)
