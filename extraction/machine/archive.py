"""Zip archives from uploads (OFD files, the tax platform's batch downloads), opened safely.

``open_archive`` checks the central directory before decompressing anything (member
count, declared sizes, compression ratio, names, encryption, links), then reads every
member with a hard cap on its real size, so a header that lies cannot inflate past the
limits either. A member that is itself an archive is refused unless the caller says that
kind is expected (a batch zip holds OFD files, which are zips). Every refusal is an
``ArchiveRefused`` (a ``ValueError``) naming the member and the reason.
"""

from __future__ import annotations

import io
import posixpath
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

MIB = 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
# Magic bytes of archive and compressed-stream formats: a member starting with one of
# these would be a second layer of decompression the limits above do not see.
_ARCHIVE_MAGICS: tuple[tuple[int, bytes, str], ...] = (
    (0, ZIP_MAGIC, "zip"),
    (0, _EMPTY_ZIP_MAGIC, "zip"),
    (0, b"\x1f\x8b", "gzip"),
    (0, b"BZh", "bzip2"),
    (0, b"\xfd7zXZ\x00", "xz"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z"),
    (0, b"Rar!\x1a\x07", "rar"),
    (0, b"\x28\xb5\x2f\xfd", "zstd"),
    (257, b"ustar", "tar"),
)


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 1000
    max_member_bytes: int = 32 * MIB
    max_total_bytes: int = 128 * MIB
    # Uncompressed / compressed size of one member; text compresses ~5-20x, zeros ~1000x.
    max_ratio: float = 100.0
    # Below this uncompressed size the ratio is not checked: a small, very repetitive
    # file is harmless, and the total size limit still holds.
    ratio_floor_bytes: int = 1 * MIB


DEFAULT_LIMITS = ArchiveLimits()


class ArchiveRefused(ValueError):
    """An archive (or one of its members) that is not opened, with the reason."""

    def __init__(self, reason: str, *, member: str | None = None) -> None:
        self.reason = reason
        self.member = member
        super().__init__(f"member {member!r}: {reason}" if member is not None else reason)


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC) or data.startswith(_EMPTY_ZIP_MAGIC)


def archive_kind(data: bytes) -> str | None:
    """The archive/compression format ``data`` starts with, or ``None``."""
    for offset, magic, kind in _ARCHIVE_MAGICS:
        if data[offset : offset + len(magic)] == magic:
            return kind
    return None


def zip_member_names(data: bytes) -> list[str] | None:
    """Names in a zip's central directory without reading any member; ``None`` when
    ``data`` is not a readable zip. For cheap sniffing only: it checks nothing else."""
    if not is_zip(data):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None


def open_archive(
    data: bytes,
    *,
    limits: ArchiveLimits = DEFAULT_LIMITS,
    nested_ok: Callable[[str, bytes], bool] | None = None,
    what: str = "the archive",
) -> dict[str, bytes]:
    """Every file in the zip ``data`` by member name, in archive order (directories
    skipped). ``nested_ok(name, content)`` decides whether a member that is itself an
    archive may stay (default: never). Raises ``ArchiveRefused``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ArchiveRefused(f"{what} is not a readable zip archive: {exc}") from exc
    with archive:
        files = check_members(archive.infolist(), limits=limits, what=what)
        out: dict[str, bytes] = {}
        for info in files:
            content = _read(archive, info)
            kind = archive_kind(content)
            if kind is not None and not (
                nested_ok is not None and nested_ok(info.filename, content)
            ):
                raise ArchiveRefused(
                    f"a nested archive ({kind}) inside {what} is not accepted",
                    member=info.filename,
                )
            out[info.filename] = content
    return out


def check_members(
    infos: list[zipfile.ZipInfo],
    *,
    limits: ArchiveLimits = DEFAULT_LIMITS,
    what: str = "the archive",
) -> list[zipfile.ZipInfo]:
    """The file members of a central directory, after every check that needs no
    decompression; raises ``ArchiveRefused`` on the first member that fails one."""
    if len(infos) > limits.max_members:
        raise ArchiveRefused(
            f"{what} holds {len(infos)} members; at most {limits.max_members} are accepted"
        )
    seen: set[str] = set()
    files: list[zipfile.ZipInfo] = []
    total = 0
    for info in infos:
        name = info.filename
        problem = unsafe_member_name(name)
        if problem:
            raise ArchiveRefused(problem, member=name)
        if name in seen:
            raise ArchiveRefused("the name appears twice in the archive", member=name)
        seen.add(name)
        if info.flag_bits & 0x1:
            raise ArchiveRefused("encrypted members are not accepted", member=name)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ArchiveRefused("symbolic links are not accepted", member=name)
        if info.is_dir():
            continue
        if info.file_size > limits.max_member_bytes:
            raise ArchiveRefused(
                f"{info.file_size:,} bytes uncompressed; at most "
                f"{limits.max_member_bytes:,} per member",
                member=name,
            )
        if info.file_size >= limits.ratio_floor_bytes and (
            info.file_size > limits.max_ratio * max(info.compress_size, 1)
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            raise ArchiveRefused(
                f"compression ratio {ratio:,.0f}:1 (at most {limits.max_ratio:g}:1): "
                "a decompression bomb?",
                member=name,
            )
        total += info.file_size
        if total > limits.max_total_bytes:
            raise ArchiveRefused(
                f"{what} expands to more than {limits.max_total_bytes:,} bytes "
                f"(reached at this member)",
                member=name,
            )
        files.append(info)
    return files


def unsafe_member_name(name: str) -> str:
    """Why a member name is unsafe to use as a path (empty string when it is fine)."""
    if not name or "\x00" in name:
        return "empty name or a NUL character in the name"
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        return "an absolute path is not accepted"
    if ".." in unified.split("/"):
        return "a '..' path component is not accepted"
    if posixpath.normpath(unified).startswith("../"):
        return "the path leaves the archive"
    return ""


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with archive.open(info) as handle:
            # One byte more than declared: a header that understates the size shows here
            # (and zipfile's CRC check fails at the end of an honest read otherwise).
            content = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise ArchiveRefused(f"cannot be decompressed: {exc}", member=info.filename) from exc
    except NotImplementedError as exc:  # an unsupported compression method
        raise ArchiveRefused(f"unsupported compression: {exc}", member=info.filename) from exc
    except RuntimeError as exc:  # zipfile's "encrypted, password required"
        raise ArchiveRefused(f"cannot be read: {exc}", member=info.filename) from exc
    if len(content) > info.file_size:
        raise ArchiveRefused("decompresses to more than its declared size", member=info.filename)
    return content
