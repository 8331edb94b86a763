"""申诉: the department appeals a bad rating with evidence (a file checked like an attachment), a supervisor decides;
upheld, the rating leaves the rates with the reason on the case page and in the rates' footnote; every step is on
the timeline."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from fankui.accounts.models import Role, User
from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.core.errors import Conflict, PermissionDenied, ValidationFailed
from fankui.insights import layout, periods, queries
from fankui.surveys.models import Appeal
from fankui.surveys.services import decide_appeal, file_appeal, rate
from tests import factories

pytestmark = pytest.mark.django_db


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 200, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("通话记录.png", buffer.getvalue(), content_type="image/png")


def test_an_upheld_appeal_is_shown_wherever_the_rating_is_counted(
    replied: Callable[..., Case], handler: User, supervisor: User, client_for: Callable[[User], Client]
) -> None:
    case = replied()
    kept = replied()
    rating = rate(case, 1, "乱评")
    rate(kept, 2)
    handler_client = client_for(handler)
    handler_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert (
        f"/staff/surveys/ratings/{rating.pk}/appeal/" in handler_client.get(f"/staff/cases/{case.pk}/").content.decode()
    )

    response = handler_client.post(
        f"/staff/surveys/ratings/{rating.pk}/appeal/",
        {"grounds": "malicious", "evidence": "录音显示来电人与诉求无关。", "files": [png()]},
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.evidence_files.count() == 1
    with pytest.raises(Conflict):
        file_appeal(rating, handler, "mistaken", "再来一次")  # one pending appeal per rating

    with pytest.raises(PermissionDenied):
        decide_appeal(appeal, handler, True, "自己批")
    sup = client_for(supervisor)
    sup.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert (
        sup.post(f"/staff/surveys/appeals/{appeal.pk}/decide/", {"decision": "uphold", "note": ""}).status_code == 422
    )
    sup.post(f"/staff/surveys/appeals/{appeal.pk}/decide/", {"decision": "uphold", "note": "经核实为恶意差评"})
    rating.refresh_from_db()
    assert rating.excluded and rating.excluded_reason == "经核实为恶意差评"

    page = sup.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "Not counted in the rates:" in page and "经核实为恶意差评" in page

    report = queries.build(queries.whole_organisation(), periods.parse("2026-11"))
    assert report.goodbad is not None
    assert (report.goodbad.now.valid, report.goodbad.now.bad, report.goodbad.now.excluded) == (1, 1, 1)
    note = layout.goodbad_note(report.goodbad)
    assert case.number in note and "经核实为恶意差评" in note
    headline = {r.key: r for r in report.rates}["satisfaction"]
    assert headline.denominator == 1  # the headline 满意率 leaves it out too

    actions = list(Event.objects.filter(case=case, action__startswith="appeal").values_list("action", flat=True))
    assert actions == ["appeal_file", "appeal_uphold"]
    with pytest.raises(Conflict):
        decide_appeal(appeal, supervisor, False, "改主意")


def test_a_rejected_appeal_keeps_the_rating_and_bad_input_is_refused(
    replied: Callable[..., Case], handler: User, supervisor: User, other_dept: object
) -> None:
    rating = rate(replied(), 2)
    with pytest.raises(ValidationFailed) as error:
        file_appeal(rating, handler, "whatever", "")
    assert set(error.value.errors) == {"grounds", "evidence"}
    bad_file = SimpleUploadedFile("x.exe", b"MZ\x90\x00 not a picture", content_type="image/png")
    with pytest.raises(ValidationFailed) as error:
        file_appeal(rating, handler, "mistaken", "误操作", [bad_file])
    assert "files" in error.value.errors
    with pytest.raises(PermissionDenied):
        file_appeal(rating, factories.user(Role.HANDLER, other_dept), "mistaken", "不是我们的")  # type: ignore[arg-type]

    appeal = file_appeal(rating, handler, "mistaken", "群众误点")
    decide_appeal(appeal, supervisor, False, "证据不足")
    rating.refresh_from_db()
    assert not rating.excluded
    good = rate(replied(), 5)
    with pytest.raises(Conflict):
        file_appeal(good, handler, "mistaken", "好评也申诉")
