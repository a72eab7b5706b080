"""The languages of the After-Action Report and of the report of many runs: their words from a gettext
catalogue, their dates and numbers by Babel.

English is the message id itself; every other language has its catalogue in the package,
``reports/locale/<lang>.po``, read as it is (no compiled ``.mo``), so a fresh
clone and a built wheel read the same file. A string of the report is marked ``_("…")`` in a
template or ``N_("…")`` in Python, and ``tests/test_aar_catalogue.py`` fails while any marked string
has no translation (docs/evaluation.md says how to add one).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from importlib.resources import files

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from drillsim.scoring.call_tree import Reached
from drillsim.scoring.outcomes import Outcome
from drillsim.spec.errors import InputError

LANGUAGES = {"en": "en_GB", "zh": "zh_Hans_CN"}
"""The report's languages (``--lang``) and the Babel locale each formats dates and numbers in."""
DOMAIN = "drillsim"


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue where it is defined; it is translated where it is shown."""
    return message


def NP_(context: str, message: str) -> tuple[str, str]:
    """Mark ``message`` in ``context`` (gettext's ``msgctxt``): a word the catalogue holds in another sense
    too. Translated where it is shown, with :meth:`Translator.pgettext`."""
    return context, message


def catalogue_path(lang: str):  # -> importlib.resources Traversable
    return files("drillsim.reports.locale").joinpath(f"{lang}.po")


@cache
def catalogue(lang: str) -> Catalog:
    """The catalogue of ``lang`` as read from its ``.po`` file."""
    with catalogue_path(lang).open("rb") as f:
        return read_po(f, locale=LANGUAGES[lang], domain=DOMAIN)


class Translator:
    """The words, dates and numbers of one language."""

    def __init__(self, lang: str, argument: str = "--lang"):
        if lang not in LANGUAGES:
            raise InputError(argument, f"{lang!r} is not a language of the report; choose one of "
                                       f"{', '.join(LANGUAGES)}")
        self.lang = lang
        self.locale = Locale.parse(LANGUAGES[lang])
        self._messages: dict[tuple[str | None, str], str] = {} if lang == "en" else {
            (m.context, m.id): m.string for m in catalogue(lang) if m.id and isinstance(m.id, str) and m.string}

    def gettext(self, message: str) -> str:
        """``message`` in this language; English (the id itself) where the catalogue has no translation."""
        return self._messages.get((None, message), message)

    def pgettext(self, context: str, message: str) -> str:
        """``message`` in ``context`` (``msgctxt``) in this language; English where it has no translation."""
        return self._messages.get((context, message), message)

    __call__ = gettext

    @property
    def html_lang(self) -> str:
        return {"en": "en", "zh": "zh-CN"}[self.lang]

    def date(self, value: date | None) -> str:
        return "" if value is None else format_date(value, "long", locale=self.locale)

    def time(self, value: datetime | None) -> str:
        return "" if value is None else format_time(value, "medium", tzinfo=value.tzinfo, locale=self.locale)

    def percent(self, share: float | None, digits: int = 0) -> str:
        """``share`` as a percentage, whole (``80%``) or with ``digits`` decimals (``80.0%``)."""
        if share is None:
            return ""
        return format_percent(share, "#,##0." + "0" * digits + "%" if digits else None, locale=self.locale)

    def number(self, value: float | None, digits: int = 1) -> str:
        return "" if value is None else format_decimal(round(value, digits), locale=self.locale)

    def minutes(self, minutes: float | None) -> str:
        """A span of minutes in words of this language: ``2 min 05 s``, ``2分05秒``; ``3 min``; ``1 h 05 min``."""
        if minutes is None:
            return ""
        if minutes == float("inf"):
            return self.gettext("no limit")
        sign = "-" if minutes < 0 else ""
        total = round(abs(minutes) * 60)
        h, rest = divmod(total, 3600)
        m, s = divmod(rest, 60)
        if h:
            return sign + self.gettext("{hours} h {minutes:02d} min").format(hours=h, minutes=m)
        if s == 0:
            return sign + self.gettext("{minutes} min").format(minutes=m)
        return sign + self.gettext("{minutes} min {seconds:02d} s").format(minutes=m, seconds=s)


OUTCOMES = {
    Outcome.MET: N_("met"), Outcome.LATE: N_("late"), Outcome.MISSED: N_("missed"),
    Outcome.INCOMPLETE: N_("incomplete"), Outcome.VIOLATED: N_("violated"),
    Outcome.NOT_APPLICABLE: N_("not applicable"), Outcome.PENDING: N_("pending"),
    Outcome.NOT_EVALUATED: N_("not evaluated"),
}
"""The words for each outcome (every outcome has them)."""
RATINGS = {
    "P": N_("Performed without challenges"), "S": N_("Performed with some challenges"),
    "M": N_("Performed with major challenges"), "U": N_("Unable to be performed"),
}
REACHED = {
    Reached.IN_TIME: N_("reached in time"), Reached.LATE: N_("reached late"), Reached.NOT_REACHED: N_("not reached"),
    Reached.NOT_EVALUATED: N_("not evaluated"), Reached.PENDING: N_("pending"),
}
"""The words for each status of a call-tree row."""
