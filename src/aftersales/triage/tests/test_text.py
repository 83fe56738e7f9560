"""Negation and hypotheticals in keyword matching (pure)."""

import pytest

from aftersales.triage import text
from aftersales.triage.models import DEFAULT_NEGATION_CUES, DEFAULT_NOT_CUES, DEFAULT_SCOPE_CUES

RULES = text.NegationRules.parse(DEFAULT_NEGATION_CUES, DEFAULT_NOT_CUES, DEFAULT_SCOPE_CUES)
HAZARDS = ["漏电", "冒烟", "起火", "烫伤", "焦味", "鼓包", "短路", "火花"]


def affirmed(message: str) -> list[str]:
    return [m.keyword for m in text.find_mentions(message, HAZARDS, RULES) if not m.negated]


@pytest.mark.parametrize("message", [
    "没有漏电，就是开不了机",
    "没有漏电也没冒烟，就是不启动了",
    "不是漏电，是按键没反应",
    "用久了会不会漏电？",
    "有没有防烫伤的设计",
    "担心起火，想问问怎么存放",
    "未发现焦味",
    "锂电池长期不用怎么存放才不会鼓包",
    "没有出现冒烟",
])
def test_negated_or_hypothetical_mentions_are_not_reports(message):
    assert affirmed(message) == []


@pytest.mark.parametrize(("message", "expected"), [
    ("插上电就冒烟了", ["冒烟"]),
    ("不小心被烫伤了", ["烫伤"]),
    ("没过多久就冒烟了", ["冒烟"]),
    ("没有漏电但是冒烟了", ["冒烟"]),
    ("不是漏电，是冒烟", ["冒烟"]),
    ("一直不制冷还冒烟", ["冒烟"]),
    ("已经冒烟了，我怕会起火", ["冒烟"]),
    ("充电宝鼓包了还发烫", ["鼓包"]),
])
def test_reported_hazards_are_found_even_near_negation_words(message, expected):
    assert affirmed(message) == expected


def test_full_width_and_case_are_folded():
    assert [m.keyword for m in text.find_mentions("打１２３１５投诉，ＡＰＰ", ["12315", "app"])] == ["12315", "app"]


def test_keywords_split_on_lines_commas_and_spaces():
    assert text.split_terms("漏电\n起火、冒烟, 爆炸  焦味") == ["漏电", "起火", "冒烟", "爆炸", "焦味"]


@pytest.mark.parametrize(("message", "expected"), [
    ("听说放不好会起火，有点担心", []),
    ("折过的电热毯再用会着火，是真的假的", []),
    ("用久了会漏电吗", []),
    ("插上电就会冒烟，怎么回事？", ["冒烟"]),
    ("为什么会冒烟？", ["冒烟"]),
])
def test_a_modal_is_hypothetical_only_in_a_doubting_sentence(message, expected):
    assert [m.keyword for m in text.find_mentions(message, [*HAZARDS, "着火"], RULES) if not m.negated] == expected


@pytest.mark.parametrize("message", [
    "上面有电机，我怕水进去短路或者漏电，该怎么清洗",
    "放阳台会不会受潮漏电、短路？",
    "听说堵住了会过热起火😨 网罩能拆吗",
    "网上有人说新烤箱第一次会冒烟甚至起火，我有点慌",
    "这要是家里真起火了是不是根本挡不住？",
    "万一孩子摸到，会不会被烫伤，起火了怎么办",
    "吓得我以为电池要鼓包了",
])
def test_a_worry_or_hearsay_reaches_to_the_end_of_its_sentence(message):
    assert affirmed(message) == []


@pytest.mark.parametrize(("message", "expected"), [
    # a report word after the worry ends its reach
    ("我担心插座有问题，结果今天真的冒烟了", ["冒烟"]),
    ("本来怕它漏电，现在插头那里冒火花了", ["火花"]),
    # a feeling is not a worry about something
    ("太可怕了，插头那里冒烟了", ["冒烟"]),
    ("好害怕，插座冒火花了", ["火花"]),
    ("吓死了怕死了，充电器冒烟了", ["冒烟"]),
    # the reach ends with the sentence
    ("我怕有问题。今天插头冒烟了", ["冒烟"]),
])
def test_a_report_after_a_worry_still_counts(message, expected):
    assert affirmed(message) == expected


def test_without_scope_cues_a_worry_reaches_only_its_window():
    local_only = text.NegationRules.parse(DEFAULT_NEGATION_CUES, DEFAULT_NOT_CUES)
    message = "上面有电机，我怕水进去短路或者漏电"
    assert [m.keyword for m in text.find_mentions(message, HAZARDS, local_only) if not m.negated] == ["短路", "漏电"]


def test_an_expression_stays_inside_one_sentence():
    burn = ["re:烫.{,8}(伤|泡)"]

    assert [m.keyword for m in text.find_mentions("座圈烫得受不了。人没烫伤", burn, RULES) if not m.negated] == []
    assert [m.keyword for m in text.find_mentions("座圈烫得起了水泡", burn, RULES)] == ["烫得起了水泡"]


def test_an_ellipsis_does_not_end_a_sentence():
    swollen = ["re:电池.{,6}鼓起"]

    assert [m.keyword for m in text.find_mentions("电池……鼓起来了", swollen, RULES)] == ["电池......鼓起"]
    assert [m.keyword for m in text.find_mentions("电池...鼓起来了", swollen, RULES)] == ["电池...鼓起"]


def test_a_decimal_point_does_not_end_a_sentence():
    assert [m.keyword for m in text.find_mentions("实测甲醛0.12mg，超标", ["re:\\d+\\.\\d+mg"])] == ["0.12mg"]
