"""Who may open a stored file, as the app that owns the file's owner decides.

intake stores every uploaded file (``models.StoredFile``) and serves it through one view (``views.stored_file``),
but a file belongs to a row of a higher app: a submission's attachments are seen by those who see its case
(``cases``), an action's evidence by those who see the action (``actions``). Each such app registers a rule for its
owner model when it starts (``AppConfig.ready``); intake asks the rule and never imports the app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from fankui.accounts.models import User

    from .models import StoredFile


@dataclass(frozen=True)
class Look:
    """A permitted look at a file, as the access record names it: ``what`` (``"attachment"``, ``"evidence"``) and
    the case whose personal data it shows, if any."""

    what: str
    case_id: int | None = None


# (user, owner's id) -> a Look, or None when the user may not see the owner (the file then does not exist for them).
Rule = Callable[["User", int], Look | None]
_RULES: dict[type[models.Model], Rule] = {}


def register(owner: type[models.Model], rule: Rule) -> None:
    _RULES[owner] = rule


def look(user: User, item: StoredFile) -> Look | None:
    """What ``user`` may see of ``item``; None when nothing (an owner without a rule is seen by nobody)."""
    rule = _RULES.get(item.owner_type.model_class())  # type: ignore[arg-type]
    return rule(user, item.owner_id) if rule else None
