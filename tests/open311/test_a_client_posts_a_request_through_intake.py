"""POST requests: what a client sends becomes a case through intake's one door, on the Open311 channel."""

from __future__ import annotations

from django.test import Client

from fankui.audit.models import Event
from fankui.cases.models import Case, Category
from fankui.core.vocab import Channel
from fankui.open311.models import Open311Request

from .conftest import parsed, post_request


def test_a_posted_request_opens_a_case_on_the_open311_channel(en: Client, key: str, lamps: Category) -> None:
    response = post_request(
        en,
        key,
        lamps,
        first_name="小明",
        last_name="王",
        phone="13800138000",
        email="wang@example.cn",
        **{"attribute[title]": "路灯不亮", "attribute[kind]": "complaint"},
    )

    assert response.status_code == 200, response.content
    [answer] = parsed(response)
    case = Case.objects.get(pk=int(answer["service_request_id"]))
    submission = case.submission
    assert submission.channel == Channel.OPEN311
    assert (submission.title, submission.kind, case.category) == ("路灯不亮", "complaint", lamps)
    assert (submission.contact_name, submission.contact_phone, submission.contact_email) == (
        "王小明",
        "13800138000",
        "wang@example.cn",
    )
    assert (submission.lat, submission.lng) == (28.2282, 112.9388)
    assert Event.objects.filter(case=case, action="receive", data__channel="open311").exists()
    assert case.display_code in answer["service_notice"]
    assert Open311Request.objects.get(case=case).token == answer["token"]


def test_the_answer_in_xml_is_the_specifications_list(en: Client, key: str, lamps: Category) -> None:
    root = parsed(post_request(en, key, lamps, fmt="xml"))

    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert request.findtext("service_request_id") == str(Case.objects.get().pk)
    assert request.findtext("token")


def test_an_address_alone_is_enough_and_nobody_named_means_anonymous(en: Client, key: str, lamps: Category) -> None:
    response = post_request(en, key, lamps, lat=None, long=None, address_string="芙蓉区人民路12号")

    assert response.status_code == 200, response.content
    submission = Case.objects.get().submission
    assert (submission.address, submission.lat, submission.anonymous) == ("芙蓉区人民路12号", None, True)


def test_the_same_client_id_twice_creates_one_case(en: Client, key: str, lamps: Category) -> None:
    first = parsed(post_request(en, key, lamps, **{"attribute[fixmystreet_id]": "1001"}))
    again = parsed(post_request(en, key, lamps, **{"attribute[fixmystreet_id]": "1001"}))
    by_header = en.post(
        "/open311/v2/requests.json",
        {"api_key": key, "service_code": lamps.pk, "address_string": "人民路", "description": "井盖丢了"},
        HTTP_IDEMPOTENCY_KEY="abc-1",
    )
    header_again = en.post(
        "/open311/v2/requests.json",
        {"api_key": key, "service_code": lamps.pk, "address_string": "人民路", "description": "井盖丢了"},
        HTTP_IDEMPOTENCY_KEY="abc-1",
    )

    assert first[0]["service_request_id"] == again[0]["service_request_id"]
    assert parsed(by_header)[0]["service_request_id"] == parsed(header_again)[0]["service_request_id"]
    assert Case.objects.count() == 2


def test_two_clients_with_the_same_id_get_two_cases(en: Client, key: str, lamps: Category) -> None:
    from fankui.open311 import services

    _other, other_key = services.issue_client("另一个App")

    first = parsed(post_request(en, key, lamps, **{"attribute[external_id]": "7"}))
    second = parsed(post_request(en, other_key, lamps, **{"attribute[external_id]": "7"}))

    assert first[0]["service_request_id"] != second[0]["service_request_id"]


def test_a_media_url_is_kept_for_staff_and_never_fetched(en: Client, key: str, lamps: Category) -> None:
    post_request(en, key, lamps, media_url="https://img.example.cn/lamp.jpg")

    case = Case.objects.get()
    assert case.open311.media_url == "https://img.example.cn/lamp.jpg"
    assert case.submission.body.endswith("https://img.example.cn/lamp.jpg")
    assert not case.submission.attachments.exists()


def test_a_token_names_its_request(en: Client, key: str, lamps: Category) -> None:
    [answer] = parsed(post_request(en, key, lamps))

    found = parsed(en.get(f"/open311/v2/tokens/{answer['token']}.json"))
    root = parsed(en.get(f"/open311/v2/tokens/{answer['token']}.xml"))

    assert found == [{"service_request_id": answer["service_request_id"], "token": answer["token"]}]
    assert root.find("request").findtext("service_request_id") == answer["service_request_id"]
    assert en.get("/open311/v2/tokens/nothing.json").status_code == 404


def test_a_retry_after_a_crash_between_the_two_writes_completes_the_request(
    en: Client, key: str, lamps: Category, app_client: object
) -> None:
    # The case committed, the process died before the request's row: the client heard nothing and sends again.
    from fankui.cases.services.receiving import receive
    from fankui.intake.services import SubmissionInput

    text = "幸福小区3栋门口的路灯坏了一个月，晚上很黑。"
    case, _ = receive(
        SubmissionInput(
            body=text,
            category=lamps.pk,
            channel=Channel.OPEN311,
            idempotency_key=f"open311:{app_client.pk}:77",  # type: ignore[attr-defined]
        )
    )

    [answer] = parsed(post_request(en, key, lamps, description=text, **{"attribute[external_id]": "77"}))

    assert answer["service_request_id"] == str(case.pk)
    assert Open311Request.objects.get(case=case).token == answer["token"]
    assert Case.objects.count() == 1


def test_a_blank_parameter_is_one_not_given(en: Client, key: str, lamps: Category) -> None:
    """Form-encoded clients send ``lat=`` for a position they do not have: not given, not "not a number"."""
    response = post_request(
        en, key, lamps, lat="", long=" ", address_string="芙蓉区人民路12号", email="", media_url="", phone=""
    )

    assert response.status_code == 200, response.content
    submission = Case.objects.get().submission
    assert (submission.lat, submission.lng, submission.contact_email, submission.anonymous) == (None, None, "", True)
    assert Case.objects.get().open311.media_url == ""


def test_a_media_url_without_a_scheme_is_taken_as_https(en: Client, key: str, lamps: Category) -> None:
    post_request(en, key, lamps, media_url=" img.example.cn/lamp.jpg ")

    assert Case.objects.get().open311.media_url == "https://img.example.cn/lamp.jpg"
