"""Every quote in a plan file is the seed's own words: found, fragment by fragment, in the seed text.

A clause names its seed by its leading number (``001 停电预案 第五条…`` is ``seeds/001_*.txt``). A
quote's fragments are separated by ``…``; each must appear in the seed, in order. Whitespace, the
difference between full-width and ASCII punctuation, and the pinyin glosses a seed may carry inside
its words (seed 002 writes 權(quán)) are ignored.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from drillsim.spec.catalog import builtin_plans
from drillsim.spec.plan import load_plan

SEEDS = Path(os.environ.get("DRILLSIM_SEEDS", Path(__file__).resolve().parents[2] / "shared" / "seeds"))
"""The seed texts: ``shared/seeds`` beside the project's folder, or where ``DRILLSIM_SEEDS`` says."""
_WIDE = str.maketrans("，；：（）！？、“”‘’", ",;:()!?,\"\"''")


_GLOSS = re.compile(r"\([a-zü\u00e0-\u01dc]{1,7}\)")


def normalise(text: str) -> str:
    return _GLOSS.sub("", re.sub(r"\s+", "", text).translate(_WIDE))


def seed_texts() -> dict[str, str]:
    return {p.name[:3]: normalise(p.read_text("utf-8")) for p in sorted(SEEDS.glob("[0-9][0-9][0-9]_*.txt"))}


def quoted_items(plan) -> list[tuple[str, str, str]]:
    """(where, clause, quote) for everything in the plan that carries a quote."""
    items = [(f"choices.{name}", c.note, c.quote) for name, c in plan.choices.items()]
    items += [(f"duty {d.id}", d.clause, d.quote) for d in plan.duties]
    items += [(f"report {r.id}", r.clause, r.quote) for r in plan.escalation]
    items += [(f"requirement {r.id}", r.clause, r.quote) for r in plan.requirements]
    return [i for i in items if i[2]]


def found_in_order(quote: str, seed: str) -> str | None:
    """The first fragment of ``quote`` not found (after the ones before it) in ``seed``, else None."""
    at = 0
    for fragment in (normalise(f) for f in re.split(r"…+|\.\.\.", quote)):
        if not fragment:
            continue
        hit = seed.find(fragment, at)
        if hit < 0:
            return fragment
        at = hit + len(fragment)
    return None


def test_normalise_ignores_spacing_and_punctuation_width():
    assert found_in_order("如遇突发事件，立即…报告", normalise("如遇突发事件,立即 向上级 报告")) is None
    assert found_in_order("报告…立即", normalise("立即报告")) == "立即"  # order matters
    assert found_in_order("制定恢復運營方案", normalise("制定恢復(fù)運(yùn)營(yíng)方案")) is None  # pinyin glosses


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed texts are not here ({SEEDS}); they live in shared/seeds")
@pytest.mark.parametrize("plan_id", sorted(builtin_plans()))
def test_every_quote_is_in_its_seed(plan_id):
    seeds = seed_texts()
    plan = load_plan(builtin_plans()[plan_id])
    wrong = []
    for where, clause, quote in quoted_items(plan):
        number = clause.strip()[:3] if clause.strip()[:3].isdigit() else None
        if number is None:  # a choice's note may cite the clause without the seed number: any seed of the plan's
            candidates = [seeds[s[:3]] for s in plan.sources if s[:3] in seeds] or list(seeds.values())
        else:
            candidates = [seeds[number]] if number in seeds else []
        if not candidates:
            wrong.append(f"{where}: its clause names no seed text ({clause!r})")
        elif all(found_in_order(quote, text) is not None for text in candidates):
            missing = found_in_order(quote, candidates[0])
            wrong.append(f"{where}: {missing!r} is not in the seed ({clause!r})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("plan_id", sorted(builtin_plans()))
def test_every_duty_report_requirement_and_choice_quotes_its_clause(plan_id):
    plan = load_plan(builtin_plans()[plan_id])
    unquoted = [f"choices.{name}" for name, c in plan.choices.items() if not c.quote]
    unquoted += [f"{kind} {item.id}" for kind, items in (("duty", plan.duties), ("report", plan.escalation),
                                                         ("requirement", plan.requirements))
                 for item in items if not item.quote]
    assert not unquoted, "no quote: " + ", ".join(unquoted)
