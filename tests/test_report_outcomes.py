"""Every outcome a check can give is shown by the reports: the terminal table and the timeline."""


from matplotlib.colors import to_hex
from rich.console import Console

from drillsim.reports.terminal import STYLES, print_scorecard
from drillsim.reports.timeline import OUTCOME_COLOURS, timeline_figure
from drillsim.scoring.outcomes import Outcome
from drillsim.scoring.scorecard import Scorer
from tests.conftest import make_log


def _card_with_every_outcome(plan):
    log = make_log((0, "inject", "robbers-enter"))
    card = Scorer(plan).score(log)
    one = card.results[0]
    card.results = [one._replace(id=f"R{i}", outcome=o) for i, o in enumerate(Outcome)]
    return log, card


def test_the_terminal_table_styles_every_outcome(robbery_plan):
    _, card = _card_with_every_outcome(robbery_plan)
    console = Console(record=True, width=200, color_system="truecolor")
    print_scorecard(card, console)
    text = console.export_text()
    for outcome in Outcome:
        assert outcome.value in text
        assert STYLES[outcome]


def test_the_timeline_colours_every_outcome(robbery_plan):
    log, card = _card_with_every_outcome(robbery_plan)
    fig = timeline_figure(robbery_plan, log, card)
    labels = {t.get_text(): to_hex(t.get_color()) for ax in fig.axes for t in ax.texts}
    for outcome in Outcome:
        assert labels[outcome.value] == OUTCOME_COLOURS[outcome]
