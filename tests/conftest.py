import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Rules written by "users" in tests live in tests/ and are imported by dotted path.
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def model_fixture():
    """Path of a YAML fixture under tests/fixtures/model/."""

    def get(name: str) -> Path:
        return FIXTURES / "model" / name

    return get
