"""`flask demo --responses N` keeps its memory flat as N grows, on SQLite as on PostgreSQL:
measured in fresh processes (the resident memory's high-water mark), twice the responses take
not much more memory than once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZE = 5000  # two chunks of the generator; twice as many is four


def _memory_added(size: int, database: Path) -> float:
    """MB the generator adds to a fresh process, writing `size` responses to a fresh SQLite."""
    command = [
        sys.executable, "-m", "bench.exports", "bulk-memory", str(size), f"sqlite:///{database}"
    ]  # fmt: skip
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr[-2000:]
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    assert result["responses"] == size
    return result["rss_peak_mb"] - result["rss_before_mb"]


def test_twice_the_responses_take_not_much_more_memory_on_sqlite(tmp_path):
    """Seen: 206, 547 and 762 MB for 10k, 100k and 1M responses (SQLite's page cache and the
    chunk's rows grew with N)."""
    once = _memory_added(SIZE, tmp_path / "once.db")
    twice = _memory_added(2 * SIZE, tmp_path / "twice.db")

    assert twice <= once * 1.3, f"{once:.0f} MB for {SIZE:,}, {twice:.0f} MB for {2 * SIZE:,}"
