"""The one message catalog, usable without Qt.

Every user-visible string goes through ``_()`` (or ``ngettext``) with named
``{placeholders}`` filled in *after* translation: never an f-string or ``%``
inside the message, so translators see one whole sentence. Catalogs are gettext
``.po`` files under ``translations/<lang>/LC_MESSAGES/fieldkit.po``, managed with
babel; they are compiled in memory when a language is chosen.
"""

from __future__ import annotations

import gettext as _gettext
import io
import threading

#: the interface languages FieldKit ships, in the order the language menu shows them
LANGUAGES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "zh": "中文",
    "ru": "Русский",
}
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ug", "yi"})
DOMAIN = "fieldkit"

_lock = threading.Lock()
_current: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def _load(lang: str) -> _gettext.NullTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from fieldkit.paths import translations_dir

    try:
        po_path = translations_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    except FileNotFoundError:  # an installation without catalogs still works, in English
        return _gettext.NullTranslations()
    if not po_path.is_file():
        return _gettext.NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def set_language(lang: str) -> None:
    """Switch the catalog for every later ``_()`` call (the UI re-reads its texts)."""
    global _current, _language
    translations = _gettext.NullTranslations() if lang == "en" else _load(lang)
    with _lock:
        _current = translations
        _language = lang


def current_language() -> str:
    return _language


def is_rtl(lang: str | None = None) -> bool:
    return (lang or _language).split("_")[0] in RTL_LANGUAGES


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """Translate ``message`` in ``context``: one English word may need two translations
    ("Location" of a visit is a place; of the store, a folder)."""
    return _current.pgettext(context, message)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (module-level tables)."""
    return message
