"""The audit chain on a real PostgreSQL server: the same hashes and verdicts as on SQLite, and
writers in parallel transactions extending one chain without sharing a link."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import text

from fieldkit.access import unchecked
from fieldkit.opening import open_context
from fieldkit.services.audit import verify_audit
from fieldkit.services.office import init_office
from fieldkit.services.records import create_record, update_record
from fieldkit.store.audit import append_event

WRITERS = 4
EVENTS_EACH = 15


def test_chain_verifies_and_an_edit_is_named_on_postgres(pg_url: Callable[[], str]) -> None:
    ctx = open_context(pg_url(), create=True)
    try:
        init_office(ctx, "ROEA", "Regional office", "regional-office", "HQ")
        org = create_record(ctx, "organisation", {"name": "Legal Aid Centre"})
        update_record(ctx, "organisation", org["id"], {"name": "Legal Aid"})
        verdict = verify_audit(ctx)
        assert verdict.ok and verdict.checked >= 2
        with unchecked(), ctx.store.write() as session:
            session.execute(text("UPDATE audit_log SET old = CAST(:old AS json) WHERE action = 'update'"),
                            {"old": '{"name": "Someone else"}'})  # fmt: skip
        broken = verify_audit(ctx)
        assert broken.problem == "edited" and broken.row_id == verdict.checked
    finally:
        ctx.close()


def test_parallel_writers_extend_one_chain_on_postgres(pg_url: Callable[[], str]) -> None:
    url = pg_url()
    ctx = open_context(url, create=True)
    init_office(ctx, "ROEA", "Regional office", "regional-office", "HQ")
    failures: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(EVENTS_EACH):
                with unchecked(), ctx.store.write() as session:
                    append_event(session, at=ctx.now(), actor=f"writer-{n}", action="login", detail={"i": i})
        except BaseException as exc:  # reported below, on the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not failures, failures
        verdict = verify_audit(ctx)
        assert verdict.ok, verdict.message
        assert verdict.head_count == verdict.checked >= WRITERS * EVENTS_EACH
    finally:
        ctx.close()
