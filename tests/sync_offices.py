"""Offices for sync tests: real stores, real keys, cards exchanged the way users do it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fixed_clock import SteppingClock

from fieldkit.context import Context
from fieldkit.opening import open_context
from fieldkit.services.cards import read_card, trust_card, write_card
from fieldkit.services.monitoring import save_visit
from fieldkit.services.monitoring_types import FollowUpData, IncidentData, PersonData, VisitData
from fieldkit.services.office import init_office
from fieldkit.sync.export import export_packet
from fieldkit.sync.importer import import_packet


@contextmanager
def offices(tmp: Path, *specs: tuple[str, str, str | None]) -> Iterator[dict[str, Context]]:
    """Open one store per (code, type, parent) and make every pair trust each other."""
    ctxs: dict[str, Context] = {}
    try:
        for code, kind, parent in specs:
            ctx = open_context(tmp / f"{code}.db", create=True)
            ctx.now = SteppingClock()
            init_office(ctx, code, f"Office {code}", kind, parent)
            ctxs[code] = ctx
        for code, ctx in ctxs.items():
            write_card(ctx, tmp / f"{code}.card.json")
        for code, ctx in ctxs.items():
            for other in ctxs:
                if other != code:
                    trust_card(ctx, read_card(ctx, tmp / f"{other}.card.json"))
        yield ctxs
    finally:
        for ctx in ctxs.values():
            ctx.close()


def visit(title: str = "Visit to Kamiti prison", narrative: str = "Overcrowding in block C.") -> VisitData:
    return VisitData(
        title=title,
        visit_type="detention-visit",
        date_start=dt.date(2026, 3, 2),
        confidentiality="confidential",
        narrative=narrative,
        incidents=(
            IncidentData(summary="Beating", violation_types=("torture",), victims={"male/adult-18-59": 2}),
        ),
        people=(
            PersonData(
                code="V-1", role="victim", sex="male", age_group="adult-18-59", full_name="Omar Haddad"
            ),
        ),
        follow_ups=(FollowUpData(action="Write to the director", due_date=dt.date(2026, 4, 1)),),
    )


def add_visits(ctx: Context, count: int, prefix: str = "Visit") -> list[str]:
    return [save_visit(ctx, visit(f"{prefix} {i}")).value.id or "" for i in range(count)]


def exchange_all(o: dict[str, Context], tmp: Path, rounds: int = 2) -> None:
    """Every office sends every other one a packet, which is imported at once; ``rounds`` times."""
    for _round in range(rounds):
        for src in o:
            for dst in o:
                if src != dst:
                    n = len(list(tmp.glob("*.fieldkit")))
                    packet = export_packet(o[src], dst, tmp / f"{n:03d}-{src}-{dst}.fieldkit").paths[0]
                    import_packet(o[dst], packet, max_delete_share=None)
