"""Interface preferences (language, window geometry, idle time before locking) kept beside the
user's store, not in the store."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QLocale, QSettings

from fieldkit.i18n import LANGUAGES
from fieldkit.paths import ensure_user_data_dir

LANGUAGE_KEY = "ui/language"
GEOMETRY_KEY = "ui/main_window_geometry"
#: the language given with ``--lang`` for this run, which wins over the saved choice until the
#: user picks one in Settings
_command_line_language: str | None = None


def settings() -> QSettings:
    # An ini file under FIELDKIT_HOME: portable installs and tests stay self-contained.
    return QSettings(str(ensure_user_data_dir() / "ui-settings.ini"), QSettings.Format.IniFormat)


def saved_language() -> str | None:
    value = settings().value(LANGUAGE_KEY)
    return value if isinstance(value, str) and value in LANGUAGES else None


def save_language(lang: str) -> None:
    prefs = settings()
    prefs.setValue(LANGUAGE_KEY, lang)
    prefs.sync()


def system_language() -> str | None:
    lang = QLocale.system().name().split("_")[0]
    return lang if lang in LANGUAGES else None


def choose_language(requested: str | None) -> str:
    """``--lang`` if valid, else the saved choice, else the system's language if we have it, else English."""
    if requested and requested in LANGUAGES:
        return requested
    return saved_language() or system_language() or "en"


def set_command_line_language(lang: str | None) -> None:
    """Remember that this run's language came from ``--lang`` (None: it did not, or no longer)."""
    global _command_line_language
    _command_line_language = lang if lang in LANGUAGES else None


def command_line_language() -> str | None:
    return _command_line_language


def saved_geometry() -> QByteArray | None:
    value = settings().value(GEOMETRY_KEY)
    return value if isinstance(value, QByteArray) else None


def save_geometry(geometry: QByteArray) -> None:
    settings().setValue(GEOMETRY_KEY, geometry)


IDLE_MINUTES_KEY = "ui/lock_after_idle_minutes"
DEFAULT_IDLE_MINUTES = 10
MAX_IDLE_MINUTES = 240


def idle_minutes() -> int:
    """Minutes without keyboard or mouse input before the window locks; 0 = never."""
    value = settings().value(IDLE_MINUTES_KEY)
    try:
        minutes = int(str(value)) if value is not None else DEFAULT_IDLE_MINUTES
    except ValueError:
        return DEFAULT_IDLE_MINUTES
    return min(max(minutes, 0), MAX_IDLE_MINUTES)


def save_idle_minutes(minutes: int) -> None:
    prefs = settings()
    prefs.setValue(IDLE_MINUTES_KEY, min(max(minutes, 0), MAX_IDLE_MINUTES))
    prefs.sync()
