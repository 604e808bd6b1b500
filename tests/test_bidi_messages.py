"""Values put into translated sentences keep their own order in the other direction (bidi isolation)."""

from __future__ import annotations

from fieldkit.i18n import FSI, PDI, isolate, strip_isolates, translator

PATH = "/media/usb/KE-NBO-to-ROEA.fieldkit"


def test_an_arabic_sentence_isolates_every_text_it_is_filled_with() -> None:
    message = translator("ar").gettext("The folder {path} does not exist")
    text = message.format(path=PATH)
    assert f"{FSI}{PATH}{PDI}" in text
    assert strip_isolates(text) == str.format(message, path=PATH)


def test_an_english_sentence_stays_plain_but_isolates_arabic_values() -> None:
    english = translator("en")
    assert english.gettext("The folder {path} does not exist").format(path=PATH) == (
        f"The folder {PATH} does not exist"
    )
    name = "مكتب نيروبي"
    text = english.gettext("Office {code} · {name}").format(code="KE-NBO", name=name)
    assert text == f"Office KE-NBO · {FSI}{name}{PDI}"


def test_numbers_keep_their_format_specs_and_plurals_isolate_too() -> None:
    arabic = translator("ar")
    text = arabic.ngettext("{count} change", "{count} changes", 3).format(count=3)
    assert "3" in text and FSI not in text  # a number is not text to isolate
    share = arabic.gettext("{share:.0%}").format(share=0.25)
    assert share == "25%"
    assert isolate(isolate(PATH, "ar"), "ar").count(FSI) == 1
