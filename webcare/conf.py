"""Typed, strict readers for settings taken from the environment.

Why strict: a typo such as ``WEBCARE_DEBUG=ture`` must stop the process with a message naming the variable, not be
read silently as false. Every secret also has a ``*_FILE`` variant so it can come from a mounted file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(Exception):
    """A setting in the environment is present but wrong."""


def env_str(name: str, default: str = "") -> str:
    """A string setting; ``NAME_FILE`` (a path) wins over ``NAME`` when given."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE={file_path!r} cannot be read: {exc.strerror}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """A boolean setting: exactly ``true`` or ``false`` (any case), or unset."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise ConfigError(f"{name} must be 'true' or 'false', not {raw!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """A whole-number setting, at least ``minimum``."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list setting."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir() -> Path:
    """Where the embedded default keeps its database, keys and files; created on first use."""
    raw = os.environ.get("WEBCARE_DATA_DIR")
    if raw:
        path = Path(raw).expanduser()
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "webcare"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_secret(name: str, path: Path, nbytes: int = 48) -> str:
    """A secret from the environment, or one generated once and kept in ``path`` (mode 0600).

    Why a file: the embedded default needs zero set-up, yet sessions must survive restarts, so the first run makes the
    secret and every later run reads the same one.
    """
    value = env_str(name)
    if value:
        return value
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value
