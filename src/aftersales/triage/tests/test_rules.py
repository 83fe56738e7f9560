"""The rule half of triage, through triage_text and the seeded, editable rules."""

import pytest

from aftersales.triage import services
from aftersales.triage.models import TriageRule, TriageSettings

pytestmark = pytest.mark.django_db


def suggest(text: str, customer_type: str = "individual"):
    return services.triage_text(text=text, customer_type=customer_type)


@pytest.mark.parametrize("message", [
    "热水器漏电，洗澡的时候被电了一下",
    "充电器插上去就冒烟了，还有一股焦味",
    "电饭煲用着用着突然起火了！！",
    "不小心被蒸汽烫伤了手，这个出汽口设计有问题",
    "充电宝鼓包了，都撑开了",
])
def test_a_reported_safety_hazard_is_p1_with_the_safety_flag_and_its_reason(message):
    got = suggest(message)

    assert got.priority == "P1"
    assert "safety" in got.flags
    assert got.confidence["priority"] == 1.0
    assert any(r.code == "safety_hazard" and r.zh.startswith("含安全隐患关键词：") for r in got.reasons)


def test_the_reason_names_the_keyword_found():
    got = suggest("洗衣机漏电")

    assert "含安全隐患关键词：漏电" in [r.zh for r in got.reasons]


@pytest.mark.parametrize("message", [
    "没有漏电也没冒烟，就是开不了机",
    "用久了会不会漏电？",
    "电暖器有没有倾倒断电的功能，怕着火",
])
def test_a_negated_or_hypothetical_hazard_does_not_make_it_p1(message):
    got = suggest(message)

    assert "safety" not in got.flags
    assert got.priority != "P1" or all(r.code != "safety_hazard" for r in got.reasons)
    assert any(r.code == "safety_hazard_negated" for r in got.reasons)


def test_an_enterprise_whose_core_business_is_down_is_p1_but_a_consumer_saying_the_same_word_is_not_by_that_rule():
    text = "收银系统宕机了，整个门店没法收款"

    enterprise = suggest(text, "enterprise")
    individual = suggest(text, "individual")

    assert enterprise.priority == "P1"
    assert any(r.code == "enterprise_down" for r in enterprise.reasons)
    assert not any(r.code == "enterprise_down" for r in individual.reasons)


def test_a_batch_failure_described_by_a_dealer_is_p1():
    got = suggest("同一批次的二十台电风扇，到店全都摇头不转", "dealer")

    assert got.priority == "P1"
    assert any(r.code == "batch_in_text" for r in got.reasons)


@pytest.mark.parametrize(("message", "flag"), [
    ("再不处理我就打12315投诉你们", "external_escalation"),
    ("我已经联系了消协", "external_escalation"),
    ("我要发微博曝光你们", "public_opinion"),
    ("我找媒体来评评理", "public_opinion"),
    ("第三次坏了，修了又坏", "repeat_complaint"),
])
def test_threats_and_repeats_become_flags(message, flag):
    assert flag in suggest(message).flags


def test_rules_are_data_a_new_keyword_takes_effect_and_a_disabled_rule_stops():
    text = "电水壶底座一插电就噼啪打闪"
    assert "safety" not in suggest(text).flags

    rule = TriageRule.objects.get(code="safety_hazard")
    rule.keywords += "\n打闪"
    rule.save()
    assert suggest(text).priority == "P1"

    rule.is_active = False
    rule.save()
    assert "safety" not in suggest(text).flags


def test_negation_cues_are_editable():
    text = "这款的设计杜绝冒烟吗"
    assert "safety" in suggest(text).flags  # "杜绝" is not a cue by default

    settings = TriageSettings.current()
    settings.negation_cues += " 杜绝"
    settings.save()

    assert "safety" not in suggest(text).flags


def test_a_worry_reaches_its_whole_sentence_and_the_list_is_editable():
    text = "上面有电机和感应器，我怕水进去短路或者漏电，该怎么清洗比较好"
    got = suggest(text)
    assert got.priority != "P1" and "safety" not in got.flags
    assert any("未按此规则处理" in r.text for r in got.reasons)

    settings = TriageSettings.current()
    settings.hypothetical_cues = ""
    settings.save()

    assert suggest(text).priority == "P1"  # "怕" now reaches only four characters


def test_the_answer_has_every_field_the_api_promises():
    got = suggest("快递一个星期了还没到，订单号 3871020556412 😡").as_json()

    assert set(got) == {"category", "subcategory", "priority", "demand", "flags", "confidence", "reasons",
                        "model_version"}
    assert got["category"] in {"technical_fault", "logistics", "quality_objection", "service_consultation"}
    assert got["priority"] in {"P1", "P2", "P3"}
    assert set(got["confidence"]) == {"category", "subcategory", "priority", "demand"}
    assert all(0 <= v <= 1 for v in got["confidence"].values())
    assert got["reasons"] and all(isinstance(r, str) for r in got["reasons"])
    assert got["model_version"] == "shipped"


def test_several_confirmed_cases_with_the_same_fault_on_one_batch_make_the_next_one_p1(make_ticket, supervisor):
    from aftersales.catalog.models import Batch, ProductModel
    from aftersales.tickets import services as svc

    model = ProductModel.objects.create(code="RC-30", name="智能电饭煲", product_line="厨房小电")
    Batch.objects.create(product_model=model, number="RC30-2410C")
    words = "电饭煲煮饭时显示E3故障码，无法加热"
    guess = services.triage_text(text=words)
    assert guess.category in {"technical_fault", "quality_objection"}
    on_batch = svc.ProductInput(model="RC-30", batch_number="RC30-2410C")
    for _ in range(2):
        earlier = make_ticket("registered", description=words, product=on_batch)
        # the supervisor confirms what triage suggested for the case (its text includes the product)
        own = earlier.triage_suggestion
        svc.ticket_classify(number=earlier.number, actor=supervisor, category=own.category,
                            subcategory=own.subcategory, priority="P2")

    third = make_ticket("registered", description=words, product=on_batch)

    suggestion = third.triage_suggestion
    assert suggestion.priority == "P1"
    assert any(r["code"] == "same_batch" and "RC30-2410C" in r["zh"] for r in suggestion.reasons)


def test_suggestions_alone_and_deliveries_do_not_make_a_batch_failure(make_ticket, supervisor):
    from aftersales.tickets import services as svc

    words = "快递一个星期了还没到，单号 SF1402938475"
    on_batch = svc.ProductInput(model="KT-17", batch_number="B-1")
    for _ in range(3):
        earlier = make_ticket("registered", description=words, product=on_batch)
        svc.ticket_classify(number=earlier.number, actor=supervisor, category="logistics",
                            subcategory="delivery_delay", priority="P3")
    for _ in range(3):
        make_ticket("registered", description="电饭煲显示E3故障码，无法加热", product=on_batch)  # suggested only

    assert not any(r["code"] == "same_batch" for r in make_ticket(
        "registered", description=words, product=on_batch).triage_suggestion.reasons)
    assert not any(r["code"] == "same_batch" for r in make_ticket(
        "registered", description="电饭煲显示E3故障码，无法加热", product=on_batch).triage_suggestion.reasons)


def test_every_shipped_expression_compiles():
    """A broken ``re:`` term matches nothing, silently: the shipped rules must have none."""
    from aftersales.triage import text

    for rule in TriageRule.objects.all():
        assert text.bad_patterns(rule.keywords) == [], rule.code


def test_a_patient_number_is_not_a_hospital_stay():
    got = suggest("护士站扫码枪连不上电脑，只能手输住院号", "enterprise")

    assert "safety" not in got.flags
    assert "safety" in suggest("孩子被电水壶的开水浇到，住院了", "individual").flags


def test_the_batch_rules_ask_for_the_models_agreement_and_say_why_when_it_is_missing():
    text = "上周到的电风扇20台，其中4台摇头不转，顾客拿回来了"
    assert suggest(text, "dealer").priority == "P1"
    shipped = {r.code: r.min_model_p1 for r in TriageRule.objects.all()}
    assert shipped["batch_business"] > 0 and shipped["batch_in_text"] > 0
    assert shipped["safety_hazard"] == 0 and shipped["enterprise_down"] == 0

    TriageRule.objects.filter(code__in=["batch_business", "batch_in_text"]).update(min_model_p1=1)
    from aftersales.triage import configuration

    configuration.clear()
    got = suggest(text, "dealer")

    assert not any(r.code == "batch_business" for r in got.reasons)
    unconfirmed = next(r for r in got.reasons if r.code == "batch_business_unconfirmed")
    assert "未据此调整" in unconfirmed.zh and "changed nothing" in unconfirmed.en
    assert got.confidence["priority"] < 1  # the priority is the model's, not a rule's


@pytest.mark.parametrize(("message", "customer_type", "rule"), [
    ("用肥皂水抹了一下燃气管接头，一直在冒泡泡", "individual", "safety_hazard"),
    ("插头那里一插上就噼啪响，还有亮光", "individual", "safety_hazard"),
    ("充电宝放了一晚上，早上发现整个胖了一圈", "individual", "safety_hazard"),
    ("摸到机身侧面，指尖一阵一阵发麻", "individual", "safety_hazard"),
    ("封箱机坏了，今天出不了货，两辆货车在门口等着", "enterprise", "enterprise_down"),
    ("躺地上看手机，扫地机开过来把我头发卷进刷子里了，扯掉一大撮", "individual", "safety_hazard"),
    ("喂食器的出粮口把狗狗的舌头夹住了，带去宠物医院缝了两针", "individual", "safety_hazard"),
])
def test_hazards_and_outages_told_without_the_usual_words(message, customer_type, rule):
    got = suggest(message, customer_type)

    assert got.priority == "P1"
    assert any(r.code == rule for r in got.reasons)


@pytest.mark.parametrize("message", [
    "猫砂卡在转筒里转不动了，怎么清理",
    "手表OTA卡在98%一个多小时不动了",
    "桌腿卡在包装泡沫里拔不出来",
])
def test_things_stuck_in_a_machine_are_not_body_parts(message):
    assert "safety" not in suggest(message).flags


@pytest.mark.parametrize("message", [
    "显示器电源线插上去有点松，没打火也不发热，就是一碰就黑屏",
    "用肥皂水检查过燃气管接头了，没有冒泡",
    "插头那里没有打火，就是插上没反应",
    "插座从来不会噼啪响，但是USB口不充电",
    "手机电池用了两年，也没变厚，就是续航短",
    "狗狗没受伤，就是喂食器出粮口卡粮了",
    "头发没有卷进去，但是扫地机滚刷很吵",
    "燃气灶关了火以后就没有味道了，点火有点慢",
])
def test_a_negation_between_the_parts_of_a_pattern_is_respected(message):
    assert "safety" not in suggest(message).flags


def test_a_negation_written_into_a_pattern_still_counts_as_the_pattern():
    """``(无法|没法)(营业…)`` names an outage; the 无法 is the pattern's own word, not a denial."""
    got = suggest("冷柜全坏了，门店今天无法营业", "enterprise")

    assert got.priority == "P1" and any(r.code == "enterprise_down" for r in got.reasons)
