from __future__ import annotations

from typing import Any

import pytest

from fankui.cases.models import Case
from fankui.mail import imap

from .conftest import Box, message

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The worker is killed: not an error anything catches."""


def test_a_message_handled_but_not_moved_is_only_moved_next_time(
    box: Box, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    box.deliver(message(message_id="<crash@example.cn>"))
    move = imap._move

    def killed(*args: Any) -> None:
        raise Killed

    monkeypatch.setattr(imap, "_move", killed)
    with pytest.raises(Killed):
        imap.poll()
    assert Case.objects.count() == 1  # committed before the move
    assert box.count("INBOX") == 1  # still on the server

    monkeypatch.setattr(imap, "_move", move)
    assert imap.poll() == 1

    assert Case.objects.count() == 1
    assert box.count("INBOX") == 0
    assert box.count(settings.FANKUI_MAIL_PROCESSED_FOLDER) == 1
