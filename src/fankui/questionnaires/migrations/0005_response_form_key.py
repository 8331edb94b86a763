from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('questionnaires', '0004_invitation_addresses_expire'),
    ]

    operations = [
        migrations.AddField(
            model_name='response',
            name='form_key',
            field=models.CharField(blank=True, default='', max_length=32),
        ),
        migrations.AddConstraint(
            model_name='response',
            constraint=models.UniqueConstraint(
                condition=models.Q(('form_key', ''), _negated=True),
                fields=('questionnaire', 'form_key'),
                name='response_once_per_form',
            ),
        ),
    ]
