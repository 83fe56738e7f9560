"""The labelled set: ``data/raw/*.jsonl`` (as written, one file per category) split into
``data/train.jsonl`` and ``data/heldout.jsonl``.

The split is by a hash of the text, so adding messages never moves an old one from
one side to the other, and the held-out side is never trained on. Messages written after
the first report (``data/raw/train_only/*.jsonl``) go to training only: the held-out split
stays the 448 messages every score so far was measured on, so scores stay comparable.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .classifier import DATA_DIR, PARENT_OF

RAW_DIR = DATA_DIR / "raw"
TRAIN_ONLY_DIR = RAW_DIR / "train_only"
HELDOUT_PERCENT = 20
CATEGORIES = sorted(set(PARENT_OF.values()))
DEMANDS = {"repair", "return_refund", "exchange", "consultation", "compensation", "other"}
PRIORITIES = {"P1", "P2", "P3"}
FLAGS = {"safety", "public_opinion", "external_escalation", "repeat_complaint"}
CUSTOMER_TYPES = {"individual", "enterprise", "dealer"}


def is_heldout(text: str) -> bool:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % 100 < HELDOUT_PERCENT


def check(row: dict, where: str) -> None:
    problems = []
    if not str(row.get("text", "")).strip():
        problems.append("empty text")
    if PARENT_OF.get(row.get("subcategory")) != row.get("category"):
        problems.append(f"subcategory {row.get('subcategory')} not under {row.get('category')}")
    if row.get("demand") not in DEMANDS:
        problems.append(f"demand {row.get('demand')}")
    if row.get("priority") not in PRIORITIES:
        problems.append(f"priority {row.get('priority')}")
    if row.get("customer_type") not in CUSTOMER_TYPES:
        problems.append(f"customer_type {row.get('customer_type')}")
    if set(row.get("flags") or ()) - FLAGS:
        problems.append(f"flags {row.get('flags')}")
    if problems:
        raise ValueError(f"{where}: {', '.join(problems)}")


def raw_rows() -> list[dict]:
    """Every labelled message once; ``_train_only`` marks those written after the split was frozen."""
    rows, seen = [], set()
    for path in sorted(RAW_DIR.glob("*.jsonl")) + sorted(TRAIN_ONLY_DIR.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            check(row, f"{path.name}:{number}")
            if row["text"] in seen:
                continue
            seen.add(row["text"])
            rows.append({**row, "_train_only": path.parent == TRAIN_ONLY_DIR})
    return rows


def split_lines() -> tuple[list[str], list[str]]:
    train, heldout = [], []
    for row in raw_rows():
        train_only = row.pop("_train_only")
        line = json.dumps(row, ensure_ascii=False, sort_keys=True)
        (heldout if is_heldout(row["text"]) and not train_only else train).append(line)
    return train, heldout


def write_split(directory: Path = DATA_DIR) -> tuple[int, int]:
    train, heldout = split_lines()
    (directory / "train.jsonl").write_text("\n".join(train) + "\n", encoding="utf-8")
    (directory / "heldout.jsonl").write_text("\n".join(heldout) + "\n", encoding="utf-8")
    return len(train), len(heldout)
