"""Bench: memory of posting one comment with 10 files (~100 MiB) through RelayClient.

relay takes up to 10 files and 100 MB per comment. relaydash must pass them on without
holding them in memory: plain `requests.post(files=...)` builds the whole multipart body
in RAM (hundreds of MB for one upload), the client streams it with requests-toolbelt's
MultipartEncoder instead. This measures that, for real:

    .venv/bin/python bench/comment_upload_memory.py

1. Starts the project with the sandbox mounted (bench/_server.py: gunicorn gthread, DEBUG
   on, a temporary SQLite database after migrate and `seed_sandbox --orders 5`) in a
   subprocess on a free loopback port.
2. Writes 10 temporary files totalling just under 100 MiB.
3. Warms the client up (one read, one small comment), then resets this process's peak
   RSS (/proc/self/clear_refs "5"; if that is refused, the growth of VmHWM is reported),
   posts one comment with the 10 files and reads the peak (VmHWM) again.
4. Prints the peak RSS growth (target: under 30 MB) and checks that relay lists the new
   comment with 10 attachments.

Only this (client) process is measured; the server is a separate process.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests
from _server import API_KEY, ROOT, project_server

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from relaydash.relay.client import MAX_COMMENT_BYTES, MAX_COMMENT_FILES, RelayClient  # noqa: E402
from relaydash.relay.records import UploadFile  # noqa: E402

TARGET_MB = 30.0
MiB = 1024 * 1024


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0); False when not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def measure(upload: Callable[[], int]) -> tuple[int, float, float, bool]:
    """Run `upload`; return its result, the peak RSS growth in MB, seconds, peak reset?"""
    rss_before = status_kb("VmRSS")
    peak_reset = reset_peak()
    hwm_before = status_kb("VmHWM")
    started = time.perf_counter()
    result = upload()
    elapsed = time.perf_counter() - started
    growth_kb = status_kb("VmHWM") - (rss_before if peak_reset else hwm_before)
    return result, growth_kb / 1024, elapsed, peak_reset


def naive_upload(url: str, order_id: int, paths: list[Path]) -> int:
    """For comparison only: what plain requests does with the same files."""
    handles = [p.open("rb") for p in paths]
    try:
        response = requests.post(
            f"{url}/orders/{order_id}/comments",
            headers={"Authorization": f"Bearer {API_KEY}"},
            data={"text": "naive", "authorName": "bench"},
            files=[
                ("files", (p.name, h, "application/octet-stream"))
                for p, h in zip(paths, handles, strict=True)
            ],
            timeout=(3.05, 300),
        )
        response.raise_for_status()
        return int(response.json()["id"])
    finally:
        for h in handles:
            h.close()


def make_files(workdir: Path) -> list[Path]:
    # 10 files, each 10 MiB less 64 KiB: ~99.4 MiB together, just under relay's limit.
    size = MAX_COMMENT_BYTES // MAX_COMMENT_FILES - 64 * 1024
    block = os.urandom(MiB)
    paths = []
    for i in range(MAX_COMMENT_FILES):
        path = workdir / f"upload-{i:02d}.bin"
        with path.open("wb") as f:
            written = 0
            while written < size:
                chunk = block[: min(MiB, size - written)]
                f.write(chunk)
                written += len(chunk)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--naive",
        action="store_true",
        help="afterwards, also measure plain requests.post(files=...) (shows the measurement sees growth)",
    )
    args = parser.parse_args()
    naive_growth: float | None = None
    with (
        tempfile.TemporaryDirectory(prefix="relaydash-bench-") as tmp,
        project_server(orders=5, seed=42, debug=True) as server,
    ):
        workdir = Path(tmp)
        url = server.relay_url
        client = RelayClient(base_url=url, api_key=server.api_key, retries=0)
        paths = make_files(workdir)
        total = sum(p.stat().st_size for p in paths)
        order_id = client.get_orders()[0].id
        assert order_id is not None

        # Warm-up: the same code path with a tiny file, so imports and pools are not
        # counted as growth.
        tiny = UploadFile(name="warmup.txt", stream=io.BytesIO(b"warm-up"), size=7)
        client.create_order_comment(order_id, text="warm-up", author_name="bench", files=[tiny])

        streams = [p.open("rb") for p in paths]
        files = [
            UploadFile(name=p.name, stream=s, size=p.stat().st_size, content_type="application/octet-stream")
            for p, s in zip(paths, streams, strict=True)
        ]
        comment_id, growth_mb, elapsed, peak_reset = measure(
            lambda: client.create_order_comment(
                order_id, text="Bench: 10 Dateien", author_name="bench", files=files
            )
        )
        for s in streams:
            s.close()
        if args.naive and peak_reset:
            _, naive_growth, _, _ = measure(lambda: naive_upload(url, order_id, paths))

        comment = next(c for c in client.get_order_comments(order_id) if c.id == comment_id)
        attachments = len(comment.attachments)

    rate = total / MiB / elapsed
    print(f"upload: {len(files)} files, {total / MiB:.1f} MiB in {elapsed:.1f} s ({rate:.0f} MiB/s)")
    how = "peak reset via clear_refs" if peak_reset else "clear_refs refused: growth of VmHWM"
    print(f"peak RSS growth through RelayClient: {growth_mb:.1f} MB ({how}; target < {TARGET_MB:.0f} MB)")
    if naive_growth is not None:
        print(f"peak RSS growth with plain requests.post(files=...), for comparison: {naive_growth:.1f} MB")
    print(f"comment {comment_id}: {attachments} attachments listed by relay")
    ok = growth_mb < TARGET_MB and attachments == len(files)
    verdict = "OK" if ok else "FAIL"
    print(
        f"verdict: {verdict}: streamed {total / MiB:.0f} MiB with {growth_mb:.1f} MB peak growth, "
        f"{attachments}/{len(files)} attachments"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
