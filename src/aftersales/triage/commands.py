"""What ``aftersales triage …`` does, as plain functions (the CLI only prints their answers)."""

from __future__ import annotations

import json
from typing import Any

from . import configuration, dataset, services
from .classifier import build_shipped_model, load_samples
from .evaluation import evaluate as score


def suggest(text: str, *, customer_type: str = "individual", channel: str = "") -> dict[str, Any]:
    return services.triage_text(text=text, customer_type=customer_type, channel=channel).as_json()


def retrain(*, include_bundled: bool = True) -> str:
    row = services.model_retrain(trained_by="cli", include_bundled=include_bundled)
    metrics = row.metrics
    return (f"model #{row.pk} active: {row.samples} samples ({row.labels_used} confirmed cases). Held-out: "
            f"category {metrics['accuracy']['category']:.1%}, demand {metrics['accuracy']['demand']:.1%}, "
            f"P1 recall {metrics['p1_recall']:.1%}, P1 precision {metrics['p1_precision']:.1%}")


def evaluate(*, show_mistakes: bool = False, split: str = "heldout") -> str:
    """Score the active model on the held-out split, or on ``blind`` / ``blind2`` (messages written later by
    writers who saw only the guidelines; docs/triage.md says what each was used for)."""
    active = configuration.active_model()
    metrics = score(active.model, load_samples(split), config=configuration.config())
    report = f"model: {active.version} · set: {split}\n{metrics.report()}"
    if show_mistakes:
        report += "\n\nmistakes:\n" + "\n".join(json.dumps(m, ensure_ascii=False) for m in metrics.mistakes)
    return report


def build() -> str:
    train, heldout = dataset.write_split()
    model = build_shipped_model()
    configuration.clear()
    return f"split: {train} training, {heldout} held-out messages; shipped model rebuilt ({model.samples} samples)"
