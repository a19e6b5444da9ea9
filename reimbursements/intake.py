"""Intake validation: what may enter the system at all.

Everything here runs inside the upload request, before any row or file exists, so a
rejection leaves nothing behind. Type comes from magic bytes (never the name or the
Content-Type). Images are decoded with the decompression-bomb guard as an error and
stored without metadata: an upright JPEG or PNG keeps its compressed image data and
loses only its metadata segments (and anything after its end marker), which costs
about a millisecond; a rotated one (EXIF orientation) or any other kind is re-encoded
upright. PDFs are opened with pdfium to reject encrypted, broken or overlong files.

E-invoices that carry their data (OFD, 数电票 XML) are recognised by structure and read
completely here (zip guard, XML without DTDs or entities), so a broken or hostile one is
refused with its reason. A zip that is not an OFD is a batch (the tax platform's bulk
download): every member passes the same checks as a single upload, and one bad member
refuses the whole batch, naming it. A PDF whose pages carry different invoice numbers is
cut into one part per invoice (``extraction.pdf_split``).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, replace
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps

from extraction import images
from extraction.machine import files as machine_files
from extraction.machine.archive import ArchiveLimits, ArchiveRefused, is_zip, open_archive
from extraction.machine.ofd import is_ofd
from extraction.pii import mask_text
from invoice_assistant.chunked import file_too_large_message

try:  # HEIC/HEIF from iPhones: pillow-heif is maintained and wheels ship libheif.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - the dependency is in requirements/base.txt
    HEIC_SUPPORTED = False


class IntakeError(Exception):
    """A rejected upload: maps to a 4xx with a stable code and a human message."""

    status_code = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status_code: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        if status_code is not None:
            self.status_code = status_code


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Spools uploads to disk and stops reading as soon as the size limit is passed.

    Checking after the fact would let a client make us write gigabytes first.
    """

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, Any]] | None:
        limit = settings.UPLOAD_MAX_BYTES
        # The multipart envelope adds a little; anything far beyond the limit is refused
        # before a single byte of the body is read (an empty parse result short-cuts it).
        if content_length and content_length > limit + 64 * 1024:
            self.request.upload_too_large = True  # type: ignore[union-attr]
            return QueryDict(), MultiValueDict()
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self._received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._received += len(raw_data)
        if self._received > settings.UPLOAD_MAX_BYTES:
            self.request.upload_too_large = True  # type: ignore[union-attr]
            self.file.close()
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


@dataclass(frozen=True)
class AcceptedFile:
    content: bytes  # what will be stored: re-encoded image, or the PDF/OFD/XML as uploaded
    mime_type: str
    sha256: str
    page_count: int
    width: int | None
    height: int | None
    original_name: str


@dataclass(frozen=True)
class AcceptedUpload:
    """Everything one upload becomes: a single file, or several documents (a zip of
    invoices, or a PDF holding several); all of them checked before anything is stored."""

    files: tuple[AcceptedFile, ...]
    kind: str  # SINGLE | ARCHIVE | PDF
    original_name: str
    sha256: str  # of the upload as sent
    size: int

    @property
    def is_batch(self) -> bool:
        return self.kind != SINGLE


SINGLE = "single"
ARCHIVE = "archive"
PDF = "pdf"

OFD_MIME = "application/ofd"
XML_MIME = "application/xml"
PDF_MIME = "application/pdf"
# Members a zip made on a Mac or Windows carries besides the files themselves.
_ARCHIVE_JUNK_DIRS = ("__MACOSX/",)
_ARCHIVE_JUNK_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})

_ALLOWED = "JPEG, PNG, WebP, PDF, OFD, 数电票 XML, ZIP" + (", HEIC" if HEIC_SUPPORTED else "")


def sniff_mime(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp" and head[8:12] in {
        b"heic",
        b"heix",
        b"heim",
        b"heis",
        b"mif1",
        b"msf1",
    }:
        return "image/heic"
    return None


def safe_display_name(name: str) -> str:
    """The user's filename, for display only: no path parts, no control characters, and
    personal numbers masked (people name scans after whose ID or card they show)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return mask_text(cleaned.strip()[:200]) or "upload"


def image_refused_message(exc: images.ImageRefused) -> str:
    """A picture refused by ``extraction.images``, in the reader's language: its
    parameters (size, limits), not its English text."""
    p = exc.params
    if exc.code == "image_too_elongated":
        return (
            _(
                "The image is %(width)sx%(height)s px: more than %(ratio)s times longer than it "
                "is wide is not a document. Photograph or scan the document itself, or cut a "
                "long receipt into parts."
            )
            % p
        )
    if "format" in p:
        return (
            _(
                "The %(format)s image has too many pixels (%(width)sx%(height)s); such images "
                "are limited to %(limit)s megapixels (JPEG photos up to %(jpeg_limit)s "
                "megapixels). Send the photo as a JPEG or smaller."
            )
            % p
        )
    if "width" in p:
        return (
            _(
                "The image has too many pixels (%(width)sx%(height)s; the limit is %(limit)s "
                "megapixels)."
            )
            % p
        )
    return _("The image has too many pixels (the limit is %(limit)s megapixels).") % p


def sniff_type(data: bytes) -> str | None:
    """The MIME type by content, OFD and XML e-invoices and zip archives included (an
    XML that is unsafe or not an e-invoice is still ``application/xml``: opening it says
    why it is refused)."""
    mime = sniff_mime(data[:32])
    if mime is not None:
        return mime
    if is_ofd(data):
        return OFD_MIME
    if is_zip(data):
        return "application/zip"
    if machine_files.looks_like_xml(data):
        return XML_MIME
    return None


def accept_upload(data: bytes, *, name: str) -> AcceptedUpload:
    """Check an upload completely; raises ``IntakeError`` (naming the archive member at
    fault) before anything is stored."""
    _check_size(data)
    display = safe_display_name(name)
    sha256 = hashlib.sha256(data).hexdigest()
    if is_zip(data) and not is_ofd(data):
        files = _accept_archive(data)
        kind = ARCHIVE
    else:
        files = _accept_file(data, name=name)
        kind = PDF if len(files) > 1 else SINGLE
    if len(files) > settings.UPLOAD_MAX_DOCUMENTS:
        raise IntakeError(
            "too_many_documents",
            _("This upload holds %(count)d invoices; at most %(limit)d are accepted at once.")
            % {"count": len(files), "limit": settings.UPLOAD_MAX_DOCUMENTS},
            status_code=413,
        )
    return AcceptedUpload(
        files=tuple(files), kind=kind, original_name=display, sha256=sha256, size=len(data)
    )


def _accept_file(data: bytes, *, name: str) -> list[AcceptedFile]:
    """One file; a PDF holding several invoices comes back as one part per invoice."""
    accepted = validate_upload(data, name=name)
    if accepted.mime_type != PDF_MIME or accepted.page_count < 2:
        return [accepted]
    from extraction.pdf_split import split_invoices

    try:
        parts = split_invoices(data)
    except ValueError as exc:
        raise IntakeError("corrupt_pdf", _("The PDF is damaged and cannot be read.")) from exc
    if len(parts) < 2:
        return [accepted]
    stem = accepted.original_name
    return [
        replace(
            accepted,
            content=part.content,
            sha256=hashlib.sha256(part.content).hexdigest(),
            page_count=len(part.pages),
            original_name=f"{stem} ({_pages_label(part.pages)})"[:255],
        )
        for part in parts
    ]


def _pages_label(pages: tuple[int, ...]) -> str:
    first, last = pages[0] + 1, pages[-1] + 1
    return f"page {first}" if first == last else f"pages {first}-{last}"


def _accept_archive(data: bytes) -> list[AcceptedFile]:
    limits = ArchiveLimits(
        max_members=settings.UPLOAD_MAX_DOCUMENTS,
        max_member_bytes=settings.UPLOAD_MAX_BYTES,
    )
    try:
        members = open_archive(
            data,
            limits=limits,
            # A batch holds OFD files, which are zips themselves; nothing else nested.
            nested_ok=lambda _name, content: is_ofd(content),
            what="the archive",
        )
    except ArchiveRefused as exc:
        member = _member_label(exc.member) if exc.member is not None else None
        raise IntakeError(
            "archive_refused",
            (
                _("The archive is refused: %(reason)s (member %(member)s)")
                if member is not None
                else _("The archive is refused: %(reason)s")
            )
            % {"reason": exc.reason, "member": repr(member)},
            details={"member": member, "reason": exc.reason},
        ) from exc
    out: list[AcceptedFile] = []
    for member_name, content in members.items():
        if _is_archive_junk(member_name):
            continue
        label = _member_label(member_name)
        try:
            out.extend(_accept_file(content, name=member_name))
        except IntakeError as exc:
            raise IntakeError(
                exc.code,
                _("The archive is refused: member %(member)s: %(reason)s")
                % {"member": repr(label), "reason": exc.message},
                status_code=exc.status_code,
                details={"member": label, "reason": exc.message},
            ) from exc
    if not out:
        raise IntakeError("empty_archive", _("The archive holds no files."))
    return out


def _is_archive_junk(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return (
        name.startswith(_ARCHIVE_JUNK_DIRS)
        or base.startswith("._")
        or base in (_ARCHIVE_JUNK_NAMES)
    )


def _member_label(name: str) -> str:
    """A member's path as shown in an error: printable, personal numbers masked."""
    cleaned = "".join(ch for ch in name if ch.isprintable())
    return mask_text(cleaned[:200]) or "(unnamed)"


def _check_size(data: bytes) -> None:
    if not data:
        raise IntakeError("empty_file", _("The file is empty."))
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise IntakeError(
            "file_too_large",
            file_too_large_message(),
            status_code=413,
        )


def validate_upload(data: bytes, *, name: str) -> AcceptedFile:
    _check_size(data)
    mime = sniff_mime(data[:32])
    if mime is None and (is_ofd(data) or machine_files.looks_like_xml(data)):
        return _accept_machine_file(data, name=name)
    if mime is None:
        raise IntakeError(
            "unsupported_type",
            _("This file type is not supported. Upload one of: %(types)s.") % {"types": _ALLOWED},
            status_code=415,
        )
    if mime == "image/heic" and not HEIC_SUPPORTED:  # pragma: no cover
        raise IntakeError("unsupported_type", _("HEIC is not supported here."), status_code=415)
    display = safe_display_name(name)
    if mime == "application/pdf":
        pages = _check_pdf(data)
        return AcceptedFile(
            content=data,
            mime_type=mime,
            sha256=hashlib.sha256(data).hexdigest(),
            page_count=pages,
            width=None,
            height=None,
            original_name=display,
        )
    content, out_mime, width, height = _reencode_image(data, mime)
    return AcceptedFile(
        content=content,
        mime_type=out_mime,
        # The hash of what the user sent: the same photo uploaded twice is a duplicate.
        sha256=hashlib.sha256(data).hexdigest(),
        page_count=1,
        width=width,
        height=height,
        original_name=display,
    )


def _accept_machine_file(data: bytes, *, name: str) -> AcceptedFile:
    """An OFD or 数电票 XML, read completely now: a broken or hostile one (zip bomb,
    entity expansion, external entities) is refused with the reader's reason."""
    try:
        file = machine_files.open_machine_file(data, max_pages=settings.PDF_MAX_PAGES)
    except ValueError as exc:
        code = "invalid_ofd" if is_ofd(data) else "invalid_xml"
        raise IntakeError(
            code, _("The e-invoice cannot be accepted: %(reason)s") % {"reason": exc}
        ) from exc
    return AcceptedFile(
        content=data,
        mime_type=OFD_MIME if file.kind == machine_files.OFD else XML_MIME,
        sha256=hashlib.sha256(data).hexdigest(),
        page_count=file.page_count,
        width=None,
        height=None,
        original_name=safe_display_name(name),
    )


def _reencode_image(data: bytes, mime: str) -> tuple[bytes, str, int, int]:
    full_limit = settings.IMAGE_MAX_PIXELS
    decode_limit = max(settings.IMAGE_MAX_DECODE_PIXELS, full_limit)
    with warnings.catch_warnings():
        # Pillow only warns between 1x and 2x the limit; a bomb is a bomb.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with images.open_image(data, max_pixels=decode_limit) as probe:
                probe.verify()
            with images.open_image(data, max_pixels=decode_limit) as image:
                images.check_size(
                    image.format,
                    image.width,
                    image.height,
                    max_decode_pixels=decode_limit,
                    max_full_decode_pixels=full_limit,
                )
                width, height = image.size
                # A JPEG too big to decode in full here keeps its pixels and only
                # its orientation tag: the worker decodes it at reduced scale upright.
                big_jpeg = image.format == "JPEG" and width * height > full_limit
                stripped = _strip_metadata(data, image, keep_orientation=big_jpeg)
                if stripped is not None:
                    if image.format == "JPEG":
                        # Every scan is still decoded (truncation and broken data are
                        # found), at 1/8 scale: the DCT work shrinks ~10x.
                        image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                    image.load()
                    return stripped, mime, width, height
                if big_jpeg:
                    raise IntakeError(
                        "image_too_large",
                        _(
                            "This JPEG (%(width)dx%(height)d, %(mode)s) has more than "
                            "%(limit)s megapixels and cannot be stored without decoding it "
                            "in full. Send an RGB photo or a smaller one."
                        )
                        % {
                            "width": width,
                            "height": height,
                            "mode": image.mode,
                            "limit": f"{full_limit / 1e6:g}",
                        },
                        status_code=413,
                    )
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _encode(upright, mime)
        except images.ImageRefused as exc:
            status = 413 if exc.code == "image_too_large" else 422
            raise IntakeError(exc.code, image_refused_message(exc), status_code=status) from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise IntakeError(
                "image_too_large",
                _("The image has too many pixels (the limit is %(limit)s megapixels).")
                % {"limit": f"{decode_limit / 1e6:g}"},
                status_code=413,
            ) from exc
        except IntakeError:
            raise
        except Exception as exc:  # Pillow raises many types for corrupt data
            raise IntakeError(
                "corrupt_image",
                _("The image is damaged or truncated and cannot be read."),
            ) from exc


def _strip_metadata(
    data: bytes, image: Image.Image, *, keep_orientation: bool = False
) -> bytes | None:
    """The file without metadata, its image data untouched; ``None`` when it must be
    re-encoded (rotated by EXIF, CMYK or palette JPEGs, other formats, odd structure).
    ``keep_orientation``: a rotated JPEG keeps an EXIF block holding only its orientation."""
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    rotated = orientation not in (0, 1)
    if image.format == "JPEG" and image.mode in {"RGB", "L"} and keep_orientation and rotated:
        return _strip_jpeg(data, orientation=orientation)
    if rotated:
        return None
    if image.format == "JPEG" and image.mode in {"RGB", "L"}:
        return _strip_jpeg(data)
    if image.format == "PNG" and image.mode in {"RGB", "RGBA", "L", "LA", "P"}:
        return _strip_png(data)
    return None


# JPEG segments kept before the image data: JFIF, ICC profile, Adobe colour transform and
# the coding tables / frame header. EXIF and XMP (APP1), comments and the rest go.
_JPEG_KEEP_APP = {0xE0, 0xE2, 0xEE}


def _strip_jpeg(data: bytes, *, orientation: int = 1) -> bytes | None:
    if data[:2] != b"\xff\xd8":
        return None
    out = [b"\xff\xd8"]
    if orientation not in (0, 1):
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = orientation
        block = exif.tobytes()
        out.append(b"\xff\xe1" + (len(block) + 2).to_bytes(2, "big") + block)
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:  # start of scan: entropy-coded data up to the end marker
            end = data.find(b"\xff\xd9", pos)
            if end < 0:
                return None
            out.append(data[pos : end + 2])
            return b"".join(out)
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2 or pos + 2 + length > len(data):
            return None
        segment = data[pos : pos + 2 + length]
        is_app = 0xE0 <= marker <= 0xEF
        if marker == 0xE2 and not segment[4:16].startswith(b"ICC_PROFILE"):
            is_app, marker = True, 0xE3  # APP2 that is not a colour profile (FlashPix)
        if (not is_app and marker != 0xFE) or marker in _JPEG_KEEP_APP:
            out.append(segment)
        pos += 2 + length
    return None


# PNG chunks kept: the image and how to show its colours. Text, time, EXIF and private
# chunks go.
_PNG_KEEP = {
    b"IHDR",
    b"PLTE",
    b"IDAT",
    b"IEND",
    b"tRNS",
    b"gAMA",
    b"cHRM",
    b"sRGB",
    b"iCCP",
    b"sBIT",
    b"pHYs",
    b"bKGD",
}


def _strip_png(data: bytes) -> bytes | None:
    signature = b"\x89PNG\r\n\x1a\n"
    if not data.startswith(signature):
        return None
    out = [signature]
    pos = len(signature)
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            return None
        if kind in _PNG_KEEP:
            out.append(data[pos:end])
        if kind == b"IEND":
            return b"".join(out)
        pos = end
    return None


def _encode(image: Image.Image, mime: str) -> tuple[bytes, str, int, int]:
    out = io.BytesIO()
    if mime in {"image/jpeg", "image/heic"}:
        rgb = image.convert("RGB")
        # No exif= argument: EXIF (GPS, device, orientation) is dropped on purpose.
        rgb.save(out, format="JPEG", quality=92, optimize=True)
        return out.getvalue(), "image/jpeg", rgb.width, rgb.height
    converted = image if image.mode in {"RGB", "RGBA", "L", "LA", "P"} else image.convert("RGB")
    converted.save(out, format="PNG", optimize=False)
    return out.getvalue(), "image/png", converted.width, converted.height


def _check_pdf(data: bytes) -> int:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text:
            raise IntakeError(
                "pdf_encrypted",
                _("The PDF is password-protected. Upload an unprotected copy."),
            ) from exc
        raise IntakeError("corrupt_pdf", _("The PDF is damaged and cannot be read.")) from exc
    try:
        pages = len(pdf)
        if pages == 0:
            raise IntakeError("corrupt_pdf", _("The PDF has no pages."))
        if pages > settings.PDF_MAX_PAGES:
            raise IntakeError(
                "pdf_too_many_pages",
                _("The PDF has %(pages)d pages; the limit is %(limit)d.")
                % {"pages": pages, "limit": settings.PDF_MAX_PAGES},
            )
        # Rendering the first page proves pdfium can actually draw it.
        page = pdf[0]
        try:
            page.render(scale=0.2).close()
        finally:
            page.close()
        return pages
    except pdfium.PdfiumError as exc:
        raise IntakeError("corrupt_pdf", _("The PDF is damaged and cannot be read.")) from exc
    finally:
        pdf.close()
