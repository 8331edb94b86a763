"""`fankui questionnaire_templates`: list the shipped questionnaire templates; `--copy KEY --user NAME` makes a draft
questionnaire from one, as the builder's "Start from" does."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from fankui.accounts.models import User
from fankui.core.errors import DomainError
from fankui.questionnaires.services import shipped


class Command(BaseCommand):
    help = "List the shipped questionnaire templates, or copy one into a new draft questionnaire."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--copy", metavar="KEY", help="the template to copy (" + ", ".join(shipped.KEYS) + ")")
        parser.add_argument("--user", help="who creates the copy (a supervisor, administrator or department head)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["copy"]:
            with translation.override("zh-hans"):
                chinese = dict(shipped.available())
            with translation.override("en"):
                for key, title in shipped.available():
                    self.stdout.write(f"{key}\t{chinese[key]}\t{title}")
            return
        user = User.objects.filter(username=options["user"] or "").first()
        if user is None:
            raise CommandError("--user: give the username of who creates the copy")
        try:
            questionnaire = shipped.copy(user, options["copy"])
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(f"questionnaire {questionnaire.pk}: {questionnaire.title_zh}")
