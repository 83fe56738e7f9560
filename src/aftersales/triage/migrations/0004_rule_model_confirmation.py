"""Rules may ask for the model's agreement before raising the priority; the batch rules do, at 10 %.
Terms this release narrows are swapped where an installation still has the old term verbatim."""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models


def confirm_and_narrow(apps, schema_editor):
    from aftersales.triage.seeds import MODEL_CONFIRMATION, NARROWED_TERMS
    from aftersales.triage.text import fold

    TriageRule = apps.get_model("triage", "TriageRule")
    for code, minimum in MODEL_CONFIRMATION.items():
        TriageRule.objects.filter(code=code, min_model_p1=0).update(min_model_p1=Decimal(str(minimum)))
    for code, old, new in NARROWED_TERMS:
        for rule in TriageRule.objects.filter(code=code):
            lines = rule.keywords.splitlines()
            swapped = [new if fold(line.strip()) == fold(old) else line for line in lines]
            if swapped != lines:
                rule.keywords = "\n".join(swapped)
                rule.save(update_fields=["keywords"])


class Migration(migrations.Migration):

    dependencies = [
        ('triage', '0003_hypothetical_cues'),
    ]

    operations = [
        migrations.AddField(
            model_name='triagerule',
            name='min_model_p1',
            field=models.DecimalField(decimal_places=2, default=Decimal('0'), help_text='0 = always raise the priority. Above 0, the rule raises it only when the model gives P1 at least this probability (0.10 = 10 %); otherwise the supervisor sees why it did not.', max_digits=3, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('1'))], verbose_name="needs the model's agreement"),
        ),
        migrations.RunPython(confirm_and_narrow, migrations.RunPython.noop),
    ]
