"""Who did what: what `runs` and `run_inputs` record of each run, the run log beside
the books (`<db>.log.jsonl`) for every CLI attempt, and the authorised actions of
`master/authorisations`."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from builders import (
    base_master,
    debtor,
    integration_type,
    order_line,
    query,
    run,
    with_be01,
    write_dataset,
)
from typer.testing import CliRunner

from flows import provenance
from flows.cli import app
from flows.parameters import RunParameters
from flows.pipeline import check_configuration, resume, resume_parameters, run_month_end
from transforms.validate import ConfigurationError

WIDE = {"COLUMNS": "250"}


@pytest.fixture(autouse=True)
def alice(monkeypatch):
    """Every test runs as OS user alice on host books-01 (whoever runs the suite)."""
    monkeypatch.setattr(provenance, "os_user", lambda: "alice")
    monkeypatch.setattr(provenance, "host", lambda: "books-01")


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def log_lines(db: Path) -> list[dict]:
    return [json.loads(line) for line in Path(f"{db}.log.jsonl").read_text().splitlines()]


def books(db: Path) -> dict[str, list[tuple]]:
    """Every table of the books with its rows, to show that nothing changed."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "ORDER BY 1").fetchall()]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}


def two_admins(folder: Path, authorisations: list[dict] | None = None, **lines) -> Path:
    master = with_be01(base_master())
    master["integration_types"].append(integration_type("sales_invoice", "VKB", admin_id="BE01"))
    if authorisations is not None:
        master["authorisations"] = authorisations
    lines = lines or {"order_lines": [order_line("L1"), order_line("L2", "O2", admin_id="BE01")]}
    return write_dataset(folder, master, **lines)


def allow(user: str, action: str, admin_id: str) -> dict:
    return dict(user=user, action=action, admin_id=admin_id)


# --- runs and run_inputs ------------------------------------------------------------------------


def test_a_run_records_who_where_which_version_and_its_settings(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])

    run(dataset_dir, db, strict=True)

    (user, host, version, command_line, parameters), = query(
        db, "SELECT os_user, host, journalize_version, command_line, parameters FROM runs")
    assert (user, host, command_line) == ("alice", "books-01", "python API")
    assert version == provenance.version() and version[0].isdigit()
    settings = json.loads(parameters)
    assert settings["input_dir"] == str(dataset_dir) and settings["db_path"] == str(db)
    assert settings["reference_date"] == "2026-10-31" and settings["strict"] is True
    assert "command_line" not in settings  # (a column of its own)
    assert RunParameters.model_validate(settings).reference_date.isoformat() == "2026-10-31"


def test_every_input_file_is_recorded_with_its_size_and_sha256(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    files = sorted(p for p in dataset_dir.rglob("*") if p.is_file())

    run(dataset_dir, db)

    assert query(db, "SELECT run_id, path, bytes, sha256 FROM run_inputs ORDER BY path") == [
        (1, p.relative_to(dataset_dir).as_posix(), p.stat().st_size, sha256(p)) for p in files]
    assert "master/debtors.csv" in [p.relative_to(dataset_dir).as_posix() for p in files]


def test_every_file_of_a_partitioned_parquet_folder_is_recorded(dataset_dir, db):
    write_dataset(dataset_dir)
    folder = dataset_dir / "lines" / "order_lines"
    for n, line_id in enumerate(("L1", "L2")):
        part = folder / f"part={n}"
        part.mkdir(parents=True)
        row = order_line(line_id, f"O{n}")
        pq.write_table(pa.table({k: [v] for k, v in row.items()}), part / "data.parquet")

    run(dataset_dir, db)

    assert query(db, "SELECT count(*) FROM billable_lines WHERE status = 'invoiced'") == [(2,)]
    assert query(db, "SELECT path, bytes, sha256 FROM run_inputs WHERE path LIKE 'lines/%' "
                     "ORDER BY path") == [
        (f"lines/order_lines/part={n}/data.parquet", p.stat().st_size, sha256(p))
        for n, p in enumerate(sorted(folder.rglob("*.parquet")))]


def test_a_resume_records_the_master_files_it_read_not_line_files(dataset_dir, tmp_path, db):
    master = base_master()
    master["debtors"][1] = debtor("10002", "De Vries Bouw", blocked="true")
    write_dataset(dataset_dir, master, order_lines=[order_line("L1"), order_line("L2", "O2",
                                                                                  debtor_id="10002")])
    run(dataset_dir, db)
    fixed = write_dataset(tmp_path / "fixed")  # 10002 no longer blocked

    resume(resume_parameters(db, input_dir=fixed))

    paths = [p for (p,) in query(db, "SELECT path FROM run_inputs WHERE run_id = 2 ORDER BY 1")]
    assert paths == sorted(p.relative_to(fixed).as_posix() for p in fixed.rglob("*.csv"))
    assert paths and all(p.startswith("master/") for p in paths)
    assert query(db, "SELECT command FROM runs WHERE run_id = 2") == [("resume",)]


def test_a_database_of_an_earlier_version_gets_the_new_columns_and_table(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    run(dataset_dir, db)
    with duckdb.connect(str(db)) as con:  # the books as the version before this one wrote them
        con.execute("DROP TABLE run_inputs")
        for column in ("os_user", "host", "journalize_version", "command_line", "parameters"):
            con.execute(f"ALTER TABLE runs DROP COLUMN {column}")
    write_dataset(dataset_dir, order_lines=[order_line("L1"), order_line("L2", "O2")])

    run(dataset_dir, db, period="2026-11")

    assert query(db, "SELECT run_id, os_user, host, command_line, parameters IS NOT NULL "
                     "FROM runs ORDER BY 1") == [
        (1, None, None, None, False), (2, "alice", "books-01", "python API", True)]
    assert query(db, "SELECT DISTINCT run_id FROM run_inputs") == [(2,)]


def test_the_cli_records_its_command_line(dataset_dir, db, monkeypatch):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    argv = ["journalize", "run", "--input", str(dataset_dir), "--db", str(db), "--period", "2026-10"]
    monkeypatch.setattr(sys, "argv", argv)

    result = invoke(*argv[1:])

    assert result.exit_code == 0, result.output
    assert query(db, "SELECT command_line FROM runs") == [(
        f"journalize run --input {dataset_dir} --db {db} --period 2026-10",)]


# --- the run log beside the books -----------------------------------------------------------------


def test_a_failed_run_leaves_a_log_line_with_its_reason_and_the_books_untouched(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    assert invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10").exit_code == 0
    before = books(db)
    write_dataset(dataset_dir, order_lines=[order_line("L2", quantity="abc")])

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-11", "--strict")

    assert result.exit_code == 3
    assert books(db) == before
    first, failed = log_lines(db)
    assert (first["outcome"], first["exit_code"], first["run_id"], first["reason"]) == (
        "succeeded", 0, 1, None)
    assert (failed["action"], failed["outcome"], failed["exit_code"], failed["run_id"]) == (
        "run", "failed", 3, None)
    assert failed["reason"].startswith("run failed, nothing written: --strict: 1 fault(s)")
    assert "lines/order_lines.csv row 1, column quantity" in failed["reason"]
    assert (failed["user"], failed["host"], failed["version"]) == (
        "alice", "books-01", provenance.version())
    assert failed["parameters"]["strict"] is True
    assert failed["parameters"]["reference_date"] == "2026-11-30"
    assert stat.S_IMODE(os.stat(f"{db}.log.jsonl").st_mode) == 0o600


def test_a_failed_first_run_leaves_no_books_but_its_log_line(dataset_dir, db):
    master = base_master()
    del master["debtors"]
    write_dataset(dataset_dir, master, order_lines=[order_line("L1")])

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 2
    assert not db.exists()
    (line,) = log_lines(db)
    assert (line["outcome"], line["exit_code"]) == ("refused", 2)
    assert line["reason"] == ("configuration error: master/debtors: required table is missing "
                              "(no debtors.csv or .parquet)")


def test_a_usage_error_is_logged_with_the_options_given(db):
    result = invoke("run", "--db", db, "--period", "2026-13")

    assert result.exit_code == 2
    (line,) = log_lines(db)
    assert line["reason"] == "usage: period '2026-13': month 13 is not 01..12"
    assert line["parameters"]["period"] == "2026-13"


def test_verify_writes_nothing_in_the_books_and_a_line_in_the_log(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    run(dataset_dir, db)
    before = books(db)

    clean = invoke("verify", "--db", db)
    with duckdb.connect(str(db)) as con:  # an edit verify finds: the counter lowered
        con.execute("UPDATE journal_counters SET last_invoice_number = 1000")
    edited = books(db)
    found = invoke("verify", "--db", db)

    assert (clean.exit_code, found.exit_code) == (0, 1)
    assert books(db) == edited and edited["runs"] == before["runs"]
    assert [(r["action"], r["outcome"], r["exit_code"]) for r in log_lines(db)] == [
        ("verify", "succeeded", 0), ("verify", "findings", 1)]
    assert log_lines(db)[1]["reason"].startswith("findings: ")
    assert log_lines(db)[1]["parameters"] == {"db_path": str(db)}


def test_backfill_logs_one_line_per_month(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])

    result = invoke("backfill", "--input", dataset_dir, "--db", db, "--from", "2026-10",
                    "--to", "2026-11")

    assert result.exit_code == 0, result.output
    assert [(r["action"], r["run_id"], r["parameters"]["reference_date"]) for r in log_lines(db)] == [
        ("backfill", 1, "2026-10-31"), ("backfill", 2, "2026-11-30")]
    assert query(db, "SELECT run_id, command FROM runs ORDER BY 1") == [
        (1, "backfill"), (2, "backfill")]


# --- authorised actions -------------------------------------------------------------------------


def test_without_authorisations_everyone_may_run(dataset_dir, db):
    two_admins(dataset_dir, authorisations=[])  # the table, with no rows

    assert run(dataset_dir, db).counts["invoices"] == 2


def test_a_user_allowed_for_one_administration_may_not_run_them_all(dataset_dir, db):
    two_admins(dataset_dir, [allow("alice", "run", "NL01"), allow("bob", "run", "*")])
    # a line file that cannot be read: the refusal comes before any line is read
    (dataset_dir / "lines" / "order_lines.csv").unlink()
    (dataset_dir / "lines" / "order_lines.parquet").write_bytes(b"not parquet")

    with pytest.raises(ConfigurationError) as refused:
        run(dataset_dir, db)

    assert refused.value.messages == [
        "master/authorisations.csv: user 'alice' is not authorised to run administration BE01; "
        "nothing was read"]
    assert not db.exists()


def test_the_run_of_the_allowed_administration_goes_on(dataset_dir, db):
    two_admins(dataset_dir, [allow("alice", "run", "NL01")])

    result = run(dataset_dir, db, admin="NL01")

    assert [(a, n) for a, _, n, *_ in result.invoices_by_journal] == [("NL01", 1)]


def test_star_allows_every_administration(dataset_dir, db):
    two_admins(dataset_dir, [allow("alice", "run", "*")])

    assert run(dataset_dir, db).counts["invoices"] == 2


def test_another_action_or_user_does_not_allow_a_run(dataset_dir, db, monkeypatch):
    two_admins(dataset_dir, [allow("alice", "resume", "*"), allow("alice", "backfill", "*"),
                             allow("bob", "run", "*")])

    with pytest.raises(ConfigurationError, match="user 'alice' is not authorised to run "
                                                 "administrations BE01, NL01"):
        run(dataset_dir, db)
    monkeypatch.setattr(provenance, "os_user", lambda: "bob")
    assert run(dataset_dir, db).counts["invoices"] == 2


def test_the_cli_refuses_with_exit_2_one_message_and_a_log_line(dataset_dir, db):
    two_admins(dataset_dir, [allow("alice", "run", "BE01")])

    result = invoke("run", "--input", dataset_dir, "--db", db, "--period", "2026-10")

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "journalize: configuration error: master/authorisations.csv: user 'alice' is not "
        "authorised to run administration NL01; nothing was read"]
    assert not db.exists()
    (line,) = log_lines(db)
    assert (line["user"], line["outcome"], line["exit_code"]) == ("alice", "refused", 2)
    assert "not authorised to run administration NL01" in line["reason"]


def test_resume_is_authorised_on_the_master_data_of_the_resumed_run(dataset_dir, db):
    master = with_be01(base_master())
    master["debtors"][1] = debtor("10002", "De Vries Bouw", blocked="true")
    master["authorisations"] = [allow("alice", "run", "*")]
    write_dataset(dataset_dir, master, order_lines=[order_line("L1"), order_line(
        "L2", "O2", debtor_id="10002")])
    run(dataset_dir, db)
    master["debtors"][1]["blocked"] = "false"
    write_dataset(dataset_dir, master)  # unblocked in the run's own folder, still no resume

    refused = invoke("resume", "--db", db)
    master["authorisations"].append(allow("alice", "resume", "NL01"))
    master["authorisations"].append(allow("alice", "resume", "BE01"))
    write_dataset(dataset_dir, master)
    resumed = invoke("resume", "--db", db)

    assert refused.exit_code == 2
    assert "user 'alice' is not authorised to resume administrations BE01, NL01" in refused.stderr
    assert resumed.exit_code == 0, resumed.output
    assert query(db, "SELECT run_id, command, os_user FROM runs ORDER BY 1") == [
        (1, "run", "alice"), (2, "resume", "alice")]
    assert [(r["action"], r["exit_code"]) for r in log_lines(db)] == [("resume", 2), ("resume", 0)]


def test_backfill_needs_the_backfill_action(dataset_dir, db):
    two_admins(dataset_dir, [allow("alice", "run", "*")])

    result = invoke("backfill", "--input", dataset_dir, "--db", db, "--from", "2026-10",
                    "--to", "2026-11")

    assert result.exit_code == 2
    assert "not authorised to backfill administrations BE01, NL01" in result.stderr
    assert not db.exists()


def test_authorisations_name_a_known_action_and_administration(dataset_dir, db):
    two_admins(dataset_dir, [allow("alice", "delete", "*"), allow("alice", "post", "XX01"),
                             allow("alice", "export", "*")])

    with pytest.raises(ConfigurationError) as refused:
        run(dataset_dir, db)
    faults = check_configuration(dataset_dir)

    assert refused.value.messages == [
        "master/authorisations.csv row 1, column action: must be one of run, post, resume, "
        "backfill, export [rule isin] (value 'delete')"]
    fixed = [allow("alice", "run", "*"), allow("alice", "post", "XX01")]
    two_admins(dataset_dir, fixed)
    assert "authorisations: user alice, action post: administration XX01 does not exist (name " \
           "one of master/administrations, or * for every one)" in check_configuration(dataset_dir)
    with pytest.raises(ConfigurationError, match="administration XX01 does not exist"):
        run(dataset_dir, db)
    assert len(faults) == 1 and "value 'delete'" in faults[0]
    assert not db.exists()


def test_the_shipped_sample_has_no_authorisations():
    from flows.parameters import sample_dataset

    assert not list((sample_dataset() / "master").glob("authorisations*"))


def test_an_input_file_changed_while_the_run_reads_it_fails_the_run(dataset_dir, db, monkeypatch):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    # hashed as the run starts (not in its thread), so that the edit below surely comes after
    monkeypatch.setattr(provenance.InputHashes, "start", lambda self: (self._hash(), self)[1])
    lines = dataset_dir / "lines" / "order_lines.csv"

    def edit_during_map(name, stage, con, params):
        if name == "map":  # (read and hashed by now: the hash would not be of what was read)
            with open(lines, "a", encoding="utf-8") as handle:
                handle.write("\n")
        stage(con, params)

    with pytest.raises(provenance.InputChanged, match="lines/order_lines.csv changed while the "
                                                      "run read it"):
        run_month_end(RunParameters.for_period("2026-10", input_dir=dataset_dir, db_path=db),
                      runner=edit_during_map)
    assert not db.exists()
