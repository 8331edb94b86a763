"""Model fields that several apps declare alike."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import crypto


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


class EncryptedTextField(models.TextField):
    """Text stored encrypted (``core.crypto``): Python code reads and writes plain text, the database holds a Fernet
    token, or the empty string for no value. Tokens are random, so the database can compare such a column only with
    the empty string (``contact_phone=""``); to find a value, keep its ``crypto.lookup_hash`` in a column beside it."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return value if value is None else crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return crypto.encrypt(value) if value else value


@EncryptedTextField.register_lookup
class EncryptedExact(models.lookups.Exact):
    """``field=value`` on an encrypted column could only ever match nothing (each token is random): refused loudly,
    except the comparison with ``""`` (no value) that works. Compare the value's keyed hash instead."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None) and not hasattr(self.rhs, "resolve_expression"):
            raise TypeError(
                f"{self.lhs.field.name}: an encrypted column cannot be compared with a value; compare its lookup hash"
            )
        return super().get_prep_lookup()
