"""A batch run leaves nothing behind: not a file when it cannot start, not a process when it is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dask
import distributed  # noqa: F401 - its defaults must be in dask's config before config.set
import pytest

from tests.clirun import drillsim
from tests.conftest import ROOT

BATCH = ("run", "counter-robbery", "robbers-flee", "--reps", "4", "--workers", "1")


@pytest.mark.parametrize("exists", [False, True], ids=["new folder", "empty folder"])
def test_an_unreachable_scheduler_leaves_nothing_behind(tmp_path, exists):
    out = tmp_path / "variants"
    if exists:
        out.mkdir()
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        ran = drillsim(*BATCH, "--scheduler", "tcp://127.0.0.1:1", "--out", out)
    assert ran.code == 2 and ran.err.startswith("error: --scheduler:") and "127.0.0.1:1" in ran.err, ran.text
    assert (list(out.iterdir()) == []) if exists else not out.exists()
    assert drillsim(*BATCH, "--out", out).code == 0  # nothing blocks the next run into that folder


def test_force_replaces_an_earlier_run(tmp_path):
    out = tmp_path / "run"
    assert drillsim(*BATCH, "--seed", "1", "--out", out).code == 0
    assert drillsim(*BATCH, "--seed", "2", "--out", out).code == 2
    assert drillsim(*BATCH, "--seed", "2", "--out", out, "--force").code == 0
    assert json.loads((out / "batch.json").read_text("utf-8"))["seed"] == 2
    assert json.loads((out / "summary.json").read_text("utf-8"))["seed"] == 2
    # one drill over a batch: --force also removes the batch's parts, which a later --resume would take as its own
    assert drillsim("run", "counter-robbery", "robbers-flee", "--out", out).code == 2
    assert drillsim("run", "counter-robbery", "robbers-flee", "--out", out, "--force").code == 0
    assert not (out / "batch.json").exists() and not (out / "results").exists()
    assert (out / "scorecard.json").exists()


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the worker processes")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killing_the_main_process_ends_its_workers(tmp_path, how):
    cmd = [sys.executable, "-m", "drillsim", "run", "counter-robbery", "robbers-flee", "--reps", "200000",
           "--workers", "2", "--out", str(tmp_path / "run")]
    main = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            workers = {pid for pid in _children(main.pid) if _alive(pid)}
        assert len(workers) == 2, "the pool's two workers did not start"
        time.sleep(1.0)  # let the workers reach their work
        os.kill(main.pid, how)
        main.wait(timeout=30)
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in workers if _alive(pid)], "worker processes outlived the main process"
    finally:  # a failing run leaves no process behind either
        for pid in [main.pid, *workers]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        main.wait()
