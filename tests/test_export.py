"""`journalize export` (SPEC §12): Parquet partitions read back equal to the tables, re-exporting
a period replaces that period's files only; one invoice's FiEntries payload compared field by
field with a hand-written one, Profit's field limits (one fault per value), entries of more than
1,000 lines split into balanced parts; XAF 4.0 and 3.2 valid against their XSDs, with every
reference declared, unique numbers, totals and balance checked from the file itself (and by
pyxaf, a second opinion), the exporter's own checks firing on broken books; a failed export
writes nothing. Expected values are computed by hand from the spec."""

from __future__ import annotations

import json
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from builders import base_master, order_line, query, run, with_be01, write_dataset
from lxml import etree
from typer.testing import CliRunner

from flows import export as flow_export
from flows.cli import app
from flows.export import XAF_NAMESPACES, ExportParameters, export_books, xsd_path
from transforms.export import ExportFailure, balanced_parts
from transforms.faults import Failure

WIDE = {"COLUMNS": "250"}


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def export(db: Path, out: Path, fmt: str = "parquet", **values) -> flow_export.ExportResult:
    return export_books(ExportParameters(db_path=db, out_dir=out, format=fmt, **values))


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    """The shipped sample's books (NL01 and BE01, October 2026)."""
    from flows.parameters import sample_dataset

    db = tmp_path_factory.mktemp("sample") / "books.duckdb"
    run(sample_dataset(), db)
    return db


def copy_of(db: Path, tmp_path: Path, *statements: str) -> Path:
    """A copy of the books with statements applied (books an export must refuse, or with what
    journalize does not write yet: allocation codes)."""
    target = tmp_path / "copy.duckdb"
    shutil.copy(db, target)
    with duckdb.connect(str(target)) as con:
        for statement in statements:
            con.execute(statement)
    return target


# --- Parquet -------------------------------------------------------------------------------------

# table → the columns an export adds to it (partition columns it may lack)
DERIVED = {
    "journal_entries": "",
    "invoices": ", year(invoice_date) AS fiscal_year, month(invoice_date) AS period",
    "invoice_vat": None,  # (joined with its invoice: below)
    "open_items": ", year(invoice_date) AS fiscal_year, month(invoice_date) AS period",
    "billable_lines": ", year(line_date) AS fiscal_year, month(line_date) AS period",
}


def read_back(out: Path, table: str) -> str:
    return (f"read_parquet('{out}/parquet/{table}/**/*.parquet', hive_partitioning = true, "
            "hive_types = {'admin_id': VARCHAR, 'fiscal_year': INTEGER, 'period': INTEGER})")


def test_parquet_partitions_read_back_equal_to_the_tables(sample_db, tmp_path):
    out = tmp_path / "lake"
    result = export(sample_db, out)
    assert result.rows["journal_entries"] == query(sample_db, "SELECT count(*) FROM "
                                                              "journal_entries")[0][0]
    with duckdb.connect(str(sample_db), read_only=True) as con:
        for table, derived in DERIVED.items():
            if table == "journal_entries":
                books = ("SELECT e.*, coalesce((SELECT list({'axis': a.axis, 'code': a.code} "
                         "ORDER BY a.axis) FROM entry_allocations AS a WHERE a.entry_id = "
                         "e.entry_id AND a.line_no = e.line_no), [])::STRUCT(axis VARCHAR, "
                         "code VARCHAR)[] AS allocations FROM journal_entries AS e")
            elif table == "invoice_vat":
                books = ("SELECT v.*, i.admin_id, year(i.invoice_date) AS fiscal_year, "
                         "month(i.invoice_date) AS period FROM invoice_vat AS v "
                         "JOIN invoices AS i USING (invoice_number)")
            else:
                books = f"SELECT *{derived} FROM {table}"
            exported = f"SELECT * FROM {read_back(out, table)}"
            columns = [d[0] for d in con.execute(f"SELECT * FROM ({books}) LIMIT 0").description]
            listed = ", ".join(f'"{c}"' for c in columns)
            for a, b in ((books, exported), (exported, books)):
                missing = con.execute(f"SELECT count(*) FROM (SELECT {listed} FROM ({a}) "
                                      f"EXCEPT ALL SELECT {listed} FROM ({b}))").fetchone()[0]
                assert missing == 0, (table, a[:40])
            assert con.execute(f"SELECT count(*) FROM {read_back(out, table)}").fetchone()[0] \
                == con.execute(f"SELECT count(*) FROM ({books})").fetchone()[0]
    # a line rejected before its date was known is in the NULL partition of its fiscal year
    assert (out / "parquet/billable_lines/admin_id=NL01/fiscal_year=__HIVE_DEFAULT_PARTITION__"
            ).is_dir() or any(p.name == "fiscal_year=__HIVE_DEFAULT_PARTITION__"
                              for p in (out / "parquet/billable_lines").rglob("*"))
    # pandas (pyarrow) reads the same folders, partition columns included
    frame = pd.read_parquet(out / "parquet" / "invoices")
    assert len(frame) == 144 and set(frame["admin_id"].astype(str)) == {"NL01", "BE01"}
    assert (out / ".journalize-export").is_file()


def test_parquet_entries_carry_their_allocation_codes(sample_db, tmp_path):
    # the sample's invoice 26000004 (order O26-0009, representative R010) credits 8010/H
    # 12.33 from warehouse EDE (OL-000021) and 18.75 from ZWL (OL-000022)
    out = tmp_path / "lake"
    export(sample_db, out)
    rows = query(sample_db, f"SELECT credit, allocations FROM {read_back(out, 'journal_entries')} "
                            "WHERE invoice_number = '26000004' AND account = '8010' ORDER BY 1")
    assert rows == [(Decimal("12.33"), [{"axis": "department", "code": "R010"},
                                  {"axis": "warehouse", "code": "EDE"}]),
                    (Decimal("18.75"), [{"axis": "department", "code": "R010"},
                                  {"axis": "warehouse", "code": "ZWL"}])]


def test_exporting_a_period_again_replaces_its_files_only(sample_db, tmp_path):
    out = tmp_path / "lake"
    export(sample_db, out)
    nl = out / "parquet/invoices/admin_id=NL01/fiscal_year=2026/period=10/data_0.parquet"
    be = out / "parquet/invoices/admin_id=BE01/fiscal_year=2026/period=10/data_0.parquet"
    be_before, nl_before = be.stat(), nl.stat()
    stale = nl.with_name("data_1.parquet")  # a file of the period that the export no longer has
    shutil.copy(nl, stale)
    result = export(sample_db, out, admin="NL01", year=2026, period=10)
    assert nl.stat().st_ino != nl_before.st_ino  # swapped in: a new file
    assert (be.stat().st_ino, be.stat().st_mtime_ns) == (be_before.st_ino, be_before.st_mtime_ns)
    assert not stale.exists() and stale.relative_to(out) in result.removed
    assert {p.parts[2] for p in result.files} == {"admin_id=NL01"}
    assert not [p for p in out.iterdir() if p.name.startswith(flow_export.STAGING)]
    # and the folder still reads back as the books
    assert query(sample_db, f"SELECT count(*) FROM {read_back(out, 'invoices')}") == [(144,)]


def test_a_failed_export_leaves_the_folder_as_it_was(sample_db, tmp_path, monkeypatch):
    out = tmp_path / "lake"
    export(sample_db, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(flow_export, "_publish", broken)
    with pytest.raises(OSError):
        export(sample_db, out)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before
    fresh = tmp_path / "new" / "lake"
    with pytest.raises(OSError):
        export(sample_db, fresh)
    assert not (tmp_path / "new").exists()  # the folders it made are gone too


def test_refusals_name_what_is_wrong(sample_db, tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    result = invoke("export", "--db", sample_db, "--out", foreign)
    assert result.exit_code == 2 and "not written by journalize export" in result.stderr
    assert (foreign / "notes.txt").read_text() == "mine" and len(list(foreign.iterdir())) == 1

    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t (x INTEGER)").close()
    result = invoke("export", "--db", other, "--out", tmp_path / "o")
    assert result.exit_code == 2 and "is not journalize's books" in result.stderr

    result = invoke("export", "--db", tmp_path / "none.duckdb", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "does not exist" in result.stderr

    result = invoke("export", "--db", sample_db, "--out", tmp_path / "o", "--period", "10")
    assert result.exit_code == 2 and "--period needs --year" in result.stderr

    result = invoke("export", "--db", sample_db, "--out", tmp_path / "o", "--admin", "XX99")
    assert result.exit_code == 2 and "XX99" in result.stderr

    result = invoke("export", "--db", sample_db, "--out", tmp_path / "o", "--format", "csv")
    assert result.exit_code == 2 and "--format 'csv'" in result.stderr
    assert not (tmp_path / "o").exists()


# --- FiEntries -----------------------------------------------------------------------------------


def fientries(out: Path) -> list[dict]:
    messages = []
    for path in sorted((out / "fientries").rglob("FiEntries.jsonl")):
        messages += [json.loads(line, parse_float=Decimal)
                     for line in path.read_text("utf-8").splitlines()]
    return messages


def lines_of(message: dict) -> list[dict]:
    (objects,) = message["FiEntryPar"]["Element"]["Objects"]
    return [element["Fields"] for element in objects["FiEntries"]["Element"]]


def test_one_invoice_payload_field_by_field(dataset_dir, db, tmp_path):
    # one order of two lines for debtor 10001 (payment term 30 days), VAT H 21 %:
    # 2 × 50.00 = 100.00 on 8000 (GOODS) and 1 × 80.00 = 80.00 on 8100 (SERV); VAT 21 % of
    # 180.00 = 37.80 on 1500; the receivable 217.80; invoice 1001 (VK's counter 1000) of
    # 2026-10-31, due 2026-11-30; description "[vkf] Verkoopfactuur" (SPEC §6)
    write_dataset(dataset_dir, order_lines=[
        order_line("L1", quantity="2", unit_price="50"),
        order_line("L2", quantity="1", unit_price="80", article_group="SERV"),
    ])
    run(dataset_dir, db)
    out = tmp_path / "profit"
    result = invoke("export", "--db", db, "--out", out, "--format", "fientries",
                    "--unit-id", "NL01=1")
    assert result.exit_code == 0, result.output
    common = {"EnNo": 1, "EnDa": "2026-10-31", "BpDa": "2026-10-31", "BpNr": "1001",
              "InId": "1001", "Ds": "[vkf] Verkoopfactuur"}
    expected = {"FiEntryPar": {"Element": {
        "Fields": {"Year": 2026, "Peri": 10, "UnId": 1, "JoCo": "VK"},
        "Objects": [{"FiEntries": {"Element": [
            {"Fields": {**common, "VaAs": "2", "AcNr": "10001", "AmDe": Decimal("217.80"),
                        "AmCr": Decimal("0.00"), "DaEx": "2026-11-30"}},
            {"Fields": {**common, "VaAs": "1", "AcNr": "8000", "AmDe": Decimal("0.00"),
                        "AmCr": Decimal("100.00"), "VaId": "H"}},
            {"Fields": {**common, "VaAs": "1", "AcNr": "8100", "AmDe": Decimal("0.00"),
                        "AmCr": Decimal("80.00"), "VaId": "H"}},
            {"Fields": {**common, "VaAs": "1", "AcNr": "1500", "AmDe": Decimal("0.00"),
                        "AmCr": Decimal("37.80"), "VaId": "H"}},
        ]}}],
    }}}
    (message,) = fientries(out)
    assert message["FiEntryPar"]["Element"]["Fields"] == expected["FiEntryPar"]["Element"]["Fields"]
    got, want = lines_of(message), lines_of(expected)
    assert len(got) == len(want)
    for line, (found, hand) in enumerate(zip(got, want, strict=True), 1):
        assert set(found) == set(hand), line
        for name in hand:
            assert found[name] == hand[name], (line, name)
    assert message == expected
    text = (out / "fientries/admin_id=NL01/fiscal_year=2026/period=10/FiEntries.jsonl").read_text()
    assert '"AmDe":217.80,' in text and text.count("\n") == 1  # exact amounts, one message a line


def test_allocation_codes_go_out_as_fidimentries(dataset_dir, db, tmp_path):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])  # 100.00 on 8000, VAT 21.00
    run(dataset_dir, db)
    books = copy_of(db, tmp_path, "INSERT INTO entry_allocations (entry_id, line_no, axis, code) "
                                  "VALUES (1, 2, 'warehouse', 'W1'), "
                                  "(1, 2, 'department', 'D7')")
    out = tmp_path / "profit"
    export(books, out, "fientries", unit_ids={"NL01": 7})
    (message,) = fientries(out)
    assert message["FiEntryPar"]["Element"]["Fields"]["UnId"] == 7
    (objects,) = message["FiEntryPar"]["Element"]["Objects"]
    revenue = objects["FiEntries"]["Element"][1]
    assert revenue["Fields"]["AcNr"] == "8000"
    # axes in name order: department DiC1, warehouse DiC2; the line's amounts
    assert revenue["Objects"] == [{"FiDimEntries": {"Element": [{"Fields": {
        "DiC1": "D7", "DiC2": "W1", "AmDe": Decimal("0.00"), "AmCr": Decimal("100.00")}}]}}]
    assert "Objects" not in objects["FiEntries"]["Element"][0]  # the debtor line has none


def test_values_beyond_profits_limits_fail_the_export_one_message_per_value(tmp_path):
    master = base_master()
    master["vat_codes"].append(dict(admin_id="NL01", vat_code="HOOG", rate="0.21",
                                    payable_account="1500"))
    master["journals"].append(dict(admin_id="NL01", journal_code="VERKOOP", journal_type="sales",
                                   description="Verkoop lang", last_invoice_number="5000",
                                   number_prefix="X"))
    master["integration_types"][0]["journal_code"] = "VERKOOP"
    folder, db = tmp_path / "input", tmp_path / "books.duckdb"
    write_dataset(folder, master, order_lines=[
        order_line("L1", "O1", vat_code="HOOG"), order_line("L2", "O2", vat_code="HOOG")])
    run(folder, db)
    books = copy_of(db, tmp_path, "INSERT INTO entry_allocations (entry_id, line_no, axis, code) "
                                  "VALUES "
                                  "(1, 2, 'department', 'AFDELING-NOORD-WEST')")
    out = tmp_path / "profit"
    with pytest.raises(ExportFailure) as failed:
        export(books, out, "fientries")
    # VaId: 'HOOG' on the revenue and VAT lines of both invoices; JoCo on all six lines
    assert failed.value.messages[1:] == [
        "administration 'NL01': Profit's administration (FiEntryPar UnId) is a number; give it "
        "with --unit-id NL01=<number>",
        "FiEntries field DiC (allocation code, axis department): 'AFDELING-NOORD-WEST' has 19 "
        "characters, Profit takes at most 16 (1 line, first: entry 1 line 2)",
        "FiEntries field JoCo: 'VERKOOP' has 7 characters, Profit takes at most 6 (6 lines, "
        "first: entry 1 line 1)",
        "FiEntries field VaId: 'HOOG' has 4 characters, Profit takes at most 3 (4 lines, "
        "first: entry 1 line 2)",
    ]
    assert not out.exists()  # nothing written, not even the folder
    result = invoke("export", "--db", books, "--out", out, "--format", "fientries")
    assert result.exit_code == 3
    assert "4 value(s) do not fit Profit's FiEntries" in result.stderr.splitlines()[0]


def test_an_entry_of_more_than_1000_lines_goes_in_balanced_parts(tmp_path):
    # one order of 1,200 lines of 1.00, each on an account of its own (integration group G0001 …
    # G1200 → account 9001 … 10200), VAT H: the entry has 1 debtor line (1,452.00), 1,200
    # revenue lines and 1 VAT line (252.00) on 1500, 1,202 lines. Its 1,201 other lines go in
    # parts of 999 in line order: part 1 = 999 revenue lines (credit 999.00) with a debtor line
    # debit 999.00; part 2 = 201 revenue lines + the VAT line (credit 201.00 + 252.00 = 453.00)
    # with a debtor line debit 453.00; 999.00 + 453.00 = 1,452.00.
    master = base_master()
    accounts = [str(9000 + n) for n in range(1, 1201)]
    master["accounts"] += [dict(admin_id="NL01", account=a, description=f"omzet {a}",
                                account_type="result") for a in accounts]
    master["integration_groups"] += [dict(admin_id="NL01", integration_group=f"G{n:04d}",
                                          revenue_account=a, credit_account=a)
                                     for n, a in enumerate(accounts, 1)]
    lines = [order_line(f"L{n:04d}", quantity="1", unit_price="1",
                        integration_group=f"G{n:04d}") for n in range(1, 1201)]
    folder, db = tmp_path / "input", tmp_path / "books.duckdb"
    write_dataset(folder, master, order_lines=lines)
    run(folder, db)
    assert query(db, "SELECT count(*), sum(debit) FROM journal_entries") == [
        (1202, Decimal("1452.00"))]
    out = tmp_path / "profit"
    result = export(db, out, "fientries", unit_ids={"NL01": 1})
    assert result.rows == {"messages": 2, "lines": 1203}
    first, second = (lines_of(m) for m in fientries(out))
    assert (len(first), len(second)) == (1000, 203)
    for part, debtor_amount in ((first, "999.00"), (second, "453.00")):
        assert sum(line["AmDe"] for line in part) == sum(line["AmCr"] for line in part)
        (debtor,) = [line for line in part if line["VaAs"] == "2"]
        assert (debtor["AcNr"], debtor["InId"], debtor["AmDe"], debtor["DaEx"]) == (
            "10001", "1001", Decimal(debtor_amount), "2026-11-30")
        assert part[0] is debtor or part[0] == debtor  # (the debtor line first, as in the entry)
    others = [line["AcNr"] for line in first[1:] + second[1:]]
    # every other line once, in the entry's line order (revenue by account, as text; then VAT)
    assert others == sorted(accounts) + ["1500"]


def test_balanced_parts_cut_where_the_lines_balance():
    d = Decimal
    assert balanced_parts([d(5), d(-5), d(3), d(-3)], limit=2) == [1, 1, 2, 2]
    assert balanced_parts([d(5), d(-5), d(3), d(-3)], limit=4) == [1, 1, 1, 1]
    assert balanced_parts([d(1), d(2), d(-3), d(4), d(-4)], limit=3) == [1, 1, 1, 2, 2]
    assert balanced_parts([d(1), d(1), d(-2), d(4), d(-4)], limit=2) is None  # no cut of ≤ 2
    assert balanced_parts([d(1), d(-2)], limit=5) is None  # unbalanced


# --- XAF -----------------------------------------------------------------------------------------


def parse_xaf(path: Path, version: str) -> etree._Element:
    """The whole file, validated against its XSD by lxml (independently of the exporter's
    streaming validation)."""
    schema = etree.XMLSchema(etree.parse(str(xsd_path(version))))
    tree = etree.parse(str(path))
    schema.assertValid(tree)
    return tree.getroot()


def check_references_and_totals(root: etree._Element, version: str) -> dict:
    """What the 3.2 XSD's keyrefs would check, and XAF's control figures, from the file."""
    ns = {"x": XAF_NAMESPACES[version]}

    def texts(path: str) -> list[str]:
        return [e.text for e in root.iterfind(path, ns)]

    accounts = set(texts("x:company/x:generalLedger/x:ledgerAccount/x:accID"))
    customers = set(texts("x:company/x:customersSuppliers/x:customerSupplier/x:custSupID"))
    vat_codes = set(texts("x:company/x:vatCodes/x:vatCode/x:vatID"))
    periods = set(texts("x:company/x:periods/x:period/x:periodNumber"))
    assert periods == {str(n) for n in range(1, 13)}
    for vat in root.iterfind("x:company/x:vatCodes/x:vatCode", ns):
        assert vat.findtext("x:vatToPayAccID", namespaces=ns) in accounts
    transactions = root.find("x:company/x:transactions", ns)
    numbers, count, debit, credit = set(), 0, Decimal(0), Decimal(0)
    for journal in transactions.iterfind("x:journal", ns):
        jrn = journal.findtext("x:jrnID", namespaces=ns)
        for tr in journal.iterfind("x:transaction", ns):
            key = (jrn, tr.findtext("x:nr", namespaces=ns))
            assert key not in numbers
            numbers.add(key)
            assert tr.findtext("x:periodNumber", namespaces=ns) in periods
            line_numbers, balance = set(), Decimal(0)
            for line in tr.iterfind("x:trLine", ns):
                nr = line.findtext("x:nr", namespaces=ns)
                assert nr not in line_numbers
                line_numbers.add(nr)
                assert line.findtext("x:accID", namespaces=ns) in accounts
                customer = line.findtext("x:custSupID", namespaces=ns)
                assert customer is None or customer in customers
                for vat in line.iterfind("x:vat", ns):
                    assert vat.findtext("x:vatID", namespaces=ns) in vat_codes
                amount = Decimal(line.findtext("x:amnt", namespaces=ns))
                side = line.findtext("x:amntTp", namespaces=ns)
                debit += amount if side == "D" else 0
                credit += amount if side == "C" else 0
                balance += amount if side == "D" else -amount
                count += 1
            assert balance == 0, key
    assert int(transactions.findtext("x:linesCount", namespaces=ns)) == count
    assert Decimal(transactions.findtext("x:totalDebit", namespaces=ns)) == debit
    assert Decimal(transactions.findtext("x:totalCredit", namespaces=ns)) == credit
    return {"lines": count, "debit": debit, "transactions": len(numbers)}


def second_opinion(path: Path) -> list[str]:
    """pyxaf's findings (it reads XAF and checks structure, XSD, references, totals,
    uniqueness); the file has no opening balance by design (the README says why)."""
    import pyxaf

    report = pyxaf.validate(str(path), xsd=True)
    return [f"{f.code} {f.message}" for f in report.findings if f.code != "XAF7006"]


@pytest.mark.parametrize("version", ["4.0", "3.2"])
def test_xaf_of_the_sample_is_valid_complete_and_consistent(sample_db, tmp_path, version):
    out = tmp_path / "audit"
    result = export(sample_db, out, "xaf", xaf_version=version)
    assert sorted(result.files) == [Path(f"xaf/BE01_2026_XAF{version}.xaf"),
                                    Path(f"xaf/NL01_2026_XAF{version}.xaf")]
    for admin in ("NL01", "BE01"):
        path = out / "xaf" / f"{admin}_2026_XAF{version}.xaf"
        root = parse_xaf(path, version)
        found = check_references_and_totals(root, version)
        assert [found["lines"], found["debit"], found["transactions"]] == list(query(
            sample_db, "SELECT count(*), sum(debit), count(DISTINCT entry_id) FROM "
                       "journal_entries WHERE admin_id = $a", {"a": admin})[0])
        ns = {"x": XAF_NAMESPACES[version]}
        assert root.findtext("x:header/x:softwareDesc", namespaces=ns) == \
            "journalize: only the entries journalize wrote"
        assert root.find("x:company/x:openingBalance", ns) is None  # none from elsewhere
        assert second_opinion(path) == []


def test_xaf_lines_of_one_invoice(dataset_dir, db, tmp_path):
    # the invoice of test_one_invoice_payload_field_by_field: VAT per line, 21 % of 100.00 =
    # 21.00 and of 80.00 = 16.80 on the revenue lines, the VAT line's own 37.80
    write_dataset(dataset_dir, order_lines=[
        order_line("L1", quantity="2", unit_price="50"),
        order_line("L2", quantity="1", unit_price="80", article_group="SERV"),
    ])
    run(dataset_dir, db)
    for version in ("4.0", "3.2"):
        out = tmp_path / version
        export(db, out, "xaf", xaf_version=version)
        root = parse_xaf(out / "xaf" / f"NL01_2026_XAF{version}.xaf", version)
        ns = {"x": XAF_NAMESPACES[version]}
        (journal,) = root.iterfind("x:company/x:transactions/x:journal", ns)
        assert [journal.findtext(f"x:{t}", namespaces=ns) for t in ("jrnID", "desc", "jrnTp")] \
            == ["VK", "Verkoop", "S"]
        (tr,) = journal.iterfind("x:transaction", ns)
        assert [tr.findtext(f"x:{t}", namespaces=ns) for t in ("nr", "desc", "periodNumber",
                                                               "trDt")] == [
            "1", "[vkf] Verkoopfactuur", "10", "2026-10-31"]

        def line(element, ns=ns):
            vat = element.find("x:vat", ns)
            return (element.findtext("x:nr", namespaces=ns),
                    element.findtext("x:accID", namespaces=ns),
                    element.findtext("x:docRef", namespaces=ns),
                    element.findtext("x:amnt", namespaces=ns),
                    element.findtext("x:amntTp", namespaces=ns),
                    element.findtext("x:custSupID", namespaces=ns),
                    None if vat is None else tuple(v.text for v in vat))

        assert [line(e) for e in tr.iterfind("x:trLine", ns)] == [
            ("1", "1300", "1001", "217.80", "D", "10001", None),
            ("2", "8000", "1001", "100.00", "C", None, ("H", "21.000", "21.00", "C")),
            ("3", "8100", "1001", "80.00", "C", None, ("H", "21.000", "16.80", "C")),
            ("4", "1500", "1001", "37.80", "C", None, ("H", "21.000", "37.80", "C")),
        ]
        customers = root.findall("x:company/x:customersSuppliers/x:customerSupplier", ns)
        assert [(c.findtext("x:custSupID", namespaces=ns), c.findtext("x:custSupName",
                                                                      namespaces=ns))
                for c in customers] == [("10001", "Jansen Installatie BV")]


@pytest.mark.parametrize("broken, fault", [
    ("DELETE FROM run_accounts WHERE account = '8000'",
     "account 8000 is not declared (not in the accounts the books recorded for NL01): 1 line(s), "
     "first entry 1"),
    ("DELETE FROM run_vat_codes WHERE vat_code = 'H'",
     "VAT code H is not declared (not in the VAT codes the books recorded for NL01): 2 line(s), "
     "first entry 1"),
    ("DELETE FROM run_debtors",
     "customer 10001 is not declared (not in the debtors the books recorded): 1 line(s), first "
     "entry 1"),
    ("UPDATE journal_entries SET credit = 99.00 WHERE line_no = 2",
     "transaction 1 does not balance: debit 121.00, credit 120.00"),
    ("INSERT INTO journal_entries SELECT * REPLACE (3 AS line_no) FROM journal_entries "
     "WHERE line_no = 2",
     "transaction 1 has line number 3 2 times"),
    ("UPDATE journal_entries SET period = 9 WHERE line_no = 3",
     "entry 1 line 3: period 9 of 2026 is not the period of its date 2026-10-31"),
])
def test_the_exporters_own_checks_stop_an_incomplete_audit_file(dataset_dir, db, tmp_path,
                                                                  broken, fault):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])  # 100.00 + VAT 21.00 = 121.00
    run(dataset_dir, db)
    books = copy_of(db, tmp_path, broken)
    out = tmp_path / "audit"
    with pytest.raises(Failure) as failed:
        export(books, out, "xaf", xaf_version="3.2", year=2026)
    assert f"XAF 3.2 of NL01 2026: {fault}" in failed.value.messages
    assert not out.exists()


def test_xaf_of_a_period_and_of_two_administrations(tmp_path):
    master = with_be01(base_master())
    folder, db = tmp_path / "input", tmp_path / "books.duckdb"
    write_dataset(folder, master, order_lines=[order_line("L1"),
                                               order_line("L2", "O2", line_date="2026-09-10")])
    run(folder, db, period="2026-09")
    run(folder, db, period="2026-10")
    out = tmp_path / "audit"
    result = export(db, out, "xaf", year=2026, period=10)
    assert result.files == [Path("xaf/NL01_2026-10_XAF4.0.xaf")]
    root = parse_xaf(out / result.files[0], "4.0")
    ns = {"x": XAF_NAMESPACES["4.0"]}
    assert [root.findtext(f"x:header/x:{t}", namespaces=ns) for t in ("fiscalYear", "startDate",
                                                                      "endDate")] == [
        "2026", "2026-10-01", "2026-10-31"]
    assert check_references_and_totals(root, "4.0")["transactions"] == 1


# --- a generated month ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated_db(tmp_path_factory) -> Path:
    """A month of the benchmark's generator (five administrations, every source, collective
    invoices, credit lines, BE CODA), small."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from generate import generate

    folder = tmp_path_factory.mktemp("generated")
    data = generate(3_000, folder / "3k", seed=11, progress=lambda message: None)
    db = folder / "books.duckdb"
    run(data, db)
    return db


def test_a_generated_month_in_every_format(generated_db, tmp_path):
    out = tmp_path / "export"
    admins = [a for (a,) in query(generated_db, "SELECT DISTINCT admin_id FROM journal_entries "
                                                "ORDER BY 1")]
    assert len(admins) == 5
    export(generated_db, out)
    assert query(generated_db, f"SELECT count(*) FROM {read_back(out, 'journal_entries')}") == \
        query(generated_db, "SELECT count(*) FROM journal_entries")
    units = {a: n for n, a in enumerate(admins, 1)}
    result = export(generated_db, out, "fientries", unit_ids=units)
    messages = fientries(out)
    assert len(messages) == result.rows["messages"] == query(
        generated_db, "SELECT count(DISTINCT entry_id) FROM journal_entries")[0][0]
    for message in messages:
        lines = lines_of(message)
        assert sum(x["AmDe"] for x in lines) == sum(x["AmCr"] for x in lines)
    for version in ("4.0", "3.2"):
        export(generated_db, out, "xaf", xaf_version=version)
        total = 0
        for admin in admins:
            path = out / "xaf" / f"{admin}_2026_XAF{version}.xaf"
            total += check_references_and_totals(parse_xaf(path, version), version)["lines"]
            assert second_opinion(path) == []
        assert total == query(generated_db, "SELECT count(*) FROM journal_entries")[0][0]


def test_the_cli_exports_each_format(generated_db, tmp_path):
    out = tmp_path / "export"
    result = invoke("export", "--db", generated_db, "--out", out, "--format", "xaf",
                    "--admin", "NL01", "--year", "2026", "--xaf-version", "3.2")
    assert result.exit_code == 0, result.output
    assert "xaf/NL01_2026_XAF3.2.xaf" in result.stdout
    result = invoke("export", "--db", generated_db, "--out", out, "--format", "fientries",
                    "--admin", "NL01")
    assert result.exit_code == 3 and "--unit-id NL01=<number>" in result.stderr
    result = invoke("export", "--db", generated_db, "--out", out, "--unit-id", "NL01")
    assert result.exit_code == 2 and "give ADMIN=NUMBER" in result.stderr


# --- the Prefect flow ----------------------------------------------------------------------------

EXPORT_FLOW = """
import sys
from pathlib import Path
from prefect.testing.utilities import prefect_test_harness
from flows.export import ExportParameters
from flows.month_end import export_flow

with prefect_test_harness(server_startup_timeout=300):
    result = export_flow(ExportParameters(db_path=Path(sys.argv[1]), out_dir=Path(sys.argv[2]),
                                          format="xaf"))
    print("FILES", *sorted(str(p) for p in result.files))
"""


@pytest.mark.flow
def test_export_flow_writes_what_the_cli_writes(dataset_dir, db, tmp_path):
    # (a child interpreter, as in tests/test_flow.py: Prefect's harness and DuckDB's bindings)
    import subprocess

    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    run(dataset_dir, db)
    out = tmp_path / "audit"
    done = subprocess.run([sys.executable, "-c", EXPORT_FLOW, str(db), str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "FILES xaf/NL01_2026_XAF4.0.xaf" in done.stdout
    check_references_and_totals(parse_xaf(out / "xaf" / "NL01_2026_XAF4.0.xaf", "4.0"), "4.0")


def test_an_audit_file_that_breaks_its_xsd_is_not_written(dataset_dir, db, tmp_path, monkeypatch):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    run(dataset_dir, db)
    from transforms import export as transforms_export

    made = transforms_export.xaf_transactions

    def renamed(con, *args):  # a transaction element the XSD does not know
        relation = made(con, *args)
        return relation.project("entry_id, lines, debit, credit, "
                                "replace(xml, 'amntTp>', 'amountType>') AS xml")

    monkeypatch.setattr(transforms_export, "xaf_transactions", renamed)
    out = tmp_path / "audit"
    with pytest.raises(ExportFailure) as failed:
        export(db, out, "xaf")
    (message,) = failed.value.messages
    assert message.startswith("NL01_2026_XAF4.0.xaf is not valid against its XSD, in a "
                              "transaction of journal VK among entries 1..1: ")
    assert "amountType" in message and not out.exists()
    monkeypatch.setattr(transforms_export, "xaf_transactions", made)
    monkeypatch.setattr(transforms_export, "XAF_SOFTWARE_DESC", "x" * 51)  # softwareDesc: ≤ 50
    with pytest.raises(ExportFailure) as failed:
        export(db, out, "xaf")
    assert "in the file's header, company and master data" in failed.value.messages[0]
    assert not out.exists()


def test_an_export_is_an_authorised_action(tmp_path, monkeypatch):
    from flows import provenance

    monkeypatch.setattr(provenance, "os_user", lambda: "alice")
    master = base_master()
    master["authorisations"] = [dict(user="alice", action="run", admin_id="*")]
    folder, db = tmp_path / "input", tmp_path / "books.duckdb"
    write_dataset(folder, master, order_lines=[order_line("L1")])
    run(folder, db)
    with pytest.raises(Failure) as refused:
        export(db, tmp_path / "out")
    assert "alice" in str(refused.value) and "export" in str(refused.value)
    assert not (tmp_path / "out").exists()
