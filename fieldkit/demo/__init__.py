"""Demo data: fill an empty store with realistic records, or simulate an office's daily edits.

``generate`` and ``mutate`` are what ``fieldkit demo`` and the GUI call. This module runs
them (checks, transaction, offices). ``codes.py`` holds what both draw on: the vocabulary
codes, checked against the store once. ``generate.py`` makes the records, ``mutate.py`` the
edits, ``names.py`` holds the name, place and text pools. The submodules share the functions'
names, so import from the package (``from fieldkit.demo import generate``).
"""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.demo.codes import Codes
from fieldkit.demo.generate import CLOCK, SCALES, OfficeDemo, Scale
from fieldkit.demo.mutate import simulate
from fieldkit.demo.names import COUNTRIES, Country
from fieldkit.domain.vocab import SEED_ORIGIN, vocabularies
from fieldkit.errors import ValidationError
from fieldkit.i18n import _, ngettext
from fieldkit.progress import Progress
from fieldkit.store.changes import Writer
from fieldkit.store.engine import bulk_write_settings
from fieldkit.store.records import VocabularyTerm
from fieldkit.store.registry import record_models

__all__ = ["Codes", "generate", "mutate"]


def ensure_empty(session: Session) -> None:
    """Refuse to mix demo data with real records (seeded vocabulary does not count)."""
    for model in record_models():
        query = select(model.id).limit(1)
        if model is VocabularyTerm:
            query = query.where(VocabularyTerm.origin_office != SEED_ORIGIN)
        if session.execute(query).first() is not None:
            raise ValidationError(_("The store already holds records; demo data goes into an empty store."))


def offices_for(local: str, count: int) -> list[tuple[str, Country]]:
    """The local office (in the country its code names, else the first) and ``count - 1`` others."""
    prefix = local.split("-")[0]
    home = next((c for c in COUNTRIES if c.office == local or c.code == prefix), COUNTRIES[0])
    others = [c for c in COUNTRIES if c is not home][: count - 1]
    if len(others) < count - 1:
        known = ngettext(
            "The demo knows only {n} country", "The demo knows only {n} countries", len(COUNTRIES)
        )
        raise ValidationError(known.format(n=len(COUNTRIES)))
    return [(local, home)] + [(c.office, c) for c in others]


@requires(Permission.RUN_DEMO)
def generate(ctx: Context, scale: str, *, seed: int = 1, progress: Progress | None = None) -> dict[str, int]:
    """Fill an empty store with demo data; return how many records of each type were made."""
    if scale not in SCALES:
        choices = ", ".join(SCALES)
        raise ValidationError(
            _("Unknown scale '{scale}'; use one of: {choices}").format(scale=scale, choices=choices)
        )
    plan = SCALES[scale]
    progress = progress or Progress()
    offices = offices_for(ctx.office, plan.offices)
    codes = Codes(vocabularies(ctx))
    shares = [_share(plan, i) for i in range(plan.offices)]
    units = sum(s.visits + s.projects + s.events + s.participants + s.organisations for s in shares)
    progress.set_total(units, _("Making demo data"))
    counts = {model.record_type: 0 for model in record_models()}
    with ctx.store.write() as session, bulk_write_settings(session):
        ensure_empty(session)
        for (office, country), share in zip(offices, shares, strict=True):
            rng = random.Random(f"fieldkit-demo:{seed}:{office}")
            writer = Writer(session, office, f"demo@{office}", now=lambda: CLOCK, rng=rng)
            OfficeDemo(writer, rng, country, codes, counts, progress).run(share)
    return {kind: n for kind, n in counts.items() if n}


def _share(plan: Scale, index: int) -> Scale:
    """One office's part of the plan: an even split, remainders to the first offices."""
    n = plan.offices
    part = [total // n + (1 if index < total % n else 0) for total in vars(plan).values()]
    return Scale(1, *part[1:])


@requires(Permission.RUN_DEMO)
def mutate(ctx: Context, n: int, *, seed: int = 1, progress: Progress | None = None) -> dict[str, int]:
    """Make ``n`` edits (about 85%) and deletions (15%) of live records of any origin, as this office."""
    if n < 0:
        raise ValidationError(_("The number of changes cannot be negative"))
    ctx.require_office()  # no edits on a store without an office
    codes = Codes(vocabularies(ctx))
    return simulate(ctx, n, random.Random(f"fieldkit-mutate:{seed}"), codes, progress or Progress())
