"""Typed settings from the environment that refuse bad values at start-up."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(Exception):
    """A setting is missing or has a value CareStat cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a yes/no value; use true or false")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}={value} is below the minimum of {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_words(name: str, default: str, allowed: tuple[str, ...]) -> list[str]:
    """Space- or comma-separated words, each one of ``allowed`` (case-insensitive)."""
    raw = os.environ.get(name)
    words = (default if raw is None else raw).replace(",", " ").lower().split()
    unknown = [w for w in words if w not in allowed]
    if unknown:
        raise ConfigError(f"{name} has {', '.join(map(repr, unknown))}; use words from: {', '.join(allowed)}")
    return words


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (os.environ.get(name) or default).strip().lower()
    if value not in choices:
        raise ConfigError(f"{name}={value!r} must be one of: {', '.join(choices)}")
    return value


def env_path(name: str, default: str) -> Path:
    return Path(os.environ.get(name) or default).expanduser().resolve()


def kept_secret(path: Path, env_name: str, *, required: bool, nbytes: int = 50) -> str:
    """A secret from ``env_name``, else one generated once and kept in ``path``.

    In production (``required``) the secret must come from the environment, so a lost data
    directory cannot silently change it.
    """
    value = os.environ.get(env_name)
    if value:
        if len(value) < 32:
            raise ConfigError(f"{env_name} must be at least 32 characters long")
        return value
    if required:
        raise ConfigError(f"{env_name} is required in production (CARESTAT_ENV=production)")
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value
