"""Simulated office work on an existing store, for testing sync and conflict handling.

Edits and deletions go through ``fieldkit.services.records``, the same services
the GUI uses, one transaction each, as this office and user with the real
clock. Which records and which edits are seeded, so a seed picks the same work
on the same store; the changes themselves carry today's time, like real work.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.demo.names import LANGS, TEXTS
from fieldkit.errors import ValidationError
from fieldkit.i18n import _
from fieldkit.progress import Progress
from fieldkit.services.records import delete_record, get_record, model_for, update_record

if TYPE_CHECKING:
    from fieldkit.demo.codes import Codes

    Edit = Callable[[dict[str, Any], random.Random, Codes, dt.date], dict[str, Any]]

#: record types the simulated office edits, with how often each is picked
WEIGHTS = {"monitoring_visit": 30, "incident": 20, "follow_up": 25, "project": 10, "participant": 15}
#: share of the work that deletes instead of editing
DELETE_SHARE = 0.15

Record = dict[str, Any]


@requires(Permission.RUN_DEMO)
def simulate(ctx: Context, n: int, rng: random.Random, codes: Codes, progress: Progress) -> dict[str, int]:
    """Make ``n`` edits and deletions of live records (of any origin) as this office."""
    live = _live_ids(ctx)
    if n and not any(live.values()):
        raise ValidationError(
            _("The store holds no records to edit; run '{command}' first.").format(
                command="fieldkit demo --scale small"
            )
        )
    progress.set_total(n, _("Simulating office work"))
    updated = deleted = 0
    for _i in range(n):
        kinds = [kind for kind in WEIGHTS if live[kind]]
        if not kinds:
            break
        kind = rng.choices(kinds, [WEIGHTS[k] for k in kinds])[0]
        ids = live[kind]
        index = rng.randrange(len(ids))
        record_id = ids[index]
        if rng.random() < DELETE_SHARE:
            delete_record(ctx, kind, record_id)
            ids[index] = ids[-1]
            ids.pop()
            deleted += 1
        else:
            record = get_record(ctx, kind, record_id)
            values = EDITS[kind](record, rng, codes, ctx.today())
            update_record(ctx, kind, record_id, values, expected_version=record["version"])
            updated += 1
        progress.step(1)
    return {"updated": updated, "deleted": deleted}


def _live_ids(ctx: Context) -> dict[str, list[str]]:
    """Ids of the live records of each edited type, in id order (so picks are reproducible)."""
    with ctx.store.read() as session:
        out = {}
        for kind in WEIGHTS:
            model = model_for(kind)
            query = select(model.id).where(model.deleted.is_(False)).order_by(model.id)
            out[kind] = list(session.execute(query).scalars())
        return out


def _other(rng: random.Random, pool: Sequence[str], current: Any) -> str:
    """A code of ``pool`` other than the current one."""
    return rng.choice([code for code in pool if code != current] or list(pool))


def _addendum(rng: random.Random, text: str) -> str:
    """``text`` with one more sentence, as an officer adds to a report."""
    lang = rng.choice(LANGS)
    sentence = rng.choice(TEXTS[lang]["closing"] + TEXTS[lang]["note"])
    return f"{text}{'' if lang == 'zh' or not text else ' '}{sentence}"


def _edit_visit(record: Record, rng: random.Random, codes: Codes, today: dt.date) -> dict[str, Any]:
    if rng.random() < 0.6:
        return {"narrative": _addendum(rng, record["narrative"])}
    return {"confidentiality": _other(rng, codes.codes["sensitivity_level"], record["confidentiality"])}


def _edit_incident(record: Record, rng: random.Random, codes: Codes, today: dt.date) -> dict[str, Any]:
    choice = rng.random()
    if choice < 0.4:
        return {
            "source_reliability": _other(rng, codes.codes["source_reliability"], record["source_reliability"])
        }
    if choice < 0.7:
        added = _other(rng, codes.leaves["violation_type"], None)
        if added not in record["violation_types"]:
            return {"violation_types": [*record["violation_types"], added]}
    return {"summary": _addendum(rng, record["summary"])}


def _edit_follow_up(record: Record, rng: random.Random, codes: Codes, today: dt.date) -> dict[str, Any]:
    """Mostly the daily chore: marking an action done; otherwise pushing its due date back."""
    if record["status"] != codes.done and rng.random() < 0.8:
        return {"status": codes.done, "completed_on": today}
    due = dt.date.fromisoformat(record["due_date"]) if record["due_date"] else today
    return {"due_date": due + dt.timedelta(days=rng.choice((14, 30, 60)))}


def _edit_project(record: Record, rng: random.Random, codes: Codes, today: dt.date) -> dict[str, Any]:
    choice = rng.random()
    if choice < 0.4:
        return {"status": _other(rng, codes.codes["project_status"], record["status"])}
    if choice < 0.7:
        added = _other(rng, codes.leaves["sdg"], None)
        if added not in record["sdgs"]:
            return {"sdgs": [*record["sdgs"], added]}
    return {"budget_usd": (record["budget_usd"] or 0) + rng.randrange(5, 100) * 1000}


def _edit_participant(record: Record, rng: random.Random, codes: Codes, today: dt.date) -> dict[str, Any]:
    if rng.random() < 0.5:
        positions = [p for lang in LANGS for p in TEXTS[lang]["position"]]
        return {"position": _other(rng, positions, record["position"])}
    phone = record["phone"]
    while phone == record["phone"]:
        phone = f"+{rng.randrange(20, 999)} {rng.randrange(700, 800)} {rng.randrange(100_000, 1_000_000)}"
    return {"phone": phone}


EDITS: dict[str, Edit] = {
    "monitoring_visit": _edit_visit,
    "incident": _edit_incident,
    "follow_up": _edit_follow_up,
    "project": _edit_project,
    "participant": _edit_participant,
}
