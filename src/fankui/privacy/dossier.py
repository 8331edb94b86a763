"""Everything held about a citizen's request, as they may see and download it (PIPL art. 45): the submission as sent,
the contact details as held, the status and the events meant for them, the attachments, the ratings, what they
wrote later, and the messages sent to them about it. In one shape for the page, the JSON download and the PDF (its
Chinese font embedded as the analysis report's: insights.charts)."""

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
from fankui.surveys.models import Level, Rating

from . import services


def _when(moment: Any) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


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
    ]


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
