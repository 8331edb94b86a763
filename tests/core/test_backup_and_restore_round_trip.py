"""Issue 17: `fankui backup` and `fankui restore` bring back the database, the attachments, the trained models and the
kept keys (on the engine the suite runs on: SQLite, and PostgreSQL in CI), and a restore refuses a damaged or
mismatched backup with a clear message, changing nothing."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from PIL import Image

from fankui.analysis.models import TrainedModel
from fankui.cases.models import Case
from fankui.core import backup

from .. import factories

pytestmark = pytest.mark.django_db(transaction=True)


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def site(settings: Any, tmp_path: Path) -> Path:
    """A data directory of its own with the keys settings.py keeps there, and a trained model (in the database)."""
    data = tmp_path / "var"
    data.mkdir()
    settings.FANKUI_DATA_DIR = data
    settings.MEDIA_ROOT = data / "media"
    model("trained model v1")
    (data / "encryption_key").write_text("key-one")
    return data


def model(data: str) -> None:
    """The bytes of a trained model as ``analysis.store`` keeps them (a backup does not look inside)."""
    TrainedModel.objects.update_or_create(
        name="kind",
        defaults={
            "version": f"kind-{data}",
            "sha256": hashlib.sha256(data.encode()).hexdigest(),
            "size": len(data),
            "data": data.encode(),
            "saved_at": timezone.now(),
        },
    )


def trained() -> bytes:
    return bytes(TrainedModel.objects.get(name="kind").data)


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, "--language", "en", stdout=out)
    return out.getvalue()


def test_a_backup_brings_back_the_database_attachments_models_and_keys(site: Path, tmp_path: Path) -> None:
    kept = factories.case(title="路灯不亮", body="三号楼前的路灯坏了", attachments=[png()])
    attachment = Path(kept.submission.attachments.get().file.path)
    picture = attachment.read_bytes()
    archive = tmp_path / "site.tar.gz"

    said = run("backup", str(archive))
    assert said.startswith(f"{archive} written: 3 files,")
    manifest = json.loads(members(archive)["manifest.json"])
    assert manifest["engine"] in {"sqlite", "postgresql"}
    assert manifest["migrations"]["cases"][0] == "0001_initial"
    assert {entry["path"] for entry in manifest["files"]} >= {
        f"folders/media/{attachment.relative_to(site / 'media').as_posix()}",
        "keys/encryption_key",
    }
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"])

    # What happens after the backup: a new case, a lost picture, a retrained model, a rotated key.
    later = factories.case(body="后来的诉求，备份里没有")
    attachment.unlink()
    model("trained model v2")
    (site / "encryption_key").write_text("key-two")

    said = run("restore", str(archive), "--yes")
    assert said.startswith(f"restored {archive} (3 files")
    assert list(Case.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Case.objects.filter(pk=later.pk).exists()
    assert attachment.read_bytes() == picture
    assert trained() == b"trained model v1"  # with the database
    assert (site / "encryption_key").read_text() == "key-one"
    # the restored site works: its next case is stored as usual
    assert factories.case(body="恢复之后的新诉求").pk


def test_a_backup_without_keys_leaves_them_out(site: Path, tmp_path: Path) -> None:
    run("backup", str(tmp_path / "site.tar.gz"), "--without-keys")
    assert not [name for name in members(tmp_path / "site.tar.gz") if name.startswith("keys/")]


def test_a_backup_never_overwrites_a_file(site: Path, tmp_path: Path) -> None:
    (tmp_path / "site.tar.gz").write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="exists already"):
        run("backup", str(tmp_path / "site.tar.gz"))
    assert (tmp_path / "site.tar.gz").read_bytes() == b"an older backup"


def rewrite(archive: Path, change: Callable[[dict[str, bytes]], None]) -> None:
    """Unpack, change a member (or the manifest) without fixing the checksums, pack again."""
    files = members(archive)
    change(files)
    archive.unlink()
    with tarfile.open(archive, "w:gz") as tar:
        for name, body in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))


def manifest_change(edit: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, bytes]], None]:
    def change(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        edit(manifest)
        members["manifest.json"] = json.dumps(manifest).encode()

    return change


def swap_key(members: dict[str, bytes]) -> None:
    members["keys/encryption_key"] = b"something else"


def add_file(members: dict[str, bytes]) -> None:
    members["folders/media/extra.png"] = b"not listed"


def drop_database(members: dict[str, bytes]) -> None:
    del members[next(name for name in members if name.startswith("database/"))]


def other_engine(manifest: dict[str, Any]) -> None:
    manifest["engine"] = "postgresql" if manifest["engine"] == "sqlite" else "sqlite"


def newer_migration(manifest: dict[str, Any]) -> None:
    manifest["migrations"]["cases"].append("9999_from_the_future")
    manifest["fankui"] = "9.0.0"


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (swap_key, "the backup is damaged: keys/encryption_key does not match its SHA-256 checksum"),
        (add_file, "the backup is damaged: folders/media/extra.png is not in its manifest"),
        (drop_database, "the backup is damaged: database/fankui."),
        (manifest_change(other_engine), "this backup is of a "),
        (
            manifest_change(newer_migration),
            "this backup was made by a newer version (Fankui 9.0.0) with migrations this code does not have "
            "(cases.9999_from_the_future)",
        ),
        (manifest_change(lambda manifest: manifest.update(format=2)), "which this version cannot read"),
    ],
    ids=["checksum", "extra file", "missing database", "other engine", "newer migrations", "newer format"],
)
def test_a_damaged_or_mismatched_backup_is_refused_and_nothing_changes(
    site: Path, tmp_path: Path, change: Callable[[dict[str, bytes]], None], said: str
) -> None:
    factories.case(body="备份里的诉求")
    archive = tmp_path / "site.tar.gz"
    run("backup", str(archive))
    rewrite(archive, change)
    after = factories.case(body="备份之后的诉求")
    with pytest.raises(CommandError) as refused:
        run("restore", str(archive), "--yes")
    assert str(refused.value).startswith("nothing was changed: ")
    assert said in str(refused.value)
    assert Case.objects.filter(pk=after.pk).exists()
    assert trained() == b"trained model v1"
    assert (site / "encryption_key").read_text() == "key-one"
    with pytest.raises(CommandError):
        run("backup", "--verify", str(archive))


def test_a_truncated_or_foreign_file_is_not_a_backup(site: Path, tmp_path: Path) -> None:
    archive = tmp_path / "site.tar.gz"
    run("backup", str(archive))
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="is not a whole Fankui backup: it cannot be unpacked"):
        run("restore", str(archive), "--yes")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CommandError, match="is not a whole Fankui backup"):
        run("restore", str(tmp_path / "notes.txt"), "--yes")


def test_restore_asks_for_yes(site: Path, tmp_path: Path) -> None:
    archive = tmp_path / "site.tar.gz"
    run("backup", str(archive))
    with pytest.raises(CommandError, match="run it again with --yes"):
        run("restore", str(archive))


def test_verify_checks_a_backup_without_restoring(site: Path, tmp_path: Path) -> None:
    archive = tmp_path / "site.tar.gz"
    run("backup", str(archive))
    assert run("backup", "--verify", str(archive)).startswith(f"{archive} is whole: ")
    assert isinstance(backup.inspect(archive).manifest["files"], list)
