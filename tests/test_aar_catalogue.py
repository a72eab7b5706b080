"""Every string of the After-Action Report and of the report of many runs has its Chinese translation,
and the catalogue holds nothing else.

The strings are found as `pybabel extract` finds them, with reports/locale/babel.cfg (docs/evaluation.md):
a new string marked in a template or in Python and left untranslated fails here.
"""

import datetime
import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from drillsim.reports.i18n import LANGUAGES, Translator, catalogue
from drillsim.spec.errors import InputError
from tests.conftest import ROOT


def _marked() -> set[tuple[str | None, str]]:
    """(msgctxt, msgid) of every marked string: ``NP_(context, message)`` as ``pybabel extract -k NP_:1c,2``."""
    with open(ROOT / "reports" / "locale" / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    inside = {"reports", "reports/templates", "live"}
    found = extract_from_dir(ROOT, method_map, options_map, keywords={**DEFAULT_KEYWORDS, "NP_": ((1, "c"), 2)},
                             directory_filter=lambda d: Path(d).relative_to(ROOT).as_posix() in inside)
    return {(context, message) for _, _, message, _, context in found}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_marked_string_is_translated_and_every_translation_is_used(lang):
    marked = _marked()
    assert {(None, m) for m in ("After-Action Report", "Improvement Plan", "reached late", "Planning")} <= marked
    assert {(None, m) for m in ("Capability ratings across the runs", "critical requirement",
                                "How the runs of each requirement split: met, late, missed, violated",
                                "worst late runs (latency, min)")} <= marked  # the many-run report's
    assert ("column of the MSEL: who delivers the inject", "From") in marked  # the MSEL's, with its msgctxt
    translated = {(m.context, m.id): m.string for m in catalogue(lang) if m.id}
    assert sorted(marked - {k for k, v in translated.items() if v}, key=str) == []
    assert sorted(set(translated) - marked, key=str) == []
    for (_, msgid), text in translated.items():
        assert _fields(text) == _fields(msgid), msgid


def test_the_chinese_words_dates_and_spans():
    zh, en = Translator("zh"), Translator("en")
    assert (zh("Improvement Plan"), en("Improvement Plan")) == ("整改计划", "Improvement Plan")
    day = datetime.date(2026, 3, 12)
    assert (zh.date(day), en.date(day)) == ("2026年3月12日", "12 March 2026")
    assert (zh.minutes(2.5), en.minutes(2.5), zh.minutes(3), en.minutes(75)) == ("2分30秒", "2 min 30 s", "3分钟",
                                                                               "1 h 15 min")
    assert (zh.percent(0.8), en.percent(0.875)) == ("80%", "88%")


def test_a_word_in_a_context_is_translated_in_that_sense_only():
    zh, en = Translator("zh"), Translator("en")
    column = "column of the MSEL: who delivers the inject"
    assert (zh.pgettext(column, "From"), zh.gettext("From")) == ("发出方", "起算时间")
    assert en.pgettext(column, "From") == zh.pgettext("a context the catalogue does not have", "From") == "From"


def test_a_language_without_a_catalogue_is_refused_naming_the_option():
    with pytest.raises(InputError, match=r"--lang: 'fr' is not a language of the report; choose one of en, zh"):
        Translator("fr")
