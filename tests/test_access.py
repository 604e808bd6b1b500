"""The one door: every public entry point checks a permission, and the store cannot be reached around it."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sync_offices import offices, visit

import fieldkit
from fieldkit.access import (
    Permission,
    PermissionDenied,
    Policy,
    Principal,
    Role,
    StoreOutsideDoor,
    is_allowed,
    required_permission,
    requires,
    unchecked,
)
from fieldkit.cli.main import main
from fieldkit.context import Context
from fieldkit.errors import NotFound
from fieldkit.i18n import set_language
from fieldkit.services.conflicts import list_conflicts, resolve
from fieldkit.services.data import iter_records
from fieldkit.services.monitoring import get_visit, save_visit
from fieldkit.services.monitoring_types import VisitFilter
from fieldkit.services.people import merge
from fieldkit.services.records import create_record
from fieldkit.services.visit_list import list_visits
from fieldkit.store.engine import Store
from fieldkit.store.records import MonitoringVisit
from fieldkit.store.system import ChangeLog
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_files, import_packet

FIELD = ("KE-NBO", "country-office", "ROEA")
REGION = ("ROEA", "regional-office", "HQ")


def core_modules() -> list[types.ModuleType]:
    """Every module of the core but migrations (alembic runs them) and ``__main__`` (it runs the CLI)."""
    names = [
        info.name
        for info in pkgutil.walk_packages(fieldkit.__path__, "fieldkit.")
        if ".migrations" not in info.name and not info.name.endswith("__main__")
    ]
    return [fieldkit, *(importlib.import_module(name) for name in names)]


def _takes_context_first(fn: Callable[..., Any]) -> bool:
    params = list(inspect.signature(fn).parameters.values())
    if not params:
        return False
    first = params[0]
    return first.annotation in (Context, "Context") or first.name == "ctx"


def entry_points(module: types.ModuleType) -> dict[str, Callable[..., Any]]:
    """The public functions ``module`` defines whose first parameter is a ``Context``."""
    return {
        name: fn
        for name, fn in vars(module).items()
        if not name.startswith("_")
        and inspect.isfunction(fn)
        and fn.__module__ == module.__name__
        and _takes_context_first(fn)
    }


def bypassing(modules: list[types.ModuleType]) -> list[str]:
    return sorted(
        f"{module.__name__}.{name}"
        for module in modules
        for name, fn in entry_points(module).items()
        if required_permission(fn) is None
    )


def deny_everything(_principal: Principal, _permission: Permission) -> bool:
    return False


def store_bytes(ctx: Context) -> bytes:
    """The database file and its write-ahead log: every committed change lands in one of them."""
    path = ctx.store.path
    assert path is not None
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


# -- the walk -------------------------------------------------------------------------------


def test_every_public_entry_point_passes_the_door() -> None:
    """Services and sync above all, but a function taking a Context anywhere in the core is an entry point."""
    modules = core_modules()
    found = {f"{m.__name__}.{name}" for m in modules for name in entry_points(m)}
    # the walk must reach the entry points that matter, or an empty walk would pass
    assert {
        "fieldkit.services.monitoring.save_visit",
        "fieldkit.services.data.export_data",
        "fieldkit.services.people.merge",
        "fieldkit.services.conflicts.resolve",
        "fieldkit.sync.importer.import_files",
        "fieldkit.sync.export.export_packet",
        "fieldkit.demo.generate",
    } <= found
    assert len(found) >= 50
    assert bypassing(modules) == []


def test_the_walk_names_a_function_that_skips_the_door() -> None:
    module = types.ModuleType("fieldkit.services.example")

    def leaky(ctx: Context) -> None: ...

    @requires(Permission.VIEW_RECORDS)
    def guarded(ctx: Context) -> None: ...

    def _helper(ctx: Context) -> None: ...

    def plain(value: int) -> int:
        return value

    for fn in (leaky, guarded, _helper, plain):
        fn.__module__ = module.__name__
        setattr(module, fn.__name__, fn)
    assert bypassing([module]) == ["fieldkit.services.example.leaky"]


# -- a principal who may do nothing ---------------------------------------------------------


def test_a_refused_principal_changes_no_byte_of_either_store(
    tmp_path: Path, policy: Callable[[Policy], Policy]
) -> None:
    with offices(tmp_path, FIELD, REGION) as o:
        field, region = o["KE-NBO"], o["ROEA"]
        saved = save_visit(field, visit("Kamiti")).value
        import_packet(region, export_packet(field, "ROEA", tmp_path / "1.fieldkit").paths[0])
        save_visit(field, dataclasses.replace(get_visit(field, saved.id or ""), title="Kamiti, block C"))
        save_visit(region, dataclasses.replace(get_visit(region, saved.id or ""), title="Kamiti prison"))
        import_packet(region, export_packet(field, "ROEA", tmp_path / "2.fieldkit").paths[0])
        conflict = list_conflicts(region)[0]
        person = {"sex": "female", "birth_year": 1990, "position": "", "email": "", "phone": ""}
        kept = create_record(region, "participant", {**person, "full_name": "Amina Diallo"})
        copy = create_record(region, "participant", {**person, "full_name": "Amina Dialo"})
        save_visit(
            field, dataclasses.replace(get_visit(field, saved.id or ""), narrative="Moved to block D.")
        )
        waiting = export_packet(field, "ROEA", tmp_path / "3.fieldkit").paths[0]
        out = tmp_path / "out"
        out.mkdir()
        before = {code: store_bytes(ctx) for code, ctx in o.items()}

        policy(deny_everything)
        attempts: list[tuple[Permission, Callable[[], object]]] = [
            (Permission.EDIT_RECORDS, lambda: save_visit(field, visit("Shimo la Tewa"))),
            (Permission.VIEW_RECORDS, lambda: list_visits(region, VisitFilter())),
            (Permission.IMPORT_PACKETS, lambda: import_files(region, [waiting])),
            (Permission.EXPORT_PACKETS, lambda: export_packet(field, "ROEA", out)),
            (Permission.MERGE_RECORDS, lambda: merge(region, "participant", kept["id"], copy["id"])),
            (
                Permission.RESOLVE_CONFLICTS,
                lambda: resolve(
                    region, "monitoring_visit", conflict.record_id, [conflict.id], {"title": "Kamiti"}
                ),
            ),
            (Permission.EXPORT_DATA, lambda: iter_records(region, MonitoringVisit, include_restricted=True)),
        ]
        for permission, attempt in attempts:
            with pytest.raises(PermissionDenied) as refused:
                attempt()
            assert refused.value.permission is permission
            assert refused.value.principal == field.principal
        assert {code: store_bytes(ctx) for code, ctx in o.items()} == before
        assert list(out.iterdir()) == []

        # the same import, allowed, does change the store: the comparison above can see a write
        policy(lambda _principal, _permission: True)
        import_files(region, [waiting])
        assert store_bytes(region) != before["ROEA"]


def test_only_the_outermost_call_is_checked(ctx: Context, policy: Callable[[Policy], Policy]) -> None:
    # saving reads vocabularies (a view) on the way; an editor needs no second permission for it
    policy(lambda _principal, permission: permission is Permission.EDIT_RECORDS)
    saved = save_visit(ctx, visit()).value
    with pytest.raises(PermissionDenied) as refused:
        get_visit(ctx, saved.id or "")
    assert refused.value.permission is Permission.VIEW_RECORDS


def test_services_are_checked_inside_an_unchecked_scope(
    ctx: Context, policy: Callable[[Policy], Policy]
) -> None:
    policy(deny_everything)
    with unchecked("test"), pytest.raises(PermissionDenied):
        list_visits(ctx, VisitFilter())


def test_refusal_names_the_user_and_the_action(ctx: Context, policy: Callable[[Policy], Policy]) -> None:
    policy(deny_everything)
    with pytest.raises(PermissionDenied) as refused:
        save_visit(ctx, visit())
    assert str(refused.value) == "tester is not allowed to edit records."


def test_the_role_table_decides_and_fails_closed() -> None:
    admin = Principal("amina", frozenset({Role.ADMINISTRATOR}))
    assert all(is_allowed(admin, p) for p in Permission)
    reader = Principal("omar", frozenset({Role.READ_ONLY}))
    assert is_allowed(reader, Permission.VIEW_RECORDS)
    assert not is_allowed(reader, Permission.EDIT_RECORDS)
    # no role at all may do nothing
    assert not is_allowed(Principal("nobody"), Permission.VIEW_RECORDS)


def test_the_local_user_may_do_everything_today(ctx: Context) -> None:
    assert ctx.principal.name == ctx.user == "tester"
    assert all(is_allowed(ctx.principal, p) for p in Permission)
    assert ctx.principal.cleared_for("strictly-confidential")


def test_clearance_admits_its_level_and_those_below() -> None:
    internal = Principal("a", clearance="internal")
    assert internal.cleared_for("public") and internal.cleared_for("internal")
    assert not internal.cleared_for("confidential") and not internal.cleared_for("no-such-level")


# -- the guard ------------------------------------------------------------------------------


def _changes_logged(ctx: Context) -> int:
    with unchecked(), ctx.store.read() as session:
        return session.execute(select(func.count()).select_from(ChangeLog)).scalar_one()


def test_the_store_refuses_sessions_outside_a_checked_call(ctx: Context) -> None:
    with pytest.raises(StoreOutsideDoor), ctx.store.read():
        pass
    with pytest.raises(StoreOutsideDoor), ctx.store.write():
        pass
    with pytest.raises(StoreOutsideDoor), ctx.write() as (_session, writer):
        writer.create(MonitoringVisit, {"title": "Around the door", "visit_type": "detention-visit"})
    assert _changes_logged(ctx) == 0


def test_the_pass_ends_with_the_call(ctx: Context) -> None:
    list_visits(ctx, VisitFilter())
    with pytest.raises(StoreOutsideDoor), ctx.store.read():
        pass
    with pytest.raises(NotFound):
        get_visit(ctx, "no-such-visit")
    with pytest.raises(StoreOutsideDoor), ctx.store.read():
        pass


def test_a_generator_runs_inside_the_door_and_its_caller_does_not(ctx: Context) -> None:
    save_visit(ctx, visit("One"))
    save_visit(ctx, visit("Two"))
    rows = iter_records(ctx, MonitoringVisit, include_restricted=False)
    assert next(rows)["title"] in ("One", "Two")  # the body opens its session after the call returned
    with pytest.raises(StoreOutsideDoor), ctx.store.read():
        pass
    assert len(list(rows)) == 1


def test_a_store_outside_any_context_stays_usable_for_fixtures(ctx: Context) -> None:
    save_visit(ctx, visit())
    raw = Store(ctx.store.url)
    try:
        with raw.read() as session:
            assert session.execute(select(func.count()).select_from(MonitoringVisit)).scalar_one() == 1
    finally:
        raw.dispose()


# -- the command line -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en", "fieldkit: error: tester is not allowed to view records."),
        ("fr", "fieldkit\u00a0: erreur\u00a0: tester n'a pas le droit de consulter les enregistrements."),
    ],
)
def test_cli_refusal_is_one_translated_line(
    ctx: Context,
    policy: Callable[[Policy], Policy],
    capsys: pytest.CaptureFixture[str],
    lang: str,
    line: str,
) -> None:
    assert ctx.store.path is not None
    policy(deny_everything)
    try:
        status = main(["--db", str(ctx.store.path), "--lang", lang, "stats"])
    finally:
        set_language("en")
    assert status == 2
    assert capsys.readouterr().err.splitlines() == [line]
