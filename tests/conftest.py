"""Shared fixtures: real SQLite files in tmp_path, never a mocked store."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("FIELDKIT_USER", "tester")

import pytest

if "libfaketime" in os.environ.get("LD_PRELOAD", ""):  # scripts/faketime-suite.sh
    import select
    import time

    def _sleep(seconds: float) -> None:
        """libfaketime 0.9.10 with a real monotonic clock fails time.sleep() with EINVAL
        (clock_nanosleep); select's timeout does not go through it."""
        select.select([], [], [], seconds)

    time.sleep = _sleep

pytest_plugins = ["qt_fixtures", "pg_server"]

from fixed_clock import SteppingClock  # noqa: E402

from fieldkit.access import Policy, role_policy, set_policy  # noqa: E402
from fieldkit.context import Context  # noqa: E402  (after the environment is set)
from fieldkit.opening import open_context  # noqa: E402  (after the environment is set)
from fieldkit.services.office import init_office  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test away from the real user's store and settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("FIELDKIT_HOME", str(home))
    monkeypatch.delenv("FIELDKIT_DB", raising=False)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def ctx(store_path: Path) -> Iterator[Context]:
    """An initialised office store on a real SQLite file, on a fixed clock."""
    context = open_context(store_path, create=True)
    context.now = SteppingClock()
    init_office(context, "KE-NBO", "Kenya country office", "country-office", "ROEA")
    yield context
    context.close()


@pytest.fixture
def bare_ctx(store_path: Path) -> Iterator[Context]:
    """A store with no office yet, on a fixed clock."""
    context = open_context(store_path, create=True)
    context.now = SteppingClock()
    yield context
    context.close()


@pytest.fixture
def policy() -> Iterator[Callable[[Policy], Policy]]:
    """``set_policy`` for one test: who may do what; the role table is in force again afterwards."""
    yield set_policy
    set_policy(role_policy)
