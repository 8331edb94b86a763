"""A citizen's copy of their data lists every message Fankui wrote to them about the request (channel, status,
subject, text), but not messages about it to anyone else, nor the words of a one-time code, nor mail someone else
sent about the case."""

from __future__ import annotations

import json

from fankui.cases.models import Case, Supplement
from fankui.notify import services as notify
from fankui.notify.models import Channel

from .conftest import EMAIL, citizen, prove


def test_the_messages_sent_to_the_person_are_listed(person_case: Case) -> None:
    mine = notify.Address(Channel.EMAIL, EMAIL)
    other = notify.Address(Channel.EMAIL, "neighbour@example.cn")
    notify.notify_citizen(mine, "您的诉求已受理", "您的诉求已受理，编号见上。", key="t:mine", case_id=person_case.pk)
    notify.notify_citizen(other, "您关注的诉求有进展", "邻居的消息", key="t:other", case_id=person_case.pk)
    at = person_case.created_at
    for words, from_contact in [("抄送人写的话", False), ("本人又写的话", True)]:
        Supplement.objects.create(
            case=person_case, channel="email", text=words, from_contact=from_contact, created_at=at
        )
    client = citizen()
    prove(client, person_case)
    data = json.loads(client.get(f"/track/{person_case.tracking_code}/privacy/data.json").content)
    subjects = [m["subject"] for m in data["messages"]]
    assert "您的诉求已受理" in subjects and "您关注的诉求有进展" not in subjects
    code = next(m for m in data["messages"] if m["subject"] == "Your code")
    assert code["text"] == "" and code["channel"] == "E-mail"
    assert [e["text"] for e in data["later"]] == ["本人又写的话"]
    page = client.get(f"/track/{person_case.tracking_code}/privacy/").content.decode()
    assert "您的诉求已受理，编号见上。" in page and "邻居的消息" not in page and "抄送人写的话" not in page
