"""Everything imports, and every SQL file ships as package data."""

import importlib
import pkgutil

import flows
import schemas
import transforms
from transforms import sqlfile


def test_every_module_imports():
    for package in (flows, schemas, transforms):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")


def test_every_sql_file_the_code_names_exists():
    from transforms.configuration import CHECKS
    from transforms.persist import CHUNK_TABLES, RUN_TABLES

    for name in CHECKS:
        assert sqlfile.load("check", name).strip()
    for name in (*CHUNK_TABLES, *RUN_TABLES, "replaced_lines", "delete_replaced_lines",
                 "journal_counters", "delete_moved_counters"):
        assert sqlfile.load("persist", name).strip()
