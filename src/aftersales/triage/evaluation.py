"""Scoring triage on a labelled split: accuracy, per-class precision and recall, P1 recall.

The score is of the whole suggestion (rules and model together), since that is
what a supervisor sees: a P1 caught by the safety rule counts as caught.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import engine
from .classifier import Sample, TextModel

HEADS = ("category", "subcategory", "demand", "priority")


@dataclass
class Metrics:
    total: int
    accuracy: dict[str, float]
    per_class: dict[str, dict[str, dict[str, float]]]
    mistakes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def p1_recall(self) -> float:
        return self.per_class["priority"].get("P1", {}).get("recall", 0.0)

    @property
    def p1_precision(self) -> float:
        return self.per_class["priority"].get("P1", {}).get("precision", 0.0)

    def as_json(self) -> dict[str, Any]:
        return {"total": self.total, "accuracy": self.accuracy, "per_class": self.per_class,
                "p1_recall": self.p1_recall, "p1_precision": self.p1_precision}

    def report(self) -> str:
        lines = [f"messages: {self.total}"]
        for head in HEADS:
            lines.append(f"{head:<12} accuracy {self.accuracy[head]:.1%}")
        lines.append(f"P1 recall {self.p1_recall:.1%}  P1 precision {self.p1_precision:.1%}")
        for head in ("category", "demand", "priority"):
            lines.append(f"\n{head}: {'class':<22}{'precision':>10}{'recall':>10}{'support':>9}")
            for label, row in sorted(self.per_class[head].items()):
                lines.append(f"  {label:<32}{row['precision']:>10.1%}{row['recall']:>10.1%}{int(row['support']):>9}")
        return "\n".join(lines)


def _per_class(pairs: Sequence[tuple[str, str]]) -> dict[str, dict[str, float]]:
    labels = sorted({t for t, _ in pairs} | {p for _, p in pairs})
    table = {}
    for label in labels:
        tp = sum(1 for t, p in pairs if t == label and p == label)
        predicted = sum(1 for _, p in pairs if p == label)
        actual = sum(1 for t, _ in pairs if t == label)
        table[label] = {"precision": round(tp / predicted, 4) if predicted else 0.0,
                        "recall": round(tp / actual, 4) if actual else 0.0, "support": actual}
    return table


def evaluate(model: TextModel, samples: Sequence[Sample], *, config: engine.Config) -> Metrics:
    pairs: dict[str, list[tuple[str, str]]] = {head: [] for head in HEADS}
    mistakes = []
    for sample in samples:
        got = engine.suggest(engine.Context(text=sample.text, customer_type=sample.customer_type,
                                            channel=sample.channel), config=config, model=model)
        wrong = {}
        for head in HEADS:
            truth, guess = getattr(sample, head), getattr(got, head)
            pairs[head].append((truth, guess))
            if truth != guess:
                wrong[head] = {"want": truth, "got": guess}
        if wrong:
            mistakes.append({"text": sample.text, "customer_type": sample.customer_type, **wrong})
    total = len(samples)
    accuracy = {head: round(sum(1 for t, p in pairs[head] if t == p) / total, 4) if total else 0.0 for head in HEADS}
    return Metrics(total=total, accuracy=accuracy,
                   per_class={head: _per_class(pairs[head]) for head in ("category", "demand", "priority")},
                   mistakes=mistakes)
