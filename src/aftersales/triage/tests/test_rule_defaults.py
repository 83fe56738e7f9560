"""A newer release's rule vocabulary reaches an installation seeded earlier: shown first, added on confirmation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.triage import seeds, services, text
from aftersales.triage.configuration import config
from aftersales.triage.engine import Context, suggest
from aftersales.triage.models import TriageRule
from aftersales.triage.text import fold

pytestmark = pytest.mark.django_db

WORRIED_BATTERY = "手机后盖鼓起来，电池胀了，烫得吓人"


@pytest.fixture
def old_safety_rule():
    """The safety rule as an earlier release seeded it, plus a word the administrator added."""
    rule = TriageRule.objects.get(code="safety_hazard")
    rule.keywords = "漏电\n触电\n起火\n自家加的词"
    rule.save()
    return rule


def _changelist_post(admin_client, rule, **extra):
    data = {"action": "add_default_terms", "_selected_action": [rule.pk], **extra}
    return admin_client.post(reverse("admin:triage_triagerule_changelist"), data)


def test_the_action_first_lists_the_missing_keywords_and_changes_nothing(admin_client, old_safety_rule):
    page = _changelist_post(admin_client, old_safety_rule)

    assert page.status_code == 200
    html = page.content.decode()
    assert "烫伤" in html and "短路" in html
    old_safety_rule.refresh_from_db()
    assert old_safety_rule.terms == ["漏电", "触电", "起火", "自家加的词"]


def test_confirming_adds_them_and_keeps_what_the_administrator_added(admin_client, old_safety_rule):
    from aftersales.triage import configuration

    configuration.clear()
    before = suggest(Context(text=WORRIED_BATTERY), config=config(), model=configuration.active_model().model)
    assert before.priority != "P1" or "safety" not in before.flags

    response = _changelist_post(admin_client, old_safety_rule, confirm="yes")

    assert response.status_code == 302
    old_safety_rule.refresh_from_db()
    assert set(seeds.default_terms("safety_hazard")) <= set(old_safety_rule.terms)
    assert "自家加的词" in old_safety_rule.terms
    after = suggest(Context(text=WORRIED_BATTERY), config=config(), model=configuration.active_model().model)
    assert after.priority == "P1" and "safety" in after.flags


def test_a_rule_the_administrator_created_has_no_defaults_and_is_left_alone():
    own = TriageRule.objects.create(code="own_words", name="自定义", kind="keyword", keywords="召回\n下架",
                                    set_priority="P2", reason="自定义：{keyword}")

    assert services.rule_add_default_terms(rule_ids=[own.pk]) == 0
    own.refresh_from_db()
    assert own.terms == ["召回", "下架"]


def test_running_it_twice_adds_nothing_the_second_time(old_safety_rule):
    first = services.rule_add_default_terms(rule_ids=[old_safety_rule.pk])

    assert first == len(seeds.default_terms("safety_hazard")) - 3
    assert services.rule_add_default_terms(rule_ids=[old_safety_rule.pk]) == 0


def _migration_0004():
    from importlib import import_module

    return import_module("aftersales.triage.migrations.0004_rule_model_confirmation")


def test_the_upgrade_swaps_an_old_term_wherever_it_stands_and_keeps_the_rest(old_safety_rule):
    """Migration 0004 on an installation seeded before it: the old term goes, the new one takes its place,
    whether the administrator's list is one per line or typed on one line with blanks and 、."""
    from django.apps import apps

    old_safety_rule.keywords = "漏电 住院、医药费\n自家加的词"
    old_safety_rule.save()
    TriageRule.objects.filter(code="batch_business").update(min_model_p1=0.5)

    _migration_0004().confirm_and_upgrade(apps, None)

    old_safety_rule.refresh_from_db()
    assert old_safety_rule.terms == ["漏电", "re:住院(?!号)", "医药费", "自家加的词"]
    assert float(TriageRule.objects.get(code="batch_business").min_model_p1) == 0.5  # an edited value stays


def test_the_upgrade_does_not_repeat_a_term_the_administrator_already_added():
    migration = _migration_0004()

    assert text.split_terms(migration.upgrade_keywords("safety_hazard", "住院\nre:住院(?!号)")) == ["re:住院(?!号)"]


def test_a_fresh_installation_already_has_every_upgraded_term():
    migration = _migration_0004()
    for code, old, new in migration.UPGRADED:
        assert fold(migration.anchored(new)) in seeds.default_terms(code)
        assert fold(old) not in seeds.default_terms(code)
    for code, *_rest in seeds.TRIAGE_RULES:  # the shipped count patterns are anchored: upgrading changes nothing
        terms = seeds.default_terms(code)
        assert [migration.upgrade_term(code, t) for t in terms] == terms
