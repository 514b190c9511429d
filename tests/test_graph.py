"""The model graph (transforms/graph.py): every SQL model names its inputs by qualified name, reads
only master data, the books as they were and the outputs of stages up to its own, and the
README's data-flow picture is the graph journalize prints."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from transforms import graph, sqlfile, workspace

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_model_reads_known_tables_of_earlier_stages_by_qualified_name():
    assert graph.faults() == []


def test_the_graph_check_finds_a_later_stage_an_unqualified_name_and_an_unknown_table(monkeypatch):
    parser = duckdb.connect()
    bad = (
        graph.Model("map", "early", "table", ("map", "early"),
                    frozenset(graph.references(parser, "SELECT * FROM number.run_invoices"))),
        graph.Model("group", "loose", "table", ("group", "loose"),
                    frozenset(graph.references(parser, "WITH t AS (SELECT 1) "
                                                       "SELECT * FROM t, mapped_lines"))),
        graph.Model("number", "typo", "table", ("number", "typo"),
                    frozenset(graph.references(parser, "SELECT * FROM map.maped_lines"))),
    )
    real = graph.models()
    monkeypatch.setattr(graph, "models", lambda: real + bad)
    assert graph.faults() == [
        "map/early.sql reads number.run_invoices: a later stage than map",
        "group/loose.sql reads mapped_lines: not qualified (name its stage or input: "
        "map.mapped_lines, master.…, books.…)",
        "number/typo.sql reads map.maped_lines: no model, input or book table of that name",
    ]


def test_each_model_makes_the_table_named_after_its_file_in_its_stage():
    outputs = {(m.folder, m.name): m.output for m in graph.models()}
    assert outputs[("map", "mapped_lines")] == ("map", "mapped_lines")
    assert outputs[("group", "draft_invoices")] == ("group", "draft_invoices")
    assert outputs[("validate", "reference_rejections")] == ("validate", "line_rejections")
    assert outputs[("persist", "journal_entries")] == ("books", "journal_entries")
    assert outputs[("number", "numbering_faults")] is None  # a rule: rows of faults


def test_the_readme_picture_is_the_graph_journalize_prints():
    text = README.read_text("utf-8")
    found = re.search(r"<!-- graph: journalize graph -->\n```mermaid\n(.*?)```", text, re.DOTALL)
    assert found, "README has no data-flow picture made by journalize graph"
    assert found.group(1) == graph.mermaid(), "README's picture differs: paste `journalize graph`"


# --- sqlfile runs a file with exactly the parameters it uses ---------------------------------------


def test_a_parameter_the_sql_does_not_use_is_refused(monkeypatch):
    monkeypatch.setattr(sqlfile, "load", lambda stage, name: "SELECT $admin_id AS a")
    con = duckdb.connect()
    with pytest.raises(sqlfile.ParameterError, match=r"was given \$admin, which it does not use"):
        sqlfile.run(con, "x", "y", {"admin_id": "NL01", "admin": "NL01"})
    with pytest.raises(sqlfile.ParameterError, match=r"uses \$admin_id but was not given it"):
        sqlfile.run(con, "x", "y", {})
    assert sqlfile.run(con, "x", "y", {"admin_id": "NL01"}).fetchall() == [("NL01",)]


def test_parameters_in_comments_and_text_do_not_count():
    assert sqlfile.parameters("SELECT '$a' AS x, $b -- $c\n FROM t") == {"b"}


def test_build_makes_a_stage_table_a_view_or_appends(monkeypatch):
    files = {
        ("map", "m"): "SELECT 1 AS n",
        ("map", "v"): "-- materialized: view\nSELECT n + 1 AS n FROM map.m",
        ("map", "a"): "-- materialized: append to map.m\nSELECT $k AS n",
    }
    monkeypatch.setattr(sqlfile, "load", lambda stage, name: files[(stage, name)])
    con = duckdb.connect()
    workspace.open_work(con)
    sqlfile.build(con, "map", "m")
    sqlfile.build(con, "map", "v")
    sqlfile.build(con, "map", "a", {"k": 5})
    assert con.execute("SELECT n FROM map.m ORDER BY n").fetchall() == [(1,), (5,)]
    assert con.execute("SELECT n FROM map.v ORDER BY n").fetchall() == [(2,), (6,)]
    assert con.execute("SELECT table_type FROM information_schema.tables "
                       "WHERE table_catalog = 'work' AND table_name = 'v'").fetchall() == [("VIEW",)]
