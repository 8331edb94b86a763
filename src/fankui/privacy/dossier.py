"""Everything held about a citizen's request, as they may see and download it (PIPL art. 45): the submission as sent,
the contact details as held, the status and the events meant for them, the attachments, the ratings, what they
wrote later, the messages sent to them about it, and the questionnaires their proven address was invited to. In one
shape for the page, the JSON download and the PDF (its Chinese font embedded as the analysis report's:
insights.charts)."""

from __future__ import annotations

import io
import json
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.cases import queries as case_queries
from fankui.cases.models import Case
from fankui.insights.charts import register_font
from fankui.notify import services as notify
from fankui.portal.queries import tracking
from fankui.questionnaires.services import personal as questionnaires
from fankui.surveys.models import Level, Rating

from . import services


def _when(moment: Any) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def _day(moment: Any) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def invitations(case: Case) -> list[dict[str, Any]]:
    """The questionnaire invitations sent to the address that proved the person (``services.invitations_of``). For a
    questionnaire that is not anonymous, the answers given through the invitation; for an anonymous one none (nothing
    links them to the invitation), and the day it was used, as kept."""
    found = []
    for invitation in questionnaires.with_answers(services.invitations_of(case.submission)):
        questionnaire = invitation.questionnaire
        response = questionnaires.response_of(invitation)
        follow_up = getattr(response, "follow_up", None) if response is not None else None
        found.append(
            {
                "questionnaire": questionnaire.title,
                "anonymous": questionnaire.anonymous,
                "channel": invitation.get_channel_display(),
                "address": invitation.address,
                "added_at": _when(invitation.created_at),
                "sent_at": _when(invitation.sent_at),
                "reminded_at": _when(invitation.reminded_at),
                "answered": invitation.used_at is not None,
                # An anonymous questionnaire keeps the day only: a time would look like one that was kept.
                "answered_at": _day(invitation.used_at) if questionnaire.anonymous else _when(invitation.used_at),
                "answers": [
                    {"question": question, "answer": answer}
                    for question, answer in (questionnaires.answers_given(response) if response else [])
                ],
                "follow_up": follow_up.case.display_code if follow_up is not None and follow_up.case else "",
            }
        )
    return found


def held(case: Case) -> dict[str, Any]:
    """The data held about the submitter of ``case``, in plain values (JSON-ready)."""
    submission = case.submission
    view = tracking(case)
    later = case_queries.supplements(case, from_contact=True)
    return {
        "tracking_code": case.display_code,
        "submission": {
            "received_at": _when(submission.received_at),
            "channel": submission.get_channel_display(),
            "kind_chosen": submission.get_kind_display() if submission.kind else "",
            "title": submission.title,
            "text": submission.body,
            "anonymous": submission.anonymous,
            "language": submission.language,
        },
        "contact": {
            "name": submission.contact_name,
            "phone": submission.contact_phone,
            "email": submission.contact_email,
            "address": submission.address,
            "location": [submission.lat, submission.lng] if submission.lat is not None else None,
        },
        "case": {"state": view.state_label, "kind": view.kind_label},
        "events": [
            {"at": _when(entry.at), "what": entry.label, "message": entry.message, "department": entry.department}
            for entry in view.timeline
        ],
        "replies": [
            {"at": _when(reply.at), "department": reply.department, "text": reply.body} for reply in view.replies
        ],
        "attachments": [
            {"name": item.original_name, "type": item.content_type, "bytes": item.size}
            for item in [*submission.attachments.all(), *(f for s in later for f in s.attachments.all())]
        ],
        "ratings": [
            {"at": _when(rating.created_at), "rating": str(Level(rating.level).label), "comment": rating.comment}
            for rating in Rating.objects.filter(case=case).order_by("created_at")
        ],
        # What they wrote on it later (补充: a reply to our e-mail, an update from an Open311 app). Words from another
        # address about the case (someone copied on the thread) are that person's, not the citizen's.
        "later": [
            {"at": _when(item.created_at), "channel": item.get_channel_display(), "text": item.text} for item in later
        ],
        "messages": [
            {
                "at": _when(message.created_at),
                "sent_at": _when(message.sent_at),
                "channel": message.get_channel_display(),
                "status": message.get_status_display(),
                "subject": message.subject,
                # A one-time code is spent or expired once the person reads this; it is not repeated here.
                "text": "" if message.key.startswith(services.CODE_KEY) else message.body,
            }
            for message in notify.sent_about(case.pk, services.addresses_of(submission))
        ],
        "invitations": invitations(case),
    }


def as_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def _rows(data: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The sections of the PDF: a heading and (label, value) lines each."""
    s, c = data["submission"], data["contact"]
    return [
        (
            _("Your request"),
            [
                (_("Tracking code"), data["tracking_code"]),
                (_("Received at"), s["received_at"]),
                (_("Channel"), s["channel"]),
                (_("Title"), s["title"]),
                (_("Text"), s["text"]),
                (_("Status"), data["case"]["state"]),
                (_("Kind"), data["case"]["kind"]),
            ],
        ),
        (
            _("Your contact details"),
            [(_("Name"), c["name"]), (_("Phone"), c["phone"]), (_("E-mail"), c["email"]), (_("Address"), c["address"])],
        ),
        (
            _("Progress"),
            [(e["at"], " · ".join(x for x in (e["what"], e["department"], e["message"]) if x)) for e in data["events"]],
        ),
        (_("Replies"), [(r["at"], r["text"]) for r in data["replies"]]),
        (_("Attachments"), [(a["name"], f"{a['type']}, {a['bytes']} B") for a in data["attachments"]]),
        (_("Ratings"), [(r["at"], " · ".join(x for x in (r["rating"], r["comment"]) if x)) for r in data["ratings"]]),
        (_("What you wrote later"), [(e["at"], f"{e['channel']} · {e['text']}") for e in data.get("later", [])]),
        (
            _("Messages we sent you"),
            [
                (m["at"], " · ".join(x for x in (m["channel"], m["status"], m["subject"], m["text"]) if x))
                for m in data.get("messages", [])
            ],
        ),
        (_("Questionnaires you were invited to"), _invitation_lines(data.get("invitations", []))),
    ]


def invitation_status(item: dict[str, Any]) -> str:
    """One invitation in a line: how it was sent and when, the reminder, whether it was answered."""
    parts = [item["channel"], item["address"]]
    parts.append(_("sent %(at)s") % {"at": item["sent_at"]} if item["sent_at"] else _("not sent"))
    if item["reminded_at"]:
        parts.append(_("reminded %(at)s") % {"at": item["reminded_at"]})
    parts.append(_("answered %(at)s") % {"at": item["answered_at"]} if item["answered"] else _("not answered"))
    if item["follow_up"]:
        parts.append(_("follow-up request %(code)s") % {"code": item["follow_up"]})
    return " · ".join(part for part in parts if part)


def _invitation_lines(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    unlinked = _("Anonymous questionnaire: your answers are not linked to you, so they are not listed.")
    lines = []
    for item in items:
        lines.append((item["questionnaire"], invitation_status(item)))
        if item["anonymous"]:
            lines.append((unlinked, ""))
        lines.extend((f"{item['questionnaire']} · {a['question']}", a["answer"]) for a in item["answers"])
    return lines


def as_pdf(data: dict[str, Any]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font = register_font()
    # CJK text has no spaces: wordWrap="CJK" breaks lines between any two characters.
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    heading = ParagraphStyle("heading", parent=body, fontSize=13, leading=20, spaceBefore=8)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=24)

    def text(value: str) -> str:
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")

    story: list[Any] = [
        Paragraph(text(_("Your personal data held about request %(code)s") % {"code": data["tracking_code"]}), title)
    ]
    for section, lines in _rows(data):
        story.append(Paragraph(text(section), heading))
        for label, value in lines or [(_("None"), "")]:
            story.append(Paragraph(f"{text(label)}: {text(value)}" if value else text(label), body))
        story.append(Spacer(1, 2 * mm))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=data["tracking_code"], leftMargin=18 * mm, rightMargin=18 * mm).build(
        story
    )
    return out.getvalue()
