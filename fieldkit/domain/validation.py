"""Checking values against what the models declare: required fields, codes, lengths."""

from __future__ import annotations

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
