"""A throwaway PostgreSQL server for tests: real server, own folder, Unix socket only.

CI installs PostgreSQL (scripts/setup.sh); on a machine without it the PostgreSQL tests
skip, except under CI where a missing server is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _bin_dir() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _as_postgres(argv: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[dict[str, str]]:
    bin_dir = _bin_dir()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; scripts/setup.sh test installs it")
        pytest.skip("PostgreSQL is not installed (scripts/setup.sh test installs it)")
    with running_postgres(bin_dir) as server:
        yield server


@contextmanager
def running_postgres(bin_dir: Path) -> Iterator[dict[str, str]]:
    """Start a server in a new folder; yield its socket folder and port; stop and remove it."""
    # not under pytest's tmp folder: that one is private to root, and the server runs as postgres
    root = Path(tempfile.mkdtemp(prefix="fieldkit-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        root.chmod(0o700)
    port = str(_free_port())
    subprocess.run(
        _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                      "--locale", "C.UTF-8"]),
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"), "-o",
                      f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off -c synchronous_commit=off",
                      "start"]),
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        yield {"host": str(sock), "port": port}
    finally:
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: dict[str, str]) -> Callable[[], str]:
    """Make a new empty database and return its SQLAlchemy URL."""
    import psycopg

    def make() -> str:
        name = "fk_" + uuid.uuid4().hex[:12]
        with psycopg.connect(host=pg_server["host"], port=pg_server["port"], user="postgres",
                             dbname="postgres", autocommit=True) as conn:  # fmt: skip
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@/{name}?host={pg_server['host']}&port={pg_server['port']}"

    return make
