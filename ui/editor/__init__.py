"""The monitoring-visit editor: ``VisitEditor`` (the form) and ``VisitEditorDialog`` (its window)."""
