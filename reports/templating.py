"""The one Jinja environment the HTML pages are rendered with, over the templates in reports/templates."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, FunctionLoader, StrictUndefined


def _source(name: str) -> str:
    return files("drillsim.reports").joinpath("templates", name).read_text("utf-8")


@cache
def environment() -> Environment:
    """Escaping on, and a name the template uses but is not given is an error, not an empty string."""
    return Environment(loader=FunctionLoader(_source), autoescape=True, undefined=StrictUndefined)


def render(name: str, **context: Any) -> str:
    """The template ``name`` (e.g. ``report.html.j2``) rendered with ``context``."""
    return environment().get_template(name).render(**context)
