"""An upload handler that counts comment files and throws their bytes away.

relay keeps the files of a comment; the sandbox only needs their metadata (name, MIME
type) to show them as attachments. Keeping contents would fill the disk during load
tests, so each chunk is counted and dropped as it streams in. The handler enforces
relay's limits while it reads (at most 10 files, at most 100 MiB together) so an
oversized upload is stopped early rather than spooled to a temporary file first.

A sandbox told to keep files (RELAY_SANDBOX_KEEP_FILES_DIR) uses `CountingKeepHandler`
instead and writes each comment file to that folder under its attachment's id, so a test
can read what arrived as relay would have stored it.
"""

import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

MAX_FILES = 10
MAX_TOTAL_BYTES = 100 * 1024 * 1024


class DiscardedFile(UploadedFile):
    """The metadata of an uploaded file whose contents were not kept."""

    def __init__(self, name: str, content_type: str | None, size: int) -> None:
        super().__init__(file=None, name=name, content_type=content_type, size=size)


class CountingDiscardHandler(FileUploadHandler):
    """Counts files and bytes, keeps none of them, and stops at relay's limits.

    After parsing, `too_many_files` or `too_large` tells the view to answer 413: Django
    swallows `StopUpload` and returns what it parsed so far, so the flags are the only
    way the view learns the upload was cut short.
    """

    chunk_size = 64 * 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files = 0
        self.total = 0
        self.too_many_files = False
        self.too_large = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.files += 1
        if self.files > MAX_FILES:
            self.too_many_files = True
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.total += len(raw_data)
        if self.total > MAX_TOTAL_BYTES:
            self.too_large = True
            raise StopUpload(connection_reset=False)

    def file_complete(self, file_size: int) -> DiscardedFile:
        return DiscardedFile(name=self.file_name or "file", content_type=self.content_type, size=file_size)


class KeptFile(DiscardedFile):
    """An uploaded file's metadata and its bytes."""

    def __init__(self, name: str, content_type: str | None, content: bytes) -> None:
        super().__init__(name=name, content_type=content_type, size=len(content))
        self.content = content


class CountingKeepHandler(CountingDiscardHandler):
    """The same counting and limits, but each file's bytes are kept (in memory)."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._content = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        super().receive_data_chunk(raw_data, start)
        self._content.write(raw_data)

    def file_complete(self, file_size: int) -> KeptFile:
        return KeptFile(
            name=self.file_name or "file", content_type=self.content_type, content=self._content.getvalue()
        )


def upload_handler(request: HttpRequest) -> CountingDiscardHandler:
    """The handler for a comment's files: keeping them only when the sandbox is told to."""
    return (
        CountingKeepHandler(request)
        if settings.RELAY_SANDBOX_KEEP_FILES_DIR
        else CountingDiscardHandler(request)
    )


def keep_files(attachment_ids: list[int], uploads: list[UploadedFile]) -> None:
    """Write the kept files, each under its attachment's id (nothing when none are kept)."""
    for attachment_id, upload in zip(attachment_ids, uploads, strict=True):
        if isinstance(upload, KeptFile):
            kept_file_path(attachment_id).write_bytes(upload.content)


def kept_file_path(attachment_id: int) -> Path:
    """Where the sandbox keeps the file of attachment `attachment_id`."""
    return Path(settings.RELAY_SANDBOX_KEEP_FILES_DIR) / str(attachment_id)
