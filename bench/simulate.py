"""The device simulator: many phones, offline captures, messy delivery, and a server killed at random moments.

Each simulated phone signs in, goes offline, captures issues, edits, comments and photos into its own outbox
(numbered mutations, clock stamps, its clock possibly hours off), then syncs: pushes in random-sized batches,
sometimes delivered twice, sometimes with the answer lost, photo bytes by PUT or by tus cut part-way, all phones
at once in random order. Meanwhile a killer SIGKILLs the server process group and restarts it. In the end every
phone syncs to completion and the run checks, from the phones' records against the server:

- lost: a capture (issue, comment, photo record, photo bytes) a phone made that the server does not hold;
- doubled: a capture held more than once, or a mutation applied more than once;
- every phone's copy of the server data equals what the server holds for its estates;
- every e-mail the outbox holds reached the mail server (a repeat under the same Message-ID, possible only when
  the kill fell between the mail server's "OK" and the outbox's "sent", is reported, not counted as a double);
- the database passes an integrity check (SQLite's ``integrity_check``; the change log is gap-free).

    python -m bench.simulate --quick                      # the bounded run CI uses (SQLite, one process)
    python -m bench.simulate --phones 20 --rounds 5 --database postgresql --workers 2
    python -m bench.simulate --quick --database postgresql --hosts 2   # two app hosts, either killed

With ``--hosts 2`` (PostgreSQL only) two ``estatewalk serve`` processes share the database, each on its own
loopback address (127.0.0.2, 127.0.0.3) with its own data directory, and phones go through a "load balancer" that
sends every request to any host that is up (no stickiness: a tus upload begun on one host goes on through the
other); the killer picks either host each time.

It ends with one line: ``phones=N mutations=M photos=P kills=K lost=L doubled=D`` and exits 1 unless both are 0
and every check passed. Only loopback traffic; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import http.cookiejar as http_cookiejar
import io
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.server_process import ServerProcess, free_port
from bench.replica import apply_changes
from sync.hlc import HybridClock

ACCOUNTS = ["staff@demo.test", "rep@demo.test", "rep2@demo.test"]
CATEGORIES = ["lighting", "bin_store", "graffiti", "fly_tipping", "communal_repairs"]
PRIORITIES = ["low", "normal", "high", "urgent"]
NETWORK_ERRORS = (httpx.TransportError, httpx.TimeoutException)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the server, as a process group we can kill ---------------------------------------------------------------

def server_for(env: dict[str, str], workers: int, host: str = "127.0.0.1") -> ServerProcess:
    return ServerProcess(env, log_path=Path(env["ESTATEWALK_DATA"]) / "server.log", host=host, workers=workers)


class Hosts:
    """Several app hosts on one PostgreSQL behind a load balancer with health checks and no sticky sessions.

    ``url`` answers for any host that is up, chosen afresh for every request; the killer kills either one.
    """

    def __init__(self, servers: list[ServerProcess], rng: random.Random) -> None:
        self.servers, self.rng = servers, rng
        self.log_path = servers[0].log_path

    @property
    def url(self) -> str:
        live = [server for server in self.servers if server.up] or self.servers
        return self.rng.choice(live).url

    @property
    def kills(self) -> int:
        return sum(server.kills for server in self.servers)

    def launch(self) -> None:
        self.servers[0].launch()

    async def ready(self, timeout: float = 60) -> None:
        # The first host migrates and loads the demo data alone; then the others start.
        await self.servers[0].ready(timeout)
        for server in self.servers[1:]:
            if not server.up:
                server.launch()
            await server.ready(timeout)

    def kill(self) -> None:
        self.victim = self.rng.choice(self.servers)
        self.victim.kill()

    def restart(self) -> None:
        self.victim.launch()

    async def wait_restarted(self) -> None:
        await self.victim.ready()

    def stop(self) -> None:
        for server in self.servers:
            server.stop()

    def logs(self) -> list[Path]:
        return [server.log_path for server in self.servers]


# --- a mail server that counts what it receives ------------------------------------------------------------

class MailSink:
    """A real SMTP server (aiosmtpd) in this process, counting deliveries by Message-ID."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.received: dict[str, int] = {}
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        from email import message_from_bytes

        message_id = message_from_bytes(envelope.content).get("Message-ID", "")
        self.received[message_id] = self.received.get(message_id, 0) + 1
        return "250 OK"

    def __enter__(self) -> "MailSink":
        self._controller.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._controller.stop()


# --- a phone ---------------------------------------------------------------------------------------------------

def small_jpeg(rng: random.Random) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (96, 72), tuple(rng.randrange(256) for _ in range(3)))
    for _ in range(40):  # a few random pixels make every photo distinct
        image.putpixel((rng.randrange(96), rng.randrange(72)), tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@dataclass
class Phone:
    name: str
    email: str
    rng: random.Random
    skew_ms: int
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    token: str = ""
    estate_ids: list[str] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 1
    offset_ms: int | None = None
    cursor: str | None = None
    replica: dict[str, dict[str, Any]] = field(default_factory=dict)
    photos_to_send: dict[str, bytes] = field(default_factory=dict)
    # What this phone captured: the ground truth the server is checked against.
    issues: set[str] = field(default_factory=set)
    comments: set[str] = field(default_factory=set)
    photos: dict[str, str] = field(default_factory=dict)  # photo id -> sha256
    photo_bytes: dict[str, bytes] = field(default_factory=dict)
    mutations: int = 0
    rejected: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.clock = HybridClock(self.client_id)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def stamp(self) -> str:
        # A phone whose clock is off stamps with it until its first answer from the server tells it the offset.
        wall = int(time.time() * 1000) + self.skew_ms
        return self.clock.now(wall + (self.offset_ms or 0))

    def learn_time(self, server_time: int) -> None:
        self.offset_ms = server_time - (int(time.time() * 1000) + self.skew_ms)

    def queue(self, name: str, args: dict[str, Any]) -> None:
        self.outbox.append({"id": self.next_id, "name": name, "args": args, "at": self.stamp()})
        self.next_id += 1
        self.mutations += 1

    def known_issues(self) -> list[str]:
        return sorted(set(self.replica.get("issue", {})) | self.issues)

    def capture(self) -> None:
        """One thing done on the walk, offline."""
        choice = self.rng.random()
        known = self.known_issues()
        if choice < 0.35 or not known:
            issue_id = str(uuid.uuid4())
            self.issues.add(issue_id)
            self.queue("issue.create", {
                "id": issue_id, "estate_id": self.rng.choice(self.estate_ids), "location_id": None,
                "category": self.rng.choice(CATEGORIES), "title": f"{self.name} issue {len(self.issues)}",
                "description": "", "priority": self.rng.choice(PRIORITIES),
                "captured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        elif choice < 0.6:
            field_name = self.rng.choice(["title", "description", "priority"])
            value = self.rng.choice(PRIORITIES) if field_name == "priority" else f"{self.name} edit {self.next_id}"
            self.queue("issue.update", {"id": self.rng.choice(known), "fields": {field_name: value}})
        elif choice < 0.8:
            comment_id = str(uuid.uuid4())
            self.comments.add(comment_id)
            self.queue("issue.comment", {"id": comment_id, "issue_id": self.rng.choice(known),
                                         "body": f"{self.name}: still there ({comment_id[:8]})"})
        else:
            data = small_jpeg(self.rng)
            sha = hashlib.sha256(data).hexdigest()
            photo_id = str(uuid.uuid4())
            self.photos[photo_id] = sha
            self.photo_bytes[sha] = data
            self.photos_to_send[sha] = data
            self.queue("photo.attach", {"id": photo_id, "issue_id": self.rng.choice(known), "sha256": sha,
                                        "content_type": "image/jpeg", "byte_size": len(data), "width": 96,
                                        "height": 72})


# --- syncing, badly on purpose ---------------------------------------------------------------------------------

@dataclass
class Chaos:
    duplicate_rate: float = 0.2
    lost_answer_rate: float = 0.15
    tus_cut_rate: float = 0.5


async def sign_in(http: httpx.AsyncClient, server: ServerProcess, phone: Phone) -> None:
    answer = None
    for _ in range(200):
        try:
            answer = await http.post(f"{server.url}/api/auth/login", json={"email": phone.email, "password": "demo"})
            if answer.status_code == 200:
                body = answer.json()
                phone.token = body["token"]
                phone.estate_ids = [m["estate_id"] for m in body["memberships"]]
                return
        except NETWORK_ERRORS:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{phone.name} could not sign in: {answer.status_code if answer else 'no answer'} "
                       f"{answer.text[:300] if answer else ''}")


async def push_some(http: httpx.AsyncClient, server: ServerProcess, phone: Phone, chaos: Chaos) -> None:
    batch = phone.outbox[:phone.rng.randint(1, 12)]
    body = {"client_id": phone.client_id, "mutations": batch}
    deliveries = 2 if phone.rng.random() < chaos.duplicate_rate else 1
    for _ in range(deliveries):
        answer = await http.post(f"{server.url}/api/sync/push", headers=phone.headers, json=body)
        if answer.status_code == 409 and answer.json().get("code") == "409.2":
            expected = answer.json()["expected_mutation_id"]
            phone.outbox = [m for m in phone.outbox if m["id"] >= expected]
            return
        if answer.status_code == 401:
            await sign_in(http, server, phone)
            return
        answer.raise_for_status()
    if phone.rng.random() < chaos.lost_answer_rate:
        return  # the answer never reached the phone: it will send the same mutations again
    result = answer.json()
    phone.learn_time(result["server_time"])
    for outcome in result["results"]:
        if outcome["status"] == "rejected":
            phone.rejected.append(f"{outcome['id']}: {outcome['reason']}")
    phone.outbox = [m for m in phone.outbox if m["id"] > result["last_mutation_id"]]


async def send_photo(http: httpx.AsyncClient, server: ServerProcess, phone: Phone, sha: str, data: bytes,
                     chaos: Chaos) -> None:
    if phone.rng.random() < 0.5:
        answer = await http.put(f"{server.url}/api/photos/{sha}", headers=phone.headers, content=data)
        answer.raise_for_status()
    else:
        tus = {**phone.headers, "Tus-Resumable": "1.0.0"}
        metadata = f"sha256 {base64.b64encode(sha.encode()).decode()}"
        created = await http.post(f"{server.url}/api/uploads", headers={**tus, "Upload-Length": str(len(data)),
                                                                         "Upload-Metadata": metadata})
        created.raise_for_status()
        location = created.headers["location"]

        def url() -> str:  # each request through whichever host the load balancer picks
            return location if location.startswith("http") else f"{server.url}{location}"

        if phone.rng.random() < chaos.tus_cut_rate:
            # Send a first part only, as if the signal dropped, then ask where to resume.
            cut = phone.rng.randint(1, len(data) - 1)
            await http.patch(url(), headers={**tus, "Upload-Offset": "0",
                                             "Content-Type": "application/offset+octet-stream"}, content=data[:cut])
        head = await http.head(url(), headers=tus)
        if head.status_code == 404:  # the upload expired or was never made: start again next time
            raise httpx.TransportError("upload gone")
        offset = int(head.headers["upload-offset"])
        if offset < len(data):
            done = await http.patch(url(), headers={**tus, "Upload-Offset": str(offset),
                                                  "Content-Type": "application/offset+octet-stream"},
                                    content=data[offset:])
            done.raise_for_status()
    phone.photos_to_send.pop(sha, None)


async def pull_everything(http: httpx.AsyncClient, server: ServerProcess, phone: Phone) -> None:
    for _ in range(10_000):
        answer = await http.post(f"{server.url}/api/sync/pull", headers=phone.headers,
                                 json={"client_id": phone.client_id, "cursor": phone.cursor, "limit": 200})
        if answer.status_code == 401:
            await sign_in(http, server, phone)
            continue
        answer.raise_for_status()
        body = answer.json()
        phone.learn_time(body["server_time"])
        if body["reset"]:
            phone.replica = {}
        apply_changes(phone.replica, body["changes"])
        phone.cursor = body["cursor"]
        if not body["has_more"]:
            return
    raise RuntimeError("pull did not finish")


async def sync_until_done(http: httpx.AsyncClient, server: ServerProcess, phone: Phone, chaos: Chaos,
                          deadline: float) -> None:
    """Keep trying, through kills and cut connections, until the outbox and photo queue are empty and pulled."""
    backoff = 0.05
    while time.monotonic() < deadline:
        try:
            while phone.outbox:
                await push_some(http, server, phone, chaos)
            for sha, data in list(phone.photos_to_send.items()):
                await send_photo(http, server, phone, sha, data, chaos)
            await pull_everything(http, server, phone)
            if not phone.outbox and not phone.photos_to_send:
                return
        except (*NETWORK_ERRORS, httpx.HTTPStatusError) as error:
            status = getattr(getattr(error, "response", None), "status_code", None)
            if status is not None and status < 500 and status not in (404, 409):
                raise
            await asyncio.sleep(backoff * (1 + phone.rng.random()))
            backoff = min(backoff * 2, 1.0)
    raise RuntimeError(f"{phone.name} could not finish syncing before the deadline")


async def kill_during_sync(server: ServerProcess, rng: random.Random, kills: int, window: float) -> None:
    """Kill the server ``kills`` times at random moments while the phones are syncing, restarting it each time.

    Started together with a round of syncs, so the kills land mid-push, mid-pull and mid-upload.
    """
    for _ in range(kills):
        await asyncio.sleep(rng.uniform(0.0, window))
        server.kill()
        if isinstance(server, Hosts):
            log(f"killed host {server.victim.url} (kill {server.kills})")
            await asyncio.sleep(rng.uniform(0.05, 0.4))
            server.restart()
            await server.wait_restarted()
            continue
        log(f"killed the server (kill {server.kills})")
        await asyncio.sleep(rng.uniform(0.05, 0.4))
        server.launch()
        await server.ready()


# --- checking --------------------------------------------------------------------------------------------------

@dataclass
class Verdict:
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    mail_delivered: int = 0
    mail_redelivered: int = 0


async def check(http: httpx.AsyncClient, server: ServerProcess, phones: list[Phone], database: str,
                env: dict[str, str]) -> Verdict:
    verdict = Verdict()
    auditor = Phone("auditor", "staff@demo.test", random.Random(0), 0)
    await sign_in(http, server, auditor)
    await pull_everything(http, server, auditor)
    held = auditor.replica
    issues, events, photos = held.get("issue", {}), held.get("issue_event", {}), held.get("photo", {})

    created_events: dict[str, int] = {}
    comment_events: dict[str, int] = {}
    for event in events.values():
        if event["kind"] == "created":
            created_events[event["issue_id"]] = created_events.get(event["issue_id"], 0) + 1
        if event["kind"] == "comment":
            comment_events[event["id"]] = comment_events.get(event["id"], 0) + 1
    photos_by_sha: dict[str, bytes] = {}
    for phone in phones:
        for issue_id in phone.issues:
            if issue_id not in issues:
                verdict.lost.append(f"issue {issue_id} of {phone.name}")
            elif created_events.get(issue_id, 0) != 1:
                verdict.doubled.append(f"issue {issue_id} created {created_events.get(issue_id, 0)} times")
        for comment_id in phone.comments:
            count = comment_events.get(comment_id, 0)
            if count == 0:
                verdict.lost.append(f"comment {comment_id} of {phone.name}")
            elif count > 1:
                verdict.doubled.append(f"comment {comment_id} held {count} times")
        for photo_id, sha in phone.photos.items():
            record = photos.get(photo_id)
            if record is None:
                verdict.lost.append(f"photo record {photo_id} of {phone.name}")
            elif not record["uploaded"]:
                verdict.lost.append(f"photo bytes {sha[:12]} of {phone.name} (record still pending)")
            photos_by_sha[sha] = phone.photo_bytes[sha]
        if phone.rejected:
            verdict.problems.append(f"{phone.name} had rejections: {phone.rejected[:3]}")
        # Each phone's copy equals the server's for its estates.
        for entity in ("issue", "issue_event", "photo"):
            expected = {k: v for k, v in held.get(entity, {}).items() if v["estate_id"] in phone.estate_ids}
            if phone.replica.get(entity, {}) != expected:
                verdict.problems.append(f"{phone.name}'s copy of {entity} differs from the server")

    for sha, data in photos_by_sha.items():
        original = await http.get(f"{server.url}/api/photos/{sha}", params={"variant": "original"},
                                  headers=auditor.headers)
        if original.status_code != 200 or original.content != data:
            verdict.lost.append(f"photo bytes {sha[:12]} not identical on the server ({original.status_code})")

    verdict.problems.extend(await database_checks(database, env, phones, verdict))
    return verdict


async def database_checks(database: str, env: dict[str, str], phones: list[Phone], verdict: Verdict) -> list[str]:
    """Straight from the database: each mutation applied once, a gap-free change log, SQLite's integrity check."""
    problems: list[str] = []
    queries = {
        "applied": "SELECT client_id, COUNT(*) AS n FROM sync_mutation GROUP BY client_id",
        "log": "SELECT COUNT(*) AS n, MIN(version) AS low, MAX(version) AS high FROM change_log",
        "counter": "SELECT version FROM change_counter WHERE id = 1",
    }
    if database == "sqlite":
        connection = sqlite3.connect(Path(env["ESTATEWALK_DATA"]) / "estatewalk.sqlite3")
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            problems.append(f"SQLite integrity_check: {integrity}")
        applied = {str(uuid.UUID(str(c))): n for c, n in connection.execute(queries["applied"])}
        count, low, high = connection.execute(queries["log"]).fetchone()
        counter = connection.execute(queries["counter"]).fetchone()[0]
        connection.close()
    else:
        import asyncpg

        connection = await asyncpg.connect(env["DATABASE_URL"])
        applied = {str(r["client_id"]): r["n"] for r in await connection.fetch(queries["applied"])}
        row = await connection.fetchrow(queries["log"])
        count, low, high = row["n"], row["low"], row["high"]
        counter = await connection.fetchval(queries["counter"])
        await connection.close()
    if not (count == high == counter and low == 1):
        problems.append(f"change log not gap-free: {count} rows, versions {low}..{high}, counter {counter}")
    for phone in phones:
        held = applied.get(phone.client_id, 0)
        if held > phone.mutations:
            verdict.doubled.append(f"{phone.name}: {held} mutations recorded for {phone.mutations} sent")
        elif held < phone.mutations:
            verdict.lost.append(f"{phone.name}: {held} mutations recorded for {phone.mutations} sent")
    return problems


async def outbox_rows(database: str, env: dict[str, str]) -> list[tuple[str, str]]:
    query = "SELECT id, status FROM mail_outbox"
    if database == "sqlite":
        connection = sqlite3.connect(Path(env["ESTATEWALK_DATA"]) / "estatewalk.sqlite3")
        rows = [(str(uuid.UUID(str(i))), status) for i, status in connection.execute(query)]
        connection.close()
        return rows
    import asyncpg

    connection = await asyncpg.connect(env["DATABASE_URL"])
    rows = [(str(r["id"]), r["status"]) for r in await connection.fetch(query)]
    await connection.close()
    return rows


async def check_mail(mail: MailSink, database: str, env: dict[str, str], verdict: Verdict) -> None:
    """Every e-mail the changes queued reaches the mail server; none under two different Message-IDs.

    The one repeat an outbox cannot rule out: the server killed after the mail server accepted a message and
    before the row was marked sent. It is sent again under the same Message-ID (receivers drop such repeats),
    and counted here as a redelivery, not as a double.
    """
    deadline = time.monotonic() + 60
    rows = await outbox_rows(database, env)
    while any(status != "sent" for _, status in rows) and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        rows = await outbox_rows(database, env)
    delivered = 0
    for row_id, status in rows:
        count = mail.received.get(f"<{row_id}@estatewalk.invalid>", 0)
        if count == 0:
            verdict.lost.append(f"e-mail {row_id} ({status}) never reached the mail server")
        else:
            delivered += 1
            verdict.mail_redelivered += count - 1
    strangers = set(mail.received) - {f"<{row_id}@estatewalk.invalid>" for row_id, _ in rows}
    if strangers:
        verdict.doubled.append(f"{len(strangers)} e-mail(s) with no outbox row behind them")
    verdict.mail_delivered = delivered


# --- the run ---------------------------------------------------------------------------------------------------

async def simulate(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    data_dir = Path(tempfile.mkdtemp(prefix="estatewalk-sim-"))
    env = {**os.environ, "ESTATEWALK_DATA": str(data_dir)}
    env.pop("DATABASE_URL", None)
    database_name = None
    if args.database == "postgresql":
        import asyncpg

        admin_dsn = os.environ.get("ESTATEWALK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
        database_name = f"estatewalk_sim_{uuid.uuid4().hex[:10]}"
        admin = await asyncpg.connect(admin_dsn)
        await admin.execute(f'CREATE DATABASE "{database_name}"')
        await admin.close()
        env["DATABASE_URL"] = admin_dsn.rsplit("/", 1)[0] + f"/{database_name}"

    mail = MailSink()
    # E-mail goes to the sink; a short lease so that an e-mail whose sender was killed is taken over in seconds.
    env.update({"ESTATEWALK_SMTP_URL": f"smtp://127.0.0.1:{mail.port}", "ESTATEWALK_MAIL_INTERVAL": "0.2",
                "ESTATEWALK_MAIL_LEASE": "2"})
    server: ServerProcess | Hosts
    if args.hosts > 1:
        if args.database != "postgresql":
            raise SystemExit("--hosts needs --database postgresql: hosts share nothing but the database")
        servers = []
        for n in range(args.hosts):
            host_env = {**env, "ESTATEWALK_DATA": str(data_dir / f"host{n + 1}")}
            servers.append(server_for(host_env, args.workers, host=f"127.0.0.{n + 2}"))
        server = Hosts(servers, random.Random(rng.random()))
    else:
        server = server_for(env, args.workers)
    chaos = Chaos()
    phones = [Phone(f"phone{n}", ACCOUNTS[n % len(ACCOUNTS)], random.Random(rng.random()),
                    skew_ms=rng.choice([0, 0, 0, 3 * 3600_000, -2 * 3600_000]))
              for n in range(args.phones)]
    started = time.monotonic()
    deadline = started + args.time_limit
    try:
        mail.__enter__()
        server.launch()
        await server.ready()
        limits = httpx.Limits(max_connections=args.phones * 2)
        async with httpx.AsyncClient(timeout=20, limits=limits) as http:
            # Phones here are API clients: Bearer tokens only. Keeping the session cookie that sign-in also
            # sets would make one phone's requests carry another's session.
            http.cookies.jar.set_policy(http_cookiejar.DefaultCookiePolicy(allowed_domains=[]))
            await asyncio.gather(*[sign_in(http, server, p) for p in phones])
            await asyncio.gather(*[pull_everything(http, server, p) for p in phones])
            for round_number in range(args.rounds):
                for phone in phones:  # offline: captures go to the outbox only
                    for _ in range(phone.rng.randint(args.captures // 2, args.captures)):
                        phone.capture()
                order = phones[:]
                rng.shuffle(order)
                await asyncio.gather(
                    kill_during_sync(server, rng, rng.randint(0, args.kills_per_round), args.kill_window),
                    *[sync_until_done(http, server, p, chaos, deadline) for p in order])
                log(f"round {round_number + 1}/{args.rounds} synced; kills so far {server.kills}")
            # Everyone comes back one last time, so each copy holds the others' final changes.
            await asyncio.gather(*[sync_until_done(http, server, p, chaos, deadline) for p in phones])
            verdict = await check(http, server, phones, args.database, env)
            await check_mail(mail, args.database, env, verdict)
    finally:
        server.stop()
        mail.__exit__(None, None, None)
        if database_name:
            import asyncpg

            admin = await asyncpg.connect(os.environ.get("ESTATEWALK_TEST_POSTGRES",
                                                         "postgresql://postgres@127.0.0.1:5432/postgres"))
            await admin.execute(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
            await admin.close()

    for log_path in server.logs() if isinstance(server, Hosts) else [server.log_path]:
        tracebacks = log_path.read_text(errors="replace").count("Traceback")
        if tracebacks:
            verdict.problems.append(f"{tracebacks} traceback(s) in {log_path}")
    for line in verdict.lost[:10] + verdict.doubled[:10] + verdict.problems[:10]:
        log(line)
    mutations = sum(p.mutations for p in phones)
    photos = sum(len(p.photos) for p in phones)
    failed = bool(verdict.lost or verdict.doubled or verdict.problems)
    if args.keep or failed:
        log(f"data kept in {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    log(f"{args.database}, {args.hosts} host(s), {args.workers} worker(s) each, "
        f"{time.monotonic() - started:.1f} s; e-mails delivered "
        f"{verdict.mail_delivered}, sent again under the same Message-ID after a kill {verdict.mail_redelivered}")
    print(f"phones={len(phones)} mutations={mutations} photos={photos} kills={server.kills} "
          f"lost={len(verdict.lost)} doubled={len(verdict.doubled)}", flush=True)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.simulate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the bounded run for CI (a minute or two)")
    parser.add_argument("--phones", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--captures", type=int, default=12, help="most captures per phone per round")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--hosts", type=int, default=1, help="app hosts sharing one PostgreSQL (--database postgresql)")
    parser.add_argument("--kills-per-round", type=int, default=2, help="most server kills in each round of syncs")
    parser.add_argument("--kill-window", type=float, default=0.8,
                        help="kills fall at random within this many seconds after a round of syncs starts")
    parser.add_argument("--time-limit", type=float, default=900, help="give up after this many seconds")
    parser.add_argument("--seed", type=int, default=None, help="repeat a run: the seed is printed at the start")
    parser.add_argument("--keep", action="store_true", help="keep the data directory (kept anyway on failure)")
    args = parser.parse_args(argv)
    if args.quick:
        args.phones, args.rounds, args.captures = 6, 4, 8
        args.kills_per_round, args.time_limit = 2, 240
    if args.seed is None:
        args.seed = random.randrange(1_000_000)
    log(f"seed {args.seed}")
    return asyncio.run(simulate(args))


if __name__ == "__main__":
    sys.exit(main())
