"""Request bodies the API tests send."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aftersales.core import clock


def case_payload(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": "phone",
        "customer": {"name": "张伟", "phone": "13800138000"},
        "product": {"model": "RC-30", "purchase_date": "2025-01-15"},
        "description": "电饭煲用了两个月，煮饭时突然显示E3故障码，无法加热。",
        "demand": "repair",
    }
    data.update(overrides)
    return data


def plan_payload(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "repair",
        "repair_mode": "onsite",
        "summary": "安排工程师上门检测，确认故障后免费更换主板",
        "responsible_department": "technical_support",
        "due_at": (clock.now() + dt.timedelta(hours=48)).isoformat(),
    }
    data.update(overrides)
    return data
