"""Rules may ask for the model's agreement before raising the priority; the batch rules do, at 10 %.
Shipped terms this release narrows or speeds up are upgraded where an installation still has them.

Everything this migration needs is written out here, not imported from ``seeds``: a later release may change
the seeds, and this step must keep doing what it did.
"""

import re
import unicodedata
from decimal import Decimal

import django.core.validators
from django.db import migrations, models

# Batch patterns cannot tell "20台里有6台都不制冷" from "20台到货，有6个外箱破了"; the model, trained on both,
# can. 5-fold CV on the training split: 10 % removed 8 of 68 false P1 and lost no P1 (20 % lost one).
MODEL_CONFIRMATION = {"batch_in_text": Decimal("0.10"), "batch_business": Decimal("0.10")}

# (rule, old term, new term): shipped terms that fired on messages they should not, or missed ones they should
# catch.
UPGRADED = [
    ("safety_hazard", "住院", "re:住院(?!号)"),  # 住院号 is a patient number
    ("enterprise_down",  # "怎么都连不上" is not "all of them are down"
     "re:(全部|全都|一单都|一笔都|一个都|一台都|一张都|都)(停|发不|收不|用不|登不|连不|出不|进不|打不|装不|卖不)",
     "re:(全部|全都|一单都|一笔都|一个都|一台都|一张都|(?<!怎么)(?<!怎样)都)"
     "(停|发不|收不|用不|登不|连不|出不|进不|打不|装不|卖不)"),
    ("batch_business",  # "50把…2cm" is a size, not a second count
     r"re:(\d+|[两三四五六七八九十几百]+)\s*(台|把|套|张|只|组|户|家|箱)[^。!?!?\d]{,20}"
     r"(\d+|[两三四五六七八九十几]+|一大半|大半|多半)\s*多?\s*(台|把|套|张|只|组|户|家)?[^。!?!?]{,6}"
     r"(都|均|全|能复现|投诉|回来|反映|坏|裂|开裂|不|报|打不|没反应)",
     r"re:(\d+|[两三四五六七八九十几百]+)\s*(台|把|套|张|只|组|户|家|箱)[^。!?!?\d]{,20}"
     r"((\d+|[两三四五六七八九十几]+)\s*多?\s*(台|把|套|张|只|组|户|家)|一大半|大半|多半)[^。!?!?]{,6}"
     r"(都|均|全|能复现|投诉|回来|反映|坏|裂|开裂|不|报|打不|没反应)"),
    ("enterprise_down",  # old people queue at a pharmacy too, and customers turn round (扭头) as well as away
     "re:(顾客|客人|客户|病人|患者|学生|员工|会员|工人|司机|考生|住客|旅客|孩子)[^。!?!?]{,12}"
     "(等着|在等|排队|排上队|堵着|掉头|闹着|坐满|放下东西|扔下|吃自带)",
     "re:(顾客|客人|客户|病人|患者|老人|学生|员工|会员|工人|司机|考生|住客|旅客|孩子)[^。!?!?]{,12}"
     "(等着|在等|排队|排上队|堵着|掉头|扭头|闹着|坐满|放下东西|扔下|吃自带)"),
]

# A count pattern that may start inside a run of digits is retried from every digit: quadratic on a long run
# (seconds for a 5,000-digit message). Anchored at the number's first character it is linear.
NUMBER_ANCHOR = "(?<![\\d两三四五六七八九十几百])"


def fold(term):
    return unicodedata.normalize("NFKC", term).lower()


def anchored(term):
    if term.startswith(r"re:(\d+|"):
        return "re:" + NUMBER_ANCHOR + term[3:]
    if term.startswith(r"re:\d+"):
        return r"re:(?<!\d)" + term[3:]
    return term


def upgrade_term(code, term):
    for rule, old, new in UPGRADED:
        if rule == code and fold(term) == fold(old):
            term = new
            break
    return anchored(term)


SEPARATORS = re.compile(r"([,，、;；]+)")


def upgrade_keywords(code, keywords):
    """The keywords with each term upgraded, separators and order kept; a term whose upgrade is already
    present is dropped rather than repeated. Terms are split the way ``text.split_terms`` splits them:
    blanks end every term, commas and 、 end all but ``re:`` expressions."""
    tokens = re.split(r"(\s+)", keywords)
    pieces_of = [[token] if not token or token.isspace() or fold(token).startswith("re:") else SEPARATORS.split(token)
                 for token in tokens]
    present = {fold(piece) for pieces in pieces_of for piece in pieces
               if piece and not piece.isspace() and not SEPARATORS.fullmatch(piece)}
    out = []
    for pieces in pieces_of:
        for piece in pieces:
            if not piece or piece.isspace() or SEPARATORS.fullmatch(piece):
                out.append(piece)
                continue
            upgraded = upgrade_term(code, piece)
            if upgraded != piece and fold(upgraded) in present:
                continue  # the administrator already has the new term
            if upgraded.startswith("re:") and len(pieces) > 1:
                upgraded = f" {upgraded} "  # an expression runs to the next blank: give it its own
            out.append(upgraded)
    return "".join(out)


def confirm_and_upgrade(apps, schema_editor):
    TriageRule = apps.get_model("triage", "TriageRule")
    for code, minimum in MODEL_CONFIRMATION.items():
        TriageRule.objects.filter(code=code, min_model_p1=0).update(min_model_p1=minimum)
    for rule in TriageRule.objects.all():
        upgraded = upgrade_keywords(rule.code, rule.keywords)
        if upgraded != rule.keywords:
            rule.keywords = upgraded
            rule.save(update_fields=["keywords"])


class Migration(migrations.Migration):

    dependencies = [
        ('triage', '0003_hypothetical_cues'),
    ]

    operations = [
        migrations.AddField(
            model_name='triagerule',
            name='min_model_p1',
            field=models.DecimalField(decimal_places=2, default=Decimal('0'), help_text='0 = always raise the priority. Above 0, the rule acts (priority and flag) only when the model gives P1 at least this probability (0.10 = 10 %); otherwise the supervisor sees why it did not.', max_digits=3, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('1'))], verbose_name="needs the model's agreement"),
        ),
        migrations.RunPython(confirm_and_upgrade, migrations.RunPython.noop),
    ]
