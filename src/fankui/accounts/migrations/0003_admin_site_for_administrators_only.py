"""Only administrators may open the Django admin: ``create_user`` used to make every member of staff ``is_staff``,
so a handler could sign in to /admin/. Existing accounts are brought in line (superusers keep their access)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def admin_site_for_administrators_only(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    User = apps.get_model("accounts", "User")
    User.objects.filter(is_staff=True, is_superuser=False).exclude(role="admin").update(is_staff=False)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_language")]

    operations = [migrations.RunPython(admin_site_for_administrators_only, migrations.RunPython.noop)]
