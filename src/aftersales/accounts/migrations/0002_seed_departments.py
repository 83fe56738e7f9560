"""The six departments of SPEC §1. Editable afterwards in the admin."""

from django.db import migrations

DEPARTMENTS = [
    ("customer_service", "客服部", "Customer Service", 10),
    ("technical_support", "技术支持部", "Technical Support", 20),
    ("logistics", "物流管理部", "Logistics", 30),
    ("quality_control", "质量控制部", "Quality Control", 40),
    ("warehouse", "仓储部", "Warehouse", 50),
    ("finance", "财务部", "Finance", 60),
]


def seed(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    for code, name, name_en, order in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
