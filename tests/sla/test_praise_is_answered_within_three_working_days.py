"""A thank-you note is answered as quickly as an inquiry (3 working days), not on the catch-all 13; installations
with the shipped defaults get the praise policy by a migration, and their open praise is counted again."""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

from django.apps import apps

from fankui.sla.models import Clock, Policy, Stage
from tests import factories

SH = ZoneInfo("Asia/Shanghai")
THANKS = "感谢社区网格员小李，帮我家老人办好了医保手续，服务非常周到！"
migration = importlib.import_module("fankui.sla.migrations.0005_praise_policy")


def reply_deadline(case: object) -> dt.datetime | None:
    return Clock.objects.get(case=case, stage=Stage.REPLY, stopped_at__isnull=True).deadline


def test_praise_gets_three_working_days(policies: int) -> None:
    case = factories.case(THANKS, kind="praise")
    # Monday 2026-11-16 10:00 + 3 working days: Thursday's close.
    assert reply_deadline(case) == dt.datetime(2026, 11, 19, 17, 30, tzinfo=SH)


def test_the_migration_adds_the_praise_policy_and_open_praise_follows_it(policies: int) -> None:
    Policy.objects.filter(kind="praise").delete()
    case = factories.case(THANKS, kind="praise")
    assert reply_deadline(case) == dt.datetime(2026, 12, 3, 17, 30, tzinfo=SH)  # the catch-all 13 working days
    migration.forwards(apps, None)
    plan = [(type("M", (), {"app_label": "sla", "name": "0005_praise_policy"})(), False)]
    from fankui.sla.apps import _migrated

    _migrated(sender=None, plan=plan)
    assert reply_deadline(case) == dt.datetime(2026, 11, 19, 17, 30, tzinfo=SH)


def test_the_migration_keeps_an_organisations_own_praise_policy(policies: int) -> None:
    Policy.objects.filter(kind="praise").update(name="表扬：5个工作日")
    migration.forwards(apps, None)
    assert list(Policy.objects.filter(kind="praise").values_list("name", flat=True)) == ["表扬：5个工作日"]


def test_the_migration_leaves_an_installation_without_the_shipped_defaults_alone(db: None) -> None:
    migration.forwards(apps, None)
    assert not Policy.objects.exists()
