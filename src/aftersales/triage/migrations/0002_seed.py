"""Seed the triage rules, SPEC §4's routing defaults, department shifts and the settings row."""

from django.db import migrations


def seed(apps, schema_editor):
    from aftersales.triage.seeds import seed_triage

    seed_triage(apps)


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial"), ("sla", "0002_seed"), ("accounts", "0002_seed_departments")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
