"""The zip guard shared by OFD reading and batch intake: every refusal names its reason."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from extraction.machine.archive import ArchiveLimits, ArchiveRefused, open_archive
from extraction.machine.ofd import is_ofd, parse_ofd
from tests.extraction.machine.einvoice_files import (
    DEFAULT,
    mark_encrypted,
    ofd_package,
    zip_bytes,
)


def test_members_come_back_by_name_in_archive_order() -> None:
    data = zip_bytes({"b.xml": b"<b/>", "dir/a.pdf": b"%PDF-1.4", "empty": b""})
    assert open_archive(data) == {"b.xml": b"<b/>", "dir/a.pdf": b"%PDF-1.4", "empty": b""}


def test_directories_are_skipped() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("Doc_0/", b"")
        archive.writestr("Doc_0/x.xml", b"<x/>")
    assert list(open_archive(out.getvalue())) == ["Doc_0/x.xml"]


def test_a_zip_bomb_is_refused_by_its_compression_ratio() -> None:
    # Given a member that inflates 20 MB of zeros from a few kilobytes
    data = zip_bytes({"OFD.xml": b"<OFD/>", "Doc_0/Res/font.ttf": bytes(20 * 1024 * 1024)})
    assert len(data) < 100_000
    # When the archive is opened, Then it is refused before decompressing, naming the member
    with pytest.raises(ArchiveRefused, match=r"'Doc_0/Res/font.ttf': compression ratio") as err:
        open_archive(data)
    assert err.value.member == "Doc_0/Res/font.ttf"


def test_total_uncompressed_size_is_bounded() -> None:
    files = {f"m{i}.bin": bytes(range(256)) * 40 for i in range(5)}  # 10 KB each, ratio ~1
    limits = ArchiveLimits(max_total_bytes=30_000)
    with pytest.raises(ArchiveRefused, match="expands to more than 30,000 bytes"):
        open_archive(zip_bytes(files, compression=zipfile.ZIP_STORED), limits=limits)


def test_member_size_and_count_are_bounded() -> None:
    big = zip_bytes({"a": b"x" * 2000}, compression=zipfile.ZIP_STORED)
    with pytest.raises(ArchiveRefused, match="2,000 bytes uncompressed; at most 1,000"):
        open_archive(big, limits=ArchiveLimits(max_member_bytes=1000))
    many = zip_bytes({f"{i}.xml": b"<a/>" for i in range(11)})
    with pytest.raises(ArchiveRefused, match="holds 11 members; at most 10"):
        open_archive(many, limits=ArchiveLimits(max_members=10))


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../../etc/cron.d/evil", "'..' path component"),
        ("Doc_0/../../evil.xml", "'..' path component"),
        ("/etc/passwd", "absolute path"),
        ("C:\\Windows\\evil.dll", "absolute path"),
        ("..\\evil.xml", "'..' path component"),
    ],
)
def test_path_traversal_member_names_are_refused(name: str, reason: str) -> None:
    data = zip_bytes({"OFD.xml": b"<OFD/>", name: b"<x/>"})
    with pytest.raises(ArchiveRefused, match=reason) as err:
        open_archive(data)
    assert err.value.member == name


def test_an_encrypted_member_is_refused() -> None:
    data = mark_encrypted(zip_bytes({"OFD.xml": b"<OFD/>", "secret.xml": b"<s/>"}), "secret.xml")
    with pytest.raises(ArchiveRefused, match=r"'secret.xml': encrypted members are not accepted"):
        open_archive(data)


def test_a_nested_archive_is_refused_unless_the_caller_expects_that_kind() -> None:
    # Given a batch zip holding an OFD (itself a zip) and a gzip stream
    inner_ofd = ofd_package(DEFAULT)
    batch = zip_bytes({"a.ofd": inner_ofd})
    # When opened without saying nested OFDs are fine, Then the member is refused
    with pytest.raises(ArchiveRefused, match=r"'a.ofd': a nested archive \(zip\)"):
        open_archive(batch)
    # And when the caller accepts OFD packages, the OFD passes
    assert open_archive(batch, nested_ok=lambda _name, data: is_ofd(data)) == {"a.ofd": inner_ofd}
    # But another archive kind stays refused
    gz = zip_bytes({"b.xml.gz": b"\x1f\x8b\x08\x00" + bytes(20)})
    with pytest.raises(ArchiveRefused, match=r"nested archive \(gzip\)"):
        open_archive(gz, nested_ok=lambda _name, data: is_ofd(data))


def test_an_ofd_with_a_nested_zip_inside_is_refused() -> None:
    data = ofd_package(DEFAULT, extra_members={"Doc_0/Attachs/more.zip": zip_bytes({"x": b"1"})})
    with pytest.raises(ArchiveRefused, match=r"'Doc_0/Attachs/more\.zip': a nested archive"):
        parse_ofd(data)


def test_symbolic_links_and_duplicate_names_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        link = zipfile.ZipInfo("link")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(ArchiveRefused, match="symbolic links"):
        open_archive(out.getvalue())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("a.xml", b"<a/>")
        archive.writestr("a.xml", b"<b/>")
    with pytest.raises(ArchiveRefused, match="appears twice"):
        open_archive(out.getvalue())


def test_not_a_zip_is_refused_clearly() -> None:
    with pytest.raises(ArchiveRefused, match="not a readable zip archive"):
        open_archive(b"PK\x03\x04 truncated")
