"""Photos processed per second per core, and the memory each takes, for 12-megapixel phone JPEGs.

Four ways of turning one upload into a 1600 px display variant and a 320 px thumbnail:

- ``estatewalk``: the server's own pipeline (``server.photos.processing.process_photo``): checks, full decode,
  EXIF orientation, colour profile to sRGB, both variants re-encoded from pixels only. JPEG draft mode on.
- ``estatewalk, no draft``: the same with draft mode off (libjpeg decodes all 12 megapixels).
- ``plain``: Pillow's "open, thumbnail, save" (``thumbnail`` itself asks the decoder for a draft), then the
  thumbnail from the display image. No checks, no orientation, metadata not removed.
- ``plain, no draft``: the same with ``load()`` first, so every pixel is decoded at full size.

Each way runs in a fresh child process, one photo at a time on one thread (so the rate is per core), after one
warm-up photo. Memory is the child's peak resident set (``VmHWM``) above what it held before the first photo,
so it counts Pillow's pixel buffers, which ``tracemalloc`` cannot see. Two last runs use every core: the pipeline
on one thread per core (Pillow releases the GIL while decoding, resizing and encoding), and as the server runs it,
in its pool of worker processes (``server.photos.workers``; wall-clock rate only, the work being elsewhere).

    .venv/bin/python -m bench.photo_processing [--photos 20]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import datetime as dt
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WAYS = ["estatewalk", "estatewalk, no draft", "plain", "plain, no draft"]
MAX_PIXELS = 40_000_000


def phone_jpeg(seed: int) -> bytes:
    """A 4000 × 3000 JPEG at quality 90 with sensor-like grain, portrait orientation and GPS, as phones send."""
    from PIL import ExifTags, Image

    size = (4000, 3000)
    scene = Image.effect_mandelbrot(size, (-2.0 + seed * 0.01, -1.2, 0.8, 1.2), 80).convert("RGB")
    grain = Image.merge("RGB", [Image.effect_noise(size, 40) for _ in range(3)])
    image = Image.blend(scene, grain, 0.35)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (51.0, 32.0, 17.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def plain(data: bytes, draft: bool) -> tuple[bytes, bytes]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if not draft:
            image.load()
        image.thumbnail((1600, 1600))
        display = io.BytesIO()
        image.save(display, "JPEG", quality=82)
        image.thumbnail((320, 320))
        thumb = io.BytesIO()
        image.save(thumb, "JPEG", quality=75)
    return display.getvalue(), thumb.getvalue()


def process(way: str, data: bytes) -> int:
    from server.photos.processing import process_photo

    if way.startswith("estatewalk"):
        result = process_photo(data, max_pixels=MAX_PIXELS, draft="no draft" not in way)
        return len(result.display) + len(result.thumb)
    display, thumb = plain(data, draft="no draft" not in way)
    return len(display) + len(thumb)


async def _in_workers(photos: list[bytes], workers_count: int) -> int:
    """As the server runs it: the worker pool (one process per core), all photos submitted at once."""
    from server.photos import workers
    from server.photos.processing import process_photo

    results = await asyncio.gather(*[
        workers.run_isolated(2**30, process_photo, data, max_pixels=MAX_PIXELS) for data in photos])
    workers.shutdown()
    return sum(len(r.display) + len(r.thumb) for r in results)


def peak_rss_bytes() -> int:
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the parent through fork and exec, so
    # a child of a parent that once held big images would report the parent's peak.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def current_rss_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize()


def child(way: str, inputs: list[Path], threads: int) -> dict:
    import PIL.Image  # noqa: F401 - imported before the baseline, so code is not counted as photo memory

    import server.photos.processing  # noqa: F401

    photos = [path.read_bytes() for path in inputs]
    # Baseline: the process with its code and the input bytes loaded, before any pixel is decoded. The warm-up
    # photo (imports of codecs, first allocations) counts towards the peak: it is a photo like the others.
    before = current_rss_bytes()
    process(way, photos[0])
    if way == "estatewalk, worker processes":
        from server.photos import workers

        # Start the pool (forkserver and workers) before the clock: a server does this once, not per photo.
        async def start_pool() -> None:
            await asyncio.gather(*[workers.run_isolated(2**30, time.sleep, 0.2) for _ in range(threads)])

        asyncio.run(start_pool())
    started_cpu, started = time.process_time(), time.perf_counter()
    if way == "estatewalk, worker processes":
        out_bytes = asyncio.run(_in_workers(photos, threads))
    elif threads == 1:
        out_bytes = sum(process(way, data) for data in photos)
    else:
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            out_bytes = sum(pool.map(lambda data: process(way, data), photos))
    elapsed = time.perf_counter() - started
    return {"way": way, "threads": threads, "photos": len(photos), "seconds": elapsed,
            "cpu_seconds": time.process_time() - started_cpu, "per_second": len(photos) / elapsed,
            "peak_extra_mb": (peak_rss_bytes() - before) / 2**20, "peak_mb": peak_rss_bytes() / 2**20,
            "output_kb_per_photo": out_bytes / len(photos) / 1024}


def run_child(way: str, inputs: list[Path], threads: int) -> dict:
    command = [sys.executable, "-m", "bench.photo_processing", "--child", way, "--threads", str(threads),
               *map(str, inputs)]
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except FileNotFoundError:
        pass
    import PIL

    load = os.getloadavg()[0]
    return (f"{model}, {os.cpu_count()} cores; Python {platform.python_version()}, Pillow {PIL.__version__}; "
            f"load average {load:.1f} at the start; {dt.datetime.now(dt.timezone.utc):%a %d %b %Y %H:%M} UTC")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=20, help="photos per way (distinct images, 4 reused)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("inputs", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.inputs, args.threads)))
        return

    print(machine())
    with tempfile.TemporaryDirectory() as scratch:
        distinct = [Path(scratch) / f"photo{seed}.jpg" for seed in range(4)]
        for seed, path in enumerate(distinct):
            path.write_bytes(phone_jpeg(seed))
        inputs = [distinct[i % len(distinct)] for i in range(args.photos)]
        size_mb = sum(p.stat().st_size for p in distinct) / len(distinct) / 2**20
        print(f"{args.photos} photos of 4000 × 3000 (12 MP), {size_mb:.1f} MB each on average\n")
        results = [run_child(way, inputs, 1) for way in WAYS]
        cores = os.cpu_count() or 1
        if cores > 1:
            results.append(run_child("estatewalk", inputs, cores))
        results.append(run_child("estatewalk, worker processes", inputs, cores))

    # Two rates: by the wall clock (what a server saw, slowed by anything else running), and by CPU time
    # (photos per second one fully available core would do; the figure to compare ways by on a busy machine).
    print("| way | threads | photos/s (wall) | photos/s per core (CPU time) | CPU ms per photo "
          "| peak memory above idle, MB | output KB per photo |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        if r["way"] == "estatewalk, worker processes":
            # The work happens in other processes: this process's CPU time and memory say nothing about it.
            print(f"| {r['way']} | {r['threads']} processes | {r['per_second']:.2f} | – | – | – "
                  f"| {r['output_kb_per_photo']:.0f} |")
            continue
        cpu_ms = 1000 * r["cpu_seconds"] / r["photos"]
        print(f"| {r['way']} | {r['threads']} | {r['per_second']:.2f} | {1000 / cpu_ms:.2f} | {cpu_ms:.0f} "
              f"| {r['peak_extra_mb']:.0f} | {r['output_kb_per_photo']:.0f} |")


if __name__ == "__main__":
    main()
