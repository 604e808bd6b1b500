"""Property: offices that imported the same packets hold identical data, whatever the order.

Three consolidating offices run random programs: visits created, edited, deleted and restored
with their incidents, follow-ups and people; children and involvements added to records another
office created; organisations and participants merged, also participants who attended one event
together or whom another office records at an event meanwhile, and one pair by two offices at
once, the same way or opposite ways; conflicts resolved, sometimes by two
offices racing each other. Packets, sometimes split into parts, are exported at random moments,
delivered late, out of order and twice, or lost and sent again. Once everything is delivered,
every office must export byte-identical records of every type and the same conflicts.

``FIELDKIT_CONVERGENCE_EXAMPLES`` sets the number of examples (15 by default; CI runs 200).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sync_offices import visit

from fieldkit.access import unchecked
from fieldkit.context import Context
from fieldkit.errors import FieldKitError
from fieldkit.opening import open_context
from fieldkit.services.cards import read_card, trust_card, write_card
from fieldkit.services.conflicts import ConflictRow, list_conflicts, resolve
from fieldkit.services.data import export_data
from fieldkit.services.monitoring import delete_visit, restore_visit, save_visit
from fieldkit.services.office import init_office
from fieldkit.services.people import merge
from fieldkit.services.records import create_record, delete_record, update_record
from fieldkit.store.records import Attendance
from fieldkit.store.registry import model_of
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet

CODES = ("ROEA", "ROWA", "HQ")
SPECS = (("ROEA", "regional-office", "HQ"), ("ROWA", "regional-office", "HQ"), ("HQ", "headquarters", None))
EXAMPLES = int(os.environ.get("FIELDKIT_CONVERGENCE_EXAMPLES", "15"))
#: small enough that a packet of a few changes comes in several parts
PART_SIZES = (600, None, 1500)

#: record type -> field -> values an edit may set (codes from the vocabularies where coded)
EDITS: dict[str, dict[str, tuple[Any, ...]]] = {
    "monitoring_visit": {
        "narrative": ("Overcrowding", "Access denied", "نقص المياه", "律师"),
        "title": ("Prison visit", "Trial", "Визит"),
        "confidentiality": ("internal", "confidential", "strictly-confidential"),
    },
    "incident": {"summary": ("Beating", "Threats", "Detention without charge")},
    "follow_up": {"responsible": ("Desk A", "Desk B", "HQ"), "status": ("open", "in-progress")},
    "person": {"birth_year": (1970, 1985, None), "code": ("V-1", "W-2", "S-3")},
    "involvement": {"role": ("victim", "witness", "source")},
    "organisation": {"name": ("Ministry of Justice", "Prison service", "Bar association")},
    "participant": {"position": ("Warden", "Lawyer", "Nurse")},
}
#: two offices recording one person at one event at once is a clash of its own, merges aside
ATTENDING_OFFICE = "ROWA"
#: children a person may delete one by one
DELETABLE = ("incident", "follow_up", "involvement")


class Clock:
    """Time for every office of one run: one second per reading, never the wall clock."""

    def __init__(self, start: dt.datetime) -> None:
        self.at = start

    def __call__(self) -> dt.datetime:
        self.at += dt.timedelta(seconds=1)
        return self.at


def _open(path: Path, clock: Clock, seed: int) -> Context:
    ctx = open_context(path, create=True)
    ctx.now = clock
    ctx.rng = random.Random(seed)
    return ctx


@pytest.fixture(scope="module")
def template() -> Iterator[Path]:
    """Three consolidating offices that trust each other and share two visits, two organisations,
    a training event and two participants who both attended it."""
    root = Path(tempfile.mkdtemp(prefix="fieldkit-convergence-"))
    clock = Clock(dt.datetime(2026, 6, 1, 8, 0))
    ctxs = {code: _open(root / f"{code}.db", clock, n) for n, code in enumerate(CODES)}
    try:
        for code, kind, parent in SPECS:
            init_office(ctxs[code], code, f"Office {code}", kind, parent)
            write_card(ctxs[code], root / f"{code}.card.json")
        for code, ctx in ctxs.items():
            for other in CODES:
                if other != code:
                    trust_card(ctx, read_card(ctx, root / f"{other}.card.json"))
        for n in range(2):
            save_visit(ctxs["ROEA"], visit(f"Shared {n}"))
        create_record(ctxs["ROWA"], "organisation", {"name": "Prison service"})
        create_record(ctxs["HQ"], "organisation", {"name": "Prison Service"})
        values = {"title": "Workshop", "event_type": "workshop"}
        workshop = create_record(ctxs["ROWA"], "training_event", values)["id"]
        attendees = {
            "ROWA": create_record(
                ctxs["ROWA"], "participant", {"full_name": "Mohammed Al-Haddad", "birth_year": 1980}
            ),
            "HQ": create_record(ctxs["HQ"], "participant", {"full_name": "محمد الحداد", "birth_year": 1980}),
        }
        _seed(root, ctxs, "seed")
        for code, attendee in attendees.items():
            create_record(ctxs[code], "attendance", {"event_id": workshop, "participant_id": attendee["id"]})
        _seed(root, ctxs, "attend")
    finally:
        for ctx in ctxs.values():
            ctx.close()
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _seed(root: Path, ctxs: dict[str, Context], name: str) -> None:
    for src in ("ROEA", "ROWA", "HQ", "ROEA"):
        for dst in CODES:
            if dst != src:
                path = root / f"{name}-{src}-{dst}.fieldkit"
                path.unlink(missing_ok=True)
                import_packet(ctxs[dst], export_packet(ctxs[src], dst, path, share_identities=True).paths[0])


@dataclass
class World:
    root: Path
    ctx: dict[str, Context] = field(default_factory=dict)
    inbox: dict[str, list[Path]] = field(default_factory=lambda: {c: [] for c in CODES})
    packets: int = 0

    def live(self, code: str, record_type: str, *, deleted: bool = False) -> list[str]:
        model = model_of(record_type)
        with unchecked(), self.ctx[code].store.read() as session:
            query = select(model.id).where(model.deleted.is_(deleted)).order_by(model.created_at, model.id)
            return list(session.execute(query).scalars())

    def export(self, src: str, dst: str, part_size: int | None = None) -> None:
        self.packets += 1
        folder = self.root / f"p{self.packets:04d}"
        folder.mkdir()
        result = export_packet(
            self.ctx[src], dst, folder / "packet.fieldkit", part_size=part_size, share_identities=True
        )
        self.inbox[dst].extend(result.paths)

    def deliver(self, dst: str, index: int) -> None:
        if self.inbox[dst]:
            packet = self.inbox[dst].pop(index % len(self.inbox[dst]))
            try:
                summary = import_packet(self.ctx[dst], packet, max_delete_share=None)
            except FieldKitError as exc:
                assert "already imported" in str(exc)
                return
            if summary.held:
                event("changes held until what they need arrives")

    def drop(self, dst: str, index: int) -> None:
        """A lost stick or e-mail: the changes it carried go again in a later packet."""
        if self.inbox[dst]:
            self.inbox[dst].pop(index % len(self.inbox[dst]))

    def sync_all(self) -> None:
        for src in CODES:
            for dst in CODES:
                if src != dst:
                    self.export(src, dst)
                    while self.inbox[dst]:
                        self.deliver(dst, 0)

    def snapshot(self, code: str) -> dict[str, bytes]:
        out = self.root / f"snap-{code}"
        shutil.rmtree(out, ignore_errors=True)
        export_data(self.ctx[code], "jsonl", out, include_restricted=True)
        return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _pick(items: list[str], index: int) -> str | None:
    return items[index % len(items)] if items else None


def _edit(world: World, who: str, pick: int, choice: int) -> None:
    record_type = sorted(EDITS)[pick % len(EDITS)]
    target = _pick(world.live(who, record_type), pick // len(EDITS))
    if target is None:
        return
    fields = EDITS[record_type]
    name = sorted(fields)[choice % len(fields)]
    values = fields[name]
    update_record(world.ctx[who], record_type, target, {name: values[(choice // len(fields)) % len(values)]})


def _resolve(world: World, who: str, pick: int, choice: int) -> None:
    open_conflicts = sorted(list_conflicts(world.ctx[who]), key=lambda c: c.id)
    if open_conflicts:
        _settle(world, who, open_conflicts[pick % len(open_conflicts)], choice)


def _settle(world: World, who: str, conflict: ConflictRow, choice: int) -> None:
    ctx = world.ctx[who]
    if conflict.kind == "edit-delete":
        resolve(ctx, conflict.record_type, conflict.record_id, [conflict.id], {}, deleted=choice % 2 == 0)
    else:
        value = (conflict.winner_value, conflict.loser_value)[choice % 2]
        resolve(ctx, conflict.record_type, conflict.record_id, [conflict.id], {conflict.field: value})
    event(f"{conflict.kind} conflict resolved")


def _contest(world: World, who: str, rival: str, pick: int, choice: int) -> None:
    """Two offices set one field of one record to different values before hearing of each other."""
    record_type = sorted(EDITS)[pick % len(EDITS)]
    shared = sorted(set(world.live(who, record_type)) & set(world.live(rival, record_type)))
    target = _pick(shared, pick // len(EDITS))
    if target is None or who == rival:
        return
    fields = EDITS[record_type]
    name = sorted(fields)[choice % len(fields)]
    values = fields[name]
    first = (choice // len(fields)) % len(values)
    update_record(world.ctx[who], record_type, target, {name: values[first]})
    update_record(world.ctx[rival], record_type, target, {name: values[(first + 1) % len(values)]})


def _race(world: World, who: str, rival: str, pick: int, choice: int) -> None:
    """Two offices settle the same conflict, each its own way, before hearing of each other."""
    if who == rival:
        return
    mine = {c.id: c for c in list_conflicts(world.ctx[who])}
    theirs = {c.id: c for c in list_conflicts(world.ctx[rival])}
    if not mine.keys() & theirs.keys():
        # make one: both edit, then hear of each other through one packet each way
        _contest(world, who, rival, pick, choice)
        for src, dst in ((who, rival), (rival, who)):
            world.export(src, dst)
            world.deliver(dst, -1)
        mine = {c.id: c for c in list_conflicts(world.ctx[who])}
        theirs = {c.id: c for c in list_conflicts(world.ctx[rival])}
    common = sorted(mine.keys() & theirs.keys())
    if not common:
        return
    conflict_id = common[pick % len(common)]
    _settle(world, who, mine[conflict_id], choice)
    _settle(world, rival, theirs[conflict_id], choice + 1)
    event("one conflict resolved at two offices")


def _merge(world: World, who: str, pick: int, choice: int) -> None:
    record_type = ("organisation", "participant")[choice % 2]
    live = world.live(who, record_type)
    if len(live) < 2:
        return
    keep = live[pick % len(live)]
    gone = live[(pick + 1 + (choice // 2) % (len(live) - 1)) % len(live)]
    merge(world.ctx[who], record_type, keep, gone)
    event(f"{record_type} merged")


def _merge_race(world: World, who: str, rival: str, pick: int, choice: int) -> None:
    """Two offices merge one pair before hearing of each other, the same way or opposite ways."""
    record_type = ("organisation", "participant")[choice % 2]
    rival_has = set(world.live(rival, record_type))
    both = [r for r in world.live(who, record_type) if r in rival_has]
    if who == rival or len(both) < 2:
        return
    first, second = both[pick % len(both)], both[(pick + 1) % len(both)]
    merge(world.ctx[who], record_type, first, second)
    opposite = (choice // 2) % 2 == 1
    merge(world.ctx[rival], record_type, *((second, first) if opposite else (first, second)))
    event(f"one pair merged at two offices, {'opposite' if opposite else 'the same'} ways")


def _attend(world: World, pick: int, other: int) -> None:
    """The attending office records at an event a participant not there yet, made anew if need be."""
    ctx = world.ctx[ATTENDING_OFFICE]
    event_id = _pick(world.live(ATTENDING_OFFICE, "training_event"), other)
    if event_id is None:
        return
    with unchecked(), ctx.store.read() as session:
        there = set(
            session.execute(
                select(Attendance.participant_id).where(Attendance.event_id == event_id)
            ).scalars()
        )
    free = [p for p in world.live(ATTENDING_OFFICE, "participant") if p not in there]
    participant_id = (
        _pick(free, pick) or create_record(ctx, "participant", {"full_name": "Amina Diallo"})["id"]
    )
    create_record(ctx, "attendance", {"event_id": event_id, "participant_id": participant_id})
    event("attendance recorded")


def _run(world: World, item: tuple[str, int, int, int, int]) -> None:
    kind, office, pick, other, choice = item
    who = CODES[office]
    ctx = world.ctx[who]
    if kind == "create_visit":
        save_visit(ctx, visit(f"New at {who}"))
    elif kind == "edit":
        _edit(world, who, pick, choice)
    elif kind == "delete_visit" and (target := _pick(world.live(who, "monitoring_visit"), pick)):
        delete_visit(ctx, target)
    elif kind == "restore_visit" and (
        target := _pick(world.live(who, "monitoring_visit", deleted=True), pick)
    ):
        restore_visit(ctx, target)
    elif kind == "delete_child":
        record_type = DELETABLE[choice % len(DELETABLE)]
        if target := _pick(world.live(who, record_type), pick):
            delete_record(ctx, record_type, target)
    elif kind == "add_follow_up" and (target := _pick(world.live(who, "monitoring_visit"), pick)):
        # often on a visit another office created, which a third office may not have yet
        create_record(ctx, "follow_up", {"visit_id": target, "action": f"Ask again ({who})"})
    elif kind == "involve":
        visit_id = _pick(world.live(who, "monitoring_visit"), pick)
        person_id = _pick(world.live(who, "person"), other)
        if visit_id and person_id:
            create_record(
                ctx, "involvement", {"visit_id": visit_id, "person_id": person_id, "role": "witness"}
            )
    elif kind == "add_reference_data":
        if choice % 2:
            create_record(ctx, "organisation", {"name": f"Prison service ({who})"})
        else:
            organisation = _pick(world.live(who, "organisation"), pick)
            create_record(ctx, "participant", {"full_name": "Amina Diallo", "organisation_id": organisation})
    elif kind == "link_organisation":
        person_id = _pick(world.live(who, "person"), pick)
        organisation = _pick(world.live(who, "organisation"), other)
        if person_id and organisation:
            update_record(ctx, "person", person_id, {"organisation_id": organisation})
    elif kind == "merge":
        _merge(world, who, pick, choice)
    elif kind == "merge_race":
        _merge_race(world, who, CODES[other % len(CODES)], pick, choice)
    elif kind == "attend":
        _attend(world, pick, other)
    elif kind == "resolve":
        _resolve(world, who, pick, choice)
    elif kind == "contest":
        _contest(world, who, CODES[other % len(CODES)], pick, choice)
    elif kind == "race":
        _race(world, who, CODES[other % len(CODES)], pick, choice)
    elif kind == "export":
        partner = CODES[(office + 1 + other % (len(CODES) - 1)) % len(CODES)]
        world.export(who, partner, PART_SIZES[choice % len(PART_SIZES)])
    elif kind == "deliver":
        world.deliver(who, pick)
    elif kind == "drop":
        world.drop(who, pick)
    elif kind == "sync_all":
        world.sync_all()


KINDS = (
    *("create_visit", "edit", "edit", "edit", "delete_visit", "restore_visit", "delete_child"),
    *("add_follow_up", "involve", "add_reference_data", "link_organisation", "merge", "merge", "attend"),
    *("resolve", "resolve", "export", "export", "export", "export", "deliver", "deliver", "deliver"),
    *("drop", "sync_all", "contest", "contest", "race", "race", "merge_race"),
)
step = st.tuples(
    st.sampled_from(KINDS),
    st.integers(0, len(CODES) - 1),
    st.integers(0, 40),
    st.integers(0, 40),
    st.integers(0, 40),
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=6, max_size=24))
# found by a CI run: a participant merged away, brought back by a settled conflict, merged again
@example(
    steps=[("create_visit", 0, 0, 0, 0), ("edit", 0, 26, 0, 0), *[("create_visit", 0, 0, 0, 0)] * 10,
           ("merge", 1, 0, 0, 39), ("create_visit", 0, 0, 0, 0), ("create_visit", 0, 0, 0, 0),
           ("race", 1, 0, 0, 13), ("merge", 1, 0, 0, 39)]
)  # fmt: skip
# found by a CI run: a pair merged both ways at two offices, then merged on at one of them: the one
# alias record of the pair changes target, and a row that alias had moved must move on
@example(
    steps=[("add_reference_data", 2, 0, 0, 0), ("merge_race", 0, 0, 8, 11),
           *[("create_visit", 0, 0, 0, 0)] * 4, ("merge", 2, 29, 0, 5)]
)  # fmt: skip
def test_offices_converge(template: Path, steps: list[tuple[str, int, int, int, int]]) -> None:
    root = Path(tempfile.mkdtemp(prefix="fieldkit-run-"))
    world = World(root)
    clock = Clock(dt.datetime(2026, 7, 1, 8, 0))
    try:
        for n, code in enumerate(CODES):
            shutil.copy(template / f"{code}.db", root / f"{code}.db")
            world.ctx[code] = _open(root / f"{code}.db", clock, 100 + n)
        for item in steps:
            _run(world, item)
        # deliver what is still in flight, in the order it happens to be in, then sync until quiet
        for code in CODES:
            while world.inbox[code]:
                world.deliver(code, -1)
        for _round in range(3):
            world.sync_all()
        first = world.snapshot(CODES[0])
        event("some conflicts still open" if list_conflicts(world.ctx[CODES[0]]) else "no conflict left open")
        assert {name for name, data in first.items() if data} >= {
            "monitoring_visit.jsonl", "incident.jsonl", "person.jsonl", "person_identity.jsonl",
            "involvement.jsonl", "follow_up.jsonl", "organisation.jsonl", "attendance.jsonl",
        }  # fmt: skip
        for code in CODES[1:]:
            snapshot = world.snapshot(code)
            assert snapshot.keys() == first.keys()
            for name in first:
                assert snapshot[name] == first[name], f"{name}: {code} differs from {CODES[0]}"
    finally:
        for ctx in world.ctx.values():
            ctx.close()
        shutil.rmtree(root, ignore_errors=True)
