"""Input that must not reach outside its lane: paths read literally, no link out of the
input folder, limits on what a small file may cost, Parquet types from other tools, crashes turned
into clear refusals, and values that cannot forge output lines.

Each test reproduces an input the README's "What an input may do, and what it may cost"
describes; expected values come from the spec and the README, never from the program's output.
Datasets are built with tests/builders.py.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from decimal import Decimal as D
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from builders import base_master, debtor, order_line, query, run, write_dataset
from typer.testing import CliRunner

from flows.cli import app
from schemas import LINE_SCHEMAS
from transforms import ingest
from transforms.ingest import MAX_COLUMNS, MAX_VALUE_BYTES, InputError, escaped
from transforms.validate import ConfigurationError

ORDER_COLUMNS = list(LINE_SCHEMAS["order_lines"].columns)


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


def line_ids(db: Path, status: str = "invoiced") -> list[str]:
    return [r[0] for r in query(db, "SELECT line_id FROM billable_lines WHERE status = $s "
                                    "ORDER BY line_id", {"s": status})]


def order_parquet(path: Path, rows: list[dict], **typed: pa.Array) -> None:
    """order_lines as Parquet, every column text except the ones given as typed arrays."""
    columns = {c: typed.get(c, pa.array([r.get(c) or None for r in rows], pa.string()))
               for c in ORDER_COLUMNS}
    columns.update({c: a for c, a in typed.items() if c not in columns})
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)


def assert_no_database(db: Path) -> None:
    assert not db.exists()


# --- 1. paths are literal -------------------------------------------------------------------------


@pytest.mark.parametrize("name, decoys", [
    ("in[12]", ["in1", "in2"]),  # [12] is a class: in1 and in2, not in[12] itself
    ("a*", ["ab", "abc"]),       # * matches a* and every folder starting with a
    ("a?", ["ab"]),
])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_input_folder_with_glob_characters_reads_only_itself(tmp_path, name, decoys, fmt):
    folder = write_dataset(tmp_path / name, fmt=fmt, order_lines=[order_line("OWN")])
    for decoy in decoys:
        write_dataset(tmp_path / decoy, fmt=fmt, order_lines=[order_line(f"FROM_{decoy}")])
    db = tmp_path / "out.duckdb"

    run(folder, db)

    assert line_ids(db) == ["OWN"]
    # master data read once: one debtor 10001, one invoice of 1 × 100.00 + 21 % VAT
    assert query(db, "SELECT count(*), sum(total_incl_vat) FROM invoices") == [(1, D("121.00"))]


def test_partitioned_table_in_a_glob_named_folder_reads_only_its_own_files(tmp_path):
    def partitioned(folder: Path, line_id: str) -> Path:
        write_dataset(folder, order_lines=[])
        (folder / "lines" / "order_lines.csv").unlink()
        order_parquet(folder / "lines" / "order_lines" / "part=1" / "x[1]*{a}.parquet",
                      [order_line(line_id)])
        return folder

    own = partitioned(tmp_path / "in[12]", "OWN")
    for decoy in ("in1", "in2"):
        partitioned(tmp_path / decoy, f"FROM_{decoy}")
    db = tmp_path / "out.duckdb"

    run(own, db)

    assert line_ids(db) == ["OWN"]


def test_duckdb_path_escapes_every_glob_character():
    assert ingest.duckdb_path(Path("/d/in[12]/a*b?c")) == "/d/in[[]12[]]/a[*]b[?]c"
    assert ingest.duckdb_path(Path("/plain/x.csv")) == "/plain/x.csv"


def test_relative_input_folder_starting_with_a_tilde_is_not_the_home_folder(tmp_path, monkeypatch):
    """DuckDB expands a leading ~ of a path: the path it is given is absolute."""
    monkeypatch.chdir(tmp_path)
    write_dataset(tmp_path / "~", order_lines=[order_line("OWN")])
    db = tmp_path / "out.duckdb"

    run(Path("~"), db)

    assert line_ids(db) == ["OWN"]


# --- 2. no link out of the input folder ---------------------------------------------------------


def test_line_file_linked_to_a_file_outside_the_input_folder_is_refused(tmp_path, dataset_dir, db):
    outside = write_dataset(tmp_path / "elsewhere", order_lines=[order_line("STOLEN")])
    write_dataset(dataset_dir)
    target = outside / "lines" / "order_lines.csv"
    (dataset_dir / "lines").mkdir()
    (dataset_dir / "lines" / "order_lines.csv").symlink_to(target)

    with pytest.raises(InputError) as error:
        run(dataset_dir, db)

    assert str(error.value).startswith(
        f"lines/order_lines.csv: is a link to {target.resolve()}, outside the input folder")
    assert_no_database(db)


def test_linked_lines_folder_outside_the_input_folder_is_refused(tmp_path, dataset_dir, db):
    outside = write_dataset(tmp_path / "elsewhere", order_lines=[order_line("STOLEN")])
    write_dataset(dataset_dir)
    (dataset_dir / "lines").symlink_to(outside / "lines", target_is_directory=True)

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 2, result.output
    assert "lines/order_lines.csv: is a link to" in result.output
    assert "outside the input folder" in result.output
    assert_no_database(db)


def test_link_inside_a_partitioned_table_to_outside_is_refused(tmp_path, dataset_dir, db):
    order_parquet(tmp_path / "elsewhere" / "x.parquet", [order_line("STOLEN")])
    write_dataset(dataset_dir)
    part = dataset_dir / "lines" / "order_lines" / "part=1"
    order_parquet(part / "own.parquet", [order_line("OWN")])
    (part / "stolen.parquet").symlink_to(tmp_path / "elsewhere" / "x.parquet")

    with pytest.raises(InputError) as error:
        run(dataset_dir, db)

    assert str(error.value).startswith("lines/order_lines/part=1/stolen.parquet: is a link to ")


def test_master_file_linked_to_etc_passwd_is_refused(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    (dataset_dir / "master" / "debtors.csv").unlink()
    (dataset_dir / "master" / "debtors.csv").symlink_to("/etc/passwd")

    with pytest.raises(InputError, match=r"^master/debtors.csv: is a link to /etc/passwd"):
        run(dataset_dir, db)


def test_link_inside_the_input_folder_is_followed(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    store = dataset_dir / "store"
    store.mkdir()
    shutil.move(dataset_dir / "lines" / "order_lines.csv", store / "orders.csv")
    os.symlink("../store/orders.csv", dataset_dir / "lines" / "order_lines.csv")

    run(dataset_dir, db)

    assert line_ids(db) == ["L1"]


# --- 3. limits ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_file_with_more_columns_than_the_limit_is_refused_before_reading_rows(dataset_dir, db, fmt):
    extra = {f"x{i}": "1" for i in range(MAX_COLUMNS - len(ORDER_COLUMNS) + 1)}
    write_dataset(dataset_dir, fmt=fmt, order_lines=[order_line("L1", **extra)])

    with pytest.raises(InputError) as error:
        run(dataset_dir, db)

    assert str(error.value).startswith(
        f"lines/order_lines.{fmt}: has {MAX_COLUMNS + 1:,} columns, more than the "
        f"{MAX_COLUMNS:,} journalize reads per file")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_value_over_the_size_limit_rejects_its_line(dataset_dir, db, fmt):
    real_month = "x" * 17_000  # ~17 KB of text on a line: must still work
    write_dataset(dataset_dir, fmt=fmt, order_lines=[
        order_line("L1", description=real_month),
        order_line("L2", description="y" * (MAX_VALUE_BYTES + 1)),
        order_line("L3", quantity="2"),
    ])

    run(dataset_dir, db)

    assert query(db, 'SELECT "table", line_id, row_number, "column", "check", value, message '
                     "FROM rejected_lines") == [(
        "order_lines", "L2", 2, "description", "value_size", None,
        f"lines/order_lines.{fmt} row 2, column description: the value is larger than "
        f"{MAX_VALUE_BYTES:,} bytes, the most journalize reads in one value [rule value_size]")]
    assert line_ids(db) == ["L1", "L3"]
    assert query(db, "SELECT length(description) FROM billable_lines WHERE line_id = 'L1'") == [
        (17_000,)]


def test_value_of_exactly_the_limit_is_read(dataset_dir, db):
    two_bytes_each = "é" * (MAX_VALUE_BYTES // 2)  # UTF-8: the limit is in bytes
    write_dataset(dataset_dir, order_lines=[order_line("L1", description=two_bytes_each)])

    run(dataset_dir, db)

    assert line_ids(db) == ["L1"]


def test_required_value_over_the_limit_is_one_value_size_fault_not_also_required(dataset_dir, db):
    write_dataset(dataset_dir, fmt="parquet", order_lines=[
        order_line("L1"), order_line("L2", item_code="i" * (MAX_VALUE_BYTES + 10))])

    run(dataset_dir, db)

    assert query(db, 'SELECT line_id, "column", "check" FROM rejected_lines') == [
        ("L2", "item_code", "value_size")]


def test_master_value_over_the_limit_is_a_configuration_error(dataset_dir, db):
    master = base_master()
    master["debtors"][1] = debtor("10002", "n" * (MAX_VALUE_BYTES + 1))
    write_dataset(dataset_dir, master, order_lines=[order_line("L1")])

    with pytest.raises(ConfigurationError) as error:
        run(dataset_dir, db)

    assert error.value.messages == [
        f"master/debtors.csv row 2, column name: the value is larger than {MAX_VALUE_BYTES:,} "
        "bytes, the most journalize reads in one value [rule value_size]"]


def test_rejections_past_the_limit_keep_a_short_message_and_every_line_is_accounted(
        dataset_dir, db, monkeypatch):
    """With the limit at 2 rows per (table, check): 5 lines with an unparsable quantity and 3 with
    an unknown debtor. The first 2 of each check carry value and full message, the rest a short
    one; every bad line is rejected, one notice per check says so, the reconciliation closes."""
    import transforms.validate

    # (validate keeps the limit for the column checks and the checks across rows alike)
    monkeypatch.setattr(transforms.validate, "MAX_FULL_REJECTIONS", 2)
    write_dataset(dataset_dir, order_lines=[
        order_line("G1"),
        *[order_line(f"Q{i}", quantity="x") for i in range(1, 6)],
        *[order_line(f"D{i}", debtor_id="99999") for i in range(1, 4)],
    ])

    result = run(dataset_dir, db)

    rows = query(db, 'SELECT line_id, row_number, "check", value, message FROM rejected_lines '
                     'ORDER BY "check", row_number')
    assert [r[:4] for r in rows] == [
        ("Q1", 2, "decimal(18,4)", "x"), ("Q2", 3, "decimal(18,4)", "x"),
        ("Q3", 4, "decimal(18,4)", None), ("Q4", 5, "decimal(18,4)", None),
        ("Q5", 6, "decimal(18,4)", None),
        ("D1", 7, "known_debtor", "99999"), ("D2", 8, "known_debtor", "99999"),
        ("D3", 9, "known_debtor", None),
    ]
    messages = {r[0]: r[4] for r in rows}
    assert messages["Q2"].startswith(
        "lines/order_lines.csv row 3, column quantity: must be a number")
    assert messages["Q3"] == "lines/order_lines.csv row 4, column quantity [rule decimal(18,4)]"
    assert messages["D2"] == ("lines/order_lines.csv row 8, column debtor_id: unknown debtor 99999 "
                              "[rule known_debtor]")
    assert messages["D3"] == "lines/order_lines.csv row 9, column debtor_id [rule known_debtor]"
    assert line_ids(db, "rejected") == ["D1", "D2", "D3", "Q1", "Q2", "Q3", "Q4", "Q5"]
    assert line_ids(db) == ["G1"]
    assert result.counts["lines_rejected"] == 8
    assert query(db, "SELECT lines_read, lines_invoiced, lines_rejected, closes "
                     "FROM run_reconciliation WHERE source = 'order_lines'") == [(9, 1, 8, True)]
    assert result.notices == [
        "lines/order_lines.csv: rule decimal(18,4) rejected 5 times; the first 2 are in "
        "rejected_lines with their full message, the other 3 with a short one (file, row, "
        "column, rule)",
        "lines/order_lines.csv: rule known_debtor rejected 3 times; the first 2 are in "
        "rejected_lines with their full message, the other 1 with a short one (file, row, "
        "column, rule)",
    ]


def test_suspect_rows_are_validated_in_batches_and_all_faults_kept(dataset_dir, db, monkeypatch):
    import transforms.validate

    monkeypatch.setattr(transforms.validate, "SUSPECT_BATCH_ROWS", 2)
    write_dataset(dataset_dir, order_lines=[
        order_line(f"L{i}", quantity="x" if i % 2 else "1") for i in range(1, 8)])

    run(dataset_dir, db)

    assert line_ids(db, "rejected") == ["L1", "L3", "L5", "L7"]
    assert query(db, "SELECT count(*) FROM rejected_lines") == [(4,)]


# --- 4. Parquet types from other tools ----------------------------------------------------------


def test_parquet_decimal_quantity_that_fits_the_column_is_accepted(dataset_dir, db):
    rows = [order_line("L1"), order_line("L2"), order_line("L3"), order_line("L4")]
    write_dataset(dataset_dir, order_lines=[])
    (dataset_dir / "lines" / "order_lines.csv").unlink()
    quantities = [D("4.000000"), D("2.500000"), D("4.123456"), D("-0.000000")]
    order_parquet(dataset_dir / "lines" / "order_lines.parquet", rows,
                  quantity=pa.array(quantities, pa.decimal128(20, 6)),
                  unit_price=pa.array([D("100")] * 4, pa.decimal128(38, 10)))

    run(dataset_dir, db)

    # SPEC §2: quantity is DECIMAL(18,4): 4.000000 is 4, 2.500000 is 2.5; 4.123456 has six
    # decimals that are not zero and is rejected (not rounded); -0.000000 is 0
    assert query(db, "SELECT line_id, status, CASE WHEN status = 'invoiced' THEN quantity END "
                     "FROM billable_lines ORDER BY line_id") == [
        ("L1", "invoiced", D("4.0000")), ("L2", "invoiced", D("2.5000")),
        ("L3", "rejected", None), ("L4", "invoiced", D("0.0000"))]
    [(value, message)] = query(db, "SELECT value, message FROM rejected_lines")
    assert value == "4.123456"
    assert "[rule decimal(18,4)]" in message
    # 4 × 100 + 2.5 × 100 + 0 = 650.00, + 21 % VAT = 786.50 (one order)
    assert query(db, "SELECT sum(total_incl_vat) FROM invoices") == [(D("786.50"),)]


def test_parquet_timestamp_with_time_zone_is_refused(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[])
    (dataset_dir / "lines" / "order_lines.csv").unlink()
    moment = dt.datetime(2026, 10, 15, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    order_parquet(dataset_dir / "lines" / "order_lines.parquet", [order_line("L1")],
                  line_date=pa.array([moment], pa.timestamp("us", tz="Europe/Amsterdam")))

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 2, result.output
    assert ("lines/order_lines.parquet: column(s) line_date are TIMESTAMP WITH TIME ZONE"
            in result.output)
    assert_no_database(db)


def test_parquet_timestamp_without_time_zone_is_its_date(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[])
    (dataset_dir / "lines" / "order_lines.csv").unlink()
    order_parquet(dataset_dir / "lines" / "order_lines.parquet", [order_line("L1")],
                  line_date=pa.array([dt.datetime(2026, 10, 15, 23, 59)], pa.timestamp("us")))

    run(dataset_dir, db)

    assert query(db, "SELECT line_date FROM billable_lines") == [(dt.date(2026, 10, 15),)]


@pytest.mark.parametrize("array, shown", [
    (pa.array([{"nl": "tekst", "en": "text"}]), "STRUCT"),
    (pa.array([["a", "b"]]), "VARCHAR[]"),
    (pa.array([[("k", "v")]], pa.map_(pa.string(), pa.string())), "MAP"),
])
def test_parquet_nested_value_is_refused_naming_file_and_column(dataset_dir, db, array, shown):
    write_dataset(dataset_dir, order_lines=[])
    (dataset_dir / "lines" / "order_lines.csv").unlink()
    order_parquet(dataset_dir / "lines" / "order_lines.parquet", [order_line("L1")],
                  description=array)

    with pytest.raises(InputError) as error:
        run(dataset_dir, db)

    message = str(error.value)
    assert message.startswith("lines/order_lines.parquet: column(s) description (")
    assert shown in message and "nested values" in message


# --- 5. crashes become clear refusals -----------------------------------------------------------


def test_parquet_column_named_file_row_number_is_refused_with_exit_2(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[])
    (dataset_dir / "lines" / "order_lines.csv").unlink()
    order_parquet(dataset_dir / "lines" / "order_lines.parquet", [order_line("L1")],
                  file_row_number=pa.array(["7"]))

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 2, result.output
    assert "lines/order_lines.parquet: column(s) file_row_number: a name journalize uses" in (
        result.output)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("move, message", [
    (("master/debtors.csv", "lines/debtors.csv", True),
     "lines/debtors.csv: debtors is a master table; it belongs in master/, not in lines/"),
    (("master/debtors.csv", "lines/debtors.csv", False),
     "lines/debtors.csv: debtors is a master table; it belongs in master/, not in lines/"),
    (("lines/order_lines.csv", "master/order_lines.csv", False),
     "master/order_lines.csv: order_lines is a line table; it belongs in lines/, not in master/"),
])
def test_table_in_the_wrong_folder_is_refused_with_exit_2(dataset_dir, db, move, message):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    source, target, keep = move
    (shutil.copy if keep else shutil.move)(dataset_dir / source, dataset_dir / target)

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 2, result.output
    assert message in result.output
    assert_no_database(db)


def test_unknown_table_in_both_folders_is_refused_as_no_table(dataset_dir):
    """No longer "given twice" (issue 14): a file whose name is no table is refused on its own."""
    write_dataset(dataset_dir)
    for folder in ("master", "lines"):
        path = dataset_dir / folder / "notes.csv"
        path.parent.mkdir(exist_ok=True)
        path.write_text("a\n1\n")

    with pytest.raises(InputError) as error:
        ingest.find_tables(dataset_dir)

    assert str(error.value) == ("master/notes.csv: no table of that name; rename it, or move it "
                                "out of master/ (its rows would not be read)")


def test_a_file_name_that_is_no_table_is_shown_escaped(dataset_dir):
    write_dataset(dataset_dir)
    (dataset_dir / "lines").mkdir()
    (dataset_dir / "lines" / "order\x1b[2Jlines.csv").write_text("a\n1\n")

    with pytest.raises(InputError) as error:
        ingest.find_tables(dataset_dir)

    assert str(error.value).startswith("lines/order\\x1b[2Jlines.csv: no table of that name "
                                       "(did you mean order_lines, lines/order_lines.csv?)")


# --- 6. values cannot forge output --------------------------------------------------------------

FORGED = "X\n  rejected: all lines are fine\x1b[32m OK\x1b[0m\r\u202e"


def test_values_with_newlines_and_escape_codes_are_escaped_in_every_message(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[
        order_line("G1"),
        order_line("L2", article_group=FORGED),        # SQL rule: unknown article group
        order_line("L3", quantity=FORGED),            # column check (pandera)
        order_line(FORGED, vat_code="Q\x1b[2J"),      # SQL rule: unknown VAT code
        order_line(FORGED, order_id="O2"),            # with the one above: a repeated line_id
    ])

    result = run(dataset_dir, db)

    messages = [r[0] for r in query(db, "SELECT message FROM rejected_lines")]
    assert len(messages) == 5
    for message in messages + result.rejected:
        assert not any(c in message for c in "\n\r\x1b\u202e"), repr(message)
    shown = escaped(FORGED)
    assert shown == r"X\n  rejected: all lines are fine\x1b[32m OK\x1b[0m\r\u202e"
    by_check = {r[0]: r[1] for r in query(db, 'SELECT "check", message FROM rejected_lines')}
    assert (f"unknown article group {shown} in administration NL01"
            in by_check["known_article_group"])
    assert r"unknown VAT code Q\x1b[2J in administration NL01" in by_check["known_vat_code"]
    assert f"line_id {shown} occurs 2 times" in by_check["unique_line_id"]
    assert repr(FORGED) in by_check["decimal(18,4)"]  # (value '…') as Python's repr shows it
    assert line_ids(db) == ["G1"]


def test_escaped_in_python_and_in_sql_agree(db):
    import duckdb

    from transforms import sqlfile

    samples = ["plain", "a\\b", "\x00\x07\x1f\x7f\x80\x9f", "\u200b\u200f\u2028\u202e\u2066\ufeff",
               "é € 😀 \u00a0", "tab\there", ""]
    with duckdb.connect() as con:
        sqlfile.run_script(con, "common", "macros")
        for sample in samples:
            assert con.execute("SELECT escaped($v)", {"v": sample}).fetchone()[0] == escaped(sample)


def test_an_option_value_is_shown_escaped(dataset_dir, db):
    # (an --admin that names no administration is refused, the value escaped in the message)
    write_dataset(dataset_dir, order_lines=[order_line("L1")])

    with pytest.raises(ConfigurationError) as refused:
        run(dataset_dir, db, admin="BE\n01\x1b[31m")

    assert refused.value.messages == [
        r"--admin BE\n01\x1b[31m: there is no such administration in master/administrations "
        "(there are: NL01)"]


def test_whole_file_rejections_past_the_limit_are_short_counting_every_missing_column(
        dataset_dir, db, monkeypatch):
    """Two required columns missing from a 2-row file, limit 3 per (table, check): the rule
    column_present rejects 4 times; the first 3 carry the reason, the 4th is short."""
    import transforms.validate

    monkeypatch.setattr(transforms.validate, "MAX_FULL_REJECTIONS", 3)
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2")])
    path = dataset_dir / "lines" / "order_lines.csv"
    kept = [c for c in ORDER_COLUMNS if c not in ("quantity", "vat_code")]
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    path.write_text("\n".join(",".join(v for c, v in zip(header, line.split(","), strict=True) if c in kept)
                              for line in lines) + "\n")

    result = run(dataset_dir, db)

    messages = [r[0] for r in query(db, 'SELECT message FROM rejected_lines ORDER BY "column", '
                                        "row_number")]
    assert [m.split(":")[0] for m in messages[:3]] == [
        "lines/order_lines.csv row 1, column quantity",
        "lines/order_lines.csv row 2, column quantity",
        "lines/order_lines.csv row 1, column vat_code"]
    assert messages[3] == "lines/order_lines.csv row 2, column vat_code [rule column_present]"
    assert line_ids(db, "rejected") == ["L1", "L2"]
    assert len(result.notices) == 1 and "rule column_present rejected 4 times" in result.notices[0]
