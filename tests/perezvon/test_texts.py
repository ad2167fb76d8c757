"""The catalogue: every language has every key, and lookups format and fall back."""

import re
import string

import pytest

from perezvon.texts import LANGS, Catalogue, pick_lang


def test_every_language_has_the_same_keys():
    cat = Catalogue()
    assert cat.keys("ru") == cat.keys("en")


@pytest.mark.parametrize("key", sorted(Catalogue().keys("ru")))
def test_placeholders_match_across_languages(key):
    cat = Catalogue()

    def fields(lang):
        template = cat.t(lang, key)
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    assert fields("ru") == fields("en")


def test_lookup_and_fallback():
    cat = Catalogue()
    assert cat.t("ru", "status.active") == "Уведомления подключены"
    assert cat.t("en", "status.active") == "Notifications on"
    assert cat.t("de", "status.disabled") == "Отключено администратором"
    assert cat.t(None, "status.disabled") == "Отключено администратором"


@pytest.mark.parametrize(
    "cands,expected",
    [(("en",), "en"), ((None, "en-US"), "en"), (("de", "ru-RU"), "ru"), ((None, None), "ru")],
)
def test_pick_lang(cands, expected):
    assert pick_lang(*cands) == expected


def test_no_cyrillic_in_english_texts():
    cat = Catalogue()
    assert not [k for k in cat.keys("en") if re.search("[а-яА-Я]", cat.t("en", k))]
    assert LANGS == ("ru", "en")
