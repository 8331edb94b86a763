"""An e-mail follow-up became the case's supplement (补充), which every channel shares (``cases.Supplement``). Each
row is copied with its id: the ``mail_follow_up`` events of the audit trail, which never change, refer to it by id
and go on showing its words. Its attachments were only counted then; the count stays in those events."""

from django.core.management.color import no_style
from django.db import migrations


def to_supplements(apps, schema_editor):
    FollowUp = apps.get_model("mail", "FollowUp")
    Supplement = apps.get_model("cases", "Supplement")
    rows = [
        Supplement(
            id=item.pk,
            case_id=item.case_id,
            channel="email",
            text=item.text,
            from_contact=item.from_contact,
            key="email:" + item.inbound.key,
            created_at=item.created_at,
        )
        for item in FollowUp.objects.select_related("inbound").order_by("pk").iterator(chunk_size=1000)
    ]
    Supplement.objects.bulk_create(rows, batch_size=1000)
    # The ids were given, not drawn: the next supplement's id must come after them (PostgreSQL's sequence).
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Supplement]):
            cursor.execute(statement)


def to_follow_ups(apps, schema_editor):
    FollowUp = apps.get_model("mail", "FollowUp")
    InboundMail = apps.get_model("mail", "InboundMail")
    Supplement = apps.get_model("cases", "Supplement")
    inbound = dict(InboundMail.objects.values_list("key", "pk"))
    for item in Supplement.objects.filter(channel="email", key__startswith="email:").order_by("pk"):
        mail_id = inbound.get(item.key.removeprefix("email:"))
        if mail_id is not None:
            FollowUp.objects.create(
                id=item.pk,
                case_id=item.case_id,
                inbound_id=mail_id,
                text=item.text,
                from_contact=item.from_contact,
                created_at=item.created_at,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0001_initial"),
        ("cases", "0007_supplement"),
    ]

    operations = [
        migrations.RunPython(to_supplements, to_follow_ups),
        migrations.DeleteModel(name="FollowUp"),
    ]
