"""The hostile crawl's shared parts: every route of the URL resolver, a small world whose ids fill their paths, and
the addresses with hostile values in their converters (tests/core/test_hostile_*)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from fankui.accounts.models import Role, User
from fankui.cases.models import Case
from fankui.open311 import services as open311
from fankui.partners import services as partners
from fankui.sla.defaults import ensure_defaults
from fankui.sla.services import extensions
from fankui.surveys.models import ServiceHall, ServicePoint
from fankui.topics.models import Topic
from tests import factories
from tests.questionnaires.conftest import build

# Path values where a converter takes text (also a real value below, from the world).
HOSTILE_PATH = ["%C2%B2", "%00", "%ED%A0%80", "x" * 300, "99999999999999999999999"]
HUGE_ID = "99999999999999999999999"
FORM = "application/x-www-form-urlencoded"
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)")


def routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern).removeprefix("^").removesuffix("$").replace("\\.", ".")
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        else:
            yield route


def all_routes() -> list[str]:
    return sorted({route for route in routes(get_resolver().url_patterns) if not route.startswith("admin/")})


@dataclass
class World:
    case: Case
    extension: int
    rating: int
    topic: int
    action: int
    questionnaire: int
    page: str
    question: str
    key: str
    point: ServicePoint
    partner: str
    token: str
    partner_secret: str = ""  # signs a webhook body, so that what follows the signature is reached
    open311_key: str = ""  # an Open311 api_key, likewise

    def real(self, route: str, name: str) -> str:
        """The value of a path parameter that names an existing object of this world."""
        ids = {
            "staff/topics/": self.topic,
            "staff/actions/": self.action,
            "board/": self.action,
            "staff/questionnaires/": self.questionnaire,
            "staff/surveys/windows/": self.point.pk,
            "staff/imports/": 1,
            "accounts/tokens/": 1,
            "staff/surveys/": 1,
        }
        by_name: dict[str, object] = {
            "code": self.case.tracking_code,
            "tracking_code": self.case.tracking_code,
            "case_id": self.case.pk,
            "extension": self.extension,
            "rating_pk": self.rating,
            "request_id": self.case.tracking_code,
            "page": self.page,
            "key": self.question if "/questions/" in route else self.key,
            "slug": self.partner,
            "step": "plan",
            "state": "closed",
            "direction": "up",
            "fmt": "png" if "poster" in route or "/qr" in route else "json",
            "kind": "w" if "surveys" in route or route.startswith("r/") else "png",
            "token": self.point.token if route.startswith("r/") else self.token,
            "action": "accept",
            "rest": "x",
        }
        if name == "pk":
            return str(next((pk for prefix, pk in ids.items() if route.startswith(prefix)), self.case.pk))
        return quote(str(by_name.get(name, "x")))


def world() -> tuple[World, User]:
    ensure_defaults()  # the SLA policies: a case in progress has a deadline to extend
    centre = factories.department("12345热线服务中心", is_dispatch_centre=True)
    dept = factories.department("市住房和城乡建设局")
    dispatcher = factories.user(Role.DISPATCHER, centre)
    handler = factories.user(Role.HANDLER, dept)
    root = factories.user(Role.SUPERVISOR, centre, is_superuser=True)
    replied = factories.case_in("replied", dispatcher=dispatcher, lead=dept, handler=handler)
    closed = factories.case_in("closed", dispatcher=dispatcher, lead=dept, handler=handler)
    working = factories.case_in("in_progress", dispatcher=dispatcher, lead=dept, handler=handler)
    extension = extensions.request_extension(working, handler, 5, "需要协调供电公司")
    now = timezone.now()
    topic = Topic.objects.create(label="幸福小区路灯不亮", first_seen_at=now, last_seen_at=now)
    action = factories.action(root, handler, dept, case_ids=[replied.pk])
    survey = build(root)
    questionnaire = survey.questionnaire
    point = ServicePoint.objects.create(
        hall=ServiceHall.objects.create(name="市民中心政务服务大厅"), department=dept, number="A03", name="不动产登记"
    )
    partner, secret = partners.create_partner("市长信箱", "mayor")
    _client, open311_key = open311.issue_client("市民通")
    rating = closed.ratings.first()
    return (
        World(
            case=replied,
            extension=extension.pk,
            rating=rating.pk if rating is not None else 1,
            topic=topic.pk,
            action=action.pk,
            questionnaire=questionnaire.pk,
            page=survey.nps.page.key,
            question=survey.nps.key,
            key=questionnaire.public_key,
            point=point,
            partner=partner.slug,
            token="x",
            partner_secret=secret,
            open311_key=open311_key,
        ),
        root,
    )


def addresses(route: str, w: World) -> tuple[str, list[str]]:
    """The address with real values, and addresses with hostile values in the path's converters."""

    def fill(value: object) -> str:
        def one(m: re.Match[str]) -> str:
            name = m.group("name") or m.group("group")
            converter = m.group("converter") or ("int" if name.endswith(("pk", "_id")) and m.group("name") else "str")
            if value is None:
                return w.real(route, name)
            if converter == "int" or (name in ("kind", "fmt") and m.group("group")):
                return HUGE_ID if value == "huge" else w.real(route, name)
            return HUGE_ID if value == "huge" else str(value)

        return "/" + PARAMETER.sub(one, route)

    real = fill(None)
    hostile = []
    if PARAMETER.search(route):
        hostile = [fill(value) for value in [*HOSTILE_PATH, "huge"]]
    return real, sorted(set(hostile) - {real})
