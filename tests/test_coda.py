"""SPEC §10: the Belgian structured communication (CODA / OGM-VCS reference) of an invoice.

The mask has exactly 10 characters from DdMmYyNnFfVvCc: D day, M month, Y year of the invoice date,
N a literal 0, F the invoice number's digits (a prefix's letters dropped), V the debtor's free
code, C the debtor number. Per letter with k occurrences the field is left-padded with zeros to at
least k digits; lower-case occurrences take its first digits, upper-case ones its last digits, each
in order. Check digits: the 10-digit value mod 97, or 97 when that is 0. Shown as
+++ddd/dddd/ddddd+++.

Every expected value below is worked out by hand in the comment next to it.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest
from builders import base_master, debtor, integration_type, order_line, query, run, write_dataset
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.be import ogm_vcs

from flows.pipeline import check_configuration
from transforms.coda import CodaMaskError, coda_digits, coda_reference, mask_faults, register
from transforms.validate import ConfigurationError

OCT_31 = dt.date(2026, 10, 31)
MAR_07 = dt.date(2026, 3, 7)  # day 07, month 03, year 2026: every digit tells where it came from


def digits(mask, date=OCT_31, number="27000001", free_code="4711", debtor_id="10001"):
    return coda_digits(mask, date, number, free_code, debtor_id)


def reference(mask, date=OCT_31, number="27000001", free_code="4711", debtor_id="10001"):
    return coda_reference(mask, date, number, free_code, debtor_id)


# --- the spec's example ---------------------------------------------------------------------------


def test_spec_example_digits():
    # YY → last 2 of 2026 = 26; MM → 10; VV → last 2 of 4711 = 11; FFFF → last 4 of 27000001
    assert digits("YYMMVVFFFF") == "2610110001"


def test_spec_example_reference():
    # 2610110001 mod 97 = 51 (97 × 26908350 = 2610109950, remainder 51)
    assert reference("YYMMVVFFFF") == "+++261/0110/00151+++"


# --- day, month, year -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mask", "expected"),
    [
        ("DDMMYYYYNN", "0703202600"),  # 07 03 2026 00
        ("ddmmyyyynn", "0703202600"),  # k equals the field length: first digits = all digits
        ("DMYNNNNNNN", "7360000000"),  # last digit of 07, of 03, of 2026
        ("dmyNNNNNNN", "0020000000"),  # first digit of 07, of 03, of 2026
        ("YYYYYYMMDD", "0020260307"),  # Y six times: 2026 left-padded to 002026
        ("NNNNNNNNDD", "0000000007"),
        ("MMNNNNNNNN", "0300000000"),
    ],
)
def test_date_letters(mask, expected):
    assert digits(mask, date=MAR_07) == expected


def test_date_letters_reference():
    # 0703202600 = 703202600; 97 × 7249511 = 703202567, remainder 33
    assert reference("DDMMYYYYNN", date=MAR_07) == "+++070/3202/60033+++"


def test_the_invoice_date_is_used_as_is_for_days_and_months_with_two_digits():
    # 2026-10-31: DD = 31, MM = 10, YYYY = 2026, NN = 00
    assert digits("DDMMYYYYNN") == "3110202600"


# --- lower case first digits, upper case last digits ------------------------------------------


def test_lower_case_takes_the_first_digits():
    # ffffff: k = 6 < 8 digits of 27000001 → its first six, 270000
    assert digits("ffffffNNNN") == "2700000000"
    # 2700000000 mod 97 = 53 (97 × 27835051 = 2699999947)
    assert reference("ffffffNNNN") == "+++270/0000/00053+++"


def test_upper_case_takes_the_last_digits():
    # FFFFFF: the last six of 27000001, 000001
    assert digits("FFFFFFNNNN") == "0000010000"
    # 10000 mod 97 = 9 (97 × 103 = 9991)
    assert reference("FFFFFFNNNN") == "+++000/0010/00009+++"


def test_lower_and_upper_case_of_one_letter_in_one_mask():
    # F occurs 8 times (k = 8): the four f take the first four digits 2700, the four F the last
    # four 0001
    assert digits("ffffFFFFNN") == "2700000100"
    # 2700000100 mod 97 = 56
    assert reference("ffffFFFFNN") == "+++270/0000/10056+++"


def test_interleaved_lower_and_upper_case_each_take_their_digits_in_order():
    # k = 4: f at positions 1 and 3 take the first digits 2, 7; F at 2 and 4 the last digits 0, 1
    assert digits("fFfFNNNNNN") == "2071000000"


def test_upper_case_before_lower_case():
    # k = 2: F (position 1) takes the last digit 1, f (position 2) the first digit 2
    assert digits("FfNNNNNNNN") == "1200000000"


def test_mixed_case_with_padding():
    # V occurs 4 times, free code 47 is padded to 0047: vv take 00, VV take 47
    assert digits("vvVVNNNNNN", free_code="47") == "0047000000"


# --- padding, prefixes, debtor number, free code --------------------------------------------------


def test_debtor_number_shorter_than_the_field_is_left_padded():
    # debtor 42, C ten times: 0000000042; 42 mod 97 = 42
    assert digits("CCCCCCCCCC", debtor_id="42") == "0000000042"
    assert reference("CCCCCCCCCC", debtor_id="42") == "+++000/0000/04242+++"


def test_lower_case_padding_takes_the_leading_zeros():
    # debtor 42 padded to ten digits; lower case takes the first digits, which are the zeros too
    assert digits("cccccccccc", debtor_id="42") == "0000000042"
    # c three times + C twice (k = 5): 42 → 00042; ccc = 000, CC = 42
    assert digits("cccCCNNNNN", debtor_id="42") == "0004200000"


def test_free_code_padded():
    # V four times, free code 7 → 0007
    assert digits("VVVVNNNNNN", free_code="7") == "0007000000"


def test_a_prefix_s_letters_are_dropped_from_the_invoice_number():
    # C5001 → 5001, ten F → 0000005001; 5001 mod 97 = 54 (97 × 51 = 4947): 000000500154
    assert digits("FFFFFFFFFF", number="C5001") == "0000005001"
    assert reference("FFFFFFFFFF", number="C5001") == "+++000/0005/00154+++"


def test_only_the_letters_of_a_year_prefix_are_dropped():
    # prefix V[JJJJ] gave V2026 + 17 → V202617: the letter V goes, the year's digits stay:
    # F digits 202617, the last four 2617
    assert digits("NNNNNNFFFF", number="V202617") == "0000002617"


# --- check digits 97 ----------------------------------------------------------------------------


def test_check_digits_are_97_when_the_value_is_a_multiple_of_97():
    # 9700000000 = 97 × 100000000: mod 97 = 0 → check digits 97
    assert digits("FFFFFFFFFF", number="9700000000") == "9700000000"
    assert reference("FFFFFFFFFF", number="9700000000") == "+++970/0000/00097+++"


def test_check_digits_97_for_debtor_97():
    # debtor 97 → 0000000097 = 97 × 1 → check 97
    assert reference("CCCCCCCCCC", debtor_id="97") == "+++000/0000/09797+++"


def test_check_digits_97_for_all_zeros():
    # ten N: 0000000000, 0 mod 97 = 0 → 97
    assert reference("NNNNNNNNNN") == "+++000/0000/00097+++"


# --- invalid masks ------------------------------------------------------------------------------


@pytest.mark.parametrize("mask", ["YYMMVVFFFF", "NNNNNNNNNN", "DdMmYyNnFf", "VvCcFfNnDd"])
def test_valid_masks_have_no_faults(mask):
    assert mask_faults(mask) == []


@pytest.mark.parametrize("mask", ["YYMMVVFFF", "YYMMVVFFFFF", "", "YYMMVV"])
def test_a_mask_must_have_10_characters(mask):
    faults = mask_faults(mask)
    assert len(faults) == 1
    assert "10" in faults[0]
    with pytest.raises(CodaMaskError):
        reference(mask)


@pytest.mark.parametrize(
    ("mask", "bad"),
    [("YYMMXXFFFF", "X"), ("YYMM0VFFFF", "0"), ("YYMMVVFFFa", "a"), ("YYMMVV FFF", " "),
     ("YYMM/VFFFF", "/")],
)
def test_a_bad_character_is_named(mask, bad):
    faults = mask_faults(mask)
    assert faults, mask
    assert any(f"'{bad}'" in fault or f'"{bad}"' in fault for fault in faults), faults
    with pytest.raises(CodaMaskError) as error:
        reference(mask)
    assert bad in str(error.value)


def test_a_mask_too_short_with_a_bad_character_reports_both():
    faults = mask_faults("YYMMXX")
    assert any("10" in f for f in faults) and any("'X'" in f for f in faults), faults


def test_the_configuration_check_rejects_a_bad_mask_naming_the_character(tmp_path):
    master = base_master()
    master["administrations"][0].update(country="BE", coda_mask="YYMMQQFFFF")
    folder = write_dataset(tmp_path / "input", master, order_lines=[order_line("L1")])
    messages = check_configuration(folder)
    assert any("'Q'" in m for m in messages), messages
    db = tmp_path / "out.duckdb"
    with pytest.raises(ConfigurationError) as error:
        run(folder, db)
    assert "'Q'" in str(error.value)


# --- properties -----------------------------------------------------------------------------------

masks = st.text(alphabet="DdMmYyNnFfVvCc", min_size=10, max_size=10)
dates = st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31))
number_texts = st.tuples(
    st.sampled_from(["", "C", "A", "V2026", "BE"]), st.integers(1, 10**12 - 1)
).map(lambda t: f"{t[0]}{t[1]}"[:12])
digit_texts = st.text(alphabet="0123456789", min_size=1, max_size=12)


def spec_digits(mask, date, number, free_code, debtor_id):
    """§10 written from its text, independently of transforms.coda."""
    fields = {
        "D": f"{date.day:02d}", "M": f"{date.month:02d}", "Y": f"{date.year:04d}",
        "F": "".join(c for c in number if c.isdigit()),
        "V": "".join(c for c in (free_code or "") if c.isdigit()),
        "C": "".join(c for c in debtor_id if c.isdigit()),
    }
    out = []
    for position, char in enumerate(mask):
        letter = char.upper()
        if letter == "N":
            out.append("0")
            continue
        k = sum(1 for c in mask if c.upper() == letter)
        field = fields[letter].zfill(k)
        lowers = [p for p, c in enumerate(mask) if c == letter.lower()]
        uppers = [p for p, c in enumerate(mask) if c == letter]
        if char.islower():
            out.append(field[lowers.index(position)])
        else:
            out.append(field[len(field) - len(uppers) + uppers.index(position)])
    return "".join(out)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(mask=masks, date=dates, number=number_texts,
       free_code=st.one_of(st.none(), digit_texts), debtor_id=digit_texts)
def test_any_valid_mask_gives_a_valid_structured_communication(mask, date, number, free_code,
                                                             debtor_id):
    assert mask_faults(mask) == []
    ten = coda_digits(mask, date, number, free_code, debtor_id)
    assert re.fullmatch(r"\d{10}", ten)
    assert ten == spec_digits(mask, date, number, free_code, debtor_id)
    shown = coda_reference(mask, date, number, free_code, debtor_id)
    match = re.fullmatch(r"\+\+\+(\d{3})/(\d{4})/(\d{5})\+\+\+", shown)
    assert match, shown
    twelve = "".join(match.groups())
    assert twelve[:10] == ten
    assert ogm_vcs.is_valid(twelve)
    assert ogm_vcs.is_valid(shown)
    assert int(twelve[10:]) == (int(ten) % 97 or 97)
    # N positions are always the digit 0
    assert all(ten[i] == "0" for i, c in enumerate(mask) if c in "Nn")


any_texts = st.one_of(st.none(), st.text(max_size=14))  # letters, signs, non-ASCII digits too


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(rows=st.lists(st.tuples(masks, dates, any_texts, any_texts, any_texts), min_size=1,
                     max_size=30))
def test_sql_computes_the_same_references_column_wise(rows):
    """What SQL calls (coda_references, a batch of rows at once, several masks mixed) gives per row
    exactly what coda_reference gives; only ASCII digits count as digits in both."""
    con = duckdb.connect()
    register(con)
    con.execute("CREATE TABLE t (i INTEGER, m VARCHAR, d DATE, f VARCHAR, v VARCHAR, c VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)",
                    [(i, *row) for i, row in enumerate(rows)])
    got = [g for (g,) in con.execute("SELECT coda_reference(m, d, f, v, c) FROM t ORDER BY i").fetchall()]
    assert got == [coda_reference(m, d, f, v, c) for m, d, f, v, c in rows]
    con.close()


def test_sql_references_of_a_whole_column_with_mixed_masks():
    """One call over a column: rows of two masks and a row without a mask (NULL)."""
    con = duckdb.connect()
    register(con)
    con.execute("CREATE TABLE t (i INTEGER, m VARCHAR, d DATE, f VARCHAR, v VARCHAR, c VARCHAR)")
    rows = [(i, ["YYMMVVFFFF", "ddmmyyffcc", None][i % 3], dt.date(2026, 1 + i % 12, 1 + i % 28),
             f"V{i:08d}", str(i * 7) if i % 2 else None, f"D{i}") for i in range(5000)]
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", rows)
    got = con.execute("SELECT coda_reference(m, d, f, v, c) FROM t ORDER BY i").fetchall()
    assert [g for (g,) in got] == [
        None if m is None else coda_reference(m, d, f, v, c) for _, m, d, f, v, c in rows]
    con.close()


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(mask=st.text(min_size=0, max_size=14))
def test_mask_faults_accept_exactly_the_masks_of_the_spec(mask):
    valid = len(mask) == 10 and all(c in "DdMmYyNnFfVvCc" for c in mask)
    assert (mask_faults(mask) == []) == valid
    for bad in set(mask) - set("DdMmYyNnFfVvCc"):
        assert any(repr(bad) in fault for fault in mask_faults(mask)), (bad, mask_faults(mask))


# --- end to end -----------------------------------------------------------------------------------


BE_ACCOUNTS = {"400000": "balance", "451000": "balance", "451100": "balance",
               "451200": "balance", "700000": "result", "700100": "result"}


def be_master(mask: str = "YYMMVVFFFF", *, prefix: str | None = None,
              last_invoice_number: str = "27000000") -> dict:
    """The base NL configuration plus a Belgian administration BE01 with its own sales journal."""
    master = base_master()
    master["administrations"].append(dict(
        admin_id="BE01", name="Zuid BVBA", country="BE", currency="EUR",
        receivables_account="400000", coda_mask=mask))
    master["accounts"] += [
        dict(admin_id="BE01", account=a, description=f"rekening {a}", account_type=t)
        for a, t in BE_ACCOUNTS.items()
    ]
    master["vat_codes"] += [
        dict(admin_id="BE01", vat_code="21", rate="0.21", payable_account="451000"),
        dict(admin_id="BE01", vat_code="6", rate="0.06", payable_account="451100"),
        dict(admin_id="BE01", vat_code="0", rate="0", payable_account="451200"),
    ]
    journal = dict(admin_id="BE01", journal_code="VKB", journal_type="sales",
                   description="Verkoop België", last_invoice_number=last_invoice_number)
    if prefix:
        journal["number_prefix"] = prefix
    master["journals"] += [journal]
    master["integration_types"] += [
        integration_type("sales_invoice", "VKB", admin_id="BE01"),
        integration_type("counter_invoice", "VKB", admin_id="BE01"),
    ]
    master["article_groups"].append(dict(
        admin_id="BE01", article_group="GOODS", description="Goederen",
        contains_stock_items="false", revenue_account="700000", credit_account="700100",
        defer_revenue="false"))
    master["debtors"].append(debtor("20001", "Peeters NV", free_code="4711"))
    return master


def test_end_to_end_be_invoice_gets_the_spec_reference_and_nl_none(dataset_dir, db):
    write_dataset(
        dataset_dir, be_master(),
        order_lines=[
            order_line("BE1", "OB1", debtor_id="20001", vat_code="21", admin_id="BE01",
                       line_date="2026-10-12"),
            order_line("NL1", "ON1", debtor_id="10001", vat_code="H", line_date="2026-10-12"),
        ],
    )
    assert check_configuration(dataset_dir) == []
    run(dataset_dir, db, "2026-10")
    rows = query(db, """
        SELECT admin_id, invoice_number, invoice_date, coda_reference FROM invoices
        ORDER BY admin_id""")
    # BE: the first number of VKB after 27000000 on 2026-10-31, free code 4711 → the spec's
    # example; NL: no structured communication
    assert rows == [
        ("BE01", "27000001", OCT_31, "+++261/0110/00151+++"),
        ("NL01", "1001", OCT_31, None),
    ]


def test_end_to_end_prefix_letters_dropped_and_debtor_number(dataset_dir, db):
    master = be_master("CCCCFFFFFF", prefix="B", last_invoice_number="0")
    write_dataset(
        dataset_dir, master,
        order_lines=[order_line("BE1", "OB1", debtor_id="20001", vat_code="21", admin_id="BE01")],
    )
    run(dataset_dir, db, "2026-10")
    # invoice B1 → F digits 1 → 000001; debtor 20001 → CCCC = 0001; 0001000001 = 1000001,
    # 97 × 10309 = 999973, remainder 28
    assert query(db, "SELECT invoice_number, coda_reference FROM invoices") == [
        ("B1", "+++000/1000/00128+++")
    ]
