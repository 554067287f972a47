"""Time for the phone app to empty its outbox over a slow mobile link, against the real server.

One inspection with 30 issues and 40 photos is recorded in headless Chromium while the phone has no signal
(the photos go through the app's own pipeline: decode, downscale to 2048 px, JPEG, SHA-256, IndexedDB). Then the
network returns, throttled with Chrome DevTools' network emulation (default 1.6 Mbit/s both ways, 150 ms
latency), and the clock runs until the outbox and the photo queue are empty. The figure is set against the
bound: bytes sent / bandwidth.

    python -m bench.pwa_throttled_sync [--mbps 1.6] [--upload-mbps 1.6] [--latency-ms 150] [--issues 30] [--photos 40]
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import tempfile
import threading
import time
from pathlib import Path

from bench.server_process import free_port

PWA = Path(__file__).resolve().parent.parent / "pwa"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

QUEUE_STATE = """async () => {
  const db = await new Promise((ok) => { const r = indexedDB.open('estatewalk'); r.onsuccess = () => ok(r.result); });
  const all = (s) => new Promise((ok) => { const r = db.transaction(s).objectStore(s).getAll(); r.onsuccess = () => ok(r.result); });
  const outbox = await all('outbox'); const blobs = await all('blobs');
  db.close();
  return { changes: outbox.length, photos: blobs.filter((b) => !b.uploaded).length,
           photoBytes: blobs.reduce((n, b) => n + b.byte_size, 0) };
}"""

# Record the walk with the app's own modules, exactly as the screens do (one transaction per defect).
RECORD_WALK = """async ({ issues, photos, estateId }) => {
  const { recordChange, recordChanges } = await import('/js/outbox.js');
  const { preparePhoto } = await import('/js/photos.js');
  const { photoChanges } = await import('/js/views/photo-picker.js');
  const inspectionId = crypto.randomUUID();
  await recordChange('inspection.create', { id: inspectionId, estate_id: estateId, date: new Date().toISOString().slice(0, 10),
                                            attendees: ['Bench Staff', 'Bench Rep'], notes: 'benchmark walk' });
  let photoNumber = 0;
  for (let i = 0; i < issues; i += 1) {
    const id = crypto.randomUUID();
    const count = Math.floor(photos / issues) + (i < photos % issues ? 1 : 0);
    const prepared = [];
    for (let k = 0; k < count; k += 1) {
      const blob = await (await fetch(`/bench-photo/${photoNumber}.jpg`)).blob();
      photoNumber += 1;
      prepared.push({ ...(await preparePhoto(blob)), captured_at: new Date().toISOString() });
    }
    const changes = photoChanges(id, prepared);
    await recordChanges([{ name: 'issue.create', args: { id, estate_id: estateId, location_id: null, category: 'other',
      title: `Bench defect ${i + 1}`, description: 'recorded by bench/pwa_throttled_sync.py', priority: 'normal',
      captured_at: new Date().toISOString(), inspection_id: inspectionId } }, ...changes.mutations], { blobs: changes.blobs });
  }
  return photoNumber;
}"""


def camera_jpeg(seed: int) -> bytes:
    """A 4000×3000 camera-like JPEG: smooth light with fine texture, so it compresses like a real photo."""
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    small = Image.frombytes("RGB", (200, 150), bytes(rng.randrange(256) for _ in range(200 * 150 * 3)))
    image = small.resize((4000, 3000), Image.BICUBIC).filter(ImageFilter.DETAIL)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def start_server(data_dir: Path) -> tuple[str, object, threading.Thread]:
    import uvicorn

    from server.app import create_app
    from server.settings import Settings

    settings = Settings(data_dir=data_dir, demo=True)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("server did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mbps", type=float, default=1.6, help="download bandwidth, Mbit/s")
    parser.add_argument("--upload-mbps", type=float, default=None, help="upload bandwidth, Mbit/s (default: --mbps)")
    parser.add_argument("--latency-ms", type=float, default=150)
    parser.add_argument("--issues", type=int, default=30)
    parser.add_argument("--photos", type=int, default=40)
    args = parser.parse_args()
    upload_mbps = args.upload_mbps or args.mbps

    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="estatewalk-bench-"))
    base_url, server, thread = start_server(workdir / "data")
    print("making camera photos…", flush=True)
    photos = [camera_jpeg(seed) for seed in range(args.photos)]
    request_bytes = {"n": 0, "requests": 0}
    try:
        with sync_playwright() as driver:
            context = driver.chromium.launch_persistent_context(
                str(workdir / "profile"),
                executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                args=CHROMIUM_ARGS,
                headless=True,
                viewport={"width": 360, "height": 780},
                base_url=base_url,
            )
            context.set_default_timeout(120_000)
            page = context.pages[0]
            context.route("**/bench-photo/*.jpg", lambda route: route.fulfill(
                body=photos[int(route.request.url.rsplit("/", 1)[1].split(".")[0])], content_type="image/jpeg"))
            page.goto("/#/signin")
            page.get_by_label("E-mail").fill("staff@demo.test")
            page.get_by_label("Password").fill("demo")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_function("() => location.hash.startsWith('#/issues')")
            page.wait_for_function("() => document.querySelector('.last-sync')?.dataset.lastSync")
            estate_id = page.evaluate("""async () => {
              const { getMeta } = await import('/js/db.js'); return (await getMeta('memberships'))[0].estate_id; }""")

            # No signal while walking: the API is unreachable, the app queues everything.
            page.route("**/api/**", lambda route: route.abort("internetdisconnected"))
            started = time.perf_counter()
            page.evaluate(RECORD_WALK, {"issues": args.issues, "photos": args.photos, "estateId": estate_id})
            capture_s = time.perf_counter() - started
            queued = page.evaluate(QUEUE_STATE)

            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", {
                "offline": False,
                "latency": args.latency_ms,
                "downloadThroughput": args.mbps * 1_000_000 / 8,
                "uploadThroughput": upload_mbps * 1_000_000 / 8,
            })

            def count(request):
                if "/api/" in request.url:
                    request_bytes["requests"] += 1
                    body = request.post_data_buffer
                    request_bytes["n"] += len(body) if body else 0

            page.on("request", count)
            page.unroute("**/api/**")
            started = time.perf_counter()
            page.locator("#sync-now").click()
            while True:
                state = page.evaluate(QUEUE_STATE)
                if state["changes"] == 0 and state["photos"] == 0:
                    break
                if time.perf_counter() - started > 1800:
                    raise SystemExit(f"outbox did not drain in 30 minutes: {state}")
                page.wait_for_timeout(100)
            drain_s = time.perf_counter() - started
            context.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)

    sent = request_bytes["n"]
    bound_s = sent * 8 / (upload_mbps * 1_000_000)
    print(f"link: {args.mbps} Mbit/s down, {upload_mbps} Mbit/s up, {args.latency_ms:.0f} ms latency (DevTools emulation)")
    print(f"walk: 1 inspection, {args.issues} issues, {args.photos} photos; captured offline in {capture_s:.1f} s")
    print(f"queued: {queued['changes']} changes, {queued['photos']} photos, {queued['photoBytes'] / 1e6:.2f} MB of photos")
    print(f"sent: {sent / 1e6:.2f} MB in request bodies over {request_bytes['requests']} API requests")
    print(f"bound (request bytes / upload bandwidth): {bound_s:.1f} s")
    print(f"measured time to drain the outbox: {drain_s:.1f} s ({bound_s / drain_s:.0%} of the bound's speed)")


if __name__ == "__main__":
    main()
