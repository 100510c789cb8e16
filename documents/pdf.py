"""PDF of a Word document through LibreOffice (`soffice --headless --convert-to pdf`),
the converter offices already trust with Vietnamese text and Times New Roman."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 180


class ConversionError(Exception):
    """The PDF could not be made; the message says why, in the user's language."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(content: bytes) -> bytes:
    """The PDF of a .docx. Each conversion gets its own LibreOffice profile, so two at a
    time do not wait on each other's lock, and is stopped after TIMEOUT_SECONDS."""
    binary = soffice_path()
    if binary is None:
        raise ConversionError(_("LibreOffice is not installed on the server: the PDF cannot "
                                "be made. Download the Word file instead."))
    with tempfile.TemporaryDirectory(prefix="scp-pdf-") as tmp:
        work = Path(tmp)
        source = work / "report.docx"
        source.write_bytes(content)
        command = [binary, f"-env:UserInstallation={(work / 'profile').as_uri()}",
                   "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(work),
                   str(source)]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=TIMEOUT_SECONDS,
                           env={"HOME": str(work), "PATH": "/usr/bin:/bin"})
        except (subprocess.SubprocessError, OSError):
            raise ConversionError(_("LibreOffice could not convert the report to PDF. "
                                    "Download the Word file instead.")) from None
        target = work / "report.pdf"
        if not target.exists():
            raise ConversionError(_("LibreOffice could not convert the report to PDF. "
                                    "Download the Word file instead."))
        return target.read_bytes()
