"""The run's model graph, read from the SQL models themselves: what each model reads and makes.

Every ``sql/<folder>/<name>.sql`` of the run is parsed by DuckDB's own parser
(``json_serialize_sql``); the tables it reads are the base tables of the parse, less its CTEs.
From that one parse come the checks of ``tests/test_graph.py`` (every reference qualified, known,
and never to a later stage) and the lineage ``journalize graph`` prints as Mermaid, which is the
README's data-flow picture.

The folders and the stage whose tables a folder's models may read up to (``transforms.workspace``
orders the stages): ``check`` holds the configuration rules (over master data, and over the mapped
lines for the rules that need the run's lines); ``persist`` the queries whose rows are written to
the books. ``verify`` is not in the run's graph: it reads the books alone, on their own connection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import duckdb

from transforms import sqlfile, workspace

# folder → the stage its models belong to (the last stage whose outputs they may read)
FOLDERS = {
    "check": "group",  # (the checks over lines read group's keyed lines)
    "validate": "validate",
    "map": "map",
    "group": "group",
    "number": "number",
    "journalise": "journalise",
    "reconcile": "reconcile",
    "persist": "persist",
    "post": "post",
}
RULE_FOLDERS = ("check",)  # every file a rule: rows of faults
RULES = {("number", "numbering_faults"), ("journalise", "unbalanced_entries"),
         ("journalise", "unbalanced_stock_entries")}
# persist's statements on the books connection (DDL, deletes, upgrades): not models of the run
BOOKS_STATEMENTS = {"schema", "views", "upgrade_invoice_lines", "delete_moved_counters",
                    "release_deferrals",
                    "delete_replaced_lines"}
# queries of persist whose rows only name what the books connection deletes
PERSIST_NOT_WRITTEN = {"replaced_lines"}
# queries of persist whose rows go to a book table of another name (the stock step's)
PERSIST_INTO = {"stock_journal_entries": "journal_entries",
                "changed_stock_mutations": "changed_lines"}
# post's statements on the books connection, and its queries whose rows the books take
POST_STATEMENTS = {"delete_posted_drafts"}
POST_BOOKS = {"journal_entries", "open_items"}


@dataclass(frozen=True)
class Model:
    folder: str
    name: str
    kind: str  # table | view | append | rule | books (a persist query: rows for books.<name>)
    output: tuple[str, str] | None  # (schema, table) it makes or adds to; None for a rule
    reads: frozenset[tuple[str, str]]  # (schema, table); schema "" when not qualified

    @property
    def stage(self) -> str:
        return FOLDERS[self.folder]

    @property
    def label(self) -> str:
        return f"{self.folder}/{self.name}.sql"


def python_outputs() -> set[tuple[str, str]]:
    """The tables Python code makes in the work database (not from a model file): the raw
    tables of ingest, the typed master tables and line views of validate (each typed view over
    its raw table), the run's notices and the reconciliation's tally table."""
    from schemas import LINES_FOLDER_SCHEMAS as LINE_SCHEMAS
    from schemas import MASTER_SCHEMAS

    made = {("master", table) for table in MASTER_SCHEMAS}
    made |= {("ingest", f"raw_{table}") for table in LINE_SCHEMAS}
    made |= {("validate", f"typed_{table}") for table in LINE_SCHEMAS}
    made |= {("ingest", "input_files"), ("validate", "run_notices"), ("reconcile", "line_tallies")}
    return made


def _python_reads() -> dict[tuple[str, str], tuple[str, str]]:
    from schemas import LINES_FOLDER_SCHEMAS as LINE_SCHEMAS

    return {("validate", f"typed_{t}"): ("ingest", f"raw_{t}") for t in LINE_SCHEMAS}


def books_tables() -> set[tuple[str, str]]:
    from transforms import persist

    return {("books", table) for table, _ in persist.expected_columns()}


@cache
def models() -> tuple[Model, ...]:
    """Every model and rule of the run, in folder order and by name."""
    parser = duckdb.connect()
    found = []
    root = resources.files("transforms").joinpath("sql")
    for folder in FOLDERS:
        for entry in sorted(root.joinpath(folder).iterdir(), key=lambda e: e.name):
            if not entry.name.endswith(".sql"):
                continue
            name = entry.name.removesuffix(".sql")
            if (folder == "persist" and name in BOOKS_STATEMENTS) or \
                    (folder == "post" and name in POST_STATEMENTS):
                continue
            sql = sqlfile.load(folder, name)
            kind, target = sqlfile.materialization(sql)
            if folder in RULE_FOLDERS or (folder, name) in RULES:
                kind, output = "rule", None
            elif folder == "persist" or (folder == "post" and name in POST_BOOKS):
                kind = "books"
                output = (None if name in PERSIST_NOT_WRITTEN
                          else ("books", PERSIST_INTO.get(name, name)))
            else:
                output = target if kind == "append" else (folder, name)
            found.append(Model(folder, name, kind, output, frozenset(references(parser, sql))))
    return tuple(found)


def references(parser: duckdb.DuckDBPyConnection, sql: str) -> set[tuple[str, str]]:
    """The (schema, table) of every base table a SELECT reads, less its CTEs."""
    parsed = json.loads(parser.execute("SELECT json_serialize_sql($sql)", {"sql": sql}).fetchone()[0])
    if parsed.get("error"):
        raise ValueError(f"cannot parse: {parsed.get('error_message')}")
    tables: set[tuple[str, str]] = set()
    ctes: set[str] = set()
    _walk(parsed, tables, ctes)
    return {(schema, table) for schema, table in tables if schema or table not in ctes}


def _walk(node: object, tables: set, ctes: set) -> None:
    if isinstance(node, dict):
        if node.get("type") == "BASE_TABLE":
            tables.add((node.get("schema_name") or "", node["table_name"]))
        for entry in (node.get("cte_map") or {}).get("map", []):
            ctes.add(entry["key"])
        for value in node.values():
            _walk(value, tables, ctes)
    elif isinstance(node, list):
        for value in node:
            _walk(value, tables, ctes)


def faults() -> list[str]:
    """What breaks the graph's rules: a reference not qualified, to an unknown table, or to a
    stage after the model's own."""
    declared = python_outputs() | books_tables()
    declared |= {m.output for m in models() if m.output is not None}
    rank = {stage: i for i, stage in enumerate(workspace.STAGES)}
    messages = []
    for model in models():
        for schema, table in sorted(model.reads):
            where = f"{model.label} reads {schema + '.' if schema else ''}{table}"
            if not schema:
                messages.append(f"{where}: not qualified (name its stage or input: map.{table}, "
                                "master.…, books.…)")
            elif (schema, table) not in declared:
                messages.append(f"{where}: no model, input or book table of that name")
            elif schema in rank and rank[schema] > rank[model.stage]:
                messages.append(f"{where}: a later stage than {model.stage}")
    return messages


def mermaid() -> str:
    """The lineage as a Mermaid flowchart: the run's tables by stage, each with what it reads
    (master data and the books as they were as one node each; rules left out), and the book
    tables persist writes."""
    lines = ["flowchart LR",
             '    master[("master data")]',
             '    books_before[("books before the run")]']
    made: dict[str, set[str]] = {}
    edges: set[tuple[str, str]] = set()
    for model in models():
        if model.output is None:
            continue
        made.setdefault(model.output[0], set()).add(model.output[1])
        target = _written(model.output[1]) if model.output[0] == "books" else _node(*model.output)
        edges |= {(_node(schema, table), target) for schema, table in model.reads}
    for schema, table in python_outputs():
        if schema != "master":
            made.setdefault(schema, set()).add(table)
    edges |= {(_node(*source), _node(*target)) for target, source in _python_reads().items()}
    for stage in (*workspace.STAGES, "books"):
        if stage not in made:
            continue
        lines.append(f"    subgraph {'books written' if stage == 'books' else stage}")
        lines.extend(f'        {_written(t) if stage == "books" else _node(stage, t)}["{t}"]'
                     for t in sorted(made[stage]))
        lines.append("    end")
    lines.extend(f"    {source} --> {target}" for source, target in sorted(edges))
    return "\n".join(lines) + "\n"


def _node(schema: str, table: str) -> str:
    """A table's node: master data and the books as they were are one node each."""
    return {"master": "master", "books": "books_before"}.get(schema, f"{schema}_{table}")


def _written(table: str) -> str:
    return f"written_{table}"
