"""Closing the loop: tell every person whose case is linked what was decided (approved) and what was done (done).

One message per distinct contact (e-mail, else phone) and stage, however many of their cases are linked: the
message's dedupe key is (contact, "action:<id>:<stage>"). The links are read in batches in link-id order from the
broadcast's cursor, and each batch's messages and the cursor are committed together, so memory stays flat and a
killed worker resumes where it stopped. Anonymous submissions, those without a contact and opted-out contacts are
skipped; a contact known to bounce gets a failed message row that says why.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fankui.cases.models import Case
from fankui.core import codes
from fankui.core.site import public_url
from fankui.notify import services as notify
from fankui.notify.models import Message

from .indicators import result_due
from .models import Action, ActionCase, Broadcast, Indicator, ProgressUpdate

BATCH = 2000


def _raised(title: str, snippet: str) -> str:
    text = (title or snippet or "").strip().replace("\n", " ")
    return text if len(text) <= 40 else text[:40] + "…"


def _texts(action: Action, stage: str) -> tuple[str, str]:
    """Subject and the part of the body that is the same for everyone (in the site's language)."""
    if stage == Broadcast.Stage.APPROVED:
        subject = _("Your request: an improvement has been decided")
        decided = _(
            "What was decided: %(title)s\n%(measures)s\nResponsible: %(department)s. To be done by %(deadline)s."
        ) % {
            "title": action.title,
            "measures": action.measures,
            "department": action.department.name,
            "deadline": action.deadline.isoformat(),
        }
    else:
        subject = _("Your request: the improvement is done")
        latest = ProgressUpdate.objects.filter(action=action, public=True).order_by("-created_at", "-id").first()
        decided = _("What was done: %(title)s (finished on %(date)s).\n%(measures)s") % {
            "title": action.title,
            "date": timezone.localtime(action.done_at or timezone.now()).strftime("%Y-%m-%d"),
            "measures": latest.text if latest else action.measures,
        }
        due = result_due(action)
        if action.indicator != Indicator.NONE and due is not None:
            # Said as a date to come, never as a result: on the day it is done nothing can be measured yet.
            decided += "\n" + _("Whether it worked (%(indicator)s, before and after) will be known on %(date)s.") % {
                "indicator": action.get_indicator_display(),
                "date": timezone.localtime(due).strftime("%Y-%m-%d"),
            }
    return subject, decided


def _rows(broadcast: Broadcast, batch: int) -> list[tuple[Any, ...]]:
    """The next ``batch`` links after the cursor, with what the message needs of each case.

    Two queries: the links alone walk the (action, id) index in order and stop at ``batch``; joining the cases in
    the same query let PostgreSQL join every remaining link before sorting, once per batch."""
    links = list(
        ActionCase.objects.filter(action_id=broadcast.action_id, pk__gt=broadcast.cursor)
        .order_by("pk")
        .values_list("pk", "case_id")[:batch]
    )
    details = {
        row[0]: row[1:]
        for row in Case.objects.filter(pk__in=[case_id for _pk, case_id in links])
        .annotate(snippet=Substr("submission__body", 1, 41))
        .values_list(
            "pk",
            "tracking_code",
            "submission__anonymous",
            "submission__contact_email",
            "submission__contact_phone",
            "submission__channel",
            "submission__title",
            "snippet",
        )
    }
    return [(pk, case_id, *details[case_id]) for pk, case_id in links if case_id in details]


def _messages(
    action: Action, stage: str, rows: list[tuple[Any, ...]], blocked: tuple[set[Any], dict[Any, Any]]
) -> Iterator[Message | None]:
    """One message per row with a usable contact; None for a row that is skipped."""
    subject, decided = _texts(action, stage)
    key = f"action:{action.pk}:{stage}"
    opted, bounced = blocked
    now = timezone.now()
    # Translated and reversed once per batch, not once per message.
    template = _("You told us: “%(raised)s” (request %(code)s).\n%(decided)s\nFollow the progress: %(url)s")
    footer = notify.opt_out_footer()
    base_url = public_url()
    track = base_url + reverse("portal:track", kwargs={"code": "CODE"}).removesuffix("CODE/")
    for _pk, case_id, code, anonymous, email, phone, came_by, title, snippet in rows:
        address = notify.citizen_address(anonymous=anonymous, email=email, phone=phone, came_by=came_by)
        if address is None:
            yield None
            continue
        where = address.where
        if where in opted:
            yield None
            continue
        body = template % {
            "raised": _raised(title, snippet),
            "code": codes.display(code),
            "decided": decided,
            "url": f"{track}{code}/",
        }
        yield notify.citizen_message(
            address,
            subject,
            body,
            key=key,
            case_id=case_id,
            now=now,
            bounced_at=bounced.get(where),
            footer=footer,
            base_url=base_url,
        )


def _lock(pk: int) -> Broadcast | None:
    """The broadcast row, locked for this batch; None when another worker holds it (it is working on it now)."""
    return Broadcast.objects.select_for_update(skip_locked=True).filter(pk=pk, finished_at__isnull=True).first()


def run(broadcast: Broadcast, batch: int = BATCH, max_batches: int | None = None) -> int:
    """Work through a broadcast; returns how many messages were queued. Resumable at any point.

    Each batch re-reads the cursor under a row lock and commits the messages with the new cursor, so workers running
    the same broadcast take turns instead of sending the same batch twice."""
    action = Action.objects.select_related("department").get(pk=broadcast.action_id)
    blocked = notify.blocked_addresses()
    queued = 0
    done_batches = 0
    with translation.override(settings.LANGUAGE_CODE):
        while max_batches is None or done_batches < max_batches:
            with transaction.atomic():
                locked = _lock(broadcast.pk)
                if locked is None:
                    break
                rows = _rows(locked, batch)
                if not rows:
                    locked.finished_at = timezone.now()
                    locked.save(update_fields=["finished_at"])
                    break
                messages = list(_messages(action, locked.stage, rows, blocked))
                new = notify.queue_in_batches(m for m in messages if m is not None)
                locked.cursor = rows[-1][0]
                locked.queued += new
                locked.skipped += sum(1 for m in messages if m is None)
                locked.save(update_fields=["cursor", "queued", "skipped"])
            queued += new
            done_batches += 1
    return queued


def run_pending(max_batches: int = 50) -> int:
    """The sweep: continue every unfinished broadcast, a bounded amount of work per round."""
    total = 0
    for broadcast in Broadcast.objects.filter(finished_at__isnull=True).order_by("id"):
        total += run(broadcast, max_batches=max_batches)
    return total
