"""`fankui rotate-key`: re-encrypt every contact detail with the first key of FANKUI_ENCRYPTION_KEYS and recompute
the lookup hashes with FANKUI_LOOKUP_KEY (docs/privacy.md, "Rotating the key"): the submissions' contact details and
the outbox's addresses (its messages and contacts, with their dedupe keys) and the partner systems' signing secrets."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fankui.intake.services import reencrypt_contacts
from fankui.notify.services import reencrypt_addresses
from fankui.partners.services import reencrypt_secrets


class Command(BaseCommand):
    help = "Re-encrypt the contact details with the newest encryption key and recompute their lookup hashes."

    def handle(self, *args: Any, **options: Any) -> None:
        count = reencrypt_contacts()
        self.stdout.write(f"Re-encrypted the contact details of {count} submission(s) with the newest key.")
        messages, contacts = reencrypt_addresses()
        self.stdout.write(f"Re-encrypted the addresses of {messages} message(s) and {contacts} contact(s).")
        self.stdout.write(f"Re-encrypted the signing secrets of {reencrypt_secrets()} partner system(s).")
