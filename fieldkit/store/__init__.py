"""The local store: typed models, one engine factory, versioned and logged changes."""

from fieldkit.store.base import Base, SyncedRecord
from fieldkit.store.engine import Store, resolve_url
from fieldkit.store.records import MODEL_BY_TYPE, RECORD_MODELS

__all__ = ["MODEL_BY_TYPE", "RECORD_MODELS", "Base", "Store", "SyncedRecord", "resolve_url"]
