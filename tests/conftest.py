import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
# Prefect's temporary API server (a flow run outside a Prefect server) gets 20 s to start; on a
# 2-core machine running two test processes (make test) it may need more (inherited by the
# child interpreters the flow tests start)
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "out.duckdb"


@pytest.fixture
def dataset_dir(tmp_path: Path) -> Path:
    return tmp_path / "input"



_exit_status = {"code": 0}


def pytest_sessionfinish(session, exitstatus):
    _exit_status["code"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Leave without interpreter finalisation once pytest has printed everything: DuckDB's
    nanobind bindings otherwise print "leaked instance" noise after pytest's summary when an
    exception that travelled through a run is still referenced at exit (harmless, but it buries
    the summary line). The exit status is pytest's own. (Not in a pytest-xdist worker: it reports
    to the controller to the end, and what it prints at exit is not shown.)"""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status["code"])
