"""Files sitegen writes for itself and runs as code when it reads them back (the build state, compiled
templates) are signed with a key kept outside the site's folder: one not signed with it, a file in a
cloned repository say, is never run."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

# An HMAC with SHA-256, which CPUs of the last years compute in hardware: over tens of megabytes,
# twice as fast here as BLAKE2b.
_ALGORITHM = "sha256"
SIZE = hashlib.new(_ALGORITHM).digest_size


def key() -> bytes:
    """This user's key, made on first use."""
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sitegen"
    path = folder / "state.key"
    try:
        return path.read_bytes()
    except OSError:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".state.key.{os.getpid()}"
        partial.write_bytes(secrets.token_bytes(32))
        partial.chmod(0o600)
        os.replace(partial, path)
        return path.read_bytes()


def signature(payload: bytes | memoryview, secret: bytes) -> bytes:
    """What goes before `payload` in the file: SIZE bytes."""
    return hmac.digest(secret, payload, _ALGORITHM)


def payload(data: bytes, secret: bytes) -> memoryview | None:
    """What follows a good signature in `data` (not copied); None when it is not signed with `secret`."""
    body = memoryview(data)[SIZE:]
    return body if hmac.compare_digest(data[:SIZE], signature(body, secret)) else None


def write(path: Path, payload: bytes, secret: bytes) -> None:
    """`payload` signed, into `path` in one step."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_bytes(signature(payload, secret) + payload)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
