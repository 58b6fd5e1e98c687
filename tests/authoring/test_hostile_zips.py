"""Zip imports that lie: every read of the archive happens inside the guard, so each is refused with 422 and a
reason, never a 500; nothing is published."""

from __future__ import annotations

import io
import re
import struct
import zipfile

import pytest

from lti_tool.models import ModuleVersion
from tests.support.admin_session import csrf_token

PAGE = "modules/demo/01-first.md"
TEXT = b"# First\n\n" + b"Ask early and often. " * 40


def _zip(compression: int = zipfile.ZIP_DEFLATED) -> bytearray:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr(PAGE, TEXT)
    return bytearray(buffer.getvalue())


def _local_header(data: bytearray) -> int:
    return data.index(b"PK\x03\x04")


def _central_header(data: bytearray) -> int:
    return data.index(b"PK\x01\x02")


def wrong_declared_size() -> bytes:
    data = _zip()
    for offset in (_local_header(data) + 22, _central_header(data) + 24):
        struct.pack_into("<I", data, offset, 10)
    return bytes(data)


def bad_crc() -> bytes:
    data = _zip(zipfile.ZIP_STORED)
    for offset in (_local_header(data) + 14, _central_header(data) + 16):
        struct.pack_into("<I", data, offset, 0xDEADBEEF)
    return bytes(data)


def corrupt_deflate() -> bytes:
    data = _zip()
    start = _local_header(data) + 30 + len(PAGE)
    data[start:start + 8] = b"\xff" * 8
    return bytes(data)


def encrypted_flag() -> bytes:
    data = _zip()
    for offset in (_local_header(data) + 6, _central_header(data) + 8):
        struct.pack_into("<H", data, offset, 0x1)
    return bytes(data)


def unknown_compression() -> bytes:
    data = _zip()
    for offset in (_local_header(data) + 8, _central_header(data) + 10):
        struct.pack_into("<H", data, offset, 99)
    return bytes(data)


def mismatched_names() -> bytes:
    data = _zip()
    start = _local_header(data) + 30
    data[start:start + len(PAGE)] = PAGE.replace("first", "xxxxx").encode()
    return bytes(data)


def truncated() -> bytes:
    return bytes(_zip()[:-30])


HOSTILE = {f.__name__: f for f in (wrong_declared_size, bad_crc, corrupt_deflate, encrypted_flag,
                                   unknown_compression, mismatched_names, truncated)}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_zip_is_refused_with_422_and_a_reason(admin, db, name):
    token = csrf_token(admin)
    response = admin.post("/admin/content/import", data={
        "csrf_token": token, "note": "hostile", "archive": (io.BytesIO(HOSTILE[name]()), "demo.zip")},
        content_type="multipart/form-data")
    assert response.status_code == 422, response.status_code
    assert re.search(r"Nothing was imported: (The zip could not be read|The file is not a zip)", response.text)
    assert db.query(ModuleVersion).count() == 1, "nothing was published"
