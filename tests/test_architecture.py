"""The lines the design keeps: the scorer reads logs and knows nothing of SimPy."""

import subprocess
import sys


def test_scoring_and_log_reading_do_not_load_simpy():
    code = ("import sys, drillsim.scoring.scorecard, drillsim.log.drill_log, drillsim.reports.terminal;"
            "print('simpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_no_eval_or_exec_on_file_text():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for folder in ("spec", "log", "sim", "agents", "scoring", "reports", "drillsim"):
        for path in (root / folder).rglob("*.py"):
            text = path.read_text("utf-8")
            assert "eval(" not in text.replace("literal_eval(", "") and "exec(" not in text, path
