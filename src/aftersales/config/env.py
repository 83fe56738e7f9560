"""The only module that reads ``os.environ``.

Every setting that an operator may change comes through here, typed, with its
default, so that ``grep env.`` finds the whole configuration surface.
"""

from __future__ import annotations

import os
from pathlib import Path

TRUE_VALUES = {"1", "true", "yes", "on"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in TRUE_VALUES


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def var_dir() -> Path:
    """Where the SQLite database, uploaded files and other runtime state live."""
    return Path(os.environ.get("AFTERSALES_VAR_DIR", Path.cwd() / "var")).resolve()


def database_url() -> str:
    default = f"sqlite:///{var_dir() / 'aftersales.sqlite3'}"
    return os.environ.get("DATABASE_URL", default)
