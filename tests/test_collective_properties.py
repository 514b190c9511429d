"""Property tests (hypothesis) for collective invoices (SPEC §8 "Verzamelfacturen", §4, §9, §11).

Each example is a small random dataset of postcalc, installment, subscription and course lines
over one or two administrations (NL01, and perhaps BE01 with its own journal VKB, prefix B), with
random projects (invoice_separately, exclude_from_collective), subscriptions (with or without a
project / administration, excluded or not), courses, sales relation profiles (random collect
flags, method and period; perhaps Profit's default profile `*****`) and debtors' profile ids.
The run is the January 2027 month end, so line dates around the year end exercise ISO week 53 of
2026 and the four-week block edges; lines dated after 2027-01-31 stay open, lines naming an
unknown project / subscription / course are rejected, and a run limited to NL01 excludes BE01.

The checks compare the output with a model of the rules written here from the spec alone:
  (a) no invoice mixes administrations: all its lines have the invoice's admin_id, which is the
      administration §4 gives each line;
  (b) every invoiced line is on exactly one invoice, and billable_lines names that invoice and
      its collect_key;
  (c) lines in = invoiced + open + rejected + excluded, line by line as the model says;
  (d) every journal entry balances, and the invoice totals are the model's (§9 amounts);
  (e) the invoices are exactly the model's groups, a group of collected lines is a collective
      invoice (collective_invoice type, [vzf] description) and a group of other lines is not.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
from builders import (
    base_master,
    course,
    course_line,
    installment_line,
    postcalc_line,
    profile,
    project,
    run,
    subscription,
    subscription_line,
    with_be01,
    write_dataset,
)
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

PERIOD = "2027-01"
REFERENCE = dt.date(2027, 1, 31)
DEBTORS = ("10001", "10002", "10003")
LINE_DEBTORS = ("10001", "10001", "10002", "10003")  # most lines of one debtor: more to combine
FLAGS = ("postcalc", "subscriptions", "installments", "courses")
METHODS = ("per_sales_relation", "per_project", "per_concept_debtor")
PERIODS = ("week", "month", "four_weeks", "none")
VAT_RATES = {"H": Decimal("0.21"), "L": Decimal("0.09"), "0": Decimal("0")}
PRICES = ("100", "12.345", "0.005", "2.50", "19.99", "7.125")
FLAG_OF = {"postcalc_lines": "postcalc", "installment_lines": "installments",
           "subscription_lines": "subscriptions", "course_lines": "courses"}
TYPE_OF = {"postcalc_lines": "project_invoice", "installment_lines": "project_invoice",
           "subscription_lines": "subscription_invoice", "course_lines": "course_invoice"}
JOURNAL_OF = {"NL01": "VK", "BE01": "VKB"}
CENT = Decimal("0.01")
# Line dates at the edges that matter (ISO week 52 / 53 of 2026, week 1 of 2027, the month end,
# 4-week block 13 of 2026 and 1 of 2027), and two after the reference date (open)
DATES = (
    "2027-01-04",  # Monday, 2027-W01, block 2027-1, January
    "2027-01-04",
    "2027-01-03",  # Sunday, 2026-W53, block 2026-13, January
    "2026-12-28",  # Monday, 2026-W53, block 2026-13, December
    "2026-12-31",  # Thursday, 2026-W53, December
    "2026-12-21",  # Monday, 2026-W52, block 2026-13, December
    "2026-11-29",  # Sunday, 2026-W48, block 2026-12, November
    "2027-01-25",  # Monday, 2027-W04, block 2027-1
    "2027-01-31",  # Sunday, 2027-W04, the reference date
    "2027-02-01",  # after the reference date: open
    "2027-02-05",
)

SETTINGS = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same examples on every run
    database=None,  # no .hypothesis folder in the project
    phases=(Phase.explicit, Phase.generate),  # no shrinking: each step would be a pipeline run
)


# --- the generated dataset -----------------------------------------------------------------------


@dataclass
class Dataset:
    master: dict[str, list[dict]]
    lines: dict[str, list[dict]] = field(default_factory=dict)
    run_admin: str | None = None

    def rows(self):
        for source, rows in self.lines.items():
            for row in rows:
                yield source, row


def _bool(draw, one_in: int = 2) -> str:
    return "true" if draw(st.integers(1, one_in)) == one_in else "false"


@st.composite
def profiles(draw, profile_id: str) -> dict:
    # each flag on two times in three: most profiles combine, some have one flag or none
    flags = [f for f in FLAGS if draw(st.integers(1, 3)) != 3]
    return profile(profile_id, collect=",".join(flags), method=draw(st.sampled_from(METHODS)),
                   period=draw(st.sampled_from(PERIODS)))


@st.composite
def datasets(draw) -> Dataset:
    master = base_master()
    admins = ["NL01"]
    if draw(st.integers(1, 3)) != 3:
        with_be01(master)
        admins.append("BE01")
    master["projects"] = [
        project(p, admin_id=draw(st.sampled_from(admins)),
                invoice_separately=_bool(draw, 3), exclude_from_collective=_bool(draw, 5))
        for p in ("P1", "P2", "P3")]
    master["subscriptions"] = []
    for s in ("S1", "S2", "S3"):
        row = subscription(s, debtor_id=draw(st.sampled_from(LINE_DEBTORS)),
                           exclude_from_collective=_bool(draw, 5))
        row["project_id"] = draw(st.sampled_from(("", "", "P1", "P2", "P3")))
        row["admin_id"] = draw(st.sampled_from([""] + admins))
        master["subscriptions"].append(row)
    master["courses"] = [
        course(c, admin_id=draw(st.sampled_from([""] + admins)),
               exclude_from_collective=_bool(draw, 5))
        for c in ("C1", "C2")]
    master["sales_relation_profiles"] = [draw(profiles("A")), draw(profiles("B"))]
    if draw(st.booleans()):
        master["sales_relation_profiles"].append(draw(profiles("*****")))
    for row in master["debtors"]:
        row["profile_id"] = draw(st.sampled_from(("A", "B", "", "A")))

    subscription_debtor = {r["subscription_id"]: r["debtor_id"] for r in master["subscriptions"]}
    lines: dict[str, list[dict]] = {s: [] for s in FLAG_OF}
    for n in range(draw(st.integers(2, 10))):
        source = draw(st.sampled_from(sorted(FLAG_OF)))
        line_id = f"L{n + 1}"
        unknown = draw(st.integers(1, 12)) == 12  # a reference to unknown master data: rejected
        common = dict(
            quantity=draw(st.sampled_from(("1", "2", "3"))),
            unit_price=draw(st.sampled_from(PRICES)),
            vat_code=draw(st.sampled_from(tuple(VAT_RATES))),
            article_group=draw(st.sampled_from(("GOODS", "SERV"))),
            line_date=draw(st.sampled_from(DATES)),
            manual="true" if draw(st.integers(1, 5)) == 5 else "false",
        )
        if source == "postcalc_lines":
            lines[source].append(postcalc_line(
                line_id, "X9" if unknown else draw(st.sampled_from(("P1", "P2", "P3"))),
                debtor_id=draw(st.sampled_from(LINE_DEBTORS)), **common))
        elif source == "installment_lines":
            lines[source].append(installment_line(
                line_id, "X9" if unknown else draw(st.sampled_from(("P1", "P2", "P3"))),
                draw(st.sampled_from(("T1", "T2"))), debtor_id=draw(st.sampled_from(LINE_DEBTORS)),
                exclude_from_collective=_bool(draw, 4), **common))
        elif source == "subscription_lines":
            sub = "X9" if unknown else draw(st.sampled_from(("S1", "S2", "S3")))
            lines[source].append(subscription_line(
                line_id, sub, debtor_id=subscription_debtor.get(sub, "10001"), **common))
        else:
            lines[source].append(course_line(
                line_id, "X9" if unknown else draw(st.sampled_from(("C1", "C2"))),
                debtor_id=draw(st.sampled_from(LINE_DEBTORS)), **common))
    run_admin = "NL01" if len(admins) == 2 and draw(st.integers(1, 4)) == 4 else None
    return Dataset(master, lines, run_admin)


def explicit_dataset() -> Dataset:
    """A hand-made example that always runs first: collective invoices of several sources in two
    administrations, invoice_separately, the default profile and every exclusion at once."""
    master = base_master()
    with_be01(master)
    master["projects"] = [project("P1"), project("P2", admin_id="BE01", invoice_separately="true"),
                          project("P3", exclude_from_collective="true")]
    master["subscriptions"] = [
        dict(subscription("S1"), project_id="", admin_id=""),
        dict(subscription("S2"), project_id="P2", admin_id=""),
        dict(subscription("S3", debtor_id="10002", exclude_from_collective="true"),
             project_id="", admin_id="BE01")]
    master["courses"] = [course("C1", admin_id=""), course("C2", admin_id="BE01")]
    master["sales_relation_profiles"] = [
        profile("A", collect=",".join(FLAGS), period="four_weeks"),
        profile("B", collect="postcalc"),
        profile("*****", collect="courses,subscriptions", method="per_project", period="week")]
    for row, profile_id in zip(master["debtors"], ("A", "", "B"), strict=True):
        row["profile_id"] = profile_id
    lines = {
        "postcalc_lines": [
            postcalc_line("L1", "P1", line_date="2026-12-21"),
            postcalc_line("L2", "P1", line_date="2027-01-03", manual="true"),
            postcalc_line("L3", "P2", line_date="2027-01-04"),
            postcalc_line("L4", "P3", line_date="2026-12-28"),
            postcalc_line("L5", "P1", debtor_id="10003", line_date="2027-01-04")],
        "installment_lines": [
            installment_line("L6", "P1", "T1", line_date="2026-12-31"),
            installment_line("L7", "P1", "T2", line_date="2026-12-31",
                             exclude_from_collective="true")],
        "subscription_lines": [
            subscription_line("L8", "S1", line_date="2027-01-03"),
            subscription_line("L9", "S2", line_date="2027-01-25"),
            subscription_line("L10", "S3", debtor_id="10002", line_date="2027-01-04")],
        "course_lines": [
            course_line("L11", "C1", line_date="2027-01-01"),
            course_line("L12", "C2", debtor_id="10002", line_date="2027-01-04",
                        unit_price="12.345"),
            course_line("L13", "C1", debtor_id="10002", line_date="2027-01-05"),
            course_line("L14", "C1", line_date="2027-02-01")],
    }
    return Dataset(master, lines)


# --- the model of the rules ----------------------------------------------------------------------


@dataclass
class ModelLine:
    source: str
    line_id: str
    status: str
    admin_id: str | None
    collected: bool
    key: tuple | None
    amount: Decimal
    vat_code: str


def _is(value: str | None) -> bool:
    return value == "true"


def _period_key(period: str, day: dt.date) -> tuple:
    year, week, _ = day.isocalendar()
    if period == "week":
        return ("week", year, week)
    if period == "month":
        return ("month", day.year, day.month)
    if period == "four_weeks":
        return ("block", year, min((week - 1) // 4 + 1, 13))
    return ("all",)


def model(data: Dataset) -> dict[tuple[str, str], ModelLine]:
    master = data.master
    projects = {r["project_id"]: r for r in master["projects"]}
    subscriptions = {r["subscription_id"]: r for r in master["subscriptions"]}
    courses = {r["course_id"]: r for r in master["courses"]}
    profiles_by_id = {r["profile_id"]: r for r in master["sales_relation_profiles"]}
    debtors = {r["debtor_id"]: r for r in master["debtors"]}
    out = {}
    for source, row in data.rows():
        project_id = None
        excluded_flag = False
        if source in ("postcalc_lines", "installment_lines"):
            p = projects.get(row["project_id"])
            known = p is not None
            project_id = row["project_id"]
            admin = p["admin_id"] if p else None
            excluded_flag = known and _is(p["exclude_from_collective"])
            if source == "installment_lines":
                excluded_flag = excluded_flag or _is(row["exclude_from_collective"])
        elif source == "subscription_lines":
            s = subscriptions.get(row["subscription_id"])
            known = s is not None
            if s:
                project_id = s["project_id"] or None
                p = projects.get(project_id) if project_id else None
                admin = (p["admin_id"] if p else None) or s["admin_id"] or "NL01"
                excluded_flag = _is(s["exclude_from_collective"]) or (
                    p is not None and _is(p["exclude_from_collective"]))
            else:
                admin = None
        else:
            c = courses.get(row["course_id"])
            known = c is not None
            admin = (c["admin_id"] or "NL01") if c else None
            excluded_flag = known and _is(c["exclude_from_collective"])

        day = dt.date.fromisoformat(row["line_date"])
        if not known:
            status = "rejected"
        elif data.run_admin and admin != data.run_admin:
            status = "excluded"
        elif day > REFERENCE:
            status = "open"
        else:
            status = "invoiced"

        debtor_id = row["debtor_id"]
        profile_id = debtors[debtor_id].get("profile_id") or None
        prof = profiles_by_id.get(profile_id) if profile_id else profiles_by_id.get("*****")
        combines = prof is not None and sum(
            _is(prof[f"collect_{f}"]) for f in FLAGS) >= 2
        collected = (combines and _is(prof[f"collect_{FLAG_OF[source]}"])
                     and not _is(row["manual"]) and not excluded_flag)

        key = None
        if status == "invoiced":
            if collected:
                method = prof["collect_method"]
                if method == "per_project":
                    mkey = ("project", project_id)
                elif method == "per_sales_relation" and project_id and _is(
                        projects[project_id]["invoice_separately"]):
                    mkey = ("project", project_id)
                else:
                    mkey = ("debtor",)
                key = ("collective", admin, debtor_id, mkey,
                       _period_key(prof["collect_period"], day))
            elif source == "postcalc_lines":
                key = (source, admin, debtor_id, project_id)
            elif source == "installment_lines":
                key = (source, admin, debtor_id, project_id, row["installment_id"])
            elif source == "subscription_lines":
                key = (source, admin, debtor_id, row["subscription_id"])
            else:
                key = (source, admin, debtor_id, row["course_id"])
        amount = (Decimal(row["quantity"]) * Decimal(row["unit_price"])).quantize(
            CENT, rounding=ROUND_HALF_UP)
        out[(source, row["line_id"])] = ModelLine(
            source, row["line_id"], status, admin, collected, key, amount, row["vat_code"])
    return out


def model_invoices(lines: dict) -> dict[frozenset, dict]:
    groups = defaultdict(list)
    for ident, line in lines.items():
        if line.key is not None:
            groups[line.key].append(ident)
    out = {}
    for key, members in groups.items():
        mlines = [lines[m] for m in members]
        gross = defaultdict(Decimal)
        for m in mlines:
            gross[m.vat_code] += m.amount
        vat = sum(((g * VAT_RATES[code]).quantize(CENT, rounding=ROUND_HALF_UP)
                   for code, g in gross.items()), Decimal("0"))
        excl = sum(gross.values(), Decimal("0"))
        collective = key[0] == "collective"
        out[frozenset(members)] = dict(
            admin_id=key[1], debtor_id=key[2], collective=collective,
            integration_type="collective_invoice" if collective else TYPE_OF[key[0]],
            sources=",".join(sorted({m.source for m in mlines})),
            excl=excl, vat=vat, incl=excl + vat)
    return out


# --- running and checking ------------------------------------------------------------------------


def run_example(data: Dataset, tmp: str):
    folder = write_dataset(Path(tmp) / "input", data.master, **data.lines)
    db = Path(tmp) / "out.duckdb"
    run(folder, db, PERIOD, admin=data.run_admin)
    return duckdb.connect(str(db), read_only=True)


def _row(value) -> tuple:
    return tuple(value.values()) if isinstance(value, dict) else tuple(value)


def check_lines_accounted_for(con, data: Dataset, lines: dict) -> None:
    """(c) one billable_lines row per input row, each with the model's status."""
    actual = Counter(con.execute("SELECT source, line_id, status FROM billable_lines").fetchall())
    expected = Counter((m.source, m.line_id, m.status) for m in lines.values())
    assert actual == expected
    assert sum(actual.values()) == sum(len(rows) for rows in data.lines.values())
    by_status = Counter(m.status for m in lines.values())
    ((read, invoiced, open_, rejected, excluded),) = con.execute("""
        SELECT lines_read, lines_invoiced, lines_open, lines_rejected, lines_excluded
        FROM runs""").fetchall()
    assert read == invoiced + open_ + rejected + excluded == len(lines)
    assert (invoiced, open_, rejected, excluded) == (
        by_status["invoiced"], by_status["open"], by_status["rejected"], by_status["excluded"])
    for status in by_status:
        event(f"a line {status}")


def check_each_line_on_one_invoice(con) -> None:
    """(b) invoice_lines has each (source, line_id) once; billable_lines agrees on the invoice
    and the collect_key / is_collective are those of the invoice."""
    assert con.execute("""
        SELECT source, line_id FROM invoice_lines GROUP BY 1, 2 HAVING count(*) > 1
        """).fetchall() == []
    assert con.execute("""
        SELECT b.source, b.line_id, b.status, b.invoice_number, l.invoice_number
        FROM billable_lines AS b FULL JOIN invoice_lines AS l USING (source, line_id)
        WHERE (b.status = 'invoiced') IS DISTINCT FROM (l.invoice_number IS NOT NULL)
           OR (b.status = 'invoiced' AND b.invoice_number IS DISTINCT FROM l.invoice_number)
           OR (b.status <> 'invoiced' AND b.invoice_number IS NOT NULL)""").fetchall() == []
    assert con.execute("""
        SELECT b.source, b.line_id, b.collect_key, i.collect_key, b.is_collective, i.is_collective
        FROM billable_lines AS b JOIN invoices AS i USING (invoice_number)
        WHERE b.collect_key IS NULL OR b.collect_key IS DISTINCT FROM i.collect_key
           OR b.is_collective IS DISTINCT FROM i.is_collective""").fetchall() == []


def check_one_administration_per_invoice(con, lines: dict) -> None:
    """(a) the invoice's admin_id is the admin of every one of its lines (in the model, in
    invoice_lines and in billable_lines), its journal is that administration's, and its entry is
    booked in that administration."""
    rows = con.execute("""
        SELECT i.invoice_number, i.admin_id, i.journal_code,
               list((l.source, l.line_id, l.admin_id)), list(DISTINCT b.admin_id)
        FROM invoices AS i
        JOIN invoice_lines AS l USING (invoice_number)
        JOIN billable_lines AS b ON b.source = l.source AND b.line_id = l.line_id
        GROUP BY ALL""").fetchall()
    for number, admin, journal, members, billable_admins in rows:
        members = [_row(m) for m in members]
        assert {m[2] for m in members} == {admin}, (number, admin, members)
        assert billable_admins == [admin], (number, admin, billable_admins)
        assert {lines[(s, i)].admin_id for s, i, _ in members} == {admin}, (number, members)
        assert journal == JOURNAL_OF[admin], (number, admin, journal)
    assert con.execute("""
        SELECT DISTINCT i.invoice_number, i.admin_id, e.admin_id
        FROM invoices AS i JOIN journal_entries AS e USING (invoice_number)
        WHERE e.admin_id <> i.admin_id""").fetchall() == []
    if len({admin for _, admin, *_ in rows}) == 2:
        event("invoices in two administrations")


def check_entries_balance(con) -> None:
    """(d) every entry balances, with no negative debit or credit, and the debtor line is the
    invoice's total."""
    assert con.execute("""
        SELECT entry_id, sum(debit), sum(credit) FROM journal_entries
        GROUP BY entry_id HAVING sum(debit) <> sum(credit)""").fetchall() == []
    assert con.execute("""
        SELECT entry_id FROM journal_entries WHERE debit < 0 OR credit < 0""").fetchall() == []
    assert con.execute("""
        SELECT i.invoice_number FROM invoices AS i
        WHERE i.total_incl_vat IS DISTINCT FROM (
            SELECT sum(debit) - sum(credit) FROM journal_entries AS e
            WHERE e.invoice_number = i.invoice_number AND e.debtor_id IS NOT NULL)
           OR (SELECT count(DISTINCT entry_id) FROM journal_entries AS e
               WHERE e.invoice_number = i.invoice_number) <> 1""").fetchall() == []


def check_invoices_match_model(con, lines: dict) -> None:
    """(e) the invoices are the model's groups; collected groups are collective invoices, the
    others not; §9 totals per invoice."""
    want = model_invoices(lines)
    rows = con.execute("""
        SELECT i.invoice_number, i.admin_id, i.debtor_id, i.integration_type, i.is_collective,
               i.sources, i.description, i.total_excl_vat, i.vat_amount, i.total_incl_vat,
               list((l.source, l.line_id))
        FROM invoices AS i JOIN invoice_lines AS l USING (invoice_number)
        GROUP BY ALL""").fetchall()
    actual = {frozenset(_row(m) for m in members): rest for *rest, members in rows}
    assert len(actual) == len(rows)
    assert set(actual) == set(want), "the run grouped lines otherwise than §8 says"
    for members, (number, admin, debtor_id, kind, collective, sources, description,
                  excl, vat, incl) in actual.items():
        w = want[members]
        why = (number, sorted(members))
        assert (admin, debtor_id, kind, collective, sources) == (
            w["admin_id"], w["debtor_id"], w["integration_type"], w["collective"],
            w["sources"]), why
        assert (excl, vat, incl) == (w["excl"], w["vat"], w["incl"]), why
        if collective:
            assert description == "[vzf] Verzamelfactuur", why
            event("a collective invoice")
            if "," in sources:
                event("a collective invoice of several sources")
        else:
            assert not description.startswith("[vzf]"), why
            event("an invoice that is not collective")
    # numbers: per journal 1001.. (VK) and B1.. (VKB), without gaps
    for journal, prefix, start in (("VK", "", 1001), ("VKB", "B", 1)):
        numbers = sorted(int(n.removeprefix(prefix)) for (n,) in con.execute(
            "SELECT invoice_number FROM invoices WHERE journal_code = $j", {"j": journal}
        ).fetchall())
        assert numbers == list(range(start, start + len(numbers))), (journal, numbers)


# --- the properties ------------------------------------------------------------------------------


@settings(max_examples=30, **SETTINGS)
@given(data=datasets())
@example(data=explicit_dataset())
def test_collective_invoices_follow_the_rules(data: Dataset):
    """(a)–(e) after one January 2027 run of a random dataset."""
    lines = model(data)
    with tempfile.TemporaryDirectory() as tmp:
        with run_example(data, tmp) as con:
            check_lines_accounted_for(con, data, lines)
            check_each_line_on_one_invoice(con)
            check_one_administration_per_invoice(con, lines)
            check_entries_balance(con)
            check_invoices_match_model(con, lines)


@settings(max_examples=10, **SETTINGS)
@given(data=datasets())
def test_collected_lines_are_exactly_the_lines_on_collective_invoices(data: Dataset):
    """Per line: billable_lines.is_collective is the model's decision for every invoiced line,
    and the lines on collective invoices are exactly the collected ones."""
    lines = model(data)
    with tempfile.TemporaryDirectory() as tmp:
        with run_example(data, tmp) as con:
            rows = con.execute("""
                SELECT b.source, b.line_id, b.is_collective, i.is_collective, i.integration_type
                FROM billable_lines AS b JOIN invoices AS i USING (invoice_number)""").fetchall()
    invoiced = {k for k, m in lines.items() if m.status == "invoiced"}
    assert {(s, i) for s, i, *_ in rows} == invoiced
    for source, line_id, line_collective, invoice_collective, kind in rows:
        want = lines[(source, line_id)].collected
        assert (line_collective, invoice_collective) == (want, want), (source, line_id)
        assert (kind == "collective_invoice") == want, (source, line_id, kind)
