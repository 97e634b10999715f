"""How long one ticket's images take: render_png + render_svg of a fresh ticket code, median of many.

Run: .venv/bin/python -m tests.integrations.bench_qr [count]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid

from integrations import qr


def main(count: int) -> None:
    key = os.urandom(32)
    codes = [qr.sign(key, "ticket", uuid.uuid4(), 1) for _ in range(count)]
    png_ms, svg_ms = [], []
    for code in codes:
        started = time.perf_counter()
        png = qr.render_png(code)
        rendered = time.perf_counter()
        svg = qr.render_svg(code)
        png_ms.append((rendered - started) * 1000)
        svg_ms.append((time.perf_counter() - rendered) * 1000)
    both = [p + s for p, s in zip(png_ms, svg_ms, strict=True)]
    print(f"{count} tickets, QR version {qr.qr_version(codes[0])}, PNG {len(png)} B, SVG {len(svg)} B")
    for name, values in (("png", png_ms), ("svg", svg_ms), ("png+svg", both)):
        p95 = statistics.quantiles(values, n=20)[-1]
        print(f"{name:8} median {statistics.median(values):6.2f} ms  p95 {p95:6.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
