"""Outputs stay byte-identical unless a change means them to differ (scripts/golden.py).

Every built-in scenario over five seeds (the log and the scorecard), the demo's report page and a
many-run summary are compared with ``tests/data/golden.json``. After an intended change, record the
new outputs with ``.venv/bin/python scripts/golden.py --update`` and say why in the commit.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import golden


def test_every_built_in_scenario_gives_the_recorded_outputs():
    recorded = json.loads(golden.RECORD.read_text("utf-8"))
    now = golden.outputs()
    assert len(now) > 1000
    assert golden.differences(recorded, now) == []
