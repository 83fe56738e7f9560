"""Templates for routing: a case sent to a department (heads and named people) and to a handler."""

from django.db import migrations

TEMPLATES = [
    ("case_routed", "派单通知：路由规则要求通知部门经理或指定人员",
     "【派单通知】工单 {number}（{priority}）已派至{department}",
     "工单 {number}（{priority}）「{title}」按规则“{rule}”派至{department}，处理人：{assignee}；首问负责人：{owner}。\n{url}",
     "[Dispatched] Case {number} ({priority}) sent to {department_en}",
     "Case {number} ({priority}) “{title}” was sent to {department_en} by the rule “{rule_en}”. Handler: {assignee}; "
     "owner: {owner}.\n{url}"),
    ("case_assigned", "新工单分配：通知被分配的处理人",
     "【新工单】{number}（{priority}）已分配给您",
     "工单 {number}（{priority}）「{title}」已分配给您处理（{department}）。首问负责人：{owner}。\n{url}",
     "[New case] {number} ({priority}) is assigned to you",
     "Case {number} ({priority}) “{title}” is assigned to you ({department_en}). Owner: {owner}.\n{url}"),
]


def seed(apps, schema_editor):
    NotificationTemplate = apps.get_model("notify", "NotificationTemplate")
    for code, description, subject, body, subject_en, body_en in TEMPLATES:
        NotificationTemplate.objects.get_or_create(code=code, defaults={
            "description": description, "subject": subject, "body": body, "subject_en": subject_en,
            "body_en": body_en, "channels": ["in_app", "email", "webhook"]})


class Migration(migrations.Migration):
    dependencies = [("notify", "0002_seed_templates")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
