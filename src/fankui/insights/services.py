"""Writes of the insights app: the scheduled e-mail of the analysis report."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fankui.accounts.models import Role, User

from . import builders, queries
from .models import ReportRun
from .periods import Period

log = logging.getLogger(__name__)
# A claim older than this without a sent_at belongs to a worker that died; another may take it over.
CLAIM_TIMEOUT = timedelta(minutes=30)


def recipients() -> list[str]:
    if settings.FANKUI_REPORT_RECIPIENTS:
        return list(settings.FANKUI_REPORT_RECIPIENTS)
    managers = User.objects.filter(is_active=True, role__in=(Role.SUPERVISOR, Role.ADMIN)).exclude(email="")
    return sorted(set(managers.values_list("email", flat=True)))


def _claim(period: Period) -> ReportRun | None:
    now = timezone.now()
    try:
        with transaction.atomic():
            return ReportRun.objects.create(period=period.key, kind=period.kind, claimed_at=now)
    except IntegrityError:
        pass  # another worker (or an earlier run) has this period
    taken_over = ReportRun.objects.filter(
        period=period.key, sent_at__isnull=True, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(claimed_at=now)
    # Nothing got updated: the period was sent, or another worker is sending it now.
    return ReportRun.objects.get(period=period.key) if taken_over else None


def send_period_report(period: Period) -> bool:
    """Build the whole organisation's report of ``period`` as PDF and e-mail it to the managers, once per period.
    Returns whether this call sent it."""
    run = _claim(period)
    if run is None:
        return False
    to = recipients()
    try:
        with translation.override(settings.LANGUAGE_CODE):
            report = queries.build(queries.whole_organisation(), period)
            subject = builders.title(report)
            if to:
                message = EmailMessage(
                    subject=subject,
                    body=_("The feedback analysis report for %(period)s is attached.") % {"period": period.key},
                    to=to,
                    headers={"Auto-Submitted": "auto-generated"},  # RFC 3834: no auto-replies to it, no loops
                )
                message.attach(f"fankui-report-{period.key}.pdf", builders.pdf(report), "application/pdf")
                message.send()
    except Exception as exc:
        # Leave sent_at empty: after CLAIM_TIMEOUT the next sweep tries again.
        ReportRun.objects.filter(pk=run.pk).update(error=f"{type(exc).__name__}: {exc}"[:2000])
        log.exception("the report of %s could not be sent", period.key)
        return False
    ReportRun.objects.filter(pk=run.pk).update(sent_at=timezone.now(), recipients=len(to), error="")
    if not to:
        log.warning("the report of %s has no recipients: no supervisor or administrator has an e-mail", period.key)
    return True
