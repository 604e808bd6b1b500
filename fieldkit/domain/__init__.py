"""What services and sync both stand on: vocabularies, office keys, record aliases.

Nothing here imports ``fieldkit.services`` or ``fieldkit.sync``; the import-linter
layers contract in ``pyproject.toml`` keeps it so.
"""
