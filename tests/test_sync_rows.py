"""The one-pass check of new records never lets through what the field-by-field check refuses."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.store.codec import content_fields
from fieldkit.store.registry import record_models
from fieldkit.sync.changes import Change, RowError, _check_fields, _dates_ok, _lengths_ok, _schema

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "2026-03-02", "20260302", "2026-02-30", "2026-03-02T10:00:00", "text"]),
    st.lists(st.sampled_from(["torture", 1, None]), max_size=2),
    st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 2), max_size=2),
)


def _passes_in_one_pass(change: Change) -> bool:
    """The condition ``check_values`` uses to skip the field-by-field check."""
    schema = _schema(change.record_type)
    data = change.data
    return (
        change.op == "create"
        and data.keys() == schema.content
        and all(map(frozenset.__contains__, schema.types, map(type, map(data.__getitem__, schema.names))))
        and _dates_ok(schema, data)
        and _lengths_ok(schema, data)
    )


#: a value of each kind's own type, so that many examples get as far as the one-pass check
TYPED = {
    "str": st.sampled_from(["", "text", "x" * 401]),
    "int": st.integers(-3, 3),
    "float": st.floats(-90, 90),
    "bool": st.booleans(),
    "date": st.sampled_from(["2026-03-02", "2025-12-31", "2024-02-29", "20260302", "2026-02-30", "2026-3-2"]),
    "datetime": st.sampled_from(["2026-03-02T10:00:00", "2026-03-02 10:00", "2026-03-02T25:00:00"]),
    "json": st.one_of(
        st.lists(st.text(max_size=3), max_size=2), st.dictionaries(st.text(max_size=2), st.integers())
    ),
}


@settings(max_examples=600, deadline=None)
@given(model=st.sampled_from(record_models()), drop=st.sampled_from([False] * 9 + [True]), data=st.data())
def test_one_pass_is_never_more_lenient(model: Any, drop: bool, data: st.DataObject) -> None:
    values = {
        f.name: data.draw(st.one_of(TYPED[f.kind], VALUES), label=f.name) for f in content_fields(model)
    }
    if drop:
        values.pop(next(iter(values)))
    change = Change("KE-NBO", 1, model.record_type, "0" * 8 + "-0000-7000-8000-" + "0" * 12, 1, "create",
                    "2026-03-02T10:00:00.000000", "someone", values)  # fmt: skip
    if _passes_in_one_pass(change):
        try:
            _check_fields(change, _schema(change.record_type))
        except RowError as exc:  # pragma: no cover - the failure this test exists to catch
            raise AssertionError(f"one pass accepted what the full check refuses: {exc}") from exc


def test_a_whole_new_record_passes_in_one_pass() -> None:
    from fieldkit.store.registry import MODEL_BY_TYPE

    visit = {f.name: None for f in content_fields(MODEL_BY_TYPE["monitoring_visit"])}
    visit.update(title="Visit", visit_type="detention-visit", date_start="2026-03-02", date_precision="day",
                 location_text="", team="", institutions="", counterparts="", narrative="",
                 confidentiality="confidential")  # fmt: skip
    change = Change("KE-NBO", 1, "monitoring_visit", "0" * 8 + "-0000-7000-8000-" + "0" * 12, 1, "create",
                    "2026-03-02T10:00:00.000000", "someone", visit)  # fmt: skip
    assert _passes_in_one_pass(change)
