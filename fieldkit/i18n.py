"""Message catalogs, usable without Qt and in any language per call.

Every user-visible string goes through ``_()`` (or ``ngettext``) with named
``{placeholders}`` filled in *after* translation: never an f-string or ``%``
inside the message, so translators see one whole sentence. Catalogs are gettext
``.po`` files under ``translations/<lang>/LC_MESSAGES/fieldkit.po``, managed with
babel; they are compiled in memory the first time a language is used.

``translator(lang)`` gives the catalog of one language; a report, an export or a
CLI command uses its own while the window stays in the interface language, from
any thread. The module-level ``_``, ``ngettext`` and ``pgettext`` translate into
the interface language chosen with ``set_language``.
"""

from __future__ import annotations

import gettext as _gettext
import io
import threading
import unicodedata

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
SOURCE_LANGUAGE = "en"


class Message(str):
    """A translated sentence that isolates the values it is filled with (see ``isolate``), so
    that every ``{placeholder}`` of every message keeps a path, an option, a code or a name in
    its own order, without each call site having to remember it."""

    lang: str

    def __new__(cls, text: str, lang: str) -> Message:
        message = super().__new__(cls, text)
        message.lang = lang
        return message

    def format(self, /, *args: object, **kwargs: object) -> str:
        rtl = is_rtl(self.lang)
        return str.format(
            self, *(_isolated(a, rtl) for a in args), **{k: _isolated(v, rtl) for k, v in kwargs.items()}
        )


def _isolated(value: object, rtl: bool) -> object:
    # numbers keep their type, for format specs such as {count:,}; everything else is text
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    return _wrap(text) if text and (rtl or has_rtl_text(text)) else value


def _wrap(text: str) -> str:
    return text if text.startswith(FSI) and text.endswith(PDI) else f"{FSI}{text}{PDI}"


class Translator:
    """The messages of one language. Read-only once built, so threads share it freely."""

    def __init__(self, lang: str, catalog: _gettext.NullTranslations) -> None:
        self.lang = lang
        self._catalog = catalog

    @property
    def is_rtl(self) -> bool:
        return is_rtl(self.lang)

    def gettext(self, message: str) -> str:
        return Message(self._catalog.gettext(message), self.lang)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return Message(self._catalog.ngettext(singular, plural, n), self.lang)

    def pgettext(self, context: str, message: str) -> str:
        """Translate ``message`` in ``context``: one English word may need two translations
        ("Location" of a visit is a place; of the store, a folder)."""
        return Message(self._catalog.pgettext(context, message), self.lang)

    def __repr__(self) -> str:
        return f"Translator({self.lang!r})"


def _load(lang: str) -> _gettext.NullTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from fieldkit.paths import translations_dir

    if lang == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
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


_lock = threading.Lock()
_translators: dict[str, Translator] = {}
_current = Translator(SOURCE_LANGUAGE, _gettext.NullTranslations())


def translator(lang: str) -> Translator:
    """The catalog of ``lang``, compiled once per process and shared by every thread."""
    found = _translators.get(lang)
    if found is not None:
        return found
    with _lock:
        found = _translators.get(lang)
        if found is None:
            found = Translator(lang, _load(lang))
            _translators[lang] = found
    return found


def set_language(lang: str) -> None:
    """Switch the interface language for every later ``_()`` call (the UI re-reads its texts)."""
    global _current
    _current = translator(lang)


def current_language() -> str:
    return _current.lang


def current_translator() -> Translator:
    return _current


def is_rtl(lang: str | None = None) -> bool:
    return (lang or _current.lang).split("_")[0] in RTL_LANGUAGES


def _(message: str) -> str:
    """Translate ``message`` into the interface language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``Translator.pgettext`` in the interface language."""
    return _current.pgettext(context, message)


#: FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE (Unicode bidi algorithm, UAX #9)
FSI, PDI = "\u2068", "\u2069"


def has_rtl_text(text: str) -> bool:
    """Whether ``text`` holds a strong right-to-left character (Arabic, Hebrew, Syriac, Thaana...)."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def isolate(value: object, lang: str | None = None) -> str:
    """``value`` as text that keeps its own order inside a sentence of the other direction.

    A path, a command-line option, a code or a Latin name put into an Arabic sentence would
    otherwise be reordered with it ("--lang en" shown as "en lang--"), and an Arabic name would
    pull the words after it in an English one. Wrap every such value that fills a
    ``{placeholder}``. Left-to-right values in a left-to-right language need nothing and get
    nothing, so English messages (and what a terminal shows) stay plain. Translated messages
    (``Message``) do this to their placeholders by themselves; call it for values put into
    text that is not a translated sentence.
    """
    text = str(value)
    if not text or (not is_rtl(lang) and not has_rtl_text(text)):
        return text
    return _wrap(text)


def strip_isolates(text: str) -> str:
    """``text`` without the marks ``isolate`` adds: for tests and for plain-text logs."""
    return text.replace(FSI, "").replace(PDI, "")


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (module-level tables)."""
    return message
