"""The one Jinja environment of the HTML pages, and what reports/ may import."""

import ast
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from drillsim.reports import templating

ROOT = Path(__file__).resolve().parent.parent


def test_the_environment_is_made_once_and_escapes_html():
    assert templating.environment() is templating.environment()
    page = templating.environment().from_string("{{ x }}").render(x="<b>&</b>")
    assert page == "&lt;b&gt;&amp;&lt;/b&gt;"


def test_a_name_a_template_uses_but_is_not_given_is_an_error():
    with pytest.raises(UndefinedError, match="'programme' is undefined"):
        templating.render("programme.html.j2", rows=[])


def test_reports_import_only_the_file_formats_the_log_and_the_scorer():
    allowed = ("drillsim.spec", "drillsim.log", "drillsim.scoring", "drillsim.reports")
    for path in (ROOT / "reports").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
            for name in names:
                if name == "drillsim" or name.startswith("drillsim."):
                    assert name.startswith(allowed), f"{path.name} imports {name}"
