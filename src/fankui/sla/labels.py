"""Timeline words for the events the SLA app writes."""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fankui.audit import labels
from fankui.audit.models import Event

from .models import Stage


def _stage_and_deadline(event: Event) -> str:
    data = event.data or {}
    stage = data.get("stage", "")
    label = Stage(stage).label if stage in Stage.values else stage
    raw = data.get("deadline")
    when = ""
    if isinstance(raw, str):
        parsed = parse_datetime(raw.replace(" ", "T", 1))
        if parsed is not None:
            if timezone.is_naive(parsed):
                # SQLite keeps datetimes as UTC text without an offset.
                parsed = timezone.make_aware(parsed, timezone.get_fixed_timezone(0))
            when = timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M")
    return _("%(stage)s, deadline %(deadline)s") % {"stage": label, "deadline": when or "—"}


def _days(event: Event) -> str:
    data = event.data or {}
    text = _("%(days)s working days") % {"days": data.get("days", "?")}
    if data.get("new_deadline"):
        text += " · " + _("new deadline %(date)s") % {"date": data["new_deadline"]}
    if data.get("note"):
        text += " · " + str(data["note"])
    return text


def _note(event: Event) -> str:
    data = event.data or {}
    if data.get("reason") == "no_answer":
        return _("No answer from the submitter within %(days)s working days") % {"days": data.get("days", "")}
    return str(data.get("note", ""))


def _questions(ids: set[int]) -> dict[int, str]:
    from .models import InfoRequest

    return dict(InfoRequest.objects.filter(pk__in=ids).values_list("pk", "question"))


def _answers(ids: set[int]) -> dict[int, str]:
    from .models import InfoRequest

    return dict(InfoRequest.objects.filter(pk__in=ids).values_list("pk", "answer"))


def register_all() -> None:
    # Their words are read from the request's row (``audit.labels.with_words``), which erasure masks.
    labels.register_text("sla_info_requested", "request", _questions, citizen=False)  # staff asked it
    labels.register_text("sla_resumed", "answer", _answers)
    labels.register("sla_warn", gettext_lazy("Deadline warning sent"), detail=_stage_and_deadline)
    labels.register("sla_urge", gettext_lazy("Deadline reached: department urged"), detail=_stage_and_deadline)
    labels.register(
        "sla_escalate",
        gettext_lazy("Overdue: escalated to the department head and supervisors"),
        detail=_stage_and_deadline,
    )
    labels.register(
        "sla_info_requested",
        gettext_lazy("More information requested; deadlines paused"),
        public=gettext_lazy("We asked you for more information"),
    )
    labels.register(
        "sla_resumed",
        gettext_lazy("Deadlines resumed"),
        public=gettext_lazy("Handling resumed"),
        detail=_note,
    )
    labels.register("sla_extension_requested", gettext_lazy("Extension requested"), detail=_days)
    labels.register("sla_extension_refused", gettext_lazy("Extension refused"), detail=_days)
    labels.register(
        "sla_extension_approved",
        gettext_lazy("Extension approved"),
        public=gettext_lazy("More time is needed; new expected date"),
        detail=_days,
    )
    labels.register("sla_supervised", gettext_lazy("Put under supervision"))
    labels.register("sla_instruction", gettext_lazy("Supervision instruction"))
    labels.register("sla_unsupervised", gettext_lazy("Supervision ended"))
