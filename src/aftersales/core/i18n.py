"""Helpers for reference data that carries its own Chinese and English names."""

from __future__ import annotations

from django.utils.translation import get_language


def pick(zh: str, en: str) -> str:
    """Return the name in the active language; Chinese is the default."""
    language = (get_language() or "zh-hans").lower()
    return en if language.startswith("en") and en else zh
