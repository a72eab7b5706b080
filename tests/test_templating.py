"""The one Jinja environment of the HTML pages (what reports/ may import: tests/test_import_edges.py)."""

import pytest
from jinja2 import UndefinedError

from drillsim.reports import templating


def test_the_environment_is_made_once_and_escapes_html():
    assert templating.environment() is templating.environment()
    page = templating.environment().from_string("{{ x }}").render(x="<b>&</b>")
    assert page == "&lt;b&gt;&amp;&lt;/b&gt;"


def test_a_name_a_template_uses_but_is_not_given_is_an_error():
    with pytest.raises(UndefinedError, match="'programme' is undefined"):
        templating.render("programme.html.j2", rows=[])
