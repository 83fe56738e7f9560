"""Triage benchmark: time per message of the whole suggestion (rules + model), and its scores.

Runs every held-out message (and both blind sets) through ``triage_text`` — the
function behind ``POST /api/v1/triage`` and ``aftersales triage`` — on a migrated
SQLite database, after one warm-up call (loading the model and jieba's dictionary
happens once per process). Prints mean, median, p95 and p99 per message, the ratio
to the 10 ms budget, and the scores on each evaluation set.

    make bench-triage
    .venv/bin/python bench/triage.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BUDGET_MS = 10.0
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def main() -> int:
    var = tempfile.mkdtemp(prefix="aftersales-bench-triage-")
    os.environ["AFTERSALES_VAR_DIR"] = var
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings.base")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from aftersales.triage import configuration, services
    from aftersales.triage.classifier import EVALUATION_SETS, load_samples
    from aftersales.triage.evaluation import evaluate

    started = time.perf_counter()
    services.triage_text(text="热身：冰箱不制冷")
    warm_up = (time.perf_counter() - started) * 1000
    samples = [sample for split in EVALUATION_SETS for sample in load_samples(split)]
    timings = []
    for _round in range(ROUNDS):
        for sample in samples:
            t0 = time.perf_counter()
            services.triage_text(text=sample.text, customer_type=sample.customer_type)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    mean = statistics.fmean(timings)
    p95 = timings[int(len(timings) * 0.95)]
    p99 = timings[int(len(timings) * 0.99)]
    print(f"messages timed: {len(timings)} ({len(samples)} × {ROUNDS}); first call (loads model + jieba): "
          f"{warm_up:.0f} ms")
    print(f"per message: mean {mean:.2f} ms, median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms, "
          f"p99 {p99:.2f} ms, max {timings[-1]:.2f} ms")
    print(f"budget {BUDGET_MS:.0f} ms: p99 is {p99 / BUDGET_MS:.2f}× the budget "
          f"({BUDGET_MS / p99:.1f}× headroom)")
    # The longest text the API accepts, built to be hard for the patterns: runs of digits and numerals with no
    # sentence end, units and "都" repeated, a keyword repeated. None may take long (a pattern that can start
    # inside a run of digits is quadratic in the run).
    limit = configuration.settings().max_text_chars
    worst = {}
    for name, unit in (("digits", "1"), ("numerals", "三"), ("counts", "20台都"), ("keyword", "电池鼓"), ("commas", "手，")):
        adversarial = (unit * (limit // len(unit) + 1))[:limit]
        t0 = time.perf_counter()
        services.triage_text(text=adversarial)
        worst[name] = (time.perf_counter() - t0) * 1000
    print(f"longest accepted text ({limit} characters), built to be hard: "
          + ", ".join(f"{name} {ms:.0f} ms" for name, ms in worst.items()))
    active = configuration.active_model()
    for split in EVALUATION_SETS:
        metrics = evaluate(active.model, load_samples(split), config=configuration.config())
        acc = metrics.accuracy
        print(f"{split:8} n={metrics.total}: category {acc['category']:.1%}, subcategory {acc['subcategory']:.1%}, "
              f"demand {acc['demand']:.1%}, priority {acc['priority']:.1%}, P1 recall {metrics.p1_recall:.1%}, "
              f"P1 precision {metrics.p1_precision:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
