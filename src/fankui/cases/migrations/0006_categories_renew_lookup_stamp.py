"""Intake keeps the active categories while they stay unchanged (``cases.services.receiving.active_categories``):
any write to the category table renews the lookup stamp (``core.lookups``, decision 0013)."""

from django.db import migrations

from fankui.core.lookups import renewed_by


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_lead_department_list_index"), ("core", "0004_lookup_stamp")]

    operations = [renewed_by("cases_category")]
