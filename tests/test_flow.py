"""Message flow: how reports queued at each receiver, read from the log alone."""

import pytest

from drillsim.scoring.flow import message_flow
from tests.conftest import make_log


def test_reports_queueing_at_one_office(robbery_plan):
    log = make_log(
        (0, "inject", "x"),
        (1.0, "sent", "head-written-office", "branch_head", "upper_office", "electronic"),
        (1.5, "sent", "leader-written-office", "duty_leader", "upper_office", "electronic"),
        (3.0, "received", "head-written-office", "branch_head", "upper_office", "electronic"),
        (6.0, "received", "leader-written-office", "duty_leader", "upper_office", "electronic"),
        (7.0, "sent", "office-to-group", "upper_office", "leadership_group", "phone"),
        (8.0, "unanswered", "office-to-group", "upper_office", "leadership_group", "phone"),
    )
    flow = {f.receiver: f for f in message_flow(log, robbery_plan)}
    office = flow["upper_office"]
    assert (office.attempts, office.received, office.max_waiting) == (2, 2, 2)
    assert office.mean_wait == pytest.approx((2.0 + 4.5) / 2) and office.max_wait == pytest.approx(4.5)
    group = flow["leadership_group"]
    assert (group.attempts, group.received, group.unanswered, group.mean_wait) == (1, 0, 1, None)
    assert list(flow) == ["upper_office", "leadership_group"]  # the worst queue first
