"""Files sent as they are made: a zip archive written member by member into chunks of
bytes (for .xlsx workbooks and zipped CSV), CSV text row by row, and the response that
streams either. Memory stays flat whatever the rows, and the first bytes leave at once."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import translation

CHUNK = 64 * 1024
# Characters with which a spreadsheet would start a formula: CSV cells of text beginning
# with one get a leading apostrophe, so the text stays text when the file is opened.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Sink:
    """A write-only file that keeps what is written until it is taken: zipfile writes
    into it (without seeking: each member's sizes follow its data), the stream takes."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return out


def zip_stream(members: Iterable[tuple[str, Iterable[bytes]]]) -> Iterator[bytes]:
    """A zip archive of `members` (name, chunks of content), yielded in chunks as it is
    written. Compression is light (level 1): the archive is made while it is sent."""
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
    for name, parts in members:
        with archive.open(name, "w") as member:
            yield sink.take()  # the member's header: the download starts at once
            for part in parts:
                member.write(part)
                if sink.size >= CHUNK:
                    yield sink.take()
    archive.close()
    yield sink.take()


def csv_cell(value: Any) -> str:
    """A value as CSV text: numbers with a dot, dates ISO, text starting like a formula
    behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Line:
    """The file the csv writer writes one row into."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)


def csv_stream(*, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """CSV in UTF-8 with a byte-order mark (so Excel reads the accents), in chunks of
    many rows."""
    line = _Line()
    writer = csv.writer(line)
    writer.writerow(header)
    parts = ["\ufeff" + line.text]
    size = 0
    for row in rows:
        line.text = ""
        writer.writerow([csv_cell(v) for v in row])
        parts.append(line.text)
        size += len(line.text)
        if size >= CHUNK:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    yield "".join(parts).encode("utf-8")


def in_language(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """`chunks` made in the language active now: a streamed response is made after the
    view has returned, when the request's language may no longer be active."""
    language = translation.get_language()
    iterator = iter(chunks)
    while True:
        with translation.override(language):
            chunk = next(iterator, None)
        if chunk is None:
            return
        yield chunk


def download(chunks: Iterable[bytes], *, filename: str, content_type: str
             ) -> StreamingHttpResponse:
    """A file download that starts at once and streams `chunks` as they are made."""
    response = StreamingHttpResponse(in_language(chunks), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
