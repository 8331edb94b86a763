"""补充: someone writes again on a case that is already open, on any channel. E-mail (a reply in the case's thread)
and Open311 (a FixMyStreet comment, ``POST servicerequestupdates``) translate what arrived and call
``add_supplement``; the rules are here, once.

A supplement keeps its words and its attachments (each checked and stored as the web form's are:
``intake.services.check_uploads`` and ``store_file``; one bad file costs only itself and is named in the text),
writes the ``supplement`` event on the timeline, tells the lead department, and asks the apps above whether it was
the answer they waited for (``signals.supplement_added``: the SLA resumes its clocks when the case's contact answers
an open request for information). Not 回访 (``surveys``: a call staff make to the citizen)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.audit.services import record_event
from fankui.core.errors import ValidationFailed
from fankui.core.text import strip_control
from fankui.core.vocab import Channel
from fankui.intake.models import StoredFile
from fankui.intake.services import check_uploads, remove_files, store_file

from .. import notices, signals
from ..models import Case, Supplement
from ..workflow import Actor
from . import locked

EVENT = "supplement"
# What e-mail follow-ups were recorded as before supplements served every channel; their events refer to the same
# rows (cases migration 0007 kept the ids), so they are still shown (``CasesConfig.ready``).
MAIL_EVENT = "mail_follow_up"


def check_each(uploads: Sequence[UploadedFile]) -> tuple[list[tuple[File, str]], list[str]]:
    """The attachments that pass the web form's checks, each checked on its own so that one bad file does not cost
    the others (nobody can be asked to send them again), and a message for each refused one."""
    good: list[tuple[File, str]] = []
    refused: list[str] = []
    for upload in uploads:
        if len(good) >= settings.FANKUI_MAX_ATTACHMENTS:
            refused.append(_("“%(name)s”: at most %(n)d files are kept.") % {"name": upload.name, "n": len(good)})
            continue
        files, problems = check_uploads([upload])
        good.extend(files)
        refused.extend(problems)
    return good, refused


def words(text: str, refused: Sequence[str] = (), *, has_files: bool = False) -> str:
    """The text kept: without control characters, within intake's length (cut with a note saying so), followed by
    the files that were not kept; empty when nothing was written and nothing kept."""
    body = strip_control(text).strip()
    if not body and has_files:
        body = _("(No text; see the attachments.)")
    notes = [_("Attachments not kept: %(list)s") % {"list": " ".join(refused)}] if refused else []
    room = settings.FANKUI_MAX_BODY_CHARS - sum(len(note) + 2 for note in notes)
    if len(body) > room:
        cut = _("[The rest of the message, %(n)d characters, was cut.]")
        body = body[: max(0, room - len(cut) - 20)].rstrip() + "\n" + cut % {"n": len(body) - room}
    return "\n\n".join(part for part in [body, *notes] if part)


def add_supplement(
    case: Case,
    text: str,
    *,
    channel: str,
    from_contact: bool,
    attachments: Sequence[UploadedFile] = (),
    key: str = "",
    all_or_nothing: bool = False,
) -> tuple[Supplement, bool]:
    """Keep what was written on ``case`` and its good attachments; ``(supplement, created)``. ``key`` is the
    channel's own id of the message: the same key again returns the first supplement and changes nothing
    (``created`` False). ``from_contact``: the sender is the case's contact (only they answer a request for
    information; staff are told when someone else wrote). Nothing written and nothing kept: ``ValidationFailed``.
    ``all_or_nothing``: the sender can choose again (the tracking page's form), so one refused file refuses the whole
    supplement (``ValidationFailed`` on ``attachments``, one message a file) and nothing is kept."""
    key = key[:120]
    if key:
        earlier = Supplement.objects.filter(key=key).first()
        if earlier is not None:
            return earlier, False
    good, refused = check_each(attachments)
    if refused and all_or_nothing:
        raise ValidationFailed({"attachments": refused})
    body = words(text, refused, has_files=bool(good))
    if not body:
        raise ValidationFailed({"text": [_("Write something, or attach a picture or a PDF.")]})
    # The files written to disk, removed again when the transaction does not commit: nothing of a refused
    # supplement is kept beside the database either.
    written: list[str] = []
    try:
        with transaction.atomic():
            return _add(locked(case), body, good, refused, written, channel, from_contact, key or None), True
    except BaseException as exc:
        remove_files(written)
        if isinstance(exc, IntegrityError) and key:
            earlier = Supplement.objects.filter(key=key).first()
            if earlier is not None:  # the same message, stored by another worker meanwhile
                return earlier, False
        raise


def _add(
    case: Case,
    body: str,
    good: list[tuple[File, str]],
    refused: list[str],
    written: list[str],
    channel: str,
    from_contact: bool,
    key: str | None,
) -> Supplement:
    now = timezone.now()
    supplement = Supplement.objects.create(
        case=case, channel=channel, text=body, from_contact=from_contact, key=key, created_at=now
    )
    folder = f"supplements/{now:%Y/%m}/{supplement.pk}"
    for upload, content_type in good:
        store_file(upload, content_type, supplement, folder, written)
    answers = signals.supplement_added.send(sender=Supplement, case=case, supplement=supplement)
    if any(answered for _receiver, answered in answers):
        supplement.answers_request = True
        supplement.save(update_fields=["answers_request"])
    record_event(
        case,
        EVENT,
        actor_kind=Actor.CITIZEN if from_contact else Actor.SYSTEM,
        data={
            "supplement": supplement.pk,
            "channel": channel,
            "from_contact": from_contact,
            "files": len(good),
            "refused": len(refused),
            "answers_request": supplement.answers_request,
        },
        at=now,
    )
    _tell_department(case, supplement)
    return supplement


def _tell_department(case: Case, supplement: Supplement) -> None:
    """The lead department's handlers and heads hear that the submitter wrote again, or, when the sender is not the
    case's contact (anyone copied on the citizen's e-mail can answer it), that someone else wrote. Not the words: a
    notice may go out by e-mail; the case page shows them. A case not yet dispatched waits in triage, where it is
    seen anyway."""
    if case.lead_department_id is None:
        return
    facts = {"number": case.number, "channel": Channel(supplement.channel).label}

    def compose() -> tuple[str, str]:
        if not supplement.from_contact:
            return (
                _("Case %(number)s: someone else wrote about this case") % facts,
                _(
                    "Someone else wrote about case %(number)s (%(channel)s, not from the address on file); read it on "
                    "the case's timeline."
                )
                % facts,
            )
        return (
            _("Case %(number)s: the submitter wrote again") % facts,
            _("The submitter of case %(number)s wrote again (%(channel)s); read it on the case's timeline.") % facts,
        )

    notices.tell(
        notices.department_staff([case.lead_department]),
        "staff:case:supplement" if supplement.from_contact else "staff:case:supplement:other",
        facts,
        compose,
        case=case,
        key=f"staff:case:{case.pk}:supplement:{supplement.pk}",
    )


# --- Reading and erasure -------------------------------------------------------------------------------------------
def texts(ids: set[int]) -> dict[int, str]:
    """The words the timeline shows for ``supplement`` events (``audit.labels.register_text``): an answer to a
    request for information is shown once, by the SLA's own event."""
    return dict(Supplement.objects.filter(pk__in=ids, answers_request=False).values_list("pk", "text"))


def detail(event: Any) -> str:
    """The facts of a ``supplement`` event in words: the channel, a stranger's, the files kept and refused."""
    data = getattr(event, "data", None) or {}
    parts: list[str] = []
    if data.get("channel") in Channel.values:
        parts.append(str(Channel(data["channel"]).label))
    if not data.get("from_contact"):
        parts.append(_("Not from the address on file"))
    if data.get("answers_request"):
        parts.append(_("The answer to the request for information"))
    if data.get("files"):
        parts.append(_("%(n)d attachment(s)") % {"n": data["files"]})
    refused = data.get("refused") or data.get("attachments")  # "attachments": an e-mail follow-up of before
    if refused:
        parts.append(_("%(n)d attachment(s) not kept") % {"n": refused})
    return " · ".join(parts)


def mask_supplements(case: Case, mask: Callable[[str], str]) -> int:
    """Erasure (privacy.services.anonymise): the words pass through ``mask``, the attachments are deleted from disk
    and from the table. Returns how many files were deleted."""
    files = list(
        StoredFile.objects.filter(
            owner_type__app_label="cases",
            owner_type__model="supplement",
            owner_id__in=Supplement.objects.filter(case=case).values("pk"),
        )
    )
    for item in files:
        item.file.delete(save=False)
        item.delete()
    for supplement in Supplement.objects.filter(case=case):
        supplement.text = mask(supplement.text)
        supplement.save(update_fields=["text"])
    return len(files)
