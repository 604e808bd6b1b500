"""One person, one record: likely duplicates across offices, and merging them.

Names entered at different offices come in different scripts and spellings
("Mohammed Al-Haddad", "محمد الحداد", "Мухаммед Аль-Хадад"). Each is transliterated
to ASCII and reduced to a consonant skeleton ("mhmd lhd"), which survives the vowels
Arabic does not write and the usual Latin and Cyrillic spellings; candidates that
share a name token are then scored with rapidfuzz, with birth year, sex and
organisation raising or ruling out a match. Names a user may not see (restricted fields,
``fieldkit.store.clearance``) still pair records, but reach the user redacted.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Any

from anyascii import anyascii
from rapidfuzz import fuzz
from sqlalchemy import null, select
from sqlalchemy.orm import Session

from fieldkit.access import Permission, Principal, requires
from fieldkit.changeset import ChangeSet
from fieldkit.context import Context
from fieldkit.domain.aliases import alias_id_for, key_holder, keyed_references, repoint_references
from fieldkit.domain.references import referencing
from fieldkit.errors import NotFound, ValidationError
from fieldkit.i18n import _
from fieldkit.store.audit import ACTION_MERGE
from fieldkit.store.clearance import redact, visibility_conditions
from fieldkit.store.records import RecordAlias
from fieldkit.store.registry import MODEL_BY_TYPE, mergeable_types, type_label

_SOUNDS = (("kh", "h"), ("gh", "g"), ("ph", "f"), ("th", "t"), ("sh", "s"), ("ch", "s"), ("dh", "d"),
           ("q", "k"), ("ck", "k"), ("w", "v"), ("j", "g"), ("z", "s"), ("x", "ks"))  # fmt: skip
_ARTICLES = {"al", "el", "ul", "ibn", "bin", "ben", "abu", "abd"}


@lru_cache(maxsize=100_000)
def name_skeleton(name: str) -> str:
    """Consonant skeleton of a name in any script, tokens sorted: 'mhmd hdd' style."""
    text = unicodedata.normalize("NFKC", name)
    text = re.sub(r"(^|\s)ال", r"\1", text)  # the Arabic article, written onto the word
    text = re.sub(r"ة(\s|$)", r"\1", text)  # final ta marbuta, not written in Latin spellings
    text = re.sub(r"([\u3400-\u9fff])", r" \1 ", text)  # one token per Chinese syllable
    text = anyascii(text).lower()
    text = re.sub(r"[^a-z ]+", " ", text)
    tokens = []
    for token in text.split():
        if token in _ARTICLES:
            continue
        if token.startswith(("al", "el")) and len(token) > 4:
            token = token[2:]
        for src, dst in _SOUNDS:
            token = token.replace(src, dst)
        first, rest = token[0], re.sub(r"[aeiouy']", "", token[1:])
        skeleton = re.sub(r"(.)\1+", r"\1", (first if first not in "aeiouy" else "") + rest)
        if skeleton:
            tokens.append(skeleton)
    return " ".join(sorted(tokens))


@dataclass(frozen=True)
class Candidate:
    id: str
    record_type: str
    name: str
    origin_office: str
    sex: str | None
    birth_year: int | None
    organisation: str | None


@dataclass(frozen=True)
class DuplicatePair:
    first: Candidate
    second: Candidate
    score: float
    reasons: tuple[str, ...]


def _candidates(session: Session, record_type: str, principal: Principal) -> list[Candidate]:
    """Every live record of a mergeable type ``principal`` may see, through the fields its
    ``MergeRule`` names."""
    model = MODEL_BY_TYPE.get(record_type)
    rule = model.spec.merge if model is not None else None
    if model is None or rule is None:
        names = ", ".join(type_label(t).lower() for t in mergeable_types())
        raise ValidationError(_("Duplicates are found among: {types}").format(types=names))

    def column(name: str | None) -> Any:
        return getattr(model, name) if name else null()

    rows = session.execute(
        select(
            model.id,
            column(rule.name),
            model.origin_office,
            column(rule.sex),
            column(rule.birth_year),
            column(rule.group),
        ).where(model.deleted.is_(False), *visibility_conditions(model, principal))
    ).all()
    return [Candidate(r[0], record_type, r[1] or "", r[2], r[3], r[4], r[5]) for r in rows]


@requires(Permission.VIEW_RECORDS)
def find_duplicates(
    ctx: Context, record_type: str = "participant", *, min_score: float = 88.0, limit: int = 1000
) -> list[DuplicatePair]:
    """Likely duplicates, best first. Blocking on name tokens keeps this near-linear."""
    with ctx.store.read() as session:
        candidates = _candidates(session, record_type, ctx.principal)
    blocks: dict[str, list[int]] = defaultdict(list)
    skeletons = [name_skeleton(c.name) for c in candidates]
    for index, skeleton in enumerate(skeletons):
        for token in set(skeleton.split()):
            if len(token) >= 2:
                blocks[token[:4]].append(index)
    seen: set[tuple[int, int]] = set()
    pairs: list[DuplicatePair] = []
    for members in blocks.values():
        if len(members) > 400:  # a very common token says little; other tokens still pair these
            continue
        for i, j in combinations(members, 2):
            key = (min(i, j), max(i, j))
            if key in seen:
                continue
            seen.add(key)
            pair = _score(candidates[key[0]], candidates[key[1]], skeletons[key[0]], skeletons[key[1]])
            if pair is not None and pair.score >= min_score:
                pairs.append(pair)
    pairs.sort(key=lambda p: (-p.score, p.first.id, p.second.id))
    return [_shown(pair, ctx.principal) for pair in pairs[:limit]]


def _shown(pair: DuplicatePair, principal: Principal) -> DuplicatePair:
    """The pair as ``principal`` may see it: a restricted name redacted (the reasons name no one)."""

    def candidate(c: Candidate) -> Candidate:
        rule = MODEL_BY_TYPE[c.record_type].spec.merge
        assert rule is not None
        shown = redact(c.record_type, {rule.name: c.name}, principal)[rule.name]
        return dataclasses.replace(c, name=shown)

    return dataclasses.replace(pair, first=candidate(pair.first), second=candidate(pair.second))


def _score(a: Candidate, b: Candidate, ska: str, skb: str) -> DuplicatePair | None:
    if a.sex and b.sex and "unknown" not in (a.sex, b.sex) and a.sex != b.sex:
        return None
    if a.birth_year and b.birth_year and abs(a.birth_year - b.birth_year) > 1:
        return None
    score = max(fuzz.token_sort_ratio(ska, skb), fuzz.token_sort_ratio(anyascii(a.name).lower(),
                                                                     anyascii(b.name).lower()))  # fmt: skip
    reasons = [_("similar names ({score:.0f}%)").format(score=score)]
    if a.birth_year and a.birth_year == b.birth_year:
        score += 5
        reasons.append(_("same birth year"))
    if a.organisation and a.organisation == b.organisation:
        score += 5
        reasons.append(_("same organisation"))
    if a.origin_office != b.origin_office:
        reasons.append(
            _("entered by {first} and {second}").format(first=a.origin_office, second=b.origin_office)
        )
    first, second = sorted((a, b), key=lambda c: c.id)
    return DuplicatePair(first, second, min(score, 100.0), tuple(reasons))


@requires(Permission.MERGE_RECORDS)
def merge(ctx: Context, record_type: str, keep_id: str, merge_id: str) -> ChangeSet:
    """Merge ``merge_id`` into ``keep_id``: references move, the merged record is tombstoned,
    and an alias keeps the old id resolving in packets that still carry it."""
    if record_type not in mergeable_types():
        names = ", ".join(type_label(t).lower() for t in mergeable_types())
        raise ValidationError(_("Only these can be merged: {types}").format(types=names))
    if keep_id == merge_id:
        raise ValidationError(_("A record cannot be merged into itself"))
    model = MODEL_BY_TYPE[record_type]
    merged = {"kept": keep_id, "merged": merge_id}
    with ctx.write() as (session, writer), writer.audited_as(ACTION_MERGE, merged):
        keep, gone = session.get(model, keep_id), session.get(model, merge_id)
        if keep is None or gone is None or keep.deleted or gone.deleted:
            raise NotFound(_("Both records must exist and not be deleted"))
        for ref_model, name in referencing(record_type):
            column = getattr(ref_model, name)
            keyed = name in keyed_references(ref_model)
            for row in session.execute(select(ref_model).where(column == merge_id)).scalars().all():
                if not keyed:
                    writer.update(row, {name: keep_id})
                    continue
                values = {c.key: getattr(row, c.key) for c in ref_model.__table__.columns}
                if key_holder(session, ref_model, row.id, {**values, name: keep_id}, name) is not None:
                    # the same person twice at one event: the survivor's row stays, the copy retires
                    writer.delete(row)
                # any other row reaches the survivor through the alias, as at every office: a row
                # another office gives the survivor meanwhile then takes the key everywhere
        writer.delete(gone)
        alias_id = alias_id_for(record_type, merge_id)
        alias = session.get(RecordAlias, alias_id)
        if alias is None:
            writer.create(
                RecordAlias,
                {"target_type": record_type, "alias_id": merge_id, "target_id": keep_id},
                record_id=alias_id,
            )
        else:  # merged away before, then brought back (a conflict settled by keeping it)
            writer.restore(alias)
            writer.update(alias, {"target_id": keep_id})
        session.flush()
        repoint_references(session, record_type, merge_id, keep_id)
    return ChangeSet.of(
        writer.record_types | {ref_model.record_type for ref_model, _n in referencing(record_type)}
    )
