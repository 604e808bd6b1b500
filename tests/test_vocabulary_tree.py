"""Hierarchical vocabularies: the tree pickers show, and the descendants a parent filter matches."""

from __future__ import annotations

import datetime as dt

from fieldkit.context import Context
from fieldkit.domain.vocab import Term, Vocabularies
from fieldkit.services.monitoring import save_visit
from fieldkit.services.monitoring_types import IncidentData, VisitData, VisitFilter
from fieldkit.services.visit_list import list_visits
from fieldkit.services.vocab import add_term, term_and_descendants, vocabulary_tree


def _term(code: str, parent: str | None, order: int, active: bool = True) -> Term:
    return Term("v", code, parent, {"en": code}, order, active)


def test_tree_puts_children_under_their_parent_in_sort_order() -> None:
    vocab = Vocabularies(
        [
            _term("b", None, 1),
            _term("a", None, 0),
            _term("b2", "b", 4),
            _term("b1", "b", 3),
            _term("b1x", "b1", 5),
            _term("orphan", "gone", 6),
        ]
    )
    rows = [(n.code, n.depth, n.parent_code) for n in vocab.tree("v")]
    assert rows == [
        ("a", 0, None),
        ("b", 0, None),
        ("b1", 1, "b"),
        ("b1x", 2, "b1"),
        ("b2", 1, "b"),
        ("orphan", 0, "gone"),
    ]


def test_a_parent_cycle_loses_no_term() -> None:
    vocab = Vocabularies([_term("x", "y", 0), _term("y", "x", 1), _term("self", "self", 2)])
    assert sorted(n.code for n in vocab.tree("v")) == ["self", "x", "y"]
    assert vocab.descendants("v", "x") == {"x", "y"}


def test_descendants_include_inactive_terms_but_the_tree_leaves_them_out() -> None:
    vocab = Vocabularies([_term("p", None, 0), _term("old", "p", 1, active=False), _term("c", "old", 2)])
    assert vocab.descendants("v", "p") == {"p", "old", "c"}
    assert [(n.code, n.depth) for n in vocab.tree("v")] == [("p", 0), ("c", 0)]
    assert [n.code for n in vocab.tree("v", include_inactive=True)] == ["p", "old", "c"]


def test_seeded_violation_types_form_a_tree(ctx: Context) -> None:
    nodes = vocabulary_tree(ctx, "violation_type")
    by_code = {n.code: n for n in nodes}
    assert by_code["torture-and-ill-treatment"].depth == 0
    assert by_code["torture"].depth == 1
    position = [n.code for n in nodes]
    assert position.index("torture-and-ill-treatment") < position.index("torture")
    assert len(nodes) == len({n.code for n in nodes})
    assert {"torture-and-ill-treatment", "torture"} <= term_and_descendants(
        ctx, "violation_type", "torture-and-ill-treatment"
    )
    assert term_and_descendants(ctx, "violation_type", "torture") == {"torture"}


def test_an_office_term_joins_the_tree_under_its_parent(ctx: Context) -> None:
    add_term(ctx, "violation_type", "waterboarding", {"en": "Waterboarding"}, parent_code="torture")
    by_code = {n.code: n for n in vocabulary_tree(ctx, "violation_type")}
    assert by_code["waterboarding"].depth == 2 and by_code["waterboarding"].parent_code == "torture"
    assert "waterboarding" in term_and_descendants(ctx, "violation_type", "torture-and-ill-treatment")


def _visit_with(violation: str, visit_type: str = "detention-visit") -> VisitData:
    return VisitData(
        title=f"Visit about {violation}",
        visit_type=visit_type,
        date_start=dt.date(2026, 3, 2),
        confidentiality="internal",
        incidents=(IncidentData(summary="Allegation", violation_types=(violation,)),),
    )


def test_a_parent_violation_filter_finds_the_visits_of_its_children(ctx: Context) -> None:
    torture = save_visit(ctx, _visit_with("torture")).value.id
    save_visit(ctx, _visit_with("arbitrary-detention"))

    def found(code: str) -> list[str]:
        return [row.id for row in list_visits(ctx, VisitFilter(violation_type=code)).rows]

    assert found("torture-and-ill-treatment") == [torture]
    assert found("torture") == [torture]
    assert found("right-to-life") == []
    assert len(found("liberty-and-security")) == 1


def test_a_parent_visit_type_filter_finds_the_visits_of_its_children(ctx: Context) -> None:
    add_term(ctx, "visit_type", "police-cell-visit", {"en": "Police cells"}, parent_code="detention-visit")
    child = save_visit(ctx, _visit_with("torture", visit_type="police-cell-visit")).value.id
    parent = save_visit(ctx, _visit_with("torture")).value.id
    page = list_visits(ctx, VisitFilter(visit_types=("detention-visit",)))
    assert {row.id for row in page.rows} == {child, parent} and page.total == 2
    only_child = list_visits(ctx, VisitFilter(visit_types=("police-cell-visit",)))
    assert [row.id for row in only_child.rows] == [child]
