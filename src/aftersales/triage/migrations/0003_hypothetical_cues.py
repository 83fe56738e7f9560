# Worries and hearsay that reach to the end of their sentence (我怕水进去短路或者漏电).

from django.db import migrations, models

NEW_LOOK_ALIKES = " 可怕 恐怕 哪怕 不怕 照网上说 按网上说 照着网上说"


def add_look_alikes(apps, schema_editor):
    """An installation that kept the shipped look-alike words gets the new ones; edited lists are left alone."""
    settings = apps.get_model("triage", "TriageSettings")
    for row in settings.objects.all():
        if row.not_negation.endswith("不几天"):
            row.not_negation += NEW_LOOK_ALIKES
            row.save(update_fields=["not_negation"])


class Migration(migrations.Migration):

    dependencies = [
        ('triage', '0002_seed'),
    ]

    operations = [
        migrations.AddField(
            model_name='triagesettings',
            name='hypothetical_cues',
            field=models.TextField(blank=True, default='怕 害怕 生怕 担心 担忧 万一 要是 如果 假如 假设 听说 据说 有人说 网上说 会不会 以为', help_text='A keyword anywhere after one of these in the same sentence is a worry, not a report (我怕水进去短路或者漏电), unless a report word such as 已经 or 结果 comes between.', verbose_name='worries and hearsay (reach to the end of the sentence)'),
        ),
        migrations.AlterField(
            model_name='triagesettings',
            name='not_negation',
            field=models.TextField(default='不小心 不慎 不停 不断 不久 不一会 不到 不料 不知道 不知 没多久 没过多久 没一会 没几天 没想到 没注意 没留意 没过几天 无缘无故 毫无征兆 不得了 不行了 就会 总会 都会 又会 还会 老是会 为什么会 怎么会 咋会 居然会 竟然会 无故 没几下 没两下 没一会儿 不几天 可怕 恐怕 哪怕 不怕 照网上说 按网上说 照着网上说', help_text='不小心, 没过多久 … start like a cue but negate nothing.', verbose_name='words that only look like cues'),
        ),
        migrations.RunPython(add_look_alikes, migrations.RunPython.noop),
    ]
