"""Default notification templates (editable in the admin). Placeholders: {number} {title}
{priority} {metric} {metric_en} {due} {overdue_minutes} {department} {assignee} {owner} {url}."""

from django.db import migrations

TEMPLATES = [
    ("sla_warning", "时限预警：到达 80% 时通知处理人和首问负责人",
     "【时限预警】工单 {number}「{metric}」将于 {due} 到期",
     "工单 {number}（{priority}）「{title}」的「{metric}」时限将于 {due} 到期，请尽快处理。\n处理人：{assignee}；首问负责人：{owner}。\n{url}",
     "[Deadline warning] Case {number}: {metric_en} due {due}",
     "The {metric_en} deadline of case {number} ({priority}) “{title}” is due at {due}. Please act now.\n"
     "Handler: {assignee}; owner: {owner}.\n{url}"),
    ("sla_breach", "时限超时升级：通知主管，超时 N 小时或 P1 超时通知部门经理",
     "【超时升级】工单 {number}「{metric}」已超时 {overdue_minutes} 分钟",
     "工单 {number}（{priority}）「{title}」的「{metric}」已于 {due} 超时，已超时 {overdue_minutes} 分钟。\n"
     "责任部门：{department}；处理人：{assignee}；首问负责人：{owner}。请跟进处理。\n{url}",
     "[Escalation] Case {number}: {metric_en} overdue by {overdue_minutes} min",
     "The {metric_en} deadline of case {number} ({priority}) “{title}” passed at {due}, {overdue_minutes} minutes "
     "ago.\nDepartment: {department}; handler: {assignee}; owner: {owner}. Please follow up.\n{url}"),
    ("progress_reminder", "进度同步提醒：超过同步周期未向客户更新进度",
     "【进度同步提醒】工单 {number} 已超过同步周期未更新客户",
     "工单 {number}（{priority}）「{title}」自上次向客户同步进度已超过规定周期（应于 {due} 前同步），"
     "请立即向客户更新处理进度。本次计为一次漏同步。\n{url}",
     "[Progress update due] Case {number}: the customer has not been updated",
     "Case {number} ({priority}) “{title}” has had no customer-visible update within its cadence (due {due}). "
     "Update the customer now; this counts as a missed update.\n{url}"),
]


def seed(apps, schema_editor):
    NotificationTemplate = apps.get_model("notify", "NotificationTemplate")
    for code, description, subject, body, subject_en, body_en in TEMPLATES:
        NotificationTemplate.objects.get_or_create(code=code, defaults={
            "description": description, "subject": subject, "body": body, "subject_en": subject_en,
            "body_en": body_en, "channels": ["in_app", "email", "webhook"]})


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
