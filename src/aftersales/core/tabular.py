"""Reading operator spreadsheets (CSV or Excel .xlsx) into checked rows.

Import services in the domain apps describe their columns (Chinese and English
header names) and validate each row; this module only reads files, maps
headers and carries the result. No domain imports here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from .errors import ValidationFailed

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
CSV_SUFFIXES = {".csv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 .xls format

_HEADER_NOISE = re.compile(r"[\s_\-()（）/:：*＊]+")


class ImportRefused(ValidationFailed):
    """The file as a whole cannot be imported (type, encoding, missing columns)."""

    code = "import_refused"


@dataclass(frozen=True)
class Column:
    """One importable column: a canonical key and the headers operators use for it."""

    key: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    def names(self) -> set[str]:
        return {normalize_header(n) for n in (self.key, self.zh, self.en, *self.aliases)}


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet row number an operator sees (header = row 1)
    message: str
    column: str = ""

    def __str__(self) -> str:
        return _("Row {row}: {message}").format(row=self.row, message=self.message)


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run and (self.created + self.updated) > 0

    def error_lines(self) -> list[str]:
        return [str(e) for e in self.errors]


@dataclass(frozen=True)
class Table:
    """Rows keyed by canonical column key, each with its spreadsheet row number."""

    rows: list[tuple[int, dict[str, Any]]]
    present: frozenset[str]
    ignored_columns: list[str]


class RowInvalid(Exception):
    """Raised by a row validator; collected as a RowError, never shown raw."""

    def __init__(self, message: str, *, column: str = ""):
        super().__init__(message)
        self.message = message
        self.column = column


def normalize_header(name: object) -> str:
    return _HEADER_NOISE.sub("", str(name or "")).lower()


def read_table(*, content: bytes, filename: str, columns: Sequence[Column]) -> Table:
    """Parse CSV or .xlsx bytes and map its header row onto ``columns``.

    Refuses (ImportRefused) unknown file types, old .xls, undecodable text,
    missing required columns and headers that name the same column twice.
    """
    if not content:
        raise ImportRefused(_("The file is empty."), detail={"field": "file"})
    if len(content) > MAX_BYTES:
        raise ImportRefused(_("The file is larger than {mb} MB.").format(mb=MAX_BYTES // (1024 * 1024)),
                            detail={"field": "file"})
    suffix = PurePath(filename or "").suffix.lower()
    if content.startswith(OLE_MAGIC) or suffix == ".xls":
        raise ImportRefused(_("Old Excel .xls files are not supported: save the sheet as .xlsx or CSV (UTF-8)."),
                            detail={"field": "file"})
    if content.startswith(ZIP_MAGIC):
        if suffix not in EXCEL_SUFFIXES | {""}:
            raise ImportRefused(_("Only CSV and Excel .xlsx files can be imported."), detail={"field": "file"})
        raw_rows = _xlsx_rows(content)
    elif suffix in CSV_SUFFIXES or suffix == "":
        raw_rows = _csv_rows(content)
    else:
        raise ImportRefused(_("Only CSV and Excel .xlsx files can be imported."), detail={"field": "file"})
    return _map(raw_rows, columns)


def _decode(content: bytes) -> str:
    if b"\x00" in content[:4096]:
        raise ImportRefused(_("This does not look like a CSV text file."), detail={"field": "file"})
    # Excel on a Chinese Windows saves "CSV" in GB18030/GBK; everyone else uses UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused(_("The CSV file is neither UTF-8 nor GBK text."), detail={"field": "file"})


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(content)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    # The header decides the delimiter: comma, or the tab / semicolon some exports use.
    delimiter = max(",\t;", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise ImportRefused(_("The CSV file cannot be read: {error}").format(error=exc),
                            detail={"field": "file"}) from exc


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign zip
        raise ImportRefused(_("The Excel file cannot be opened; save it again as .xlsx."),
                            detail={"field": "file"}) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


def _map(raw_rows: Iterator[tuple[int, list[Any]]], columns: Sequence[Column]) -> Table:
    lookup: dict[str, str] = {}
    for column in columns:
        for name in column.names():
            lookup[name] = column.key
    header: list[str | None] | None = None
    present: dict[str, str] = {}
    ignored: list[str] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, cells in raw_rows:
        if header is None:
            if all(_blank(c) for c in cells):
                continue
            header = []
            for cell in cells:
                label = str(cell).strip() if not _blank(cell) else ""
                key = lookup.get(normalize_header(label)) if label else None
                if key and key in present:
                    raise ImportRefused(
                        _("Columns “{a}” and “{b}” mean the same thing; keep one.").format(a=present[key], b=label),
                        detail={"field": "file"})
                if key:
                    present[key] = label
                elif label:
                    ignored.append(label)
                header.append(key)
            missing = [c for c in columns if c.required and c.key not in present]
            if missing:
                names = "、".join(f"{c.zh} / {c.en}" for c in missing)
                raise ImportRefused(_("Missing required column(s): {names}.").format(names=names),
                                    detail={"field": "file", "missing": [c.key for c in missing]})
            continue
        if all(_blank(c) for c in cells):
            continue
        values = {key: _clean_cell(cells[i]) for i, key in enumerate(header) if key and i < len(cells)}
        rows.append((number, values))
        if len(rows) > MAX_ROWS:
            raise ImportRefused(_("Too many rows: import at most {n} at a time.").format(n=MAX_ROWS),
                                detail={"field": "file"})
    if header is None:
        raise ImportRefused(_("The file has no header row."), detail={"field": "file"})
    return Table(rows=rows, present=frozenset(present), ignored_columns=ignored)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        # Excel stores 13800138000 and 12 as floats.
        return int(value)
    return value


# ---------------------------------------------------------------- cell coercion for validators


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def date_value(value: Any, *, column: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise RowInvalid(_("“{value}” is not a date (use YYYY-MM-DD).").format(value=raw), column=column)


def int_value(value: Any, *, column: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RowInvalid(_("“{value}” is not a whole number.").format(value=value), column=column)
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or number != number.to_integral_value():
        raise RowInvalid(_("“{value}” is not a whole number.").format(value=value), column=column)
    return int(number)


_TRUE = {"1", "y", "yes", "true", "是", "vip", "√", "✓", "t"}
_FALSE = {"0", "n", "no", "false", "否", "", "f", "×", "-"}


def bool_value(value: Any, *, column: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    raw = str(value).strip().lower()
    if raw == "":
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise RowInvalid(_("“{value}” is not yes/no (是/否).").format(value=value), column=column)


def choice_value(value: Any, *, column: str, choices: dict[str, str]) -> str | None:
    """Map a code or a label (Chinese or English, any case) to a choice code."""
    raw = text(value)
    if not raw:
        return None
    found = choices.get(raw.lower())
    if found is None:
        raise RowInvalid(_("“{value}” is not one of: {choices}.").format(
            value=raw, choices="、".join(sorted(set(choices.values())))), column=column)
    return found


def sample_csv(columns: Sequence[Column]) -> str:
    """A header row operators can start from (Chinese headers, as Excel shows them)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([c.zh for c in columns])
    return buffer.getvalue()


# ---------------------------------------------------------------- the all-or-nothing runner


@dataclass
class Planned:
    """What one valid row will do: create ``instance`` or save its changed ``fields``."""

    key: Any
    instance: Any
    is_new: bool
    fields: list[str] = field(default_factory=list)


def check_instance(instance: Any, *, exclude: Sequence[str] = ()) -> None:
    """Field validation of an unsaved row, turned into one RowInvalid."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        parts = []
        for name, messages in exc.message_dict.items():
            try:
                label = str(instance._meta.get_field(name).verbose_name)
            except Exception:  # NON_FIELD_ERRORS and the like
                label = ""
            parts.extend(f"{label}：{m}" if label else m for m in messages)
        raise RowInvalid("；".join(parts)) from exc


def changed_fields(instance: Any, values: dict[str, Any]) -> list[str]:
    """Set ``values`` on ``instance``; return the names that really changed."""
    changed = []
    for name, value in values.items():
        model_field = instance._meta.get_field(name)
        if model_field.is_relation:
            # Compare ids: reading the relation would cost a query per row.
            current = getattr(instance, model_field.attname)
            same = current == (value.pk if value is not None else None)
        else:
            same = getattr(instance, name) == value
        if not same:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def run_import(*, kind: str, rows: Sequence[tuple[int, dict[str, Any]]], validate: Any, dry_run: bool,
               ignored_columns: Sequence[str] = ()) -> ImportResult:
    """Validate every row, then write all of them in one transaction, or nothing.

    ``validate(number, values) -> Planned`` raises RowInvalid for a bad row.
    A key seen twice in the file is an error on the later row.
    """
    from django.db import IntegrityError, transaction

    result = ImportResult(kind=kind, rows=len(rows), dry_run=dry_run, ignored_columns=list(ignored_columns))
    planned: list[Planned] = []
    seen: dict[Any, int] = {}
    for number, values in rows:
        try:
            item = validate(number, values)
        except RowInvalid as exc:
            result.errors.append(RowError(row=number, message=exc.message, column=exc.column))
            continue
        if item.key in seen:
            result.errors.append(RowError(row=number, message=_("Duplicate of row {row}.").format(row=seen[item.key])))
            continue
        seen[item.key] = number
        planned.append(item)
    if result.errors:
        return result
    for item in planned:
        if item.is_new:
            result.created += 1
        elif item.fields:
            result.updated += 1
        else:
            result.unchanged += 1
    if dry_run:
        return result
    try:
        with transaction.atomic():
            for item in planned:
                if item.is_new:
                    item.instance.save()
                elif item.fields:
                    item.instance.save(update_fields=[*item.fields, "updated_at"])
    except IntegrityError as exc:
        raise ImportRefused(_("The database refused the import ({error}); nothing was written.").format(error=exc),
                            detail={"field": "file"}) from exc
    return result
