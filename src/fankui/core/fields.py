"""Model fields that several apps declare alike."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


def tree_parent() -> models.ForeignKey[Any, Any]:
    """The parent of a node of a tree (a department, a category): none for a root, and a node with children cannot
    be deleted."""
    return models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
