"""The permission matrix (issue 14): every staff role × every staff page and staff API endpoint × a case of the
user's own department, one their department assists, another department's, one in a department below theirs (and
a 举报 of their own department). Each cell says the answer's status (200, 302, 403, 404; for an empty POST to a
form one of 302/403/409/422) and whether the submitter's contact details appear in it.

The staff pages and API endpoints are found by walking the URL resolver: a page or endpoint added later without an
entry in ``ROUTES`` fails ``test_every_staff_route_has_a_matrix_entry``, so the matrix cannot fall behind. The rules
the expectations are built from are those of docs/security.md ("Personal data by need"), written out here once more
on purpose: a change in accounts.permissions that changes who sees what must change this file too."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image

from fankui.accounts.models import Role, User
from fankui.accounts.services import issue_token
from fankui.actions.models import ActionCase
from fankui.actions.services import linking
from fankui.analysis.models import CaseAnalysis
from fankui.cases.services import moves
from fankui.core.vocab import Kind
from fankui.sla.models import Extension
from fankui.topics.models import Topic
from tests import factories

ROLES = ("dispatcher", "supervisor", "analyst", "admin", "handler", "head", "auditor")
SCOPES = ("own", "assisting", "other", "subtree", "own_report")
CENTRE = {"dispatcher", "supervisor"}
ORGANISATION_WIDE = {"dispatcher", "supervisor", "analyst", "admin"}
# The cases a department role sees (``cases.queries.visible_cases``): a handler their department's, lead or assisting;
# a head those of their department and every one below it.
SEES = {"handler": {"own", "assisting", "own_report"}, "head": {"own", "assisting", "subtree", "own_report"}}
# The cases whose lead department is the user's (a head's: in their subtree): the department that replies.
LEADS = {"handler": {"own", "own_report"}, "head": {"own", "subtree", "own_report"}}
# The actions a role sees (``actions.services.visible_actions``): each scope's action belongs to its lead department.
MANAGERS = {"analyst", "supervisor", "admin", "head"}  # actions.workflow.MANAGER: create actions
PHONE = "13700001111"
# Who takes calls at the operator's desk (``permissions.may_use_desk``).
DESK = {"dispatcher", "supervisor", "admin"}
IMPORTERS = {"supervisor", "admin"}  # accounts.permissions.IMPORTERS
QUESTIONNAIRE_BUILDERS = {"supervisor", "admin", "head"}  # questionnaires.services.BUILDERS
# An auditor reads the audit trail and works no case: ``visible_cases`` is empty for them (every case, topic and action
# is a 404, lists and figures are empty, no step can be taken) and they see no contact detail, text or attachment.
AUDIT_READERS = {"auditor", "admin"}


def sees(role: str, scope: str) -> bool:
    return role in ORGANISATION_WIDE or scope in SEES.get(role, set())


def sees_contact(role: str, scope: str) -> bool:
    """The centre always (a report's reporter too); the lead department except on a 举报."""
    return role in CENTRE or (scope in LEADS.get(role, set()) and scope != "own_report")


def opens_attachments(role: str, scope: str) -> bool:
    return role in CENTRE or (role not in ORGANISATION_WIDE and sees(role, scope))


def sees_action(role: str, scope: str) -> bool:
    return role in ORGANISATION_WIDE or scope in LEADS.get(role, set())


def found(role: str, scope: str) -> int:
    return 200 if sees(role, scope) else 404


# --- The routes -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    """How to call one route for a (role, scope) cell, and what to expect: ``path`` builds the address from the
    world's objects of that scope; ``expect`` gives the status; ``contact`` whether contact details may appear
    (checked both ways where True: appear exactly when the rules say)."""

    path: Callable[[dict[str, Any]], str]
    expect: Callable[[str, str], int | frozenset[int]]
    method: str = "get"
    contact: bool = False
    api: bool = False
    # Puts back what a permitted call changed, so that the next cell meets the same world.
    reset: Callable[[dict[str, Any]], None] | None = None


def _relink(objects: dict[str, Any]) -> None:
    linking.link(objects["action"], [objects["case"].pk], ActionCase.Via.MANUAL)


def everyone(status: int) -> Callable[[str, str], int]:
    return lambda role, scope: status


def case_scoped(status: int) -> Callable[[str, str], int]:
    """``status`` where the user sees the case, else 404 (a case outside one's scope does not exist)."""
    return lambda role, scope: status if sees(role, scope) else 404


# An empty POST to a form's address where the user sees the thing: refused (403), not possible now (409), invalid
# (422), or sent back to the page (302); never a 404 (it exists for them), a 500, or a change.
REFUSED = frozenset({302, 403, 409, 422})


def posted(visible: Callable[[str, str], bool]) -> Callable[[str, str], int | frozenset[int]]:
    return lambda role, scope: REFUSED if visible(role, scope) else 404


ROUTES: dict[str, Route] = {
    # Lists and inboxes: every staff role, their own scope; titles masked, never contact details.
    "staff/": Route(lambda w: "/staff/", everyone(302)),
    "staff/triage/": Route(lambda w: "/staff/triage/", lambda r, s: 302 if r in SEES else 200, contact=True),
    "staff/inbox/": Route(lambda w: "/staff/inbox/", everyone(200), contact=True),
    "staff/cases/": Route(lambda w: "/staff/cases/", everyone(200), contact=True),
    # The case page and its actions (a GET of an action goes back to the case page).
    "staff/cases/<int:pk>/": Route(lambda w: f"/staff/cases/{w['case'].pk}/", found, contact=True),
    "staff/cases/<int:pk>/<slug:action>/": Route(lambda w: f"/staff/cases/{w['case'].pk}/start/", case_scoped(302)),
    "staff/attachments/<str:token>/": Route(
        lambda w: f"/staff/attachments/{w['attachment']}/",
        lambda r, s: 200 if opens_attachments(r, s) else 404,
    ),
    # The operator's suggestions: the people who triage (an empty text: the hint), nobody else; never contact details.
    "staff/analysis/suggest/": Route(
        lambda w: "/staff/analysis/suggest/",
        lambda r, s: 200 if r in {"dispatcher", "supervisor", "admin"} else 403,
        "post",
        contact=True,
    ),
    "staff/analysis/cases/<int:pk>/correct/": Route(
        lambda w: f"/staff/analysis/cases/{w['case'].pk}/correct/", posted(sees), "post"
    ),
    # Deadlines: the board, and the case's SLA forms (POST only).
    "staff/sla/board/": Route(lambda w: "/staff/sla/board/", everyone(200), contact=True),
    "staff/sla/cases/<int:pk>/ask/": Route(lambda w: f"/staff/sla/cases/{w['case'].pk}/ask/", posted(sees), "post"),
    "staff/sla/cases/<int:pk>/resume/": Route(
        lambda w: f"/staff/sla/cases/{w['case'].pk}/resume/", posted(sees), "post"
    ),
    "staff/sla/cases/<int:pk>/extension/": Route(
        lambda w: f"/staff/sla/cases/{w['case'].pk}/extension/", posted(sees), "post"
    ),
    "staff/sla/cases/<int:pk>/extension/<int:extension>/": Route(
        lambda w: f"/staff/sla/cases/{w['case'].pk}/extension/{w['extension'].pk}/", posted(sees), "post"
    ),
    "staff/sla/cases/<int:pk>/supervise/": Route(
        lambda w: f"/staff/sla/cases/{w['case'].pk}/supervise/", posted(sees), "post"
    ),
    "staff/sla/cases/<int:pk>/unsupervise/": Route(
        lambda w: f"/staff/sla/cases/{w['case'].pk}/unsupervise/", posted(sees), "post"
    ),
    # Figures and reports: every role, figures of their scope; no personal data (tests/insights too).
    "staff/dashboard/": Route(lambda w: "/staff/dashboard/", everyone(200), contact=True),
    "staff/reports/": Route(lambda w: "/staff/reports/", everyone(200)),
    # The five 好差评 rates per hall, window and person: figures of the user's windows, no case, no contact detail.
    "staff/dashboard/windows/": Route(lambda w: "/staff/dashboard/windows/", everyone(200), contact=True),
    # Hot topics: one exists for a user when one of its cases does.
    "staff/topics/": Route(lambda w: "/staff/topics/", everyone(200), contact=True),
    "staff/topics/<int:pk>/": Route(lambda w: f"/staff/topics/{w['topic'].pk}/", found, contact=True),
    # Approving a label for the public board (supervisors, administrators: a redirect either way; others refused).
    "staff/topics/<int:pk>/public/": Route(lambda w: f"/staff/topics/{w['topic'].pk}/public/", posted(sees), "post"),
    "staff/topics/<int:pk>/label/": Route(lambda w: f"/staff/topics/{w['topic'].pk}/label/", posted(sees), "post"),
    # Improvement actions: each scope's action belongs to the case's lead department and links the case.
    "staff/actions/": Route(lambda w: "/staff/actions/", everyone(200)),
    "staff/actions/new/": Route(
        lambda w: f"/staff/actions/new/?topic={w['topic'].pk}", lambda r, s: 200 if r in MANAGERS else 403
    ),
    "staff/actions/<int:pk>/": Route(
        lambda w: f"/staff/actions/{w['action'].pk}/",
        lambda r, s: 200 if sees_action(r, s) else 404,
        contact=True,
    ),
    # Abandoning needs a reason: the empty POST changes nothing.
    "staff/actions/<int:pk>/step/<slug:step>/": Route(
        lambda w: f"/staff/actions/{w['action'].pk}/step/abandon/", posted(sees_action), "post"
    ),
    "staff/actions/<int:pk>/progress/": Route(
        lambda w: f"/staff/actions/{w['action'].pk}/progress/", posted(sees_action), "post"
    ),
    "staff/actions/<int:pk>/link/": Route(
        lambda w: f"/staff/actions/{w['action'].pk}/link/", posted(sees_action), "post"
    ),
    "staff/actions/<int:pk>/unlink/<int:case_id>/": Route(
        lambda w: f"/staff/actions/{w['action'].pk}/unlink/{w['case'].pk}/",
        posted(sees_action),
        "post",
        reset=_relink,
    ),
    # Evidence of an action's progress (tests/actions/test_opening_evidence_is_recorded.py): none here, so 404.
    "staff/actions/evidence/<str:token>/": Route(lambda w: "/staff/actions/evidence/none/", everyone(404)),
    # 好差评 (docs/surveys.md): rectifications and appeals of the cases a user sees, a department's own; none in the
    # world (tests/surveys has their scoping: another department's is a 404), so the lists are empty and an id is not
    # found, for every role.
    "staff/surveys/rectifications/": Route(lambda w: "/staff/surveys/rectifications/", everyone(200)),
    "staff/surveys/rectifications/<int:pk>/": Route(lambda w: "/staff/surveys/rectifications/999999/", everyone(404)),
    "staff/surveys/appeals/": Route(lambda w: "/staff/surveys/appeals/", everyone(200)),
    "staff/surveys/appeals/<int:pk>/": Route(lambda w: "/staff/surveys/appeals/999999/", everyone(404)),
    "staff/surveys/appeals/<int:pk>/decide/": Route(
        lambda w: "/staff/surveys/appeals/999999/decide/", everyone(404), "post"
    ),
    "staff/surveys/ratings/<int:rating_pk>/appeal/": Route(
        lambda w: "/staff/surveys/ratings/999999/appeal/", everyone(404)
    ),
    # Questionnaires (docs/questionnaires.md): the list is every staff role's (their departments' questionnaires, no
    # personal data); building is for supervisors, administrators and heads; the world has no questionnaire, so each
    # one's pages are a 404 for everybody (it does not exist for them, whatever their role).
    "staff/questionnaires/": Route(lambda w: "/staff/questionnaires/", everyone(200), contact=True),
    "staff/questionnaires/new/": Route(
        lambda w: "/staff/questionnaires/new/", lambda r, s: 200 if r in QUESTIONNAIRE_BUILDERS else 403
    ),
    "staff/questionnaires/<int:pk>/": Route(lambda w: "/staff/questionnaires/999999/", everyone(404)),
    "staff/questionnaires/<int:pk>/settings/": Route(lambda w: "/staff/questionnaires/999999/settings/", everyone(404)),
    "staff/questionnaires/<int:pk>/state/<slug:state>/": Route(
        lambda w: "/staff/questionnaires/999999/state/closed/", everyone(404), "post"
    ),
    "staff/questionnaires/<int:pk>/pages/new/": Route(
        lambda w: "/staff/questionnaires/999999/pages/new/", everyone(404), "post"
    ),
    "staff/questionnaires/<int:pk>/pages/<str:page>/": Route(
        lambda w: "/staff/questionnaires/999999/pages/p1/", everyone(404)
    ),
    "staff/questionnaires/<int:pk>/pages/<str:page>/delete/": Route(
        lambda w: "/staff/questionnaires/999999/pages/p1/delete/", everyone(404), "post"
    ),
    "staff/questionnaires/<int:pk>/questions/new/": Route(
        lambda w: "/staff/questionnaires/999999/questions/new/", everyone(404)
    ),
    "staff/questionnaires/<int:pk>/questions/<str:key>/": Route(
        lambda w: "/staff/questionnaires/999999/questions/q1/", everyone(404)
    ),
    "staff/questionnaires/<int:pk>/questions/<str:key>/delete/": Route(
        lambda w: "/staff/questionnaires/999999/questions/q1/delete/", everyone(404), "post"
    ),
    "staff/questionnaires/<int:pk>/questions/<str:key>/move/<str:direction>/": Route(
        lambda w: "/staff/questionnaires/999999/questions/q1/move/up/", everyone(404), "post"
    ),
    "staff/questionnaires/<int:pk>/qr.<str:kind>": Route(
        lambda w: "/staff/questionnaires/999999/qr.svg", everyone(404)
    ),
    "staff/questionnaires/<int:pk>/invitations/": Route(
        lambda w: "/staff/questionnaires/999999/invitations/", everyone(404)
    ),
    "staff/questionnaires/<int:pk>/invitations/send/": Route(
        lambda w: "/staff/questionnaires/999999/invitations/send/", everyone(404), "post"
    ),
    "staff/questionnaires/<int:pk>/invitations/remind/": Route(
        lambda w: "/staff/questionnaires/999999/invitations/remind/", everyone(404), "post"
    ),
    # Answers by phone (questionnaires.views_phone): the chooser for a case's call is scoped like the case; no
    # questionnaire exists in this world, so its form is a 404 for everybody.
    "staff/questionnaires/phone/": Route(lambda w: f"/staff/questionnaires/phone/?case={w['case'].pk}", found),
    "staff/questionnaires/<int:pk>/phone/": Route(lambda w: "/staff/questionnaires/999999/phone/", everyone(404)),
    "staff/questionnaires/<int:pk>/results/": Route(lambda w: "/staff/questionnaires/999999/results/", everyone(404)),
    "staff/questionnaires/<int:pk>/results/texts/": Route(
        lambda w: "/staff/questionnaires/999999/results/texts/", everyone(404)
    ),
    "staff/questionnaires/<int:pk>/results/link/": Route(
        lambda w: "/staff/questionnaires/999999/results/link/", everyone(404), "post"
    ),
    "staff/questionnaires/<int:pk>/results/export/": Route(
        lambda w: "/staff/questionnaires/999999/results/export/", everyone(404)
    ),
    # The audit trail's search: auditors and administrators; codes and names, never contact details.
    "staff/audit/": Route(lambda w: "/staff/audit/", lambda r, s: 200 if r in AUDIT_READERS else 403, contact=True),
    # Imports of files (docs/imports.md): administrators and supervisors; the world has no import, so a job is a 404
    # for them and refused before it is looked up for everybody else.
    "staff/imports/": Route(lambda w: "/staff/imports/", lambda r, s: 200 if r in IMPORTERS else 403, contact=True),
    "staff/imports/<int:pk>/": Route(lambda w: "/staff/imports/999999/", lambda r, s: 404 if r in IMPORTERS else 403),
    "staff/imports/<int:pk>/progress/": Route(
        lambda w: "/staff/imports/999999/progress/", lambda r, s: 404 if r in IMPORTERS else 403
    ),
    "staff/imports/<int:pk>/report/": Route(
        lambda w: "/staff/imports/999999/report/", lambda r, s: 404 if r in IMPORTERS else 403
    ),
    "staff/imports/<int:pk>/cancel/": Route(
        lambda w: "/staff/imports/999999/cancel/", lambda r, s: 404 if r in IMPORTERS else 403, "post"
    ),
    "staff/notifications/": Route(lambda w: "/staff/notifications/", everyone(200), contact=True),
    "staff/notifications/read/": Route(lambda w: "/staff/notifications/read/", everyone(302), "post"),
    # The operator's desk (the centre and administrators, accounts.permissions.may_use_desk): no case's contact
    # details on the page; the caller's earlier cases come as masked titles and numbers (tests/desk).
    "staff/desk/": Route(lambda w: "/staff/desk/", lambda r, s: 200 if r in DESK else 403, contact=True),
    "staff/desk/history/": Route(
        lambda w: "/staff/desk/history/", lambda r, s: 200 if r in DESK else 403, "post", contact=True
    ),
    "staff/desk/urgency/": Route(lambda w: "/staff/desk/urgency/", lambda r, s: 200 if r in DESK else 403, "post"),
    "staff/desk/knowledge/": Route(
        lambda w: "/staff/desk/knowledge/", lambda r, s: 200 if r in DESK else 403, "post", contact=True
    ),
    # 一次一评 (surveys.windows): the windows and staff of one's departments, no case; their posters, 404 outside them.
    "staff/surveys/windows/": Route(lambda w: "/staff/surveys/windows/", everyone(200), contact=True),
    "staff/surveys/windows/<str:kind>/<int:pk>/poster.<str:fmt>": Route(
        lambda w: "/staff/surveys/windows/w/999999/poster.png", everyone(404)
    ),
    # 回访 (surveys.followups, permissions.may_follow_up: the centre): the list masks numbers, the call page shows them.
    "staff/surveys/calls/": Route(
        lambda w: "/staff/surveys/calls/", lambda r, s: 200 if r in CENTRE else 403, contact=True
    ),
    "staff/surveys/calls/<int:pk>/": Route(
        lambda w: f"/staff/surveys/calls/{w['case'].pk}/", lambda r, s: 200 if r in CENTRE else 403, contact=True
    ),
    # The staff API.
    "api/v1/cases": Route(lambda w: "/api/v1/cases", everyone(200), contact=True, api=True),
    "api/v1/cases/<case_id>": Route(lambda w: f"/api/v1/cases/{w['case'].pk}", found, contact=True, api=True),
    "api/v1/cases/<case_id>/actions/<action>": Route(
        lambda w: f"/api/v1/cases/{w['case'].pk}/actions/reply", posted(sees), "post", api=True
    ),
    "api/v1/departments": Route(lambda w: "/api/v1/departments", everyone(200), api=True),
    "api/v1/categories": Route(lambda w: "/api/v1/categories", everyone(200), api=True),
    "api/v1/figures/rates": Route(lambda w: "/api/v1/figures/rates", everyone(200), contact=True, api=True),
    # An empty body is refused before anything else, whoever asks (the page's test walks the roles).
    "api/v1/analysis/suggest": Route(lambda w: "/api/v1/analysis/suggest", everyone(422), "post", api=True),
    # 好差评's staff API (surveys.api): lists scoped like the pages (comments masked, no contact), one outside them
    # (none exists in this world) a 404; a step's empty body is refused before anything is looked up.
    "api/v1/rectifications": Route(lambda w: "/api/v1/rectifications", everyone(200), api=True),
    "api/v1/rectifications/<rectification_id>": Route(
        lambda w: "/api/v1/rectifications/999999", everyone(404), api=True
    ),
    "api/v1/rectifications/<rectification_id>/submit": Route(
        lambda w: "/api/v1/rectifications/999999/submit", everyone(422), "post", api=True
    ),
    "api/v1/rectifications/<rectification_id>/check": Route(
        lambda w: "/api/v1/rectifications/999999/check", everyone(422), "post", api=True
    ),
    "api/v1/appeals": Route(lambda w: "/api/v1/appeals", everyone(200), api=True),
    "api/v1/appeals/<appeal_id>": Route(lambda w: "/api/v1/appeals/999999", everyone(404), api=True),
    "api/v1/ratings/<rating_id>/appeals": Route(
        lambda w: "/api/v1/ratings/999999/appeals", everyone(422), "post", api=True
    ),
    "api/v1/appeals/<appeal_id>/decision": Route(
        lambda w: "/api/v1/appeals/999999/decision", everyone(422), "post", api=True
    ),
}
# The public API (no staff token; the portal's tests): not part of the staff matrix.
PUBLIC = {
    "api/v1/",
    "api/v1/docs",
    "api/v1/openapi.json",
    "api/v1/submissions",
    "api/v1/track/<tracking_code>",
    "api/v1/track/<tracking_code>/rating",
    "api/v1/track/<tracking_code>/rectification/rating",
}


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        else:
            yield route


def staff_routes() -> set[str]:
    return {r for r in _routes(get_resolver().url_patterns) if r.startswith(("staff/", "api/v1/"))} - PUBLIC


def test_every_staff_route_has_a_matrix_entry() -> None:
    assert staff_routes() == set(ROUTES), "add the new page or endpoint to ROUTES (and to docs/security.md)"


# --- The world ----------------------------------------------------------------------------------------------------
def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """Departments own (and below it, below), other and the centre; one user per role (handler and head in own);
    one dispatched case per scope with contact details, an attachment, its own hot topic and an improvement action of
    its lead department."""
    centre = factories.department("12345热线", is_dispatch_centre=True)
    own = factories.department("城管局")
    below = factories.department("城管一队", parent=own)
    other = factories.department("水务局")
    users = {
        "dispatcher": factories.user(Role.DISPATCHER, centre),
        "supervisor": factories.user(Role.SUPERVISOR, centre),
        "analyst": factories.user(Role.ANALYST, centre),
        "admin": factories.user(Role.ADMIN),
        "handler": factories.user(Role.HANDLER, own),
        "head": factories.user(Role.DEPT_HEAD, own),
        "auditor": factories.user(Role.AUDITOR),
    }
    leads = {"own": own, "assisting": other, "other": other, "subtree": below, "own_report": own}
    now = timezone.now()
    per_scope = {}
    for scope, lead in leads.items():
        case = factories.case(
            "路口井盖丢失，夜里很危险。",
            title="井盖丢失",
            kind=Kind.REPORT if scope == "own_report" else Kind.COMPLAINT,
            contact_name="赵市民",
            contact_phone=PHONE,
            contact_email="zhao@example.cn",
            attachments=[_png()],
        )
        moves.accept(case, users["dispatcher"])
        moves.dispatch(case, users["dispatcher"], lead, [own] if scope == "assisting" else [])
        owner = factories.user(Role.HANDLER, lead)
        moves.start(case, owner)
        # A pending request for more time, as the lead department asks it (written directly: no SLA policy here).
        extension = Extension.objects.create(
            case=case, days=5, reason="需要协调管线单位", requested_by=owner, requested_at=now
        )
        topic = Topic.objects.create(label=f"井盖丢失 {scope}", first_seen_at=now, last_seen_at=now)
        CaseAnalysis.objects.filter(case=case).update(topic=topic)
        action = factories.action(users["supervisor"], owner, lead, title=f"整改 {scope}", case_ids=[case.pk])
        per_scope[scope] = {
            "case": case,
            "attachment": case.submission.attachments.get().token,
            "topic": topic,
            "action": action,
            "extension": extension,
        }
    return {"users": users, "scopes": per_scope}


def _call(route: Route, user: User, objects: dict[str, Any]) -> tuple[int, str]:
    if route.api:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'matrix')}", HTTP_ACCEPT_LANGUAGE="en")
    else:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
    if route.api and route.method == "post":
        response = client.post(route.path(objects), data="{}", content_type="application/json")
    else:
        response = getattr(client, route.method)(route.path(objects))
    if route.reset is not None:
        route.reset(objects)
    body = b"" if response.streaming else response.content
    return response.status_code, body.decode("utf-8", "replace")


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_the_matrix(world: dict[str, Any], route: str) -> None:
    spec = ROUTES[route]
    wrong = []
    for role in ROLES:
        for scope in SCOPES:
            status, body = _call(spec, world["users"][role], world["scopes"][scope])
            expected = spec.expect(role, scope)
            allowed = expected if isinstance(expected, frozenset) else {expected}
            # Lists show every case in scope: contact details appear in no list, on the case page by the rules.
            contact_expected = spec.contact and status == 200 and route in CONTACT_ROUTES and sees_contact(role, scope)
            shows_contact = PHONE in body
            if status not in allowed or (spec.contact and shows_contact != contact_expected):
                wrong.append((role, scope, status, expected, shows_contact, contact_expected))
    assert wrong == [], "(role, scope, status, expected, shows contact, should show contact)"


def test_an_auditor_reads_the_trail_and_no_case(world: dict[str, Any]) -> None:
    """Every page and endpoint an auditor may open (200) names none of the cases: no number, no title, no text; the
    audit search names them (it is the trail) without their contact details or text."""
    auditor = world["users"]["auditor"]
    objects = world["scopes"]["own"]
    numbers = [scope["case"].number for scope in world["scopes"].values()]
    opened = []
    for name, spec in sorted(ROUTES.items()):
        if spec.method != "get":
            continue
        status, body = _call(spec, auditor, objects)
        if status != 200:
            continue
        opened.append(name)
        assert PHONE not in body and "赵市民" not in body and "夜里很危险" not in body, name
        if name != "staff/audit/":
            assert not any(number in body for number in numbers) and "井盖丢失" not in body, name
    assert "staff/audit/" in opened and "staff/cases/" in opened and "api/v1/cases" in opened
    # The trail itself is theirs to read: a case's events, found by its number.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(auditor)
    listed = client.get("/staff/audit/", {"case": objects["case"].number, "source": "event"}).content.decode()
    assert objects["case"].number in listed and "dispatch" in listed and PHONE not in listed


# The routes whose answer carries the case's contact details for those who may see them.
CONTACT_ROUTES = {"staff/cases/<int:pk>/", "api/v1/cases/<case_id>", "staff/surveys/calls/<int:pk>/"}
