from __future__ import annotations

import secrets
import stat
from pathlib import Path

import pytest

from config import ConfigError
from config import load_settings

SECRETS = {
    "INTEGRA_INTAKE_SECRET_KEY": secrets.token_hex(32),
    "INTEGRA_CASEWORK_SECRET_KEY": secrets.token_hex(32),
    "INTEGRA_RECEIPT_PEPPER": secrets.token_hex(32),
    "INTEGRA_SERVER_KEY": secrets.token_urlsafe(32),
}


def prod_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {"INTEGRA_ENV": "production", "INTEGRA_DATA_DIR": str(tmp_path), **SECRETS}
    env.update(extra)
    return env


def test_development_generates_secrets_once_with_owner_only_permissions(tmp_path: Path) -> None:
    env = {"INTEGRA_DATA_DIR": str(tmp_path)}
    first = load_settings(env)
    second = load_settings(env)
    assert first.intake_secret_key == second.intake_secret_key
    assert first.intake_secret_key != first.casework_secret_key
    mode = stat.S_IMODE((tmp_path / "secrets.toml").stat().st_mode)
    assert mode == 0o600
    assert first.database_url == f"sqlite:///{tmp_path.resolve() / 'integra.sqlite3'}"


@pytest.mark.parametrize(
    "variable",
    [
        "INTEGRA_INTAKE_SECRET_KEY",
        "INTEGRA_CASEWORK_SECRET_KEY",
        "INTEGRA_RECEIPT_PEPPER",
        "INTEGRA_SERVER_KEY",
    ],
)
@pytest.mark.parametrize("value", [None, "change-me", "short", "a" * 32, "abcd" * 16])
def test_production_refuses_missing_or_default_secret_naming_the_variable(
    tmp_path: Path, variable: str, value: str | None
) -> None:
    env = prod_env(tmp_path)
    if value is None:
        del env[variable]
    else:
        env[variable] = value
    with pytest.raises(ConfigError, match=variable):
        load_settings(env)
    assert not (tmp_path / "secrets.toml").exists()


def test_production_accepts_strong_secrets_and_refuses_test_kdf(tmp_path: Path) -> None:
    settings = load_settings(prod_env(tmp_path))
    assert settings.is_production and settings.secure_cookies
    assert settings.kdf.memory_cost_kib >= 65536
    with pytest.raises(ConfigError, match="INTEGRA_KDF_PROFILE"):
        load_settings(prod_env(tmp_path, INTEGRA_KDF_PROFILE="fast"))


def test_toml_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    config_file = tmp_path / "integra.toml"
    config_file.write_text('max_upload_mib = 7\nlog_level = "debug"\n', encoding="utf-8")
    settings = load_settings(
        {
            "INTEGRA_DATA_DIR": str(tmp_path),
            "INTEGRA_CONFIG_FILE": str(config_file),
            "INTEGRA_LOG_LEVEL": "warning",
        }
    )
    assert settings.max_upload_mib == 7
    assert settings.log_level == "WARNING"


def test_bad_values_get_clear_messages(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="INTEGRA_ENV"):
        load_settings({"INTEGRA_ENV": "staging", "INTEGRA_DATA_DIR": str(tmp_path)})
    with pytest.raises(ConfigError, match="INTEGRA_MAX_UPLOAD_MIB"):
        load_settings({"INTEGRA_DATA_DIR": str(tmp_path), "INTEGRA_MAX_UPLOAD_MIB": "lots"})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({"INTEGRA_DATA_DIR": str(tmp_path), "INTEGRA_CONFIG_FILE": "/nope.toml"})


def test_production_refuses_one_value_for_two_secrets(tmp_path: Path) -> None:
    env = prod_env(tmp_path, INTEGRA_SERVER_KEY=SECRETS["INTEGRA_RECEIPT_PEPPER"])
    with pytest.raises(
        ConfigError, match="INTEGRA_SERVER_KEY has the same value as INTEGRA_RECEIPT"
    ):
        load_settings(env)


def test_proxy_trust_and_onion_address(tmp_path: Path) -> None:
    assert load_settings(prod_env(tmp_path)).trusted_proxies == 0  # trust nothing by default
    assert load_settings(prod_env(tmp_path, INTEGRA_TRUSTED_PROXIES="1")).trusted_proxies == 1
    for bad in ("-1", "9", "many"):
        with pytest.raises(ConfigError, match="INTEGRA_TRUSTED_PROXIES"):
            load_settings(prod_env(tmp_path, INTEGRA_TRUSTED_PROXIES=bad))
    onion = "a" * 56 + ".onion"
    got = load_settings(prod_env(tmp_path, INTEGRA_ONION_ADDRESS="http://" + onion.upper() + "/"))
    assert got.onion_address == onion
    with pytest.raises(ConfigError, match="INTEGRA_ONION_ADDRESS"):
        load_settings(prod_env(tmp_path, INTEGRA_ONION_ADDRESS="example.org"))
