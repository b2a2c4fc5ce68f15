"""The store contract suite runs once per backend, in the same pytest run.

Every test here that uses a store place (`location`, and through it `store_url`,
`store` and `accounts`) runs against SQLite and against PostgreSQL, as the
`eventsourcing` library runs one recorder test case per recorder. ESGUI_TEST_BACKEND
does not apply here. When the PostgreSQL test server cannot be reached its runs are
skipped, unless ESGUI_REQUIRE_POSTGRESQL=1 (CI) makes them fail instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_POSTGRESQL, StoreLocation, pg_problem

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend this run of a store test is for."""
    name: str = request.param
    if name == "postgresql":
        problem = pg_problem()
        if problem is not None:
            message = f"PostgreSQL test server not reachable ({problem})"
            if REQUIRE_POSTGRESQL:
                pytest.fail(f"{message}, and ESGUI_REQUIRE_POSTGRESQL=1 requires it")
            pytest.skip(message)
    return name


@pytest.fixture
def location(backend: str, tmp_path: Path) -> Iterator[StoreLocation]:
    loc = StoreLocation(tmp_path, backend)
    yield loc
    loc.drop()
