"""Two offices settle the same conflict differently before hearing of each other.

Neither choice may vanish: the offices end with the same value, and a new open conflict
keeps the choice that lost, for a person to look at again.
"""

from __future__ import annotations

from pathlib import Path

from sync_offices import exchange_all, offices, visit

from fieldkit.context import Context
from fieldkit.services.conflicts import ConflictRow, list_conflicts, resolve
from fieldkit.services.monitoring import get_visit, save_visit
from fieldkit.services.records import update_record

ROEA = ("ROEA", "regional-office", "HQ")
ROWA = ("ROWA", "regional-office", "HQ")
HQ = ("HQ", "headquarters", None)
CODES = ("ROEA", "ROWA", "HQ")


def narrative_conflict(o: dict[str, Context], tmp: Path) -> tuple[str, ConflictRow]:
    """A visit whose narrative ROEA and ROWA changed concurrently, known to every office."""
    visit_id = save_visit(o["ROEA"], visit()).value.id
    assert visit_id is not None
    exchange_all(o, tmp, rounds=1)
    update_record(o["ROEA"], "monitoring_visit", visit_id, {"narrative": "East"})
    update_record(o["ROWA"], "monitoring_visit", visit_id, {"narrative": "West"})
    exchange_all(o, tmp)
    [conflict] = list_conflicts(o["HQ"])
    assert {conflict.winner_value, conflict.loser_value} == {"East", "West"}
    return visit_id, conflict


def settle(ctx: Context, visit_id: str, conflict: ConflictRow, narrative: str) -> None:
    resolve(ctx, "monitoring_visit", visit_id, [conflict.id], {"narrative": narrative})


def test_two_new_values_for_one_conflict_open_a_new_one_everywhere(tmp_path: Path) -> None:
    with offices(tmp_path, ROEA, ROWA, HQ) as o:
        visit_id, conflict = narrative_conflict(o, tmp_path)
        settle(o["ROEA"], visit_id, conflict, "Agreed east")
        settle(o["ROWA"], visit_id, conflict, "Agreed west")
        exchange_all(o, tmp_path)
        narratives = {get_visit(o[code], visit_id).narrative for code in CODES}
        assert len(narratives) == 1
        for code in CODES:
            [again] = list_conflicts(o[code])
            assert again.id != conflict.id and again.field == "narrative"
            assert {again.winner_value, again.loser_value} == {"Agreed east", "Agreed west"}
            assert again.winner_value in narratives


def test_keeping_the_current_value_against_another_office_s_choice_is_not_lost(tmp_path: Path) -> None:
    with offices(tmp_path, ROEA, ROWA, HQ) as o:
        visit_id, conflict = narrative_conflict(o, tmp_path)
        # ROWA keeps the value it holds; ROEA, at the same time, takes the other one
        current = get_visit(o["ROWA"], visit_id).narrative
        other = conflict.loser_value if current == conflict.winner_value else conflict.winner_value
        settle(o["ROWA"], visit_id, conflict, current)
        settle(o["ROEA"], visit_id, conflict, other)
        exchange_all(o, tmp_path)
        narratives = {get_visit(o[code], visit_id).narrative for code in CODES}
        assert len(narratives) == 1
        for code in CODES:
            open_conflicts = list_conflicts(o[code])
            assert [(c.field, {c.winner_value, c.loser_value}) for c in open_conflicts] == [
                ("narrative", {current, other})
            ], code
