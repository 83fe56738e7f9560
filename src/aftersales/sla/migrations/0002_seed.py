"""Seed the two calendars, every public holiday and 调休 day chinese-calendar knows,
the standard policy with SPEC §3's limits, and the escalation chain of SPEC §4."""

from django.db import migrations


def seed(apps, schema_editor):
    from aftersales.sla.seeds import seed_defaults, seed_public_days

    seed_public_days(apps.get_model("sla", "PublicDay"))
    seed_defaults(*(apps.get_model("sla", name) for name in
                    ("Calendar", "WorkingHours", "SlaPolicy", "SlaTarget", "EscalationStep")))


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
