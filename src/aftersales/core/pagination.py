"""Bounded offset pagination shared by console lists and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def paginate(queryset: QuerySet, *, page: int = 1, size: int = 25) -> Page:
    size = max(1, min(int(size), MAX_PAGE_SIZE))
    total = queryset.count()
    pages = max(1, -(-total // size))
    number = max(1, min(int(page), pages))
    start = (number - 1) * size
    return Page(items=list(queryset[start : start + size]), number=number, size=size, total=total)
