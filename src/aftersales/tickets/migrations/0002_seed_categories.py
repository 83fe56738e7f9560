"""SPEC §2's four categories and their subcategories, and the case settings row."""

from django.db import migrations

CATEGORIES = [
    ("technical_fault", "技术故障", "Technical fault", "", [
        ("function_abnormal", "功能异常", "Malfunction", "死机、无法启动"),
        ("function_failure", "功能失效", "Function failure", "按键失灵、接口损坏"),
        ("software_compat", "软件兼容", "Software compatibility", "系统、App 不兼容"),
    ]),
    ("logistics", "物流配送", "Logistics", "", [
        ("delivery_delay", "延迟到货", "Late delivery", "超过承诺时效未到"),
        ("wrong_missing", "错发/漏发", "Wrong or missing items", "发错型号、少发配件"),
        ("package_damage", "外包装破损", "Damaged packaging", "外箱压坏、受潮"),
    ]),
    ("quality_objection", "质量异议", "Quality objection", "", [
        ("appearance_defect", "外观瑕疵", "Cosmetic defect", "划痕、凹陷"),
        ("material_problem", "材质问题", "Material problem", "变形、开裂"),
        ("not_as_described", "与描述不符", "Not as described", "颜色、尺寸、参数不符"),
    ]),
    ("service_consultation", "服务咨询", "Service consultation", "", [
        ("usage_guidance", "使用指导", "Usage guidance", "怎么用、怎么装"),
        ("maintenance_advice", "保养建议", "Maintenance advice", "清洁、保养周期"),
        ("feature_question", "功能疑问", "Feature question", "有没有某功能"),
    ]),
]


def seed(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    TicketSettings = apps.get_model("tickets", "TicketSettings")
    for order, (code, name, name_en, examples, children) in enumerate(CATEGORIES, start=1):
        parent, _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "examples": examples, "sort_order": order * 10}
        )
        for child_order, (child_code, child_name, child_en, child_examples) in enumerate(children, start=1):
            Category.objects.get_or_create(
                code=child_code,
                defaults={"name": child_name, "name_en": child_en, "examples": child_examples,
                          "parent": parent, "sort_order": order * 10 + child_order},
            )
    TicketSettings.objects.get_or_create(pk=1, defaults={"transfer_flag_threshold": 2})


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
