import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "out.duckdb"


@pytest.fixture
def dataset_dir(tmp_path: Path) -> Path:
    return tmp_path / "input"

