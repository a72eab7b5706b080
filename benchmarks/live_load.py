"""The live console under load on the loopback address: evaluators stamping at once, each stamp
acknowledged once; the latency of an acknowledgement.

    .venv/bin/python benchmarks/live_load.py [--evaluators 20] [--stamps 50] [--runs 3]

Starts ``drillsim live`` on the demo drill with that many evaluators, starts the drill, and has every
evaluator send its stamps as fast as the server acknowledges them (one request at a time per
evaluator, as the page sends them, all evaluators at once; every fifth stamp sent a second time, as a
page does when an acknowledgement is lost). Prints and writes to benchmarks/results/<date>-live.json
the median, 95th percentile and largest latency of an acknowledgement, per run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx2 as httpx  # the maintained httpx (Pydantic's), the one Starlette's test client prefers

PLAN, SCENARIO = "counter-robbery", "armed-robbery-injured"
KEYS = ("action.lock_cash.cash_teller", "action.sound_audible_alarm.teller", "sent.alarm-110",
        "action.evacuate_hall.guard", "sent.phone-110")
ROLES = "teller,cash_teller,lobby_manager,guard"


def start_server(folder: Path, evaluators: int) -> tuple[subprocess.Popen, str, str, list[str]]:
    """``drillsim live`` with ``evaluators`` evaluators: the process, base address, controller's code
    and the evaluators' codes."""
    args = [a for k in range(evaluators) for a in ("--evaluator", f"e{k:02d}={ROLES}")]
    proc = subprocess.Popen([sys.executable, "-m", "drillsim", "live", PLAN, SCENARIO, "--port", "0", "--db",
                             str(folder / "history.sqlite"), "--out", str(folder / "out"), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=folder)
    lines = []
    for line in proc.stdout:
        lines.append(line.strip())
        if lines[-1] == "ready":
            break
    control = re.search(r"(http://[\d.:]+)/c/(\S+)", lines[1])
    codes = [line.split()[2].rsplit("/", 1)[1] for line in lines[2:-1]]
    return proc, control[1], control[2], codes


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    proc.stdout.close()


async def _token(client: httpx.AsyncClient, path: str) -> str:
    page = (await client.get(path)).text
    return re.search(r'name="csrf-token" content="([^"]+)"', page)[1]


async def _evaluator(client: httpx.AsyncClient, code: str, stamps: int) -> tuple[list[float], set[str], int]:
    """One evaluator's stamps in turn: the latencies, the client ids acknowledged, and the repeats."""
    headers = {"X-CSRF-Token": await _token(client, f"/e/{code}")}
    latencies, acked, repeats = [], set(), 0
    for k in range(stamps):
        body = {"client_id": secrets.token_hex(16), "key": KEYS[k % len(KEYS)], "device_time": int(time.time() * 1000),
                "offset_ms": 0, "uncertainty_ms": 1}
        for again in range(2 if k % 5 == 4 else 1):
            t0 = time.perf_counter()
            r = await client.post(f"/api/e/{code}/stamps", json=body, headers=headers)
            latencies.append(time.perf_counter() - t0)
            answer = r.json()
            assert r.status_code == 200 and answer["ack"], answer
            assert answer["duplicate"] == bool(again), answer
            repeats += again
        acked.add(body["client_id"])
    return latencies, acked, repeats


async def _load(base: str, controller: str, codes: list[str], stamps: int) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=httpx.Limits(max_connections=len(codes) + 2)) as c:
        token = await _token(c, f"/c/{controller}")
        assert (await c.post(f"/api/c/{controller}/start", json={}, headers={"X-CSRF-Token": token})).status_code == 200
        t0 = time.perf_counter()
        results = await asyncio.gather(*(_evaluator(c, code, stamps) for code in codes))
        wall = time.perf_counter() - t0
        state = (await c.get(f"/api/c/{controller}/state")).json()
    latencies = sorted(x for r in results for x in r[0])
    return {"acknowledged": sum(len(r[1]) for r in results), "distinct": len(set().union(*(r[1] for r in results))),
            "repeats_sent": sum(r[2] for r in results), "stamps_kept": state["stamps"], "wall_seconds": round(wall, 3),
            "ack_ms_median": round(1000 * statistics.median(latencies), 2),
            "ack_ms_p95": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 2),
            "ack_ms_max": round(1000 * latencies[-1], 2), "requests": len(latencies)}


def run_load(evaluators: int = 20, stamps: int = 50) -> dict:
    """One run on a fresh server and database."""
    with tempfile.TemporaryDirectory() as tmp:
        proc, base, controller, codes = start_server(Path(tmp), evaluators)
        try:
            return asyncio.run(_load(base, controller, codes, stamps))
        finally:
            stop_server(proc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--evaluators", type=int, default=20)
    ap.add_argument("--stamps", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    runs = [run_load(args.evaluators, args.stamps) for _ in range(args.runs)]
    out = {"date": date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
           f"Python {platform.python_version()}", "load_average": os.getloadavg()[0],
           "evaluators": args.evaluators, "stamps_each": args.stamps, "runs": runs}
    print(json.dumps(out, indent=1))
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / f"{out['date']}-live.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
