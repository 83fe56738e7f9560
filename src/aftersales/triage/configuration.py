"""Triage configuration and the active model, cached per process (core.config_cache).

The model in use is the newest *active* ``TriageModelVersion`` (written by
``aftersales triage retrain``) or, when there is none, the file that ships with the
project (``data/model.bin``). A file pickled by another scikit-learn version is not
trusted to load: the model is retrained from the bundled training split instead
(about a second, once per process).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sklearn
from django.utils import translation

from aftersales.core.config_cache import ConfigCache
from aftersales.tickets.models import Category, Demand

from . import engine
from .classifier import SHIPPED_MODEL, TextModel, load_samples
from .models import RoutingRule, TriageModelVersion, TriageRule, TriageSettings

log = logging.getLogger(__name__)

_config_cache = ConfigCache("triage-config", models_=(TriageRule, TriageSettings, Category, RoutingRule))
_model_cache = ConfigCache("triage-model", models_=(TriageModelVersion,))
# The shipped model never changes while the process runs: load it once, not once a minute.
_shipped: dict[str, TextModel] = {}


def settings() -> TriageSettings:
    return _config_cache.get("settings", TriageSettings.current)


def config() -> engine.Config:
    return _config_cache.get("config", _load_config)


def _load_config() -> engine.Config:
    current = TriageSettings.current()
    rules = tuple(
        engine.Rule(code=r.code, kind=r.kind, terms=tuple(r.terms), customer_types=tuple(r.customer_types or ()),
                    ignore_negated=r.ignore_negated, set_priority=r.set_priority, add_flag=r.add_flag,
                    reason=r.reason, reason_en=r.reason_en, min_model_p1=float(r.min_model_p1))
        for r in TriageRule.objects.filter(is_active=True).order_by("order", "code")
    )
    categories = {c.code: (c.name, c.name_en or c.name) for c in Category.objects.all()}
    demands = {value: (_label_in("zh-hans", label), _label_in("en", label)) for value, label in Demand.choices}
    return engine.Config(rules=rules, negation=current.negation_rules(), category_labels=categories,
                         demand_labels=demands, same_batch_min_cases=current.same_batch_min_cases,
                         same_batch_days=current.same_batch_days)


def _label_in(language: str, label: object) -> str:
    # Reasons are stored in both languages at once, whatever language the request speaks.
    with translation.override(language):
        return str(label)


@dataclass(frozen=True)
class ActiveModel:
    model: TextModel
    version: str


def active_model() -> ActiveModel:
    return _model_cache.get("active", _load_model)


def _load_model() -> ActiveModel:
    row = TriageModelVersion.objects.filter(is_active=True).order_by("-trained_at", "-id").first()
    if row is not None and row.sklearn_version == sklearn.__version__:
        return ActiveModel(TextModel.from_bytes(bytes(row.blob)), f"retrained-{row.pk}")
    if row is not None:
        log.warning("triage model #%s was trained with scikit-learn %s, this is %s: using the shipped model",
                    row.pk, row.sklearn_version, sklearn.__version__)
    return ActiveModel(shipped_model(), "shipped")


def shipped_model() -> TextModel:
    if "model" not in _shipped:
        model = None
        if SHIPPED_MODEL.exists():
            try:
                candidate = TextModel.from_bytes(SHIPPED_MODEL.read_bytes())
            except Exception:
                log.warning("the shipped triage model could not be loaded: retraining it from the bundled data")
                candidate = None
            if candidate is not None and candidate.sklearn_version == sklearn.__version__:
                model = candidate
            elif candidate is not None:
                log.warning("the shipped triage model was built with scikit-learn %s, this is %s: retraining it "
                            "from the bundled data", candidate.sklearn_version, sklearn.__version__)
        _shipped["model"] = model or TextModel.train(load_samples("train"))
    return _shipped["model"]


def clear() -> None:
    _config_cache.clear()
    _model_cache.clear()
