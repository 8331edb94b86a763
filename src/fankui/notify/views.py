"""Staff's notification page and the citizen's opt-out page (no login: the signed link is the key)."""

from __future__ import annotations

from typing import cast

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from fankui.accounts.models import User
from fankui.accounts.views import staff_required
from fankui.core.errors import NotFound
from fankui.core.text import as_id

from . import services
from .models import Channel, Message


@staff_required
def staff_notifications(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    messages = Message.objects.filter(user=user, channel=Channel.IN_APP).order_by("-id")
    page = Paginator(messages, 25).get_page(request.GET.get("page"))
    return render(request, "notify/staff_list.html", {"page": page, "unread": services.unread_count(user)})


@staff_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    ids = [pk for pk in map(as_id, request.POST.getlist("id")) if pk is not None]
    services.mark_read(cast(User, request.user), ids or None)
    return redirect("notify:staff")


@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST opts out: mail scanners follow links, and must not unsubscribe anybody."""
    try:
        recipient = services.recipient_for_token(token)
    except NotFound as error:
        return render(request, "notify/optout.html", {"error": error.message}, status=404)
    if request.method == "POST":
        if request.POST.get("choice") == "in":
            services.opt_in(recipient)
        else:
            services.opt_out(recipient)
    contact = services.find_contact(recipient)
    opted_out = contact is not None and contact.opted_out_at is not None
    return render(
        request,
        "notify/optout.html",
        {"opted_out": opted_out, "done": request.method == "POST", "channel": Channel(recipient.channel).label},
    )
