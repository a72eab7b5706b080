"""A batch's part files: one row per replication and requirement, null where a replication has no
latency or no score, written without importing pandas (each worker writes its own)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa

from drillsim.runner import ChunkResult, results_table
from drillsim.scoring.aggregate import OUTCOMES


def _chunk_with_gaps():
    latency = np.array([[1.5, np.nan, 0.25], [np.nan, np.nan, 7.0]])
    return ChunkResult(0, 3, np.array([60, 61]), np.array([[0, 1, 2], [3, 1, 0]], dtype=np.int8), latency,
                       np.array([[1.0, 0.5, 0.0], [0.25, 1.0, 1.0]], dtype=np.float32), np.array([80.5, np.nan]))


def test_a_part_holds_every_result_with_nulls_where_there_is_none():
    res, ids = _chunk_with_gaps(), ["报告-110", "notify-police", "记录"]
    got = results_table(res, ids)
    names = [o.value for o in OUTCOMES]
    assert got.to_pydict() == {
        "replication": [60, 60, 60, 61, 61, 61],
        "requirement": ids * 2,
        "outcome": [names[0], names[1], names[2], names[3], names[1], names[0]],
        "latency_min": [1.5, None, 0.25, None, None, 7.0],
        "credit": [1.0, 0.5, 0.0, 0.25, 1.0, 1.0],
        "score": [80.5, 80.5, 80.5, None, None, None],
    }
    got.validate(full=True)
    names_of = pa.dictionary(pa.int32(), pa.string())
    assert got.schema == pa.schema([("replication", pa.int64()), ("requirement", names_of), ("outcome", names_of),
                                    ("latency_min", pa.float64()), ("credit", pa.float32()), ("score", pa.float64())])


def test_writing_a_part_does_not_import_pandas(tmp_path):
    """pyarrow imports pandas on a process's first ``pa.array`` (about 0.2 s): each worker would pay it."""
    code = f"""
import sys
import numpy as np
import pyarrow.parquet as pq
from drillsim.runner import ChunkResult, results_table
res = ChunkResult(0, 0, np.arange(2), np.zeros((2, 1), np.int8), np.array([[np.nan], [1.0]]),
                  np.ones((2, 1), np.float32), np.array([np.nan, 2.0]))
pq.write_table(results_table(res, ["r"]), {str(tmp_path / "part.parquet")!r})
print("pandas" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False"]
    assert pd.read_parquet(tmp_path / "part.parquet")["latency_min"].isna().tolist() == [True, False]
