"""A questionnaire's answers as a file (XLSX or CSV): one row per response, one column per question (followed across
versions by its key), each answer written as the label of its own version.

Masked: free text goes out with personal data masked (``nlp.masking``, as the case pages show it), an invitation's
address masked (``notify.models.masked_address``) and only for a questionnaire that is not anonymous. Formula-safe:
every cell goes through ``nlp.cells.neutralise`` (a text starting with = + - @, tab or CR is written after an
apostrophe), without control characters.
The caller records the export in the audit trail (``audit.services.record_export``) before the file is sent.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.core.text import strip_control
from fankui.nlp.cells import neutralise_row
from fankui.nlp.masking import mask
from fankui.notify.models import masked_address

from ..models import NUMBER_KINDS, Answer, Questionnaire, Via
from .results import Filters, _by_key, all_questions

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
CHUNK = 2000


def _value(answer: Answer, choices: dict[int, Any]) -> str | int:
    if answer.number is not None:
        return answer.number
    if answer.row_id is not None:
        row, choice = choices.get(answer.row_id), choices.get(answer.choice_id)  # type: ignore[arg-type]
        return f"{row.label if row else '?'}: {choice.label if choice else '?'}"
    if answer.choice_id is not None:
        choice = choices.get(answer.choice_id)
        return choice.label if choice else ""
    return mask(answer.text).text


def rows(questionnaire: Questionnaire, filters: Filters | None = None) -> Iterator[list[Any]]:
    """The header, then one row per response (newest first), in chunks so 100,000 responses never sit in memory."""
    filters = filters or Filters()
    questions = all_questions(questionnaire)
    grouped = _by_key(questions)
    keys = list(grouped)
    key_of = {q.pk: q.key for q in questions}
    kind_of = {key: group[0].kind for key, group in grouped.items()}
    choices = {c.pk: c for q in questions for c in q.choices.all()}
    with_contact = not questionnaire.anonymous
    header = [_("Response"), _("Submitted at"), _("Version"), _("Channel"), _("Language")]
    if with_contact:
        header.append(_("Invitation (masked)"))
    header += [grouped[k][0].text for k in keys]
    yield header
    responses = (
        filters.responses(questionnaire).select_related("version", "invitation").order_by("-submitted_at", "-id")
    )
    last: tuple[Any, int] | None = None
    while True:
        chunk_rows = responses
        if last is not None:
            chunk_rows = responses.filter(submitted_at__lte=last[0]).exclude(submitted_at=last[0], id__gte=last[1])
        chunk = list(chunk_rows[:CHUNK])
        if not chunk:
            return
        last = (chunk[-1].submitted_at, chunk[-1].pk)
        values: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for answer in Answer.objects.filter(response_id__in=[r.pk for r in chunk]).order_by("response_id", "id"):
            values[answer.response_id][key_of.get(answer.question_id, "")].append(_value(answer, choices))
        for response in chunk:
            row: list[Any] = [
                response.pk,
                timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M"),
                response.version.number,
                str(Via(response.via).label) if response.via in Via.values else response.via,
                response.language,
            ]
            if with_contact:
                invitation = response.invitation
                row.append(masked_address(invitation.address) if invitation is not None else "")
            for key in keys:
                given = values[response.pk].get(key, [])
                if not given:
                    row.append("")
                elif kind_of[key] in NUMBER_KINDS and len(given) == 1:
                    row.append(given[0])
                else:
                    row.append("; ".join(str(v) for v in given))
            yield row


def _cells(row: list[Any]) -> list[Any]:
    """A row as written: formula-safe, and without control characters (XLSX cannot hold them: one would make the
    whole file fail; every input refuses them, so only rows older than that rule can have one)."""
    return neutralise_row(strip_control(v) if isinstance(v, str) else v for v in row)


def render(questionnaire: Questionnaire, fmt: str, filters: Filters | None = None) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for row in rows(questionnaire, filters):
            writer.writerow(_cells(row))
        # A BOM, so that Excel and WPS open the Chinese text as UTF-8.
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Responses")[:28])
    first = True
    for row in rows(questionnaire, filters):
        if first:
            from openpyxl.cell import WriteOnlyCell

            cells = []
            for value in _cells(row):
                cell = WriteOnlyCell(sheet, value=value)
                cell.font = Font(bold=True)
                cells.append(cell)
            sheet.append(cells)
            first = False
        else:
            sheet.append(_cells(row))
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def filename(questionnaire: Questionnaire, fmt: str) -> str:
    return f"questionnaire-{questionnaire.pk}-{timezone.localdate():%Y%m%d}.{fmt}"
