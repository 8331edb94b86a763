"""XSS payloads in every text a citizen or a member of staff writes, and a check that a page holds none of them as live
markup (``tests/portal/test_xss_payloads_are_escaped_on_every_page.py``; in a browser: ``tests/e2e``)."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

from django.test import Client
from django.utils import timezone

from fankui.accounts.models import Department, Role, User
from fankui.actions.models import Action
from fankui.actions.services import creating
from fankui.actions.services import moves as action_moves
from fankui.actions.services.creating import ActionInput
from fankui.actions.workflow import Step
from fankui.analysis.models import CaseAnalysis
from fankui.analysis.pipeline import analyse_pending
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.surveys.services import rate
from fankui.topics import services as topics
from fankui.topics.models import Topic
from tests import factories

# Each payload carries "xss" and a number, so a page that shows it can be told from one that does not.
PAYLOADS = ('<script>alert("xss1")</script>', '"><img src=x onerror=alert("xss2")>', 'javascript:alert("xss3")')


def payload(field: str) -> str:
    """The field's name (to find where a payload landed) and every payload."""
    return f"{field} {' '.join(PAYLOADS)} <svg onload=alert('xss4')>"


# What the citizen types into the public form (the contact name has a shorter limit).
SUBMITTED = {
    "title": payload("title"),
    "body": payload("body") + " 幸福小区路灯坏了",
    "contact_name": payload("name")[:60],
    "contact_phone": "13800138000",
    "address": payload("address"),
}


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}


class LiveMarkup(HTMLParser):
    """Collects what a browser would run or load from the payloads: script elements, event handlers, javascript:
    URLs, elements (img, svg…) that came from text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None  # the type of the script element being read, or None outside one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and value.strip().lower().startswith(("javascript:", "data:text/html")):
                self.found.append(f"<{tag} {name}={value!r}>")
            if "xss" in value and tag in {"img", "svg", "iframe", "script", "object", "embed"}:
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in {"svg", "img"} and dict(attrs).get("src") == "x":
            self.found.append(f"<{tag} src=x>")
        if tag == "svg" and any(n.startswith("on") for n, _ in attrs):
            self.found.append("<svg on...>")
        if tag == "script":
            self._script = dict(attrs).get("type") or "text/javascript"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is None:
            return
        # Data in JSON (``json_script``) is inert only while it cannot close its element: "<" is escaped there.
        if self._script == "application/json" and "<" not in data:
            return
        if "xss" in data or "alert(" in data:
            self.found.append(f"<script type={self._script}>{data[:80]}")


def live_markup(html: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(html)
    parser.close()
    return parser.found


@dataclass
class Planted:
    case: Case
    action: Action
    topic: Topic


def plant(client: Client, dept: Department, dispatcher: User, handler: User, supervisor: User) -> Planted:
    """A case whose every text (the citizen's and the staff's) carries the payloads, through the real services."""
    page = client.get("/").content.decode()
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/", {"token": token, "kind": "complaint", **SUBMITTED})
    assert response.status_code == 302, response.content.decode()[:2000]
    return work_through(Case.objects.get(), dept, dispatcher, handler, supervisor)


def work_through(case: Case, dept: Department, dispatcher: User, handler: User, supervisor: User) -> Planted:
    """The staff's steps on a submitted case, each text with the payloads; an action and an approved topic."""
    analyse_pending()
    topic = topic_of(case)
    moves.accept(case, dispatcher, note=payload("accept note"))
    moves.dispatch(case, dispatcher, dept, note=payload("dispatch note"))
    moves.start(case, handler)
    moves.reply(case, handler, payload("reply"))
    rate(case, 1, payload("rating"))
    analyst = factories.user(Role.ANALYST, dept)
    action = creating.create_action(
        analyst,
        ActionInput(
            title=payload("action")[:100],
            goal=payload("goal"),
            root_cause=payload("cause"),
            measures=payload("measures"),
            expected_effect=payload("effect"),
            owner=analyst.pk,
            department=dept.pk,
            deadline="2026-12-31",
            topic=topic.pk,
            milestones=[(payload("milestone")[:100], "2026-12-20")],
            case_ids=[case.pk],
        ),
    )
    action_moves.transition(action, analyst, Step.APPROVE)
    action_moves.post_progress(action, analyst, payload("progress"))
    topics.approve_for_public(topic, supervisor)
    case.refresh_from_db()
    return Planted(case, action, topic)


def topic_of(case: Case) -> Topic:
    """The case's topic, labelled with its title as the analysis would (a single case makes none)."""
    now = timezone.now()
    topic = Topic.objects.create(label=payload("topic")[:200], size=1, heat=1, first_seen_at=now, last_seen_at=now)
    CaseAnalysis.objects.filter(case=case).update(topic=topic)
    return topic
