"""Two programs writing to one store: a writer that must wait says so and keeps waiting while
the holder is a FieldKit program still running; nothing is written half-way or lost."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from sync_offices import add_visits, offices

from fieldkit.access import Permission, requires, unchecked
from fieldkit.cli.main import main
from fieldkit.context import Context
from fieldkit.opening import open_context
from fieldkit.progress import Cancelled
from fieldkit.services.drafts import load_draft, save_draft
from fieldkit.store import busy
from fieldkit.store.system import SyncPacket
from fieldkit.sync.export import export_packet


class FakeClock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(busy, "_monotonic", fake)
    monkeypatch.setattr(busy, "WAIT_SLICE_MS", 20)  # each try at the lock gives up quickly
    return fake


@pytest.fixture
def other_program(clock: FakeClock, ctx: Context) -> Iterator[Context]:
    """A second FieldKit program on the same store file."""
    assert ctx.store.path is not None
    other = open_context(ctx.store.path)
    yield other
    other.close()


@requires(Permission.IMPORT_PACKETS)
def hold_write_lock(ctx: Context, holding: ExitStack) -> Session:
    """What a long import does first: take the write lock, and keep it until ``holding`` closes."""
    session = holding.enter_context(ctx.store.write())
    session.connection()
    return session


def test_a_writer_keeps_waiting_for_a_running_import_and_says_so(
    clock: FakeClock, ctx: Context, other_program: Context
) -> None:
    assert ctx.store.path is not None
    waits: list[busy.StoreWait | None] = []
    with ExitStack() as holding:
        importing = hold_write_lock(other_program, holding)
        note = busy.read_note(ctx.store.path)
        assert note is not None and note.pid == os.getpid() and note.activity == Permission.IMPORT_PACKETS

        def listener(wait: busy.StoreWait | None) -> None:
            waits.append(wait)
            clock.now += 10  # far past any fixed patience before the import lets go
            if clock.now >= 300:
                holding.close()
            elif wait is not None:
                importing.execute(text("SELECT 1"))  # the import gets on with its work

        with busy.report_waits(listener):
            save_draft(ctx, "visit:new", "visit", None, "Draft", {"title": "kept"})

    told = [wait for wait in waits if wait is not None]
    assert len(told) >= 29 and told[-1].waited_s >= 290
    assert told[-1].holder is not None and told[-1].holder.beat > 20
    assert all(wait.holder is not None and wait.holder.pid == os.getpid() for wait in told)
    assert "importing sync packets" in told[0].message()
    assert waits[-1] is None  # the listener hears that the wait is over
    assert load_draft(ctx, "visit:new") == {"title": "kept"}
    assert busy.read_note(ctx.store.path) is None  # the import's note went with its lock


def test_a_holder_that_left_no_note_is_waited_for_a_while_then_refused_with_a_message(
    clock: FakeClock, ctx: Context
) -> None:
    assert ctx.store.path is not None
    waits: list[busy.StoreWait | None] = []

    def listener(wait: busy.StoreWait | None) -> None:
        waits.append(wait)
        clock.now += 10

    with (
        _another_tool_holding_the_lock(ctx.store.path),
        busy.report_waits(listener),
        pytest.raises(busy.StoreBusy, match="30 seconds"),
    ):
        save_draft(ctx, "visit:new", "visit", None, "Draft", {"title": "lost?"})
    assert [wait.holder for wait in waits if wait is not None] == [None, None, None]
    assert waits[-1] is None
    save_draft(ctx, "visit:new", "visit", None, "Draft", {"title": "later"})  # the store is fine
    assert load_draft(ctx, "visit:new") == {"title": "later"}


@contextmanager
def _another_tool_holding_the_lock(path: Path) -> Iterator[None]:
    """The write lock taken by a program that is not FieldKit: it leaves no note."""
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


def test_an_import_that_stops_getting_on_is_not_waited_for_for_ever(
    clock: FakeClock, ctx: Context, other_program: Context
) -> None:
    def listener(wait: busy.StoreWait | None) -> None:
        clock.now += 10

    with ExitStack() as holding:
        hold_write_lock(other_program, holding)  # and then nothing more
        with busy.report_waits(listener), pytest.raises(busy.StoreBusy, match=f"process {os.getpid()}"):
            save_draft(ctx, "visit:new", "visit", None, "Draft", {"title": "x"})
    assert busy.STALLED_S <= clock.now <= busy.STALLED_S + 20
    assert load_draft(ctx, "visit:new") is None


def test_stopping_the_wait_writes_nothing_and_leaves_the_store_usable(
    clock: FakeClock, ctx: Context, other_program: Context
) -> None:
    def impatient(wait: busy.StoreWait | None) -> None:
        if wait is not None:
            raise Cancelled()

    with ExitStack() as holding:
        hold_write_lock(other_program, holding)
        with busy.report_waits(impatient), pytest.raises(busy.WaitAbandoned):
            save_draft(ctx, "visit:new", "visit", None, "Draft", {"title": "not yet"})
    assert load_draft(ctx, "visit:new") is None
    save_draft(ctx, "visit:new", "visit", None, "Draft", {"title": "now"})
    assert load_draft(ctx, "visit:new") == {"title": "now"}


@pytest.mark.skipif(os.name != "posix", reason="whether a process runs is looked up on POSIX only")
def test_a_note_left_by_a_program_that_died_does_not_keep_a_writer_waiting(
    clock: FakeClock, ctx: Context
) -> None:
    assert ctx.store.path is not None
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    stale = {"pid": finished.pid, "host": busy._this_host, "activity": "import-packets", "token": "gone"}
    busy.note_path(ctx.store.path).write_text(json.dumps(stale), encoding="utf-8")

    def listener(wait: busy.StoreWait | None) -> None:
        clock.now += 10

    with (
        _another_tool_holding_the_lock(ctx.store.path),
        busy.report_waits(listener),
        pytest.raises(busy.StoreBusy),
    ):
        save_draft(ctx, "visit:new", "visit", None, "Draft", {"title": "x"})
    assert clock.now <= busy.UNKNOWN_HOLDER_PATIENCE_S + 10


def test_an_export_that_cannot_record_its_packet_leaves_no_packet_behind(
    clock: FakeClock, tmp_path: Path
) -> None:
    def listener(wait: busy.StoreWait | None) -> None:
        clock.now += 10

    out = tmp_path / "usb"
    out.mkdir()
    with offices(tmp_path, ("KE-NBO", "country-office", "ROEA"), ("ROEA", "regional-office", None)) as o:
        add_visits(o["KE-NBO"], 2)
        store_path = o["KE-NBO"].store.path
        assert store_path is not None
        with (
            _another_tool_holding_the_lock(store_path),
            busy.report_waits(listener),
            pytest.raises(busy.StoreBusy),
        ):
            export_packet(o["KE-NBO"], "ROEA", out)
        assert sorted(out.iterdir()) == []  # neither a packet nor a half-written one
        assert _packets_sent(o["KE-NBO"]) == []

        sent = export_packet(o["KE-NBO"], "ROEA", out)
        assert [path.name for path in sent.paths] == _packets_sent(o["KE-NBO"])
        assert sorted(out.iterdir()) == sent.paths


def _packets_sent(ctx: Context) -> list[str]:
    with unchecked(), ctx.store.read() as session:
        query = select(SyncPacket.file_name).where(SyncPacket.direction == "out")
        return list(session.scalars(query))


def test_the_command_line_says_once_what_it_waits_for_and_then_finishes(
    clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "usb"
    out.mkdir()
    with offices(tmp_path, ("KE-NBO", "country-office", "ROEA"), ("ROEA", "regional-office", None)) as o:
        add_visits(o["KE-NBO"], 1)
        other = open_context(tmp_path / "KE-NBO.db")
        holding = ExitStack()
        hold_write_lock(other, holding)
        tries = iter(range(1000))

        def clock_that_lets_go() -> float:
            if next(tries) == 4:  # the import commits after a few tries
                holding.close()
            clock.now += 10
            return clock.now

        monkeypatch.setattr(busy, "_monotonic", clock_that_lets_go)
        try:
            status = main(
                ["--db", str(tmp_path / "KE-NBO.db"), "sync", "export", "--to", "ROEA", "--out", str(out)]
            )
        finally:
            holding.close()
            other.close()
        assert status == 0
        waiting = [line for line in capsys.readouterr().err.splitlines() if "waiting" in line]
        assert waiting == [
            f"fieldkit: Another FieldKit program (process {os.getpid()}) is importing sync packets in this "
            "store; waiting until it has finished… (Ctrl+C to stop waiting)"
        ]
        assert [path.name for path in out.iterdir()] == _packets_sent(o["KE-NBO"])
