"""Checking values against what the models declare: required fields, codes, lengths; and
warnings, for values that may well be right but usually are not."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from fieldkit.domain.vocab import Vocabularies
from fieldkit.errors import ValidationError
from fieldkit.i18n import _, ngettext
from fieldkit.store.base import SyncedRecord
from fieldkit.store.registry import field_label, field_meta, max_lengths


def check_record(
    vocab: Vocabularies, model: type[SyncedRecord], values: Mapping[str, Any], prefix: str = ""
) -> dict[str, str]:
    """What the declarations say is wrong with these values, keyed by ``prefix + field``:
    a required field left empty, a code not in its vocabulary, text longer than its column.
    Pure: no store access, safe on a GUI thread."""
    errors = check_lengths(model, values, prefix)
    for column in model.__table__.columns:
        name = column.key
        if name not in values:
            continue
        value, info, key = values[name], field_meta(model, name), prefix + name
        if info.required and (value is None or value == "" or value == [] or value == ()):
            errors[key] = _("Required")
            continue
        if info.vocabulary:
            for code in value if isinstance(value, list | tuple) else (value,):
                if isinstance(code, str) and (message := vocab.check(info.vocabulary, code, name)):
                    errors[key] = message
    return errors


def check_lengths(model: type[SyncedRecord], values: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Text longer than its column declares, keyed by ``prefix + field``: SQLite stores it all
    the same, and partners would then refuse every packet that carries it."""
    errors: dict[str, str] = {}
    for name, limit in max_lengths(model.record_type).items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            errors[prefix + name] = ngettext(
                "At most {limit} character", "At most {limit} characters", limit
            ).format(limit=limit)
    return errors


def refuse_too_long(model: type[SyncedRecord], values: Mapping[str, Any]) -> None:
    """Raise ``ValidationError`` naming the first text longer than its column, if any."""
    errors = check_lengths(model, values)
    if errors:
        name, message = next(iter(errors.items()))
        label = field_label(model.record_type, name)
        raise ValidationError(_("{field}: {value}").format(field=label, value=message), errors)


_AGE_SPAN = re.compile(r"(\d+)-(\d+|plus)$")


def age_span(age_group: str) -> tuple[int, int | None] | None:
    """The ages an age-group code spans, read from the code itself ("adult-18-59",
    "older-60-plus"), so that an office's own groups named the same way are checked too;
    None for a code that names no ages ("unknown")."""
    found = _AGE_SPAN.search(age_group)
    if found is None:
        return None
    low, high = found.groups()
    return int(low), None if high == "plus" else int(high)


def age_group_warning(age_group: str, birth_year: int | None, on: dt.date | None) -> str | None:
    """A warning when someone born in ``birth_year`` cannot have been in ``age_group`` on ``on``."""
    span = age_span(age_group)
    if span is None or birth_year is None or on is None:
        return None
    if birth_year > on.year:
        return _("The birth year is after the visit")
    # with only the year known, the person was one of two ages (before or after the birthday)
    oldest = on.year - birth_year
    youngest = max(oldest - 1, 0)
    low, high = span
    if oldest < low or (high is not None and youngest > high):
        return _("Born in {year}, this person was about {age} at the visit: check the age group").format(
            year=birth_year, age=oldest
        )
    return None
