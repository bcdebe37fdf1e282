"""Reading ``project.qde`` out of an untrusted ``.qdpx`` zip, without extracting anything.

Every member is checked first: no absolute or ``..`` names, no duplicates, no encryption, capped
member count, total size and compression ratio (zip bombs); then only ``project.qde`` is read,
itself capped in size.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

from compendium.inputs.errors import InputError

PROJECT_MEMBER = "project.qde"

MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_PROJECT_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, checked for members above RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024


def read_project_xml(qdpx: Path) -> bytes:
    """The bytes of ``project.qde``, after checking every member of the zip."""
    if not qdpx.is_file():
        raise InputError(qdpx, "file is missing")
    try:
        archive = zipfile.ZipFile(qdpx)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(qdpx, f"not a REFI-QDA project (.qdpx is a zip file): {exc}") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InputError(qdpx, f"zip has {len(infos)} members (more than {MAX_MEMBERS})")
        total = 0
        seen = set()
        for info in infos:
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if (
                name.startswith(("/", "\\"))
                or re.match(r"[A-Za-z]:", name)
                or ".." in parts
                or "\x00" in name
            ):
                raise InputError(
                    qdpx, f"zip member {name!r} has an absolute or '..' path (refused)"
                )
            if name in seen:
                raise InputError(qdpx, f"zip member {name!r} appears twice")
            seen.add(name)
            if info.flag_bits & 0x1:
                raise InputError(qdpx, f"zip member {name!r} is encrypted")
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise InputError(
                    qdpx, f"zip expands to more than {MAX_TOTAL_BYTES // 2**20} MB (refused)"
                )
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise InputError(
                    qdpx,
                    f"zip member {name!r} has compression ratio "
                    f"{info.file_size / max(info.compress_size, 1):.0f}:1 (more than "
                    f"{MAX_RATIO}:1; refused as a possible zip bomb)",
                )
        if PROJECT_MEMBER not in seen:
            raise InputError(qdpx, f"no {PROJECT_MEMBER} in the zip (not a REFI-QDA project)")
        info = archive.getinfo(PROJECT_MEMBER)
        if info.file_size > MAX_PROJECT_BYTES:
            raise InputError(qdpx, f"{PROJECT_MEMBER} is larger than {MAX_PROJECT_BYTES} bytes")
        try:
            with archive.open(info) as handle:
                data = handle.read(MAX_PROJECT_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise InputError(qdpx, f"cannot read {PROJECT_MEMBER} from the zip: {exc}") from None
        except Exception as exc:  # zlib.error and friends from a corrupt stream
            raise InputError(qdpx, f"cannot read {PROJECT_MEMBER} from the zip: {exc}") from None
        if len(data) > MAX_PROJECT_BYTES:
            raise InputError(qdpx, f"{PROJECT_MEMBER} is larger than {MAX_PROJECT_BYTES} bytes")
        return data
