"""``import_catalog --kind models|batches|units|customers FILE`` — the admin import, from a shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersales.catalog.imports import IMPORT_KINDS, import_file
from aftersales.core.tabular import ImportRefused


class Command(BaseCommand):
    help = "Import product models, batches, trace-coded units or customers from a CSV or .xlsx file (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=IMPORT_KINDS)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate only; write nothing")

    def handle(self, *args: Any, kind: str, file: Path, dry_run: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            result = import_file(kind=kind, content=file.read_bytes(), filename=file.name, dry_run=dry_run)
        except ImportRefused as exc:
            raise CommandError(f"{file.name}: {exc.message}") from exc
        for line in result.error_lines():
            self.stderr.write(line)
        if not result.ok:
            raise CommandError(f"{len(result.errors)} row(s) refused; nothing was written.")
        if result.ignored_columns:
            self.stdout.write("ignored columns: " + ", ".join(result.ignored_columns))
        verb = "would create" if dry_run else "created"
        self.stdout.write(self.style.SUCCESS(
            f"{kind}: {result.rows} rows, {verb} {result.created}, updated {result.updated}, "
            f"unchanged {result.unchanged}"))
