"""Checking uploaded evidence by its content, not its name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from aftersales.core.errors import ValidationFailed

# content type -> stored extension
ALLOWED_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "image/bmp": ".bmp",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/webm": ".webm",
    "video/x-msvideo": ".avi",
    "video/x-matroska": ".mkv",
    "application/pdf": ".pdf",
}


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    content_type: str
    extension: str
    size: int
    sha256: str
    original_name: str


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Refuse oversized files and anything that is not really an image, video or PDF."""
    limit = settings.AFTERSALES_ATTACHMENT_MAX_MB * 1024 * 1024
    name = (getattr(upload, "name", "") or "file")[-200:]
    size = upload.size or 0
    if size > limit:
        raise ValidationFailed(
            _("{name}: file is larger than {limit} MB.").format(name=name, limit=settings.AFTERSALES_ATTACHMENT_MAX_MB),
            code="attachment_too_large", detail={"field": "attachments", "name": name, "size": size},
        )
    if size == 0:
        raise ValidationFailed(_("{name}: file is empty.").format(name=name), code="attachment_empty",
                               detail={"field": "attachments", "name": name})
    upload.seek(0)
    head = upload.read(8192)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationFailed(
            _("{name}: only images, videos and PDF files are accepted (checked by content).").format(name=name),
            code="attachment_type_refused",
            detail={"field": "attachments", "name": name, "detected": kind.mime if kind else None},
        )
    digest = hashlib.sha256(head)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(upload=upload, content_type=kind.mime, extension=ALLOWED_TYPES[kind.mime], size=size,
                       sha256=digest.hexdigest(), original_name=name)
