"""Message.case becomes Message.case_id, a plain number: the outbox sits below the apps that write cases and names
a case only by its id. The column (case_id, bigint, indexed) stays as it is; only the foreign-key constraint goes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The database: drop the constraint, keep the column and its index.
            database_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="case",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        db_constraint=False,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="cases.case",
                    ),
                ),
            ],
            # The models: the relation is gone, the same column is a number.
            state_operations=[
                migrations.RemoveField(model_name="message", name="case"),
                migrations.AddField(
                    model_name="message",
                    name="case_id",
                    field=models.BigIntegerField(blank=True, db_index=True, null=True),
                ),
            ],
        ),
    ]
