"""docs/input-tables.md, the input contract, is written from the pandera schemas
(schemas/docs.py, `make docs`): the committed file must be what the schemas give, document every
column of every schema with the schema's required flag, and its examples must be values the run
accepts, taken from the shipped sample."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pandas as pd
import pandera.errors
import pandera.pandas as pa
import pytest

from schemas import LINES_FOLDER_SCHEMAS, MASTER_SCHEMAS, REQUIRED_MASTER_TABLES
from schemas.columns import example_of
from schemas.docs import DOC_PATH, input_tables_markdown, main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SCHEMAS = {**{("master", t): s for t, s in MASTER_SCHEMAS.items()},
           **{("lines", t): s for t, s in LINES_FOLDER_SCHEMAS.items()}}
COLUMNS = [(folder, table, name) for (folder, table), schema in SCHEMAS.items()
           for name in schema.columns]


def committed() -> str:
    return (ROOT / DOC_PATH).read_text(encoding="utf-8")


def _cells(row: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def documented_columns(text: str) -> dict[str, dict[str, dict[str, str]]]:
    """table -> column -> {header: cell}, from the markdown table under each `### <table>`."""
    tables: dict[str, dict[str, dict[str, str]]] = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        heading = re.fullmatch(r"### (\S+)", line)
        if not heading or heading.group(1) not in {t for _, t in SCHEMAS}:
            continue
        rows = {}
        header = None
        for row in lines[i + 1:]:
            if row.startswith("#"):
                break
            if not row.startswith("|"):
                if header is not None and not row.strip():
                    break
                continue
            cells = _cells(row)
            if header is None:
                header = cells
            elif not set(row) <= set("|-"):
                rows[cells[0].strip("`")] = dict(zip(header, cells, strict=True))
        tables[heading.group(1)] = rows
    return tables


def test_committed_doc_is_what_the_schemas_give():
    generated, written = input_tables_markdown(), committed()
    if written != generated:
        diff = difflib.unified_diff(written.splitlines(), generated.splitlines(),
                                    "docs/input-tables.md (committed)", "schemas/docs.py",
                                    lineterm="", n=1)
        pytest.fail("docs/input-tables.md is stale: run make docs\n"
                    + "\n".join(list(diff)[:40]))


def test_the_generator_is_deterministic_and_writes_the_file(tmp_path):
    assert input_tables_markdown() == input_tables_markdown()
    target = tmp_path / "docs" / "input-tables.md"
    assert main([str(target)]) == 0
    assert target.read_bytes() == input_tables_markdown().encode("utf-8")


def test_every_column_of_every_schema_is_documented_in_order():
    documented = documented_columns(committed())
    for (folder, table), schema in SCHEMAS.items():
        assert table in documented, f"{folder}/{table} has no section in docs/input-tables.md"
        assert list(documented[table]) == list(schema.columns), table
        assert f"`{folder}/{table}.csv`" in committed()


def test_required_flags_agree_with_the_schemas():
    documented = documented_columns(committed())
    for folder, table, name in COLUMNS:
        column = SCHEMAS[(folder, table)].columns[name]
        cell = documented[table][name]["required"]
        assert cell.startswith("yes") == column.required, (table, name, cell)
        assert (cell == "yes") == bool(column.metadata["value_required"]), (table, name, cell)
    # by name: a required column, an optional one, a flag (the column required, empty is false)
    assert documented["debtors"]["debtor_id"]["required"] == "yes"
    assert documented["debtors"]["profile_id"]["required"] == "no"
    assert documented["debtors"]["blocked"]["required"] == "yes, may be empty"
    assert documented["order_lines"]["order_id"]["required"] == "yes"
    assert documented["order_lines"]["delivery_date"]["required"] == "no"
    assert documented["administrations"]["coda_mask"]["required"] == "no"


def test_required_master_tables_agree():
    text = committed()
    listed = re.search(r"^- Required master tables: (.*)\.$", text, re.M).group(1)
    assert re.findall(r"`(\w+)`", listed) == list(REQUIRED_MASTER_TABLES)
    for table in MASTER_SCHEMAS:
        section = text.split(f"\n### {table}\n", 1)[1]
        assert section.lstrip().split(". ")[1].startswith(
            "Required" if table in REQUIRED_MASTER_TABLES else "Optional"), table


@pytest.mark.parametrize(("folder", "table", "name"), COLUMNS,
                         ids=[f"{t}.{n}" for _, t, n in COLUMNS])
def test_every_column_has_a_meaning_and_an_example_the_run_accepts(folder, table, name):
    column = SCHEMAS[(folder, table)].columns[name]
    assert column.description, f"{table}.{name}: no description= in its schema"
    example = example_of(column)
    assert example, f"{table}.{name}: no example= in its schema"
    frame = pd.DataFrame({name: [example]}, dtype=object)
    try:
        pa.DataFrameSchema({name: column}).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        pytest.fail(f"{table}.{name}: example {example!r} breaks its own column: "
                    f"{errors.failure_cases['check'].tolist()}")


def test_examples_are_taken_from_the_shipped_sample():
    """Where the sample has values in a column, the example is one of them (a column the sample
    leaves empty, or a table it does not ship, has an example of its own)."""
    checked = 0
    for (folder, table), schema in SCHEMAS.items():
        path = SAMPLE / folder / f"{table}.csv"
        if not path.exists():
            continue
        sample = pd.read_csv(path, dtype=str, keep_default_na=False)
        for name, column in schema.columns.items():
            values = set(sample[name]) - {""} if name in sample else set()
            if values:
                checked += 1
                assert example_of(column) in values, (
                    f"{table}.{name}: example {example_of(column)!r} is not in {path.name}")
    assert checked > 100
