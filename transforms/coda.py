"""SPEC §10: the Belgian structured communication (gestructureerde mededeling / OGM-VCS) of an
invoice, from the administration's CODA mask. The check digits come from python-stdnum."""

from __future__ import annotations

import datetime as dt
import re

from stdnum.be import ogm_vcs

MASK_LETTERS = "DdMmYyNnFfVvCc"


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
    faults = mask_faults(mask)
    if faults:
        raise CodaMaskError("; ".join(faults))
    fields = {
        "d": f"{invoice_date.day:02d}",
        "m": f"{invoice_date.month:02d}",
        "y": f"{invoice_date.year:04d}",
        "f": re.sub(r"\D", "", invoice_number or ""),
        "v": re.sub(r"\D", "", free_code or ""),
        "c": re.sub(r"\D", "", debtor_id or ""),
    }
    out = []
    taken_first: dict[str, int] = {}
    for position, char in enumerate(mask):
        letter = char.lower()
        if letter == "n":
            out.append("0")
            continue
        k = mask.lower().count(letter)
        digits = fields[letter].rjust(k, "0")
        if char.islower():
            index = taken_first.get(letter, 0)
            taken_first[letter] = index + 1
            out.append(digits[index])
        else:
            uppers = [p for p, c in enumerate(mask) if c == char]
            rank = uppers.index(position)  # the rank-th of the upper-case occurrences
            out.append(digits[len(digits) - len(uppers) + rank])
    return "".join(out)


def coda_reference(
    mask: str, invoice_date: dt.date, invoice_number: str, free_code: str | None, debtor_id: str
) -> str:
    """`+++ddd/dddd/ddddd+++` with the mod-97 check digits (97 when the remainder is 0)."""
    digits = coda_digits(mask, invoice_date, invoice_number, free_code, debtor_id)
    number = digits + ogm_vcs.calc_check_digits(digits)
    return f"+++{number[:3]}/{number[3:7]}/{number[7:]}+++"


def register(con) -> None:
    """Make coda_reference(mask, date, number, free_code, debtor_id) callable from SQL."""
    try:
        from duckdb.sqltypes import DATE, VARCHAR
    except ImportError:  # duckdb < 1.4
        from duckdb.typing import DATE, VARCHAR

    con.create_function(
        "coda_reference",
        coda_reference,
        [VARCHAR, DATE, VARCHAR, VARCHAR, VARCHAR],
        VARCHAR,
        null_handling="special",
        side_effects=False,
    )
