"""Default parameters for what a scenario leaves out. Each cites its source or is marked as an
assumption; ``docs/parameters.md`` is the table of these values with their sources."""

from __future__ import annotations

from .distributions import Distribution, parse_distribution

D = parse_distribution

HUMAN_REACTION = D({"lognormal": {"median": "15s", "p90": "1min"}})  # assumption
OFFICE_HANDLING = D({"lognormal": {"median": 2, "p90": 6}})  # assumption
PERSON_TRAVEL = D({"lognormal": {"median": 15, "p90": 30}})  # assumption: off-site staff to the branch

# Standard channel ids: latency, failure probability, how long a caller waits for an answer, talk time.
CHANNELS: dict[str, dict[str, Distribution | float]] = {
    # silent alarm reaches 110 in under a minute (docs/parameters.md, S1)
    "alarm_button": {"latency": D({"uniform": ["5s", "50s"]}), "failure": 0.01},
    "phone": {"latency": D({"uniform": ["5s", "20s"]}), "failure": 0.02, "answer_within": 1.0,
              "talk": D({"lognormal": {"median": 1.5, "p90": 4}})},  # assumption
    "radio": {"latency": D("3s"), "failure": 0.02, "answer_within": 0.5,
              "talk": D({"lognormal": {"median": 0.5, "p90": 1.5}})},  # assumption
    "in_person": {"latency": D("10s"), "failure": 0.0, "answer_within": 2.0,
                  "talk": D({"lognormal": {"median": 1, "p90": 3}})},  # assumption
    "fax": {"latency": D({"triangular": [2, 5, 15]}), "failure": 0.02},  # assumption
    "electronic": {"latency": D({"uniform": [0.5, 3]}), "failure": 0.01},  # assumption
}

# Public services: time to answer a call, to dispatch a unit, to travel; units available.
AGENCIES: dict[str, dict[str, Distribution | int]] = {
    # 110: call answered and dispatched in about 60-125 s (S2); urban arrival median ~5 min,
    # 90th percentile ~9 min (S3)
    "police": {"answer": D("5s"), "dispatch": D({"uniform": [1.0, 2.1]}),
               "travel": D({"lognormal": {"median": 5, "p90": 9}}), "units": 3},
    # 119: turnout 45 s by day (S5), crews reach the district edge within 5 min of dispatch (S5)
    "fire": {"answer": D("5s"), "dispatch": D("45s"),
             "travel": D({"lognormal": {"median": 3.5, "p90": 5}}), "units": 2},
    # 120: 95% of calls answered within 10 s (S6); urban mean response about 12 min (S7)
    "ambulance": {"answer": D({"uniform": ["2s", "10s"]}), "dispatch": D(1),
                  "travel": D({"lognormal": {"median": 10, "p90": 16}}), "units": 2},
    # an outsourced vendor (ATM, power, security systems) sends an engineer: assumption
    "vendor": {"answer": D({"lognormal": {"median": "15s", "p90": "40s"}}), "dispatch": D({"uniform": [5, 20]}),
               "travel": D({"lognormal": {"median": 45, "p90": 90}}), "units": 2},
    # bodies that receive reports and send nobody (regulator, central bank, government): assumption
    "other": {"answer": D({"lognormal": {"median": "15s", "p90": "40s"}}), "dispatch": D(0), "travel": D(0),
              "units": 0},
}
