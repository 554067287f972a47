"""How many bytes a phone downloads to install the app shell (everything the service worker precaches).

Reads the precache list from pwa/sw.js (plus sw.js itself), and prints each file's size raw and gzipped, and the
totals. No server needed: this is what a gzip-capable server sends over the wire, before HTTP headers.

    python -m bench.pwa_shell_size [--level 6] [--url http://127.0.0.1:8000]

With --url it also fetches every file from a running server with `Accept-Encoding: gzip, br` and reports the
bytes really sent, so a server that does not compress shows up.
"""

from __future__ import annotations

import argparse
import gzip
import re
from pathlib import Path

PWA = Path(__file__).resolve().parent.parent / "pwa"


def shell_files() -> list[Path]:
    source = (PWA / "sw.js").read_text()
    block = re.search(r"const SHELL = \[(.*?)\];", source, re.S)
    if block is None:
        raise SystemExit("no SHELL list in pwa/sw.js")
    entries = [entry.removeprefix("./") for entry in re.findall(r"'([^']+)'", block.group(1))]
    # "./" is index.html again under another URL: the browser downloads it twice, so count it twice.
    files = [PWA / (entry or "index.html") for entry in entries]
    return [PWA / "sw.js", *files]


def catalogue_files() -> list[Path]:
    """The other languages' catalogues, cached at install beside the shell but not needed to start the app."""
    block = re.search(r"const CATALOGUES = \[(.*?)\];", (PWA / "sw.js").read_text(), re.S)
    return [PWA / entry.removeprefix("./") for entry in re.findall(r"'([^']+)'", block.group(1))] if block else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", type=int, default=6, help="gzip level (6 is the usual server default)")
    parser.add_argument("--url", help="base URL of a running server to measure what it really sends")
    args = parser.parse_args()
    rows = []
    for path in shell_files():
        raw = path.read_bytes()
        # Images are already compressed; servers do not gzip PNGs, so count those raw.
        squeezed = raw if path.suffix == ".png" else gzip.compress(raw, compresslevel=args.level, mtime=0)
        rows.append((str(path.relative_to(PWA)), len(raw), len(squeezed)))
    width = max(len(name) for name, _, _ in rows)
    print(f"{'file':<{width}}  {'raw B':>8}  {'gzip B':>8}")
    for name, raw, squeezed in rows:
        print(f"{name:<{width}}  {raw:>8}  {squeezed:>8}")
    total_raw = sum(raw for _, raw, _ in rows)
    total_gzip = sum(squeezed for _, _, squeezed in rows)
    print(f"{'total (' + str(len(rows)) + ' requests)':<{width}}  {total_raw:>8}  {total_gzip:>8}")
    js = [(raw, squeezed) for name, raw, squeezed in rows if name.endswith(".js")]
    print(f"JavaScript: {sum(r for r, _ in js)} B raw, {sum(s for _, s in js)} B gzip in {len(js)} modules")
    print(f"App shell transfer (gzip level {args.level}): {total_gzip / 1024:.1f} KiB")
    extra = [(path, path.read_bytes()) for path in catalogue_files()]
    if extra:
        squeezed = {path.name: len(gzip.compress(raw, compresslevel=args.level, mtime=0)) for path, raw in extra}
        print("Other languages' catalogues, cached after the shell (not needed to start): "
              + ", ".join(f"{name} {size / 1024:.1f}" for name, size in squeezed.items())
              + f" KiB gzip; {sum(squeezed.values()) / 1024:.1f} KiB in all")
    if args.url:
        measure_server(args.url)


def measure_server(base_url: str) -> None:
    import httpx

    sent = 0
    encodings: set[str] = set()
    with httpx.Client(base_url=base_url, headers={"Accept-Encoding": "gzip, br"}) as client:
        for path in shell_files():
            relative = path.relative_to(PWA).as_posix()
            response = client.get("/" + relative)
            response.raise_for_status()
            sent += response.num_bytes_downloaded
            encodings.add(response.headers.get("content-encoding", "identity"))
    print(f"Server at {base_url} sent {sent / 1024:.1f} KiB of bodies (content-encoding: {', '.join(sorted(encodings))})")


if __name__ == "__main__":
    main()
