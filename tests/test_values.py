"""The one rule for fact values, in every file kind (spec/values.py)."""

import math

import pytest

from drillsim.spec.values import fact_value, parse_bool


@pytest.mark.parametrize(("text", "value"), [
    (True, True), (False, False), ("true", True), ("FALSE", False), ("yes", True), ("No", False),
    ("是", True), ("否", False), (" yes ", True),
])
def test_a_boolean_is_true_false_yes_no_or_shi_fou(text, value):
    assert parse_bool(text) is value
    assert fact_value("bool", text) is value


@pytest.mark.parametrize("text", ["1", "0", 1, 0, "", "有", "无", "on", "off", "y", "t", None, "truee"])
def test_nothing_else_is_a_boolean(text):
    with pytest.raises(ValueError, match="is not a boolean"):
        parse_bool(text)


@pytest.mark.parametrize(("kind", "given", "value"), [
    ("int", 3, 3), ("int", 2.0, 2), ("int", "3.0", 3),
    ("int", " 1234567890123456 ", 1234567890123456), ("int", 2**53, 2**53), ("float", "0", 0.0), ("int", "-0", 0),
    ("float", 2, 2.0), ("float", "1.5", 1.5), ("elapsed", "0.5", 0.5), ("text", "一级", "一级"),
])
def test_values_of_each_type(kind, given, value):
    got = fact_value(kind, given)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(("kind", "given", "wrong"), [
    ("int", 2.5, "whole number"), ("int", "x", "whole number"), ("int", True, "whole number"),
    ("int", math.nan, "whole number"), ("float", math.inf, "finite"), ("float", "nan", "finite"),
    ("float", True, "not a number"), ("float", "fast", "not a number"), ("text", 3, "not text"),
    ("colour", "red", "unknown fact type 'colour'; known: bool, int, float, text, elapsed"),
    ("int", 2**53 + 1, "too large: a whole-number fact is at most 9,007,199,254,740,992"),
    ("int", -3, "-3 is negative: a number fact"), ("int", "-1", "negative"),
    ("float", -0.5, "negative"), ("elapsed", "-1", "negative"), ("int", "9" * 30, "too large"),
    ("int", "9007199254740993", "too large"),
    ("int", 1e20, "too large"), ("float", 10**400, "too large a number"),
])
def test_values_refused(kind, given, wrong):
    with pytest.raises(ValueError, match=wrong):
        fact_value(kind, given)


def _file_models() -> set[type]:
    import drillsim.spec.design
    import drillsim.spec.experiment
    import drillsim.spec.overlay
    import drillsim.spec.plan
    import drillsim.spec.programme
    import drillsim.spec.scenario  # noqa: F401  (their models are the Strict subclasses)
    from drillsim.spec.schema import Strict

    found, todo = set(), [Strict]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def test_every_yes_or_no_key_of_every_file_kind_takes_the_one_rule():
    # a plain bool would read 1 and "on" as true and refuse 是 (earlier_counts did)
    plain = [f"{model.__name__}.{name}" for model in _file_models() for name, field in model.model_fields.items()
             if field.annotation is bool and not any(getattr(m, "func", None) is parse_bool for m in field.metadata)]
    assert plain == []


def test_every_number_key_of_every_file_kind_is_written_as_a_number():
    # pydantic alone reads "2" as 2 and true as 1 (a weight of `true` weighed 1.0); durations and shares
    # read their text themselves
    from pydantic import BeforeValidator
    from pydantic.types import Strict

    lax = [f"{model.__name__}.{name}" for model in _file_models() for name, field in model.model_fields.items()
           if field.annotation in (int, float)
           and not any(isinstance(m, BeforeValidator) or (isinstance(m, Strict) and m.strict) for m in field.metadata)]
    assert lax == []
