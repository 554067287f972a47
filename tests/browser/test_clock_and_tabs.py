"""Journeys: a phone whose clock is three hours fast, and the app open in two tabs at once."""

import json
import time

import pytest

pytestmark = pytest.mark.browser

THREE_HOURS_MS = 3 * 3600 * 1000
STAMP_MS = lambda stamp: int(stamp.split(":")[0])  # noqa: E731 - a tiny parser reads best inline


def test_phone_three_hours_fast_stamps_close_to_real_time_after_one_sync(open_phone):
    phone = open_phone("rep")
    # The phone's wall clock is three hours fast, from the very first script on every page.
    phone.context.add_init_script(f"(() => {{ const real = Date.now; Date.now = () => real() + {THREE_HOURS_MS}; }})()")
    phone.sign_in("rep@demo.test")
    phone.set_offline(True)
    before = int(time.time() * 1000)
    phone.report_defect(title="Lift out of order in Block B", category="lifts")
    after = int(time.time() * 1000)
    [mutation] = phone.stored("outbox")
    stamp = mutation["at"]
    assert len(stamp.split(":")[0]) == 15 and len(stamp.split(":")[1]) == 5
    # Corrected by the offset learnt from server_time: within a few seconds of real time, not three hours ahead.
    assert before - 5_000 <= STAMP_MS(stamp) <= after + 5_000, (stamp, before, after)


def test_two_tabs_never_send_the_same_mutation_twice(open_phone):
    phone = open_phone("staff")
    phone.sign_in("staff@demo.test")
    second = phone.context.new_page()
    second.goto("/#/issues")
    second.wait_for_function("() => document.documentElement.dataset.ready === 'true'")

    pushes: list[dict] = []
    in_flight = {"now": 0, "most": 0}

    def started(request):
        if request.url.endswith("/api/sync/push") and request.method == "POST":
            in_flight["now"] += 1
            in_flight["most"] = max(in_flight["most"], in_flight["now"])
            pushes.append({"ids": [m["id"] for m in json.loads(request.post_data)["mutations"]], "request": request})

    def ended(request):
        if request.url.endswith("/api/sync/push") and request.method == "POST":
            in_flight["now"] -= 1

    phone.context.on("request", started)
    phone.context.on("requestfinished", ended)
    phone.context.on("requestfailed", ended)
    phone.set_offline(True)
    for n in range(3):
        phone.report_defect(title=f"Overflowing bin number {n + 1}", category="bin_store")
    phone.set_offline(False)
    # Both tabs try to sync at the same moment; the Web Lock lets one run, the other skips.
    for _ in range(3):
        phone.page.evaluate("document.getElementById('sync-now').click()")
        second.evaluate("document.getElementById('sync-now').click()")
    phone.wait_synced()
    # Never two pushes at once; and a mutation is only sent again if the push carrying it got no answer.
    assert in_flight["most"] == 1, f"{in_flight['most']} pushes were in flight at once"
    answered: set[int] = set()
    for push in pushes:
        response = push["request"].response() if push["request"].failure is None else None
        assert not answered & set(push["ids"]), f"re-sent after an answer: {[p['ids'] for p in pushes]}"
        if response is not None and response.ok:
            answered |= set(push["ids"])
    assert answered == {1, 2, 3}


def test_stamps_never_go_backwards_when_the_wall_clock_does(open_phone):
    phone = open_phone("any")
    phone.open("/signin")
    stamps = phone.page.evaluate(
        """async () => {
          const { nextStamp, laterStamp } = await import('/js/hlc.js');
          const a = nextStamp(null, 1795435200000, 'phone-a');
          const b = nextStamp(a, 1795435100000, 'phone-a');   // the clock jumped back 100 s
          const c = nextStamp(b, 1795435200000, 'phone-a');   // and is still behind the last stamp
          const d = nextStamp(c, 1795435200001, 'phone-a');   // moving on again restarts the counter
          const seen = laterStamp(d, '001795435900000:00003:phone-b');
          const e = nextStamp(seen, 1795435200002, 'phone-a'); // after seeing a later stamp, stamps follow it
          return [a, b, c, d, e];
        }"""
    )
    assert stamps == [
        "001795435200000:00000:phone-a",
        "001795435200000:00001:phone-a",
        "001795435200000:00002:phone-a",
        "001795435200001:00000:phone-a",
        "001795435900000:00004:phone-a",
    ]
    assert stamps == sorted(stamps)
