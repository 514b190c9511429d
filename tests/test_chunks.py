"""A big run (params.chunk_lines lines or more; 0 here) maps, invoices and writes one
administration at a time (so that its working sets follow the largest administration, not the
month).
These cases pin down that it changes nothing a run over all lines at once would give: the books
(the sample, table by table), the line checks' messages, the rows kept, the entry ids, pro forma.

Two administrations: BE01 (with_be01: VKB journal, prefix B, no sales_invoice type) and NL01
(VK journal, counter at 1000). BE01 sorts first, so it is the first chunk."""

from __future__ import annotations

import duckdb
import pytest
from builders import (
    base_master,
    course,
    course_line,
    order_line,
    query,
    run,
    subscription,
    subscription_line,
    with_be01,
    write_dataset,
)

from flows.parameters import RunParameters, sample_dataset
from flows.pipeline import check_configuration, pro_forma, run_month_end
from transforms import seal
from transforms.validate import ConfigurationError


def two_administrations() -> dict:
    master = with_be01(base_master())
    master["courses"] = [course("C1", admin_id="BE01"), course("C2", admin_id="NL01")]
    return master


def test_line_faults_of_several_administrations_come_as_one_pass_gives_them(dataset_dir, db):
    """Faults found per administration are reported check by check, each check in
    administration order — exactly `journalize check`'s list (one pass over all lines)."""
    master = two_administrations()
    # NL01 loses its course type; GOODS (used by a subscription line) holds stock items
    master["integration_types"] = [t for t in master["integration_types"]
                                   if (t["admin_id"], t["integration_type"]) != ("NL01", "course_invoice")]
    for group in master["article_groups"]:
        if group["article_group"] == "GOODS" and group["admin_id"] == "NL01":
            group["contains_stock_items"] = "true"
    master["subscriptions"] = [subscription("S1", admin_id="NL01")]
    write_dataset(
        dataset_dir, master,
        order_lines=[order_line("O1", admin_id="BE01")],  # BE01 has no sales_invoice type
        course_lines=[course_line("K1", "C2")],  # NL01 course line, NL01 has no course type
        subscription_lines=[subscription_line("S1-1", "S1", article_group="GOODS")],
    )

    with pytest.raises(ConfigurationError) as raised:
        run(dataset_dir, db, chunk_lines=0)

    assert raised.value.messages == [
        "administration BE01: 1 line(s) of order_lines to invoice but there is no integration "
        "type sales_invoice",
        "administration NL01: 1 line(s) of course_lines to invoice but there is no integration "
        "type course_invoice",
        "administration NL01: article group GOODS contains stock items but is used by "
        "subscriptions (1 use(s), first subscription line S1-1)",
    ]
    assert raised.value.messages == check_configuration(dataset_dir)
    assert not db.exists()


def test_lines_without_an_id_in_two_administrations_are_all_kept(dataset_dir, db):
    """A line without line_id is rejected and kept as its own row; the second administration's
    write does not take the first one's rows of the same run for earlier rows to replace."""
    write_dataset(dataset_dir, two_administrations(), course_lines=[
        course_line("K1", "C1"), course_line("", "C1"),  # BE01
        course_line("K2", "C2"), course_line("", "C2"),  # NL01
    ])

    run(dataset_dir, db, chunk_lines=0)

    assert query(db, "SELECT admin_id, line_id, status FROM billable_lines "
                     "ORDER BY admin_id, line_id NULLS LAST") == [
        ("BE01", "K1", "invoiced"), ("BE01", None, "rejected"),
        ("NL01", "K2", "invoiced"), ("NL01", None, "rejected"),
    ]
    assert query(db, "SELECT lines_read, lines_invoiced, lines_rejected FROM runs") == [(4, 2, 2)]
    assert query(db, "SELECT count(*) FROM rejected_lines") == [(2,)]


def test_entries_are_numbered_in_administration_order_across_chunks(dataset_dir, db):
    write_dataset(dataset_dir, two_administrations(),
                  course_lines=[course_line("K2", "C2"), course_line("K1", "C1")])

    result = run(dataset_dir, db, chunk_lines=0)

    # one invoice each: BE01 B1 (VKB counter 0), NL01 1001 (VK counter 1000); 3 lines each
    # (debtor 121, revenue -100, VAT -21); BE01 first
    assert query(db, "SELECT admin_id, invoice_number FROM invoices ORDER BY 1") == [
        ("BE01", "B1"), ("NL01", "1001")]
    assert query(db, "SELECT entry_id, admin_id, count(*), sum(debit), sum(credit) "
                     "FROM journal_entries GROUP BY ALL ORDER BY 1") == [
        (1, "BE01", 3, 121, 121), (2, "NL01", 3, 121, 121)]
    assert result.counts["invoices"] == 2
    assert result.counts["journal_entry_lines"] == 6
    # the reconciliation sums both administrations: course lines read 2 = invoiced 2
    assert [r[:3] for r in result.reconciliation] == [("course_lines", 2, 2)]


def test_pro_forma_lists_every_administration_in_order(dataset_dir, db):
    write_dataset(dataset_dir, two_administrations(),
                  course_lines=[course_line("K2", "C2"), course_line("K1", "C1")])

    result = pro_forma(RunParameters.for_period("2026-10", input_dir=dataset_dir, db_path=db,
                                           chunk_lines=0))

    assert [(r[0], r[1], r[2]) for r in result.pro_forma] == [
        ("BE01", "VKB", "10001"), ("NL01", "VK", "10001")]


def test_progress_names_each_administration(dataset_dir, db):
    write_dataset(dataset_dir, two_administrations(),
                  course_lines=[course_line("K2", "C2"), course_line("K1", "C1")])
    seen: list[str] = []

    run_month_end(RunParameters.for_period("2026-10", input_dir=dataset_dir, db_path=db,
                                           chunk_lines=0),
                  progress=seen.append)

    assert seen == [
        "load configuration", "load lines",
        *(f"{stage} (BE01, 1/2)" for stage in
          ("map", "group", "number", "journalise", "reconcile", "persist")),
        *(f"{stage} (NL01, 2/2)" for stage in
          ("map", "group", "number", "journalise", "reconcile", "persist")),
        "close",
    ]


# what differs between two runs of the same books: the wall clock of a run, its settings (here
# chunk_lines), and the seal, which is of the rows in the order the books store them (a run
# streams them in an order of DuckDB's choosing); each set of books verifies against its own seal
RUN_ONLY = "EXCLUDE (started_at, finished_at, parameters, seal)"
SEAL_TABLES = ("seals", "seal_chunks")


def all_tables(db) -> dict[str, list[tuple]]:
    tables = [r[0] for r in query(db, "SELECT table_name FROM information_schema.tables "
                                      "WHERE table_type = 'BASE TABLE' ORDER BY 1")]
    return {t: sorted(query(db, f"SELECT * {RUN_ONLY if t == 'runs' else ''} FROM {t}"), key=repr)
            for t in tables if t not in SEAL_TABLES}




def test_the_sample_books_are_the_same_one_administration_at_a_time(tmp_path):
    sample_dir = sample_dataset()
    one_pass, chunked = tmp_path / "one_pass.duckdb", tmp_path / "chunked.duckdb"
    run(sample_dir, one_pass)
    run(sample_dir, chunked, chunk_lines=0)

    books = all_tables(one_pass)
    assert books["invoices"] and books["journal_entries"] and books["billable_lines"]
    assert books == all_tables(chunked)
    for db in (one_pass, chunked):
        with duckdb.connect(str(db), read_only=True) as con:
            assert seal.audit(con).findings == []
