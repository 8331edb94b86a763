"""What `fankui doctor` says about messages: can e-mail and SMS leave this machine, and does the outbox keep up."""

from __future__ import annotations

import socket
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import get_connection
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.core.doctor import FAIL, OK, WARN, Finding

from .models import Channel, Message, Status

TIMEOUT = 5


def mail() -> Finding:
    """An SMTP server is set and accepts this site's connection and login; without one, e-mail goes to files."""
    if not settings.EMAIL_HOST:
        return Finding(
            "mail",
            WARN,
            _("no SMTP server (FANKUI_SMTP_HOST): e-mails are written to %(path)s, not sent")
            % {"path": getattr(settings, "EMAIL_FILE_PATH", "")},
        )
    values = {"host": settings.EMAIL_HOST, "port": settings.EMAIL_PORT}
    try:
        connection = get_connection(timeout=TIMEOUT, fail_silently=False)
        connection.open()
        connection.close()
    except OSError as exc:  # smtplib.SMTPException, ssl.SSLError, socket errors: all mean "cannot send"
        values["error"] = type(exc).__name__
        return Finding("mail", FAIL, _("SMTP server %(host)s:%(port)d refuses or is unreachable (%(error)s)") % values)
    if settings.DEFAULT_FROM_EMAIL.endswith("@localhost"):
        return Finding(
            "mail", WARN, _("SMTP server %(host)s:%(port)d answers, but FANKUI_FROM_EMAIL is not set") % values
        )
    return Finding("mail", OK, _("SMTP server %(host)s:%(port)d accepts this site") % values)


def sms() -> Finding:
    """A gateway is set and something listens at its address (nothing is posted: that would send a message)."""
    url = settings.FANKUI_SMS_GATEWAY_URL
    if not url:
        queued = Message.objects.filter(channel=Channel.SMS, status=Status.QUEUED).count()
        return Finding("sms", WARN, _("no gateway (FANKUI_SMS_GATEWAY_URL): %(count)d SMS wait") % {"count": queued})
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = 0
    if parts.scheme not in {"http", "https"} or not parts.hostname or not port:
        return Finding("sms", FAIL, _("FANKUI_SMS_GATEWAY_URL is not an http(s) address"))
    values = {"host": parts.hostname, "port": port}
    try:
        with socket.create_connection((parts.hostname, port), timeout=TIMEOUT):
            pass
    except OSError as exc:
        values["error"] = type(exc).__name__
        return Finding("sms", FAIL, _("the SMS gateway %(host)s:%(port)d is unreachable (%(error)s)") % values)
    return Finding("sms", OK, _("the SMS gateway %(host)s:%(port)d answers") % values)


def outbox() -> Iterable[Finding]:
    """Messages still queued well after they were due (the worker is not sending, or every try fails), and those
    that failed for good in the last week."""
    late_after = timezone.now() - timedelta(minutes=settings.FANKUI_OUTBOX_LATE_MINUTES)
    late = Message.objects.filter(status=Status.QUEUED, next_attempt_at__lte=late_after).exclude(
        channel=Channel.IN_APP  # read in the page, never sent
    )
    if not settings.FANKUI_SMS_GATEWAY_URL:
        late = late.exclude(channel=Channel.SMS)  # they wait by design (the line above says how many)
    count = late[: settings.FANKUI_READY_MAX_BACKLOG + 1].count()
    failed = dict(
        Message.objects.filter(status=Status.FAILED, created_at__gte=timezone.now() - timedelta(days=7))
        .values_list("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )
    values = {"count": count, "minutes": settings.FANKUI_OUTBOX_LATE_MINUTES, "failed": sum(failed.values())}
    if count > settings.FANKUI_READY_MAX_BACKLOG:
        level = FAIL
    elif count or failed:
        level = WARN
    else:
        level = OK
    yield Finding(
        "outbox",
        level,
        _("%(count)d messages queued over %(minutes)d minutes after they were due; %(failed)d failed in 7 days")
        % values,
    )


def register() -> None:
    from fankui.core import doctor

    doctor.register("mail", mail, needs_database=False)
    doctor.register("sms", sms)
    doctor.register("outbox", outbox)
