"""The public board (你说我改) at /board/: no login, mobile first; an Atom feed and an embeddable widget.

``FANKUI_PUBLIC_BOARD=0`` switches all of it off (404). Only the widget may be framed by other sites.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.clickjacking import xframe_options_exempt

from fankui.actions import indicators
from fankui.actions.models import Action
from fankui.nlp.public import public_text

from . import board

View = Callable[..., HttpResponse]


def board_enabled(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not board.enabled():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@board_enabled
def board_page(request: HttpRequest) -> HttpResponse:
    ongoing, completed = board.items()
    headline = board.headline()
    return render(
        request,
        "portal/board.html",
        {
            "headline": headline,
            "top_topics": board.top_topics(headline),
            "ongoing": ongoing,
            "completed": completed,
            "nav": "board",
        },
    )


@board_enabled
def board_action(request: HttpRequest, pk: int) -> HttpResponse:
    action = board.public_actions().filter(pk=pk).first() if pk < 2**63 else None
    if action is None:
        raise Http404
    updates = action.updates.filter(public=True).order_by("-created_at", "-id")[:20]
    return render(
        request,
        "portal/board_action.html",
        {
            "item": board.BoardItem(action, indicators.figures(action)),
            "milestones": list(action.milestones.all()),
            "updates": list(updates),
            "nav": "board",
        },
    )


@xframe_options_exempt
@board_enabled
def board_widget(request: HttpRequest) -> HttpResponse:
    ongoing, completed = board.items(limit=5)
    response = render(
        request,
        "portal/board_widget.html",
        {"headline": board.headline(), "items": (completed + ongoing)[:5]},
    )
    # Framed by other sites: this page, and only this page, allows it.
    response["Content-Security-Policy"] = "frame-ancestors *"
    return response


class TextSummaryAtomFeed(Atom1Feed):
    """Atom with each entry's summary as ``type="text"``: Django writes ``type="html"``, which feed readers render as
    markup, and an action's text is staff's words, not HTML. The XML writer escapes it; readers show it as written."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, {**item, "description": None})
        if item.get("description") is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class BoardFeed(Feed):
    feed_type = TextSummaryAtomFeed
    title = gettext_lazy("You said, we did: improvement actions")
    subtitle = gettext_lazy("Problems many people raised, and what is being done about them.")

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not board.enabled():
            raise Http404
        return super().__call__(request, *args, **kwargs)

    def link(self) -> str:
        return reverse("portal:board")

    def items(self) -> list[Action]:
        return list(board.public_actions().order_by("-created_at", "-id")[:30])

    def item_title(self, item: Action) -> str:
        return f"{public_text(item.title)} ({item.get_state_display()})"

    def item_description(self, item: Action) -> str:
        return ngettext(
            "%(measures)s — %(department)s, to be done by %(deadline)s. %(n)d person raised it.",
            "%(measures)s — %(department)s, to be done by %(deadline)s. %(n)d people raised it.",
            item.people_count,
        ) % {
            "measures": public_text(item.measures),
            "department": item.department.name,
            "deadline": item.deadline.isoformat(),
            "n": item.people_count,
        }

    def item_link(self, item: Action) -> str:
        return reverse("portal:board_action", kwargs={"pk": item.pk})

    def item_pubdate(self, item: Action) -> Any:
        return item.approved_at or item.created_at

    def item_updateddate(self, item: Action) -> Any:
        return item.verified_at or item.done_at or item.started_at or item.approved_at or timezone.now()
