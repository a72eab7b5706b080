"""The batch runner for many replications: split into chunks, run on a local process pool or a Dask
cluster, each chunk's results written to disk as it finishes, and handed on in replication order.

A batch is one or more configurations (a plan and a scenario each), the number of replications, a
seed and a chunk size. Work unit ``(configuration, chunk)`` runs replications
``chunk * size .. (chunk + 1) * size - 1`` of that configuration; replication ``i`` of every
configuration uses the same seed (``seeds.replication_seed``), so configurations are compared on
common random numbers and results do not depend on the number of workers or the executor.

Each finished unit is written as ``results/config=<name>/part-<chunk>.parquet`` (atomically: a
killed run leaves whole parts only) — one row per replication and requirement — by the local
pool's worker that ran it, or by the main process for a Dask cluster. ``resume`` reads
the parts already there and runs only the missing units; ``overwrite`` removes an earlier run's parts
and starts again. Nothing is written before the executor is up, so a scheduler that cannot be
reached leaves the output folder as it was. With no folder (``out=None``) nothing is written and
the results are only handed on (the Python API keeps them; ``save_batch`` writes them later).

Worker processes of the local pool end with the main process, even when it is killed: on Linux the
kernel sends them SIGKILL when it dies (``prctl(PR_SET_PDEATHSIG)``), and everywhere a thread in
each worker exits when the worker finds it has been handed to another parent.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from drillsim.collector import few_collections
from drillsim.scoring.aggregate import CODES, OUTCOMES
from drillsim.scoring.scorecard import Scorer
from drillsim.sim.engine import run_replication
from drillsim.sim.model import Model, build_model
from drillsim.sim.seeds import replication_seed
from drillsim.spec.errors import InputError
from drillsim.spec.plan import Plan
from drillsim.spec.scenario import Scenario

BATCH_SCHEMA = "drillsim.batch/1"


@dataclass(frozen=True)
class Configuration:
    name: str
    plan: Plan
    scenario: Scenario


@dataclass(frozen=True)
class BatchJob:
    configurations: tuple[Configuration, ...]
    reps: int
    seed: int
    chunk: int = 200

    @property
    def chunks(self) -> int:
        return -(-self.reps // self.chunk)

    def requirement_ids(self, config: int) -> list[str]:
        """The requirements of configuration ``config``, in its plan's order: the columns of its results."""
        return [r.id for r in self.configurations[config].plan.requirements]

    def units(self) -> list[tuple[int, int]]:
        """Work units in the order their results are used: configuration by configuration."""
        return [(c, k) for c in range(len(self.configurations)) for k in range(self.chunks)]

    def fingerprint(self) -> dict[str, Any]:
        """What must match for ``resume`` to continue a run."""
        def digest(model: Plan | Scenario) -> str:
            return hashlib.sha256(model.model_dump_json(by_alias=True).encode()).hexdigest()[:16]

        return {
            "schema": BATCH_SCHEMA, "reps": self.reps, "seed": self.seed, "chunk": self.chunk,
            "configurations": [{"name": c.name, "plan": c.plan.id, "scenario": c.scenario.id,
                                "plan_digest": digest(c.plan), "scenario_digest": digest(c.scenario)}
                               for c in self.configurations],
        }


Progress = Callable[[int, int], None]
"""Called with (replications done, replications in all) as results come in."""


@dataclass
class ChunkResult:
    config: int
    chunk: int
    reps: np.ndarray  # (n,)
    outcome: np.ndarray  # (n, R) int8 codes of scoring.aggregate.OUTCOMES
    latency: np.ndarray  # (n, R) float64, NaN where none
    credit: np.ndarray  # (n, R) float32
    score: np.ndarray  # (n,) float64, NaN where nothing applied


# Workers ---------------------------------------------------------------------------------------

class _Worker:
    """What a worker process keeps between chunks: the job it was given and its compiled models."""

    job: BatchJob | None = None
    out: Path | None = None
    models: dict[int, tuple[Model, Scorer]] = {}


def _prepared(job: BatchJob, config: int) -> tuple[Model, Scorer]:
    """The compiled model and scorer of a configuration, built once per worker process and job."""
    if _Worker.job is not job:
        _Worker.job, _Worker.models = job, {}
    if config not in _Worker.models:
        c = job.configurations[config]
        _Worker.models[config] = (build_model(c.plan, c.scenario), Scorer(c.plan))
    return _Worker.models[config]


def run_chunk(job: BatchJob, config: int, chunk: int) -> ChunkResult:
    model, scorer = _prepared(job, config)
    first, last = chunk * job.chunk, min(job.reps, (chunk + 1) * job.chunk)
    n, r = last - first, len(scorer.checks)
    outcome = np.empty((n, r), dtype=np.int8)
    latency = np.full((n, r), np.nan)
    credit = np.empty((n, r), dtype=np.float32)
    score = np.full(n, np.nan)
    incident_type = model.scenario.incident.type
    with few_collections():
        for row, i in enumerate(range(first, last)):
            log = run_replication(model, replication_seed(job.seed, i))
            results = scorer.results(log, incident_type)
            for j, res in enumerate(results):
                outcome[row, j] = CODES[res.outcome]
                credit[row, j] = res.credit
                if res.latency is not None:
                    latency[row, j] = res.latency
            value = scorer.overall(results)
            if value is not None:
                score[row] = value
    return ChunkResult(config, chunk, np.arange(first, last), outcome, latency, credit, score)


# Parts on disk ---------------------------------------------------------------------------------

def _part_path(out: Path, job: BatchJob, config: int, chunk: int) -> Path:
    return out / "results" / f"config={job.configurations[config].name}" / f"part-{chunk:05d}.parquet"


def results_table(res: ChunkResult, requirement_ids: list[str]) -> pa.Table:
    """A unit's results as the tidy table of its part file: one row per replication and requirement."""
    n, r = res.outcome.shape
    return pa.table({
        "replication": _column(np.repeat(res.reps, r), np.int64),
        "requirement": pa.DictionaryArray.from_arrays(_column(np.tile(np.arange(r), n), np.int32),
                                                      _strings(requirement_ids)),
        "outcome": pa.DictionaryArray.from_arrays(_column(res.outcome.ravel(), np.int32),
                                                  _strings([o.value for o in OUTCOMES])),
        "latency_min": _column(res.latency.ravel(), np.float64, nulls=True),
        "credit": _column(res.credit.ravel(), np.float32),
        "score": _column(np.repeat(res.score, r), np.float64, nulls=True),
    })


# A part's columns are made from their buffers, as ``pa.array`` would make them, because a process's
# first ``pa.array`` imports pandas (about 0.2 s: apache/arrow#34994), which each worker would pay.

def _column(values: np.ndarray, dtype: type[np.generic], nulls: bool = False) -> pa.Array:
    """``values`` as an Arrow array of ``dtype``; with ``nulls``, null where a value is NaN."""
    data = np.ascontiguousarray(values, dtype=dtype)
    missing = np.isnan(data) if nulls else None
    validity = None if missing is None or not missing.any() else pa.py_buffer(np.packbits(~missing, bitorder="little"))
    return pa.Array.from_buffers(pa.from_numpy_dtype(dtype), len(data), [validity, pa.py_buffer(data)])


def _strings(values: list[str]) -> pa.Array:
    """``values`` as an Arrow string array: their UTF-8 bytes end to end, and where each one starts."""
    data = [v.encode() for v in values]
    offsets = np.cumsum([0, *map(len, data)], dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), len(values), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))])


def _write_part(out: Path, job: BatchJob, res: ChunkResult) -> None:
    path = _part_path(out, job, res.config, res.chunk)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(results_table(res, job.requirement_ids(res.config)), tmp)
    os.replace(tmp, path)


def _unusable_part(path: Path, what: str) -> InputError:
    return InputError(str(path), f"{what}; this part of the results cannot be used: delete it and run the same "
                      "command with --resume to compute it again")


def _part_rows(path: Path) -> int:
    try:
        return pq.ParquetFile(path).metadata.num_rows
    except (pa.ArrowException, OSError) as err:
        raise _unusable_part(path, f"is not a whole Parquet file ({err})") from None


def _read_part(path: Path, config: int, chunk: int, r: int, expected: range) -> ChunkResult:
    try:
        t = pq.read_table(path)
        t.validate(full=True)
    except (pa.ArrowException, OSError) as err:
        raise _unusable_part(path, f"is not a whole Parquet file ({err})") from None
    names = ["replication", "requirement", "outcome", "latency_min", "credit", "score"]
    if t.column_names != names or t.num_rows != len(expected) * r:
        raise _unusable_part(path, f"holds {t.num_rows} rows with columns {', '.join(t.column_names)}; "
                             f"expected {len(expected) * r} rows ({len(expected)} replications × {r} requirements) "
                             f"with columns {', '.join(names)}")
    n = t.num_rows // r
    outcome = t.column("outcome").combine_chunks().indices.to_numpy().astype(np.int8).reshape(n, r)
    latency = t.column("latency_min").to_numpy(zero_copy_only=False).astype(np.float64).reshape(n, r)
    credit = t.column("credit").to_numpy().reshape(n, r)
    score = t.column("score").to_numpy(zero_copy_only=False).astype(np.float64)[::r]
    reps = t.column("replication").to_numpy()[::r]
    if not np.array_equal(reps, np.arange(expected.start, expected.stop)):
        raise _unusable_part(path, f"holds other replications than {expected.start}..{expected.stop - 1}")
    return ChunkResult(config, chunk, reps, outcome, latency, credit, score)


# Executors -------------------------------------------------------------------------------------

class _Local:
    """A process pool (or, with one worker, this process). A unit's part file is written where the
    unit ran, so that the main process, which shares the cores with the workers, only gathers."""

    saves = True

    def __init__(self, job: BatchJob, workers: int, out: Path | None):
        self.job, self.out = job, out
        self.pool = (ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(job, out, os.getpid()))
                     if workers > 1 else None)
        self.width = 3 * workers

    def submit(self, config: int, chunk: int) -> Future:
        if self.pool is None:
            f: Future = Future()
            f.set_result(_run_and_save(self.job, self.out, config, chunk))
            return f
        return self.pool.submit(_run_in_worker, config, chunk)  # the job went to each worker once, at start

    def close(self, cancel: bool = False) -> None:
        """Stop; with ``cancel``, drop the units not started, and wait for those running to finish
        (and write their parts), so that nothing is written after the run has returned."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=cancel)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _start_worker(job: BatchJob, out: Path | None, parent: int) -> None:
    """Tie this worker's life to the main process, then compile the job's models."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the main process died before the line above
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="drillsim-parent-watch").start()
    _Worker.out = out
    for c in range(len(job.configurations)):
        _prepared(job, c)


def _watch_parent(parent: int, every: float = 1.0) -> None:
    """End this worker once its parent is gone (it is then handed to another process)."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


def _run_in_worker(config: int, chunk: int) -> ChunkResult:
    return _run_and_save(_Worker.job, _Worker.out, config, chunk)


def _run_and_save(job: BatchJob, out: Path | None, config: int, chunk: int) -> ChunkResult:
    """Run a unit and, with an output folder, write its part file."""
    res = run_chunk(job, config, chunk)
    if out is not None:
        _write_part(out, job, res)
    return res


class _Dask:
    """The same work on a Dask distributed cluster, whose workers need not see the output folder:
    the main process writes the part files."""

    saves = False

    def __init__(self, job: BatchJob, scheduler: Any):
        from distributed import Client

        if isinstance(scheduler, Client):
            self.client = scheduler
        else:
            try:
                self.client = Client(scheduler)
            except (OSError, ValueError) as err:  # unreachable, or not an address
                raise InputError("--scheduler", f"cannot use the Dask scheduler at {scheduler!r}: {err}") from None
        self.owned = not isinstance(scheduler, Client)
        self.job = self.client.scatter(job, broadcast=True)
        self.width = 3 * max(1, sum(self.client.nthreads().values()))

    def submit(self, config: int, chunk: int) -> Any:
        return self.client.submit(run_chunk, self.job, config, chunk, pure=False)

    def close(self, cancel: bool = False) -> None:
        if self.owned:
            self.client.close()


def _completed(futures: set) -> tuple[set, set]:
    if futures and not isinstance(next(iter(futures)), Future):
        from distributed import wait as dask_wait

        done = dask_wait(list(futures), return_when="FIRST_COMPLETED")
        return set(done.done), set(done.not_done)
    done, pending = wait(futures, return_when=FIRST_COMPLETED)
    return done, pending


def _check_earlier_run(job: BatchJob, out: Path, resume: bool, overwrite: bool) -> None:
    """Refuse a folder with an earlier run's results, unless it is to be resumed or overwritten."""
    if out.exists() and not out.is_dir():
        raise InputError(str(out), "is a file; the results need a folder")
    manifest = out / "batch.json"
    if manifest.exists() and not overwrite:
        if not resume:
            raise InputError(str(out), "holds the results of an earlier run: add --resume to finish it, "
                             "--force to replace it, or choose another --out")
        try:
            earlier = json.loads(manifest.read_text("utf-8"))
        except (ValueError, OSError) as err:
            raise InputError(str(manifest), f"cannot be read ({err}); it is not the record of a drillsim run") \
                from None
        if earlier != job.fingerprint():
            raise InputError(str(manifest), "was written by a run with other settings, plans or scenarios; "
                             "--resume can only finish the same run")


def _start_folder(job: BatchJob, out: Path, overwrite: bool) -> None:
    """Make the folder and record the run in it (``batch.json``), first removing an earlier run's
    results if ``overwrite``."""
    if overwrite:
        remove_batch_results(out)
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / "batch.json"
    if not manifest.exists():
        manifest.write_text(json.dumps(job.fingerprint(), ensure_ascii=False, indent=1), encoding="utf-8")


def iterate_batch(job: BatchJob, out: Path | None, workers: int | None = None, scheduler: Any = None,
                  resume: bool = False, overwrite: bool = False) -> Iterator[ChunkResult]:
    """Yield every unit's results in order, running what is missing and saving each as it finishes.

    A folder with an earlier run's results is refused unless ``resume`` (finish that same run) or
    ``overwrite`` (remove its results and start again). With ``out`` None nothing is written.
    """
    if out is not None:
        _check_earlier_run(job, out, resume, overwrite)
    requirements = [len(c.plan.requirements) for c in job.configurations]  # a row per replication and each
    units = job.units()

    def replications(chunk: int) -> range:
        return range(chunk * job.chunk, min(job.reps, (chunk + 1) * job.chunk))

    saved = set() if overwrite or out is None else {u for u in units if _part_path(out, job, *u).exists()}
    for u in saved:  # a truncated part is found now, before any work is done
        path = _part_path(out, job, *u)
        if _part_rows(path) != len(replications(u[1])) * requirements[u[0]]:
            raise _unusable_part(path, "holds another number of rows than its replications need")
    missing = [u for u in units if u not in saved]
    executor = None
    if missing:  # before anything is written: an executor that cannot start leaves the folder as it was
        executor = (_Dask(job, scheduler) if scheduler is not None
                    else _Local(job, workers or os.cpu_count() or 1, out))
    try:
        if out is not None:
            _start_folder(job, out, overwrite)
    except BaseException:
        if executor is not None:
            executor.close(cancel=True)
        raise
    ready: dict[tuple[int, int], ChunkResult] = {}
    inflight: dict[Any, tuple[int, int]] = {}
    queue = iter(missing)
    try:
        for unit in units:
            if unit in saved:
                yield _read_part(_part_path(out, job, *unit), *unit, requirements[unit[0]],
                                 replications(unit[1]))
                continue
            while unit not in ready:
                while executor is not None and len(inflight) < executor.width:
                    nxt = next(queue, None)
                    if nxt is None:
                        break
                    inflight[executor.submit(*nxt)] = nxt
                done, _ = _completed(set(inflight))
                for fut in done:
                    u = inflight.pop(fut)
                    res = fut.result()
                    if out is not None and not executor.saves:
                        _write_part(out, job, res)
                    ready[u] = res
            yield ready.pop(unit)
    except BaseException:
        if executor is not None:
            executor.close(cancel=True)
            executor = None
        raise
    finally:
        if executor is not None:
            executor.close()


def save_batch(job: BatchJob, out: Path, results: list[ChunkResult], overwrite: bool = False) -> None:
    """Write a finished run's results (every unit's, kept in memory) as ``iterate_batch`` would have.

    A folder with an earlier run's results is refused unless ``overwrite``.
    """
    if out.exists() and not out.is_dir():
        raise InputError(str(out), "is a file; the results need a folder")
    if (out / "batch.json").exists() and not overwrite:
        raise InputError(str(out), "holds the results of an earlier run: write with overwrite=True to replace "
                         "them, or choose another folder")
    _start_folder(job, out, overwrite)
    for res in results:
        _write_part(out, job, res)


def remove_batch_results(out: Path) -> None:
    """Remove what an earlier batch run wrote that a new one could mistake for its own: the record
    of the run and its parts."""
    (out / "batch.json").unlink(missing_ok=True)
    if (out / "results").is_dir():
        shutil.rmtree(out / "results")
