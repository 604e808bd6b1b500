"""Extending the controlled vocabularies with an office's own terms."""

from __future__ import annotations

from fieldkit.access import Permission, requires
from fieldkit.context import Context
from fieldkit.domain.validation import refuse_too_long
from fieldkit.domain.vocab import Term, TermNode, invalidate_cache, vocabularies
from fieldkit.errors import ValidationError
from fieldkit.i18n import _
from fieldkit.store.records import VocabularyTerm


@requires(Permission.MANAGE_VOCABULARIES)
def add_term(
    ctx: Context, vocabulary: str, code: str, labels: dict[str, str], parent_code: str | None = None
) -> Term:
    """Extend a vocabulary with an office's own term; it syncs to partners like any record."""
    vocab = vocabularies(ctx)
    if vocabulary not in vocab.names():
        raise ValidationError(_("No vocabulary named '{name}'").format(name=vocabulary))
    if vocab.has(vocabulary, code):
        raise ValidationError(_("The code '{code}' is already in use").format(code=code))
    if parent_code and not vocab.has(vocabulary, parent_code):
        raise ValidationError(_("Unknown parent code '{code}'").format(code=parent_code))
    if not labels.get("en") and not any(labels.values()):
        raise ValidationError(_("A term needs a label in at least one language"))
    refuse_too_long(VocabularyTerm, {"code": code, "parent_code": parent_code})
    order = max((t.sort_order for t in vocab.terms(vocabulary, include_inactive=True)), default=0) + 1
    with ctx.write() as (_session, writer):
        writer.create(
            VocabularyTerm,
            {
                "vocabulary": vocabulary,
                "code": code,
                "parent_code": parent_code,
                "labels": labels,
                "sort_order": order,
                "vocab_version": 1,
                "active": True,
            },
        )
    invalidate_cache()
    return Term(vocabulary, code, parent_code, labels, order)


@requires(Permission.VIEW_RECORDS)
def vocabulary_tree(ctx: Context, vocabulary: str, *, include_inactive: bool = False) -> list[TermNode]:
    """A vocabulary's terms in tree order with their depth, for pickers that indent children."""
    return vocabularies(ctx).tree(vocabulary, include_inactive=include_inactive)


@requires(Permission.VIEW_RECORDS)
def term_and_descendants(ctx: Context, vocabulary: str, code: str) -> set[str]:
    """The codes a filter on ``code`` matches: the term and everything below it."""
    return vocabularies(ctx).descendants(vocabulary, code)
