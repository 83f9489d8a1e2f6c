import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot import i18n

ROOT = Path(__file__).parent.parent
POT = i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot"
TEAM_POT = i18n.LOCALE_DIR / f"{i18n.TEAM_DOMAIN}.pot"
TRANSLATED = [lang for lang in i18n.SUPPORTED if lang != "en"]


def key(message_id):
    return message_id if isinstance(message_id, str) else tuple(message_id)


def in_code(keywords=i18n.KEYWORDS):
    found = extract_from_dir(ROOT / "bot", method_map=[("**.py", "python")], keywords=keywords)
    return {key(message) for _, _, message, _, _ in found}


def fields(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def entries(path):
    with path.open("rb") as source:
        return [m for m in read_po(source) if m.id]


def test_template_is_what_the_code_says():
    assert {key(m.id) for m in entries(POT)} == in_code()


def test_team_template_is_what_the_code_says():
    assert {key(m.id) for m in entries(TEAM_POT)} == in_code(i18n.TEAM_KEYWORDS)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_translated_with_its_placeholders(lang):
    path = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=lang)
    assert catalog.num_plurals == get_plural(lang).num_plurals
    translated = {key(m.id): m for m in catalog if m.id}
    assert set(translated) >= in_code()
    for message_id in in_code():
        message = translated[message_id]
        assert not message.fuzzy, message_id
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = fields(message_id[-1] if isinstance(message_id, tuple) else message_id)
        assert len(forms) == (catalog.num_plurals if isinstance(message_id, tuple) else 1), message_id
        for form in forms:
            assert form.strip(), message_id
            assert fields(form) == wanted, (message_id, form)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_compiles_and_is_used(lang):
    with i18n.speaking(lang):
        assert i18n.plain("Send") != "Send"
        assert i18n._n("{n} business day", "{n} business days", 5) != "5 business days"
