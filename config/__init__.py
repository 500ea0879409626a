"""Integra settings: one frozen object loaded from INTEGRA_* variables."""

from config.settings import ConfigError
from config.settings import Settings
from config.settings import SmtpSettings
from config.settings import load_settings

__all__ = ["ConfigError", "Settings", "SmtpSettings", "load_settings"]
