"""授权机制 defaults (SPEC §4): agent 500 yuan, then supervisor, then department head."""

from decimal import Decimal

from django.db import migrations

LIMITS = [
    ("engineer", Decimal("200"), 0),
    ("handler", Decimal("300"), 0),
    ("agent", Decimal("500"), 3),
    ("supervisor", Decimal("2000"), 7),
    ("department_head", Decimal("10000"), 15),
]


def seed(apps, schema_editor):
    AuthorityLimit = apps.get_model("resolutions", "AuthorityLimit")
    for role, amount, days in LIMITS:
        AuthorityLimit.objects.get_or_create(role=role, defaults={"max_compensation": amount,
                                                                  "max_expedite_days": days})


class Migration(migrations.Migration):
    dependencies = [("resolutions", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
