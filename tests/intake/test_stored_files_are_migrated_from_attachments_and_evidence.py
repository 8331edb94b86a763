"""intake.0005 and actions.0004 turn the attachments and evidence of a database written by the old code into stored
files: same tokens, same files on disk, each opened by the people who could open it before (and now recorded)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps.registry import Apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.actions.models import ProgressUpdate
from fankui.actions.services import moves
from fankui.actions.workflow import Step
from fankui.audit.models import Access
from fankui.intake.models import StoredFile, Submission
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("intake", "0004_submission_receipt"), ("actions", "0003_topic_in_the_topics_app"), ("audit", "0001_initial")]


def _migrate(targets: list[tuple[str, str]]) -> Apps:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _write(name: str, content: bytes) -> None:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def test_old_attachments_and_evidence_become_stored_files_that_open_as_before(
    dispatcher: User, dept: Department, client_for: Callable[[User], Client]
) -> None:
    case = factories.case("路灯坏了，见照片。")
    analyst = factories.user(Role.ANALYST, dept)
    owner = factories.user(Role.HANDLER, dept)
    action = factories.action(analyst, owner, dept, title="修复路灯", goal="恢复照明", measures="更换灯具")
    moves.transition(action, analyst, Step.APPROVE)
    update = moves.post_progress(action, owner, "已更换")

    # The old code's tables, and rows and files as it wrote them.
    old = _migrate(BEFORE)
    attachment_name = f"attachments/2026/11/{case.submission_id}/old-attachment-token"
    evidence_name = f"actions/{action.pk}/old-evidence-token"
    _write(attachment_name, b"%PDF-1.4 the photo")
    _write(evidence_name, b"%PDF-1.4 the evidence")
    old.get_model("intake", "Attachment").objects.create(
        submission_id=case.submission_id,
        file=attachment_name,
        token="old-attachment-token",
        original_name="照片.pdf",
        content_type="application/pdf",
        size=18,
    )
    old.get_model("actions", "Evidence").objects.create(
        update_id=update.pk,
        file=evidence_name,
        token="old-evidence-token",
        original_name="现场.pdf",
        content_type="application/pdf",
        size=21,
    )

    _migrate(_latest())

    photo = StoredFile.objects.get(token="old-attachment-token")
    assert (photo.file.name, photo.original_name, photo.size) == (attachment_name, "照片.pdf", 18)
    assert (photo.owner_type, photo.owner_id) == (ContentType.objects.get_for_model(Submission), case.submission_id)
    assert list(case.submission.attachments.all()) == [photo]
    evidence = StoredFile.objects.get(token="old-evidence-token")
    assert evidence.file.name == evidence_name
    assert list(ProgressUpdate.objects.get(pk=update.pk).evidence.all()) == [evidence]

    response = client_for(dispatcher).get(f"/staff/attachments/{photo.token}/")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 the photo"  # type: ignore[attr-defined]
    response = client_for(owner).get(f"/staff/actions/evidence/{evidence.token}/")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 the evidence"  # type: ignore[attr-defined]
    looks = Access.objects.order_by("id").values_list("user", "case", "what", "stored_file")
    assert list(looks) == [
        (dispatcher.pk, case.pk, "attachment", photo.pk),
        (owner.pk, None, "evidence", evidence.pk),
    ]


def test_going_back_gives_the_old_tables_their_rows_again(dept: Department) -> None:
    case = factories.case("路灯坏了，见照片。")
    StoredFile.objects.create(
        owner=case.submission,
        file="attachments/2026/11/1/t",
        token="t",
        original_name="a.png",
        content_type="image/png",
        size=1,
    )

    old = _migrate(BEFORE)

    row = old.get_model("intake", "Attachment").objects.get()
    assert (row.submission_id, row.token, row.file.name) == (case.submission_id, "t", "attachments/2026/11/1/t")
    _migrate(_latest())
    assert StoredFile.objects.get().token == "t"
