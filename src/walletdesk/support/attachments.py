"""Attachments: what may be attached, and how it is kept.

The type is decided by the file's first bytes (its magic number), never by the name or the
declared content type, and only pictures and PDFs pass: a `.jpg` that is really an HTML page
or an executable is refused. Each file has a size limit (`support_attachment_max_bytes`).

Storage choice: in the database, encrypted, not on disk. Evidence for disputes (bank
statements, ID photos, police receipts) is personal data, and the database is where every
API process finds it: several workers or hosts share PostgreSQL but not a data directory, and
the row commits or rolls back with its message, so no orphan files and no missing files
after a crash. The content is sealed with the field cipher, bound to the attachment's id.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.randomness import new_id
from walletdesk.support.errors import AttachmentRefused, too_many_attachments
from walletdesk.support.models import Attachment

if TYPE_CHECKING:
    from walletdesk.fieldcrypt import FieldCipher
    from walletdesk.randomness import RandomSource

MAX_PER_MESSAGE = 5
FILENAME_MAX = 120


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


def sniff(content: bytes) -> str | None:
    """The media type the bytes really are, if it is one we accept."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content[4:8] == b"ftyp" and content[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "image/heic"
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def safe_filename(name: str) -> str:
    """The last path part, without control characters, at most 120 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    return cleaned[-FILENAME_MAX:] or "attachment"


def check_uploads(uploads: list[Upload], max_bytes: int) -> list[tuple[Upload, str]]:
    """Each upload with its sniffed media type; refuses the message if any one fails."""
    if len(uploads) > MAX_PER_MESSAGE:
        raise too_many_attachments(MAX_PER_MESSAGE)
    checked = []
    for upload in uploads:
        media_type = sniff(upload.content)
        if media_type is None or not 0 < len(upload.content) <= max_bytes:
            raise AttachmentRefused(field="attachments", max_mb=_megabytes(max_bytes))
        checked.append((upload, media_type))
    return checked


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def purpose(attachment_id: str) -> str:
    return f"support.attachment:{attachment_id}"


def seal(
    cipher: FieldCipher,
    random: RandomSource,
    upload: Upload,
    media_type: str,
    *,
    message_id: int,
    case_id: str,
    now: datetime,
) -> Attachment:
    attachment_id = new_id(random, "att")
    encoded = base64.b64encode(upload.content).decode("ascii")
    return Attachment(
        id=attachment_id,
        message_id=message_id,
        case_id=case_id,
        filename=safe_filename(upload.filename),
        media_type=media_type,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        content_enc=cipher.encrypt(encoded, purpose(attachment_id)),
        created_at=now,
    )


def content_of(cipher: FieldCipher, attachment: Attachment) -> bytes:
    return base64.b64decode(cipher.decrypt(attachment.content_enc, purpose(attachment.id)))
