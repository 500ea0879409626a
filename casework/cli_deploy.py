"""`integra deploy`: print or write the nginx site, systemd units, torrc and gunicorn config.

Each file is rendered from casework/deploy/ by casework.deploy_configs; docs/operations.md
walks through installing them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from casework import deploy_configs


def _emit(files: dict[str, str], out: Path | None) -> None:
    if out is None:
        for name, text in files.items():
            if len(files) > 1:
                click.echo(f"# ---- {name}")
            click.echo(text, nl=False)
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        target = out / name
        if target.exists():
            click.echo(f"integra: error: {target} exists; not overwriting it", err=True)
            sys.exit(2)
        target.write_text(text, encoding="utf-8")
        click.echo(f"wrote {target}")


_OUT = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the files into this directory instead of printing them.",
)


@click.group("deploy")
def deploy_group() -> None:
    """Configuration files for a production install (nginx, systemd, tor, gunicorn)."""


@deploy_group.command("nginx")
@click.option(
    "--intake-host", required=True, help="Public name of the intake, e.g. denuncias.example.gob.pe"
)
@click.option("--casework-host", required=True, help="Internal name of casework.")
@click.option("--cert", required=True, help="TLS certificate (full chain) path.")
@click.option("--key", "cert_key", required=True, help="TLS private key path.")
@click.option("--listen", default="443", show_default=True, help="TLS listen address or port.")
@click.option(
    "--onion-listen", default="127.0.0.1:8081", show_default=True, help="Where tor connects."
)
@click.option(
    "--intake-upstream", default="unix:/run/integra-intake/intake.sock", show_default=True
)
@click.option(
    "--followup-upstream",
    default="unix:/run/integra-followup/followup.sock",
    show_default=True,
    help="The intake's follow-up pool (/seguimiento), its own gunicorn master.",
)
@click.option(
    "--casework-upstream", default="unix:/run/integra-casework/casework.sock", show_default=True
)
@click.option(
    "--host", "entity_hosts", multiple=True,
    help="An entity's own host name, served by the intake too (repeatable; see "
    "`integra entity set-host`). The certificate must cover it.",
)  # fmt: skip
@click.option("--max-upload-mib", type=click.IntRange(1, 1024), default=50, show_default=True)
@click.option("--error-log", default="/var/log/nginx/integra-error.log", show_default=True)
@_OUT
def deploy_nginx(**options: object) -> None:
    """The nginx site: TLS, no access log, no client address, bodies in memory, no spooling."""
    out = options.pop("out")
    site = deploy_configs.NginxSite(
        intake_host=str(options["intake_host"]),
        casework_host=str(options["casework_host"]),
        certificate=str(options["cert"]),
        certificate_key=str(options["cert_key"]),
        intake_upstream=str(options["intake_upstream"]),
        followup_upstream=str(options["followup_upstream"]),
        casework_upstream=str(options["casework_upstream"]),
        listen=str(options["listen"]),
        onion_listen=str(options["onion_listen"]),
        max_upload_mib=int(options["max_upload_mib"]),  # type: ignore[call-overload]
        error_log=str(options["error_log"]),
        entity_hosts=tuple(str(h) for h in options["entity_hosts"]),  # type: ignore[attr-defined]
    )
    _emit({"integra.conf": deploy_configs.nginx_site(site)}, out)  # type: ignore[arg-type]


@deploy_group.command("systemd")
@click.option(
    "--venv", default=sys.prefix, show_default=True, help="The virtualenv Integra is installed in."
)
@click.option(
    "--env-file",
    default="/etc/integra/integra.env",
    show_default=True,
    help="INTEGRA_* settings (mode 0600).",
)
@click.option("--user", default="integra", show_default=True, help="The dedicated system user.")
@click.option("--data-dir", default="/var/lib/integra", show_default=True)
@_OUT
def deploy_systemd(venv: str, env_file: str, user: str, data_dir: str, out: Path | None) -> None:
    """Hardened units for both apps and the daily timer of `integra periodic`."""
    units = deploy_configs.SystemdUnits(venv=venv, env_file=env_file, user=user, data_dir=data_dir)
    _emit(deploy_configs.systemd_units(units), out)


@deploy_group.command("tor")
@click.option("--hs-dir", default="/var/lib/tor/integra-intake", show_default=True)
@click.option(
    "--target", default="127.0.0.1:8081", show_default=True, help="nginx's onion listener."
)
@_OUT
def deploy_tor(hs_dir: str, target: str, out: Path | None) -> None:
    """torrc lines for the intake's onion service (with the proof-of-work defence)."""
    _emit({"integra-torrc": deploy_configs.torrc(hs_dir, target)}, out)


@deploy_group.command("gunicorn")
def deploy_gunicorn() -> None:
    """Print the path of the gunicorn config file the units use."""
    click.echo(str(deploy_configs.GUNICORN_CONF))
