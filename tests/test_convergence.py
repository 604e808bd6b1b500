"""Property: offices that imported the same packets hold identical data, whatever the order.

Random concurrent edits, deletions and creations at three offices; packets exported at random
moments, delivered late, out of order, twice, and relayed; then everything is delivered and
every office must export byte-identical records and conflicts.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sync_offices import add_visits, offices

from fieldkit.context import Context
from fieldkit.errors import FieldKitError
from fieldkit.opening import open_context
from fieldkit.services.data import export_data
from fieldkit.services.monitoring import save_visit
from fieldkit.services.monitoring_types import VisitFilter
from fieldkit.services.records import delete_record, restore_record, update_record
from fieldkit.services.visit_list import list_visits
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet

CODES = ("ROEA", "ROWA", "HQ")
FIELDS = {
    "narrative": st.sampled_from(["Overcrowding", "Access denied", "Water shortage", "نقص المياه", "律师"]),
    "title": st.sampled_from(["Prison visit", "Trial", "Camp", "Визит"]),
    "team": st.sampled_from(["A", "B", "C"]),
    "confidentiality": st.sampled_from(["internal", "confidential", "strictly-confidential"]),
}

office = st.sampled_from(range(len(CODES)))
step = st.one_of(
    st.tuples(st.just("edit"), office, st.integers(0, 20), st.sampled_from(sorted(FIELDS)), st.data()),
    st.tuples(st.just("delete"), office, st.integers(0, 20)),
    st.tuples(st.just("restore"), office, st.integers(0, 20)),
    st.tuples(st.just("create"), office),
    st.tuples(st.just("export"), office, office),
    st.tuples(st.just("import"), office, st.integers(0, 10)),
)


@pytest.fixture(scope="module")
def template() -> Iterator[Path]:
    """Three consolidating offices that trust each other and share three visits."""
    root = Path(tempfile.mkdtemp(prefix="fieldkit-convergence-"))
    specs = (
        ("ROEA", "regional-office", "HQ"),
        ("ROWA", "regional-office", "HQ"),
        ("HQ", "headquarters", None),
    )
    with offices(root, *specs) as o:
        add_visits(o["ROEA"], 3, "Shared")
        packet = export_packet(o["ROEA"], "ROWA", root / "seed1.fieldkit").paths[0]
        import_packet(o["ROWA"], packet)
        packet = export_packet(o["ROEA"], "HQ", root / "seed2.fieldkit").paths[0]
        import_packet(o["HQ"], packet)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@dataclass
class World:
    root: Path
    ctx: dict[str, Context] = field(default_factory=dict)
    inbox: dict[str, list[Path]] = field(default_factory=lambda: {c: [] for c in CODES})
    packets: int = 0

    def visits(self, code: str, deleted: bool = False) -> list[str]:
        page = list_visits(self.ctx[code], VisitFilter(deleted=deleted), sort="title", limit=1000)
        return sorted(r.id for r in page.rows)

    def export(self, src: str, dst: str) -> None:
        self.packets += 1
        path = self.root / f"p{self.packets:04d}.fieldkit"
        self.inbox[dst].append(export_packet(self.ctx[src], dst, path).paths[0])

    def deliver(self, dst: str, index: int) -> None:
        if self.inbox[dst]:
            packet = self.inbox[dst][index % len(self.inbox[dst])]
            try:
                import_packet(self.ctx[dst], packet, max_delete_share=None)
            except FieldKitError as exc:
                assert "already imported" in str(exc)

    def snapshot(self, code: str) -> dict[str, bytes]:
        out = self.root / f"snap-{code}"
        shutil.rmtree(out, ignore_errors=True)
        export_data(self.ctx[code], "jsonl", out, include_restricted=True)
        # identifying details of people never leave their office unless shared on purpose
        return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name != "person_identity.jsonl"}


EXAMPLES = int(os.environ.get("FIELDKIT_CONVERGENCE_EXAMPLES", "200"))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=4, max_size=14))
def test_offices_converge(template: Path, steps: list[tuple]) -> None:
    root = Path(tempfile.mkdtemp(prefix="fieldkit-run-"))
    world = World(root)
    try:
        for code in CODES:
            shutil.copy(template / f"{code}.db", root / f"{code}.db")
            world.ctx[code] = open_context(root / f"{code}.db")
        for item in steps:
            kind, who = item[0], CODES[item[1]]
            ctx = world.ctx[who]
            if kind in ("edit", "delete") and (live := world.visits(who)):
                target = live[item[2] % len(live)]
                if kind == "delete":
                    delete_record(ctx, "monitoring_visit", target)
                else:
                    value = item[4].draw(FIELDS[item[3]])
                    update_record(ctx, "monitoring_visit", target, {item[3]: value})
            elif kind == "restore" and (gone := world.visits(who, deleted=True)):
                restore_record(ctx, "monitoring_visit", gone[item[2] % len(gone)])
            elif kind == "create":
                from sync_offices import visit

                save_visit(ctx, visit(f"New at {who}"))
            elif kind == "export" and item[1] != item[2]:
                world.export(who, CODES[item[2]])
            elif kind == "import":
                world.deliver(who, item[2])
        # deliver what is still in flight (newest first, then the rest), then sync until quiet
        for code in CODES:
            for index in reversed(range(len(world.inbox[code]))):
                world.deliver(code, index)
        for _round in range(3):
            for src in CODES:
                for dst in CODES:
                    if src != dst:
                        world.export(src, dst)
                        world.deliver(dst, -1)
        first = world.snapshot(CODES[0])
        for code in CODES[1:]:
            assert world.snapshot(code) == first, f"{code} differs from {CODES[0]}"
    finally:
        for ctx in world.ctx.values():
            ctx.close()
        shutil.rmtree(root, ignore_errors=True)
