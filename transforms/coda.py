"""SPEC §10: the Belgian structured communication (gestructureerde mededeling / OGM-VCS) of an
invoice, from the administration's CODA mask. The check digits come from python-stdnum."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pyarrow as pa  # (at module level: DuckDB reads the Arrow function's annotations)
from stdnum.be import ogm_vcs

MASK_LETTERS = "DdMmYyNnFfVvCc"
NOT_A_DIGIT = "[^0-9]"  # the digits of a field are its ASCII digits (so in Python and in Arrow)


class CodaMaskError(ValueError):
    pass


def mask_faults(mask: str) -> list[str]:
    """What is wrong with a mask (empty when it is valid)."""
    faults = []
    if len(mask) != 10:
        faults.append(f"CODA mask {mask!r} must have exactly 10 characters, not {len(mask)}")
    bad = sorted({c for c in mask if c not in MASK_LETTERS})
    faults.extend(
        f"CODA mask {mask!r} has character {c!r}; allowed are {MASK_LETTERS}" for c in bad
    )
    return faults


def coda_digits(
    mask: str, invoice_date: dt.date, invoice_number: str, free_code: str | None, debtor_id: str
) -> str:
    """The 10 digits the mask asks for. Per letter with k occurrences, the field's digits are
    left-padded to at least k; lower-case occurrences take the first digits, upper-case ones the
    last digits, each in order."""
    fields = {
        "d": f"{invoice_date.day:02d}",
        "m": f"{invoice_date.month:02d}",
        "y": f"{invoice_date.year:04d}",
        "f": re.sub(NOT_A_DIGIT, "", invoice_number or ""),
        "v": re.sub(NOT_A_DIGIT, "", free_code or ""),
        "c": re.sub(NOT_A_DIGIT, "", debtor_id or ""),
    }
    return "".join("0" if letter == "n" else fields[letter].rjust(k, "0")[index]
                   for letter, k, index in _plan(mask))


def coda_reference(
    mask: str, invoice_date: dt.date, invoice_number: str, free_code: str | None, debtor_id: str
) -> str:
    """`+++ddd/dddd/ddddd+++` with the mod-97 check digits (97 when the remainder is 0)."""
    digits = coda_digits(mask, invoice_date, invoice_number, free_code, debtor_id)
    number = digits + ogm_vcs.calc_check_digits(digits)
    return f"+++{number[:3]}/{number[3:7]}/{number[7:]}+++"


def _plan(mask: str) -> list[tuple[str, int, int]]:
    """Per mask position: (letter, k, index): the digit at `index` (from the left when >= 0,
    from the right when < 0) of the letter's field left-padded to k: the rule of a mask, laid out
    once, for a row (coda_digits) or whole columns (coda_references)."""
    faults = mask_faults(mask)
    if faults:
        raise CodaMaskError("; ".join(faults))
    plan, taken_first = [], {}
    for position, char in enumerate(mask):
        letter = char.lower()
        k = mask.lower().count(letter)
        if char.islower():
            index = taken_first.get(letter, 0)
            taken_first[letter] = index + 1
        else:
            uppers = [p for p, c in enumerate(mask) if c == char]
            index = uppers.index(position) - len(uppers)
        plan.append((letter, k, index))
    return plan


def coda_references(masks: pa.ChunkedArray, dates: pa.ChunkedArray, numbers: pa.ChunkedArray,
                    free_codes: pa.ChunkedArray, debtors: pa.ChunkedArray,
                    ) -> pa.ChunkedArray | pa.Array:
    """coda_reference over Arrow arrays (what SQL calls, a batch of rows at a time): the same
    digits and check digits, computed column-wise with pyarrow.compute instead of per row."""
    import pyarrow.compute as pc

    def digits(values: pa.ChunkedArray) -> pa.ChunkedArray:
        return pc.replace_substring_regex(pc.fill_null(values, ""), NOT_A_DIGIT, "")

    def padded(values: pa.ChunkedArray, width: int) -> pa.ChunkedArray:
        return pc.utf8_lpad(pc.cast(values, pa.string()), width=width, padding="0")

    fields = {"d": padded(pc.day(dates), 2), "m": padded(pc.month(dates), 2),
              "y": padded(pc.year(dates), 4), "f": digits(numbers), "v": digits(free_codes),
              "c": digits(debtors)}
    result = pa.nulls(len(masks), pa.string())
    for mask in pc.unique(masks).to_pylist():
        if mask is None:
            continue
        chars = []
        for letter, k, index in _plan(mask):
            if letter == "n":
                chars.append(pa.scalar("0"))
                continue
            field = pc.utf8_lpad(fields[letter], width=k, padding="0")
            chars.append(pc.utf8_slice_codeunits(field, index, index + 1 if index != -1 else None))
        ten = pc.binary_join_element_wise(*chars, "")
        number = pc.cast(ten, pa.int64())
        remainder = pc.subtract(number, pc.multiply(pc.divide(number, 97), 97))
        check = padded(pc.if_else(pc.equal(remainder, 0), 97, remainder), 2)
        reference = pc.binary_join_element_wise(
            "+++", pc.utf8_slice_codeunits(ten, 0, 3), "/", pc.utf8_slice_codeunits(ten, 3, 7),
            "/", pc.utf8_slice_codeunits(ten, 7, 10), check, "+++", "")
        result = pc.if_else(pc.equal(masks, mask), reference, result)
    return result


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Make coda_reference(mask, date, number, free_code, debtor_id) callable from SQL, column-wise
    (an Arrow function: a Python call per batch of rows, not per invoice)."""
    try:
        from duckdb.sqltypes import DATE, VARCHAR
    except ImportError:  # duckdb < 1.4
        from duckdb.typing import DATE, VARCHAR

    con.create_function(
        "coda_reference",
        coda_references,
        [VARCHAR, DATE, VARCHAR, VARCHAR, VARCHAR],
        VARCHAR,
        type="arrow",
        null_handling="special",
        side_effects=False,
    )
