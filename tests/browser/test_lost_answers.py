"""Journey: the signal drops after the server stored a push but before its answer reached the phone.

The phone cannot tell "never arrived" from "answer lost", so it sends the same numbered mutations again; the
server answers "duplicate" and nothing is recorded twice.
"""

import pytest

pytestmark = pytest.mark.browser


def test_push_whose_answer_was_lost_is_sent_again_and_applied_once(open_phone, server_as):
    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    lost = {"answers": 0, "pushes": []}

    def lose_first_answer(route):
        response = route.fetch()  # the server really receives and applies the push
        lost["pushes"].append(route.request.post_data_json["mutations"])
        if lost["answers"] == 0:
            lost["answers"] += 1
            route.abort("connectionreset")  # … but the phone never hears back
            return
        route.fulfill(response=response)

    phone.set_offline(True)
    phone.report_defect(title="Lift alarm button missing its cover", category="lifts")
    phone.context.route("**/api/sync/push", lose_first_answer)
    phone.set_offline(False)
    phone.wait_synced()

    assert len(lost["pushes"]) >= 2
    assert [m["id"] for m in lost["pushes"][0]] == [m["id"] for m in lost["pushes"][1]]
    titles = [i["title"] for i in server_as("staff@demo.test").pull_all()["issue"].values()]
    assert titles.count("Lift alarm button missing its cover") == 1
    assert not [r for r in phone.stored("rejections") if not r.get("dismissed")]
