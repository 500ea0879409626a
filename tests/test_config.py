from __future__ import annotations

import stat
from pathlib import Path

import pytest

from config import ConfigError
from config import load_settings

STRONG = "a" * 16 + "b" * 16 + "c" * 16


def prod_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "INTEGRA_ENV": "production",
        "INTEGRA_DATA_DIR": str(tmp_path),
        "INTEGRA_INTAKE_SECRET_KEY": STRONG + "1",
        "INTEGRA_CASEWORK_SECRET_KEY": STRONG + "2",
        "INTEGRA_RECEIPT_PEPPER": STRONG + "3",
        "INTEGRA_SERVER_KEY": STRONG + "4",
    }
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
@pytest.mark.parametrize("value", [None, "change-me", "short"])
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
