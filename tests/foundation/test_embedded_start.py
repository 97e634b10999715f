"""The embedded PostgreSQL starts once when several processes ask for it at the same moment (pytest-xdist
workers, `moteplass run`'s processes) on an empty data directory."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from service import db
from service.settings import PROJECT_ROOT

# Each process imports everything first, then waits for the same moment to ask, so the asks truly overlap.
ASK = """
import sys, time
from pathlib import Path
from service import db
while time.time() < float(sys.argv[2]):
    pass
print(db.embedded_database_url(Path(sys.argv[1])))
"""


def test_embedded_server_started_from_four_processes_at_once_starts_once() -> None:
    # Under the project (not /tmp, whose per-user folders the library's own user may not enter when run as root).
    (PROJECT_ROOT / ".data").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=PROJECT_ROOT / ".data") as scratch:
        data_dir = Path(scratch) / "race"
        start_at = str(time.time() + 3)
        try:
            processes = [
                subprocess.Popen(
                    [sys.executable, "-c", ASK, str(data_dir), start_at],
                    cwd=PROJECT_ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(8)
            ]
            results = [process.communicate(timeout=120) for process in processes]

            codes = [process.returncode for process in processes]
            urls = {out.strip() for out, _ in results}
            assert (codes, len(urls)) == ([0] * 8, 1), [err[-500:] for _, err in results]
            assert next(iter(urls)).startswith("postgresql://")
        finally:
            db.stop_embedded(data_dir)
