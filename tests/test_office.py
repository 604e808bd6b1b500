"""Office identity and vocabularies."""

from __future__ import annotations

import pytest

from fieldkit.context import Context
from fieldkit.domain.keys import local_keys
from fieldkit.domain.vocab import vocabularies
from fieldkit.errors import ValidationError
from fieldkit.services.office import init_office, list_offices, local_office
from fieldkit.services.vocab import add_term

REQUIRED_VOCABULARIES = {
    "office_type",
    "violation_type",
    "right",
    "affected_group",
    "discrimination_ground",
    "mechanism_type",
    "recommendation_status",
    "project_status",
    "funding_source",
    "implementation_gap",
    "training_event_type",
    "training_audience",
    "organisation_type",
    "sensitivity_level",
    "sdg",
}
LANGS = ("en", "fr", "es", "ar", "zh", "ru")


def test_init_makes_an_office_with_keys(ctx: Context) -> None:
    info = local_office(ctx)
    assert info is not None
    assert (info.code, info.office_type, info.parent_code) == ("KE-NBO", "country-office", "ROEA")
    assert info.age_recipient.startswith("age1")
    assert len(info.fingerprint.replace("-", "")) >= 20
    keys = local_keys(ctx)
    assert keys.age_recipient == info.age_recipient
    assert [o.code for o in list_offices(ctx)] == ["KE-NBO"]


def test_init_twice_is_refused(ctx: Context) -> None:
    with pytest.raises(ValidationError, match="already belongs"):
        init_office(ctx, "UG-KLA", "Uganda", "country-office")


@pytest.mark.parametrize(
    ("code", "name", "kind", "message"),
    [
        ("ke nbo", "Kenya", "country-office", "office code"),
        ("KE-NBO", "  ", "country-office", "needs a name"),
        ("KE-NBO", "Kenya", "embassy", "Unknown office type"),
    ],
)
def test_init_rejects_bad_input(bare_ctx: Context, code: str, name: str, kind: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        init_office(bare_ctx, code, name, kind)
    assert local_office(bare_ctx) is None


def test_vocabularies_are_seeded_in_six_languages(bare_ctx: Context) -> None:
    vocab = vocabularies(bare_ctx)
    assert set(vocab.names()) >= REQUIRED_VOCABULARIES
    assert {t.code for t in vocab.terms("office_type")} == {
        "country-office",
        "regional-office",
        "subregional-office",
        "peace-mission-component",
        "unct-adviser",
        "headquarters",
    }
    for name in vocab.names():
        for term in vocab.terms(name):
            assert all(term.labels.get(lang) for lang in LANGS), (name, term.code)
    assert len(vocab.terms("sdg")) == 17
    assert vocab.label("sensitivity_level", "public", "fr")


def test_violation_types_are_hierarchical(bare_ctx: Context) -> None:
    terms = vocabularies(bare_ctx).terms("violation_type")
    codes = {t.code for t in terms}
    children = [t for t in terms if t.parent_code]
    assert children and all(t.parent_code in codes for t in children)


def test_an_office_can_extend_a_vocabulary(ctx: Context) -> None:
    labels = {"en": "Land grabbing", "fr": "Accaparement des terres"}
    add_term(ctx, "violation_type", "land-grabbing", labels)
    assert vocabularies(ctx).label("violation_type", "land-grabbing", "fr") == "Accaparement des terres"
    with pytest.raises(ValidationError, match="already in use"):
        add_term(ctx, "violation_type", "land-grabbing", labels)
