"""Checking values against what the models declare: required fields, codes, lengths."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import String

from fieldkit.domain.vocab import Vocabularies
from fieldkit.i18n import _, ngettext
from fieldkit.store.base import SyncedRecord
from fieldkit.store.registry import field_meta


def check_record(
    vocab: Vocabularies, model: type[SyncedRecord], values: Mapping[str, Any], prefix: str = ""
) -> dict[str, str]:
    """What the declarations say is wrong with these values, keyed by ``prefix + field``:
    a required field left empty, a code not in its vocabulary, text longer than its column.
    Pure: no store access, safe on a GUI thread."""
    errors: dict[str, str] = {}
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
        limit = getattr(column.type, "length", None) if isinstance(column.type, String) else None
        if limit is not None and isinstance(value, str) and len(value) > limit:
            errors[key] = ngettext("At most {limit} character", "At most {limit} characters", limit).format(
                limit=limit
            )
    return errors
