"""Template helpers of the staff pages: readable names for what the timeline stores as codes."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fankui.accounts.models import Role
from fankui.audit import labels
from fankui.audit.models import Event
from fankui.core.vocab import Channel, Kind, Level

from ..models import Case
from ..queries import shown_title
from ..workflow import Action, Actor, SpamKind, State

register = template.Library()

# The timeline tells what happened, so its words are past tense (the action labels are the buttons' words).
EVENT_LABELS = {
    "receive": gettext_lazy("Received"),
    Action.ACCEPT: gettext_lazy("Accepted"),
    Action.REJECT: gettext_lazy("Rejected"),
    Action.DISPATCH: gettext_lazy("Dispatched"),
    Action.REDISPATCH: gettext_lazy("Dispatched again"),
    Action.RETURN: gettext_lazy("Returned by the department"),
    Action.START: gettext_lazy("Handling started"),
    Action.REPLY: gettext_lazy("Replied"),
    Action.RATE_SATISFIED: gettext_lazy("Rated: satisfied"),
    Action.RATE_UNSATISFIED: gettext_lazy("Rated: not satisfied"),
    Action.CLOSE: gettext_lazy("Closed"),
    Action.REOPEN: gettext_lazy("Reopened"),
    Action.MERGE: gettext_lazy("Merged as a duplicate"),
    Action.MARK_SPAM: gettext_lazy("Marked as spam or abuse"),
    Action.UNMARK_SPAM: gettext_lazy("Spam mark taken back"),
    Action.ANSWER_AT_ONCE: gettext_lazy("Answered at first contact and closed"),
    "merge_in": gettext_lazy("A duplicate was merged in"),
    "reclassified": gettext_lazy("Classified by the analysis"),
}


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@register.filter
def state_label(value: str) -> str:
    return _label(State, value) if value else ""


@register.filter
def event_label(event: Event) -> str:
    label = EVENT_LABELS.get(event.action)
    if label is not None:
        return str(label)
    registered = labels.words(event.action)
    return str(registered.staff) if registered is not None else _label(Action, event.action)


@register.filter
def event_actor(event: Event) -> str:
    if event.actor is not None:
        return event.actor.display_name
    if event.actor_kind in Role.values:
        # A step of an imported history: the role is known, not the person (cases.services.history).
        return _label(Role, event.actor_kind)
    return _label(Actor, event.actor_kind)


@register.filter
def event_detail(event: Event) -> str:
    """The facts an event carries in ``data``, in words (the message is shown separately)."""
    data = event.data or {}
    if event.action == "receive" and data.get("channel"):
        return _("Channel: %(channel)s") % {"channel": _label(Channel, data["channel"])}
    if event.action in (Action.DISPATCH, Action.REDISPATCH):
        text = _("Lead: %(lead)s") % {"lead": data.get("lead_department_name", "")}
        if data.get("assist_department_names"):
            text += " · " + _("Assisting: %(names)s") % {"names": "、".join(data["assist_department_names"])}
        return " · ".join(filter(None, [text, _classification(data)]))
    if event.action in (Action.MARK_SPAM, Action.UNMARK_SPAM) and data.get("kind"):
        return _label(SpamKind, data["kind"])
    if event.action in (Action.ACCEPT, "reclassified"):
        return _classification(data)
    if event.action == Action.MERGE and data.get("primary_number"):
        return _("Duplicate of %(number)s") % {"number": data["primary_number"]}
    if event.action == "merge_in" and data.get("duplicate_number"):
        return _("Duplicate: %(number)s") % {"number": data["duplicate_number"]}
    if event.action in (Action.RATE_SATISFIED, Action.RATE_UNSATISFIED) and data.get("rating"):
        try:
            return str(Level(int(data["rating"])).label)
        except ValueError:
            return ""
    if event.action == Action.CLOSE and data.get("reason") == "rating_window_passed":
        return _("The rating window passed without a rating.")
    registered = labels.words(event.action)
    if registered is not None and registered.detail is not None:
        return registered.detail(event)
    return ""


def _classification(data: dict[str, Any]) -> str:
    """A kind or category set with a move or by the analysis: "Kind: Complaint → Praise (92%)"."""
    parts = []
    kind, category = data.get("kind"), data.get("category")
    if isinstance(kind, dict):
        names = {"old": _label(Kind, kind.get("from") or ""), "new": _label(Kind, kind.get("to") or "")}
        parts.append(_("Kind: %(old)s → %(new)s") % names + _percent(kind))
    if isinstance(category, dict):
        parts.append(_("Category: %(name)s") % {"name": category.get("name", "")} + _percent(category))
    return " · ".join(parts)


def _percent(change: dict[str, Any]) -> str:
    confidence = change.get("confidence")
    return f" ({round(float(confidence) * 100)}%)" if confidence is not None else ""


@register.filter
def rating_label(level: int) -> str:
    try:
        return str(Level(level).label)
    except ValueError:
        return str(level)


@register.simple_tag(takes_context=True)
def case_title(context: template.Context, case: Case) -> str:
    """``{% case_title case %}``: the case's name in a list, as the reader may see it (``queries.shown_title``)."""
    return shown_title(case, context["request"].user)
