"""Settings for every Integra process, loaded once from the environment.

Sources, later ones winning: built-in defaults, an optional TOML file named by
`INTEGRA_CONFIG_FILE`, then `INTEGRA_*` environment variables. In development
and testing, missing secrets are generated once into `<data dir>/secrets.toml`
(mode 0600) so that restarts keep sessions and receipt lookups working. In
production a missing or well-known secret stops the process with a message
naming the variable to set.
"""

from __future__ import annotations

import math
import os
import secrets
import tomllib
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("development", "production", "testing")

# Secrets: setting name -> number of random bytes when generated.
SECRET_NAMES: dict[str, int] = {
    "intake_secret_key": 32,
    "casework_secret_key": 32,
    "receipt_pepper": 32,
    "server_key": 32,
}

# Values that must never protect a production instance (documentation examples).
_KNOWN_BAD = {"", "change-me", "changeme", "secret", "dev", "development", "test"}


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to set."""


@dataclass(frozen=True)
class KdfSettings:
    """Argon2id cost parameters (receipt-derived keys and officer passwords)."""

    time_cost: int = 3
    memory_cost_kib: int = 65536
    parallelism: int = 1


@dataclass(frozen=True)
class SmtpSettings:
    """Outgoing mail for officers' deadline notices (INTEGRA_SMTP_*; docs/operations.md).

    An empty host turns notices off. STARTTLS is required unless explicitly disabled (a
    relay on localhost); `ca_file` trusts a private CA (an internal relay)."""

    host: str = ""
    port: int = 587
    username: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""
    starttls: bool = True
    ca_file: str = ""
    timeout: int = 30
    attempts: int = 3
    retry_seconds: float = 5.0
    notice_days: int = 2  # clocks due within this many business days are announced


@dataclass(frozen=True)
class Settings:
    """Everything a process needs to know about its deployment."""

    env: str
    data_dir: Path
    database_url: str
    intake_secret_key: str
    casework_secret_key: str
    receipt_pepper: str
    server_key: str
    kdf: KdfSettings = field(default_factory=KdfSettings)
    # age scrypt work factor for officer-wrapped identities (2**N).
    wrap_work_factor: int = 18
    post_quantum: bool = True
    max_upload_mib: int = 50
    max_attachments: int = 10
    officer_idle_minutes: int = 30
    complainant_idle_minutes: int = 15
    # argon2id derivations running at once per worker process (receipts at filing and at
    # follow-up login); more wait briefly, then get the "service busy" page.
    kdf_concurrency: int = 1
    # All drafts together (uploads not yet filed) may hold this much ciphertext; past it the
    # oldest drafts are evicted first (reporting/drafts.py, docs/operations.md "Floods").
    draft_quota_mib: int = 2048
    log_level: str = "INFO"
    # Reverse proxies in front of the apps whose X-Forwarded-Proto/-Host to believe (hops).
    trusted_proxies: int = 0
    # The intake's onion service (sent as Onion-Location), e.g. "abc…xyz.onion".
    onion_address: str = ""
    smtp: SmtpSettings = field(default_factory=lambda: SmtpSettings())
    # Outside bodies (the OCI, the Contraloría) that receive each new audit checkpoint by
    # e-mail (docs/transparency.md).
    checkpoint_recipients: tuple[str, ...] = ()

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_testing(self) -> bool:
        return self.env == "testing"

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry the Secure flag everywhere except plain-HTTP development."""
        return self.env == "production"

    def secret_bytes(self, name: str) -> bytes:
        """A secret as bytes (hex-decoded when it is hex, else UTF-8)."""
        value: str = getattr(self, name)
        try:
            return bytes.fromhex(value)
        except ValueError:
            return value.encode("utf-8")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"INTEGRA_CONFIG_FILE points to {path}, which does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc


def _ensure_dev_secrets(data_dir: Path, *, create: bool = True) -> dict[str, str]:
    """Generate development secrets once, readable only by the owner."""
    path = data_dir / "secrets.toml"
    existing: dict[str, Any] = {}
    if path.exists():
        existing = _read_toml(path)
    missing = {k: n for k, n in SECRET_NAMES.items() if not existing.get(k)}
    if missing and not create:
        raise ConfigError(
            f"no Integra instance in {data_dir} (no secrets.toml): run `integra init` there "
            "first, or set INTEGRA_DATA_DIR to the instance you mean"
        )
    if missing:
        data_dir.mkdir(parents=True, exist_ok=True)
        existing.update({k: secrets.token_hex(n) for k, n in missing.items()})
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("# Generated development secrets. Never use in production.\n")
            for key in SECRET_NAMES:
                fh.write(f'{key} = "{existing[key]}"\n')
    os.chmod(path, 0o600)
    return {k: str(existing[k]) for k in SECRET_NAMES}


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"INTEGRA_{name.upper()} must be true or false, not {value!r}")


def _as_int(name: str, value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"INTEGRA_{name.upper()} must be an integer, not {value!r}") from exc


def load_settings(environ: Mapping[str, str] | None = None, *, create: bool = True) -> Settings:
    """Build Settings from the environment (and the optional TOML file).

    With create=False (every command but `integra init`), a development instance that does
    not exist yet is an error, never created on the spot.
    """
    env_vars = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    config_file = env_vars.get("INTEGRA_CONFIG_FILE")
    if config_file:
        values.update(_read_toml(Path(config_file)))
    prefix = "INTEGRA_"
    for key, value in env_vars.items():
        if key.startswith(prefix) and key != "INTEGRA_CONFIG_FILE":
            values[key[len(prefix) :].lower()] = value

    env = str(values.get("env", "development")).lower()
    if env not in ENVIRONMENTS:
        raise ConfigError(f"INTEGRA_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    data_dir = Path(str(values.get("data_dir", "./instance"))).resolve()
    database_url = str(values.get("database_url") or f"sqlite:///{data_dir / 'integra.sqlite3'}")

    if env == "production":
        seen: dict[str, str] = {}
        for name in SECRET_NAMES:
            value = str(values.get(name, ""))
            if (
                value.strip().lower() in _KNOWN_BAD
                or len(value) < 32
                or estimated_bits(value) < MIN_SECRET_BITS
            ):
                raise ConfigError(
                    f"INTEGRA_{name.upper()} is missing or too weak: set it to a random value "
                    f"of at least 32 characters (for example: python -c "
                    f"'import secrets; print(secrets.token_hex(32))')"
                )
            if value in seen:
                raise ConfigError(
                    f"INTEGRA_{name.upper()} has the same value as INTEGRA_{seen[value].upper()}:"
                    " each secret protects something else and must be generated on its own"
                )
            seen[value] = name
    else:
        generated = _ensure_dev_secrets(data_dir, create=create)
        for name in SECRET_NAMES:
            values.setdefault(name, generated[name])

    kdf = KdfSettings()
    if values.get("kdf_profile") == "fast":
        if env == "production":
            raise ConfigError("INTEGRA_KDF_PROFILE=fast is for tests only; unset it in production")
        kdf = KdfSettings(time_cost=1, memory_cost_kib=256, parallelism=1)

    wrap_work_factor = _as_int("wrap_work_factor", values.get("wrap_work_factor", 18))
    if env == "production" and wrap_work_factor < 16:
        raise ConfigError("INTEGRA_WRAP_WORK_FACTOR below 16 is for tests only")

    return Settings(
        env=env,
        data_dir=data_dir,
        database_url=database_url,
        intake_secret_key=str(values["intake_secret_key"]),
        casework_secret_key=str(values["casework_secret_key"]),
        receipt_pepper=str(values["receipt_pepper"]),
        server_key=str(values["server_key"]),
        kdf=kdf,
        wrap_work_factor=wrap_work_factor,
        post_quantum=_as_bool("post_quantum", values.get("post_quantum", True)),
        max_upload_mib=_as_int("max_upload_mib", values.get("max_upload_mib", 50)),
        max_attachments=_as_int("max_attachments", values.get("max_attachments", 10)),
        officer_idle_minutes=_as_int(
            "officer_idle_minutes", values.get("officer_idle_minutes", 30)
        ),
        complainant_idle_minutes=_as_int(
            "complainant_idle_minutes", values.get("complainant_idle_minutes", 15)
        ),
        kdf_concurrency=_bounded("kdf_concurrency", values.get("kdf_concurrency", 1), 1, 16),
        draft_quota_mib=_bounded(
            "draft_quota_mib", values.get("draft_quota_mib", 2048), 1, 1024 * 1024
        ),
        log_level=str(values.get("log_level", "INFO")).upper(),
        trusted_proxies=_bounded("trusted_proxies", values.get("trusted_proxies", 0), 0, 5),
        onion_address=_onion(str(values.get("onion_address", "")).strip()),
        smtp=_smtp_settings(values),
        checkpoint_recipients=_addresses(
            "checkpoint_recipients", str(values.get("checkpoint_recipients", ""))
        ),
    )


def _smtp_settings(values: Mapping[str, Any]) -> SmtpSettings:
    host = str(values.get("smtp_host", "")).strip()
    sender = str(values.get("smtp_from", "")).strip()
    if host and "@" not in sender:
        raise ConfigError(
            "INTEGRA_SMTP_FROM must be the sender address when INTEGRA_SMTP_HOST is set"
        )
    return SmtpSettings(
        host=host,
        port=_as_int("smtp_port", values.get("smtp_port", 587)),
        username=str(values.get("smtp_user", "")),
        password=str(values.get("smtp_password", "")),
        sender=sender,
        starttls=_as_bool("smtp_starttls", values.get("smtp_starttls", True)),
        ca_file=str(values.get("smtp_ca_file", "")),
        timeout=_as_int("smtp_timeout", values.get("smtp_timeout", 30)),
        attempts=max(1, _as_int("smtp_attempts", values.get("smtp_attempts", 3))),
        retry_seconds=float(values.get("smtp_retry_seconds", 5.0)),
        notice_days=_as_int("notice_days", values.get("notice_days", 2)),
    )


def _addresses(name: str, value: str) -> tuple[str, ...]:
    found = tuple(a.strip() for a in value.split(",") if a.strip())
    for address in found:
        if "@" not in address or any(c.isspace() for c in address):
            raise ConfigError(
                f"INTEGRA_{name.upper()} must be e-mail addresses separated by commas"
            )
    return found


def _bounded(name: str, value: Any, low: int, high: int) -> int:
    number = _as_int(name, value)
    if not low <= number <= high:
        raise ConfigError(f"INTEGRA_{name.upper()} must be between {low} and {high}")
    return number


def _onion(value: str) -> str:
    host = value.lower().removeprefix("http://").removeprefix("https://").rstrip("/")
    if host and not (host.endswith(".onion") and len(host) == 62 and host[:56].isalnum()):
        raise ConfigError(
            "INTEGRA_ONION_ADDRESS must be the intake's v3 onion host name "
            "(56 letters and digits, then .onion)"
        )
    return host


# A generated secret (token_hex(32): 64 characters of 16 symbols) estimates at ~250 bits;
# "a" * 32 or a repeated word estimates far below this floor.
MIN_SECRET_BITS = 100


def estimated_bits(value: str) -> float:
    """A cautious estimate of a secret's entropy: length x bits per character (Shannon),
    capped by what a compressor makes of it, so "a" * 32 and "0123456789" * 4 fail."""
    counts = Counter(value)
    total = len(value)
    per_char = -sum(n / total * math.log2(n / total) for n in counts.values())
    compressed = len(zlib.compress(value.encode("utf-8"), 9)) - 8  # minus zlib's framing
    return min(per_char * total, max(compressed, 0) * 8.0)
