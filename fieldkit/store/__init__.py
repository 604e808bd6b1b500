"""The local store: typed models, one engine factory, versioned and logged changes."""

from fieldkit.store import records  # noqa: F401  (every record type registers as it is declared)
from fieldkit.store.base import Base, SyncedRecord
from fieldkit.store.engine import Store, resolve_url
from fieldkit.store.registry import MODEL_BY_TYPE, record_models

__all__ = ["MODEL_BY_TYPE", "Base", "Store", "SyncedRecord", "record_models", "resolve_url"]
