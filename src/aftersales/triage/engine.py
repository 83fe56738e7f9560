"""Triage: rules and the model, combined into one suggestion. No ORM here.

Rules always win where they speak: a reported safety hazard, an enterprise whose
core business is down or a batch failure makes a case P1 whatever the model thinks,
and flags (舆情, 12315 …) come from rules alone. The model suggests the category,
subcategory and demand, and the priority where no rule raised it. Every decision
carries a reason a supervisor can read ("含安全隐患关键词：漏电").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aftersales.core.i18n import pick

from . import text
from .classifier import TextModel

URGENCY = {"P1": 3, "P2": 2, "P3": 1, "": 0}
# The model alone may call a case P1 only when it is this sure; rules catch the rest.
MODEL_P1_MIN = 0.6


@dataclass(frozen=True)
class Reason:
    code: str
    zh: str
    en: str

    @property
    def text(self) -> str:
        return pick(self.zh, self.en)

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    terms: tuple[str, ...]
    customer_types: tuple[str, ...]
    ignore_negated: bool
    set_priority: str
    add_flag: str
    reason: str
    reason_en: str
    # Above 0, the rule acts (priority and flag) only when the model gives P1 at least this probability.
    min_model_p1: float = 0.0

    def applies_to(self, customer_type: str) -> bool:
        return not self.customer_types or customer_type in self.customer_types

    def explain(self, **values: Any) -> Reason:
        return Reason(self.code, _format(self.reason, values), _format(self.reason_en or self.reason, values))


def _format(template: str, values: dict[str, Any]) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


@dataclass(frozen=True)
class Config:
    rules: tuple[Rule, ...]
    negation: text.NegationRules
    category_labels: dict[str, tuple[str, str]]
    demand_labels: dict[str, tuple[str, str]]
    same_batch_min_cases: int = 3
    same_batch_days: int = 30


@dataclass(frozen=True)
class Context:
    text: str
    customer_type: str = "individual"
    channel: str = ""
    batch_number: str = ""


# (subcategory the case looks like) -> how many recent cases of the same batch show it, counting this one
SameBatchCounter = Callable[[str], int]


@dataclass
class Suggestion:
    category: str
    subcategory: str
    priority: str
    demand: str
    flags: list[str] = field(default_factory=list)
    confidence: dict[str, float] = field(default_factory=dict)
    reasons: list[Reason] = field(default_factory=list)
    model_version: str = ""

    @property
    def overall_confidence(self) -> float:
        """What auto-accept compares with its threshold: the weakest of category and priority."""
        return min(self.confidence.get("category", 0.0), self.confidence.get("subcategory", 0.0),
                   self.confidence.get("priority", 0.0))

    def as_json(self) -> dict[str, Any]:
        """The API's and the CLI's answer; reasons in the active language."""
        return {"category": self.category, "subcategory": self.subcategory, "priority": self.priority,
                "demand": self.demand, "flags": list(self.flags), "confidence": dict(self.confidence),
                "reasons": [r.text for r in self.reasons], "model_version": self.model_version}


def _label(labels: dict[str, tuple[str, str]], code: str) -> tuple[str, str]:
    return labels.get(code, (code, code))


def suggest(context: Context, *, config: Config, model: TextModel, model_version: str = "",
            same_batch: SameBatchCounter | None = None) -> Suggestion:
    prediction = model.predict(context.text, context.customer_type)
    folded = text.fold(context.text)
    reasons: list[Reason] = []
    flags: list[str] = []
    rule_priority = ""

    cat_zh, cat_en = _label(config.category_labels, prediction.category.label)
    sub_zh, sub_en = _label(config.category_labels, prediction.subcategory.label)
    evidence = "、".join(f"“{g}”" for g in prediction.subcategory.evidence)
    evidence_en = ", ".join(f"“{g}”" for g in prediction.subcategory.evidence)
    reasons.append(Reason(
        "model_category",
        f"分类：{cat_zh} › {sub_zh}（置信度 {prediction.category.probability:.0%}）"
        + (f"，依据 {evidence}" if evidence else ""),
        f"Category: {cat_en} › {sub_en} (confidence {prediction.category.probability:.0%})"
        + (f", from {evidence_en}" if evidence_en else ""),
    ))

    for rule in config.rules:
        if not rule.applies_to(context.customer_type):
            continue
        fired: Reason | None = None
        if rule.kind == "same_batch":
            if same_batch is not None and context.batch_number:
                count = same_batch(prediction.subcategory.label)
                if count >= config.same_batch_min_cases:
                    fired = rule.explain(batch=context.batch_number, count=count, days=config.same_batch_days,
                                         keyword=context.batch_number)
        else:
            mentions = text.find_mentions(context.text, rule.terms, config.negation if rule.ignore_negated else None,
                                          folded=folded)
            hit = text.first_affirmed(mentions)
            if hit is not None:
                fired = rule.explain(keyword=hit.keyword)
            elif mentions and rule.set_priority:
                m = mentions[0]
                reasons.append(Reason(
                    f"{rule.code}_negated",
                    f"提到“{m.keyword}”但前有“{m.cue}”（否定或假设），未按此规则处理",
                    f"“{m.keyword}” is mentioned after “{m.cue}” (negated or hypothetical); rule not applied",
                ))
        if fired is None:
            continue
        p1 = prediction.priority_probabilities.get("P1", 0.0)
        if rule.set_priority and p1 < rule.min_model_p1:
            # The words fit the pattern, the message as a whole does not read as urgent: say so, change nothing
            # (neither the priority nor the rule's flag). One decimal, so 9.6 % never reads as the 10 % it misses.
            reasons.append(Reason(
                f"{rule.code}_unconfirmed",
                f"{fired.zh}；但模型判断 P1 的可能性仅 {p1:.1%}（此规则要求至少 {rule.min_model_p1:.0%}），未据此调整",
                f"{fired.en}; but the model gives P1 only {p1:.1%} (this rule needs {rule.min_model_p1:.0%}), "
                "so it changed nothing",
            ))
            continue
        reasons.append(fired)
        if rule.add_flag and rule.add_flag not in flags:
            flags.append(rule.add_flag)
        if URGENCY[rule.set_priority] > URGENCY[rule_priority]:
            rule_priority = rule.set_priority

    model_priority = prediction.priority.label
    if model_priority == "P1" and prediction.priority.probability < MODEL_P1_MIN:
        # Not sure enough to call it urgent on the model's word alone: the next most likely.
        probs = dict(prediction.priority_probabilities)
        probs.pop("P1", None)
        model_priority = max(probs, key=probs.__getitem__) if probs else "P3"
    if URGENCY[rule_priority] >= URGENCY[model_priority]:
        priority, priority_confidence = rule_priority, 1.0
    else:
        priority = model_priority
        priority_confidence = round(prediction.priority_probabilities.get(priority, 0.0), 4)
        reasons.append(Reason("model_priority", f"优先级：{priority}（模型判断，置信度 {priority_confidence:.0%}）",
                              f"Priority: {priority} (model, confidence {priority_confidence:.0%})"))

    demand_zh, demand_en = _label(config.demand_labels, prediction.demand.label)
    demand_evidence = "、".join(f"“{g}”" for g in prediction.demand.evidence)
    reasons.append(Reason(
        "model_demand",
        f"诉求：{demand_zh}（置信度 {prediction.demand.probability:.0%}）"
        + (f"，依据 {demand_evidence}" if demand_evidence else ""),
        f"Demand: {demand_en} (confidence {prediction.demand.probability:.0%})",
    ))
    return Suggestion(
        category=prediction.category.label, subcategory=prediction.subcategory.label, priority=priority,
        demand=prediction.demand.label, flags=flags,
        confidence={"category": prediction.category.probability, "subcategory": prediction.subcategory.probability,
                    "priority": priority_confidence, "demand": prediction.demand.probability},
        reasons=reasons, model_version=model_version,
    )
