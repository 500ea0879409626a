"""gunicorn settings for Integra (`integra deploy gunicorn` prints this file's path).

One master per pool: INTEGRA_APP=intake|followup|casework picks the socket (followup is the
intake app again, to which nginx sends /seguimiento, so a filing flood cannot hold its
workers). Nothing here logs a client address, agent or referrer (docs/threat-model.md,
invariant 3).
"""

import os

from core.web import configure_logging

_app = os.environ.get("INTEGRA_APP", "intake")
bind = os.environ.get("INTEGRA_BIND", f"unix:/run/integra-{_app}/{_app}.sock")
workers = int(os.environ.get("INTEGRA_WORKERS", "2"))
# Uploads over Tor are slow; nginx buffers bodies, but a filing also runs argon2id.
timeout = int(os.environ.get("INTEGRA_WORKER_TIMEOUT", "120"))
# gunicorn 23+ opens a control socket at ~/.gunicorn/gunicorn.ctl by default: two masters on
# one host (intake and casework) would fight over it. Integra needs none.
control_socket_disable = True
# The scheme and host behind the proxy are the app's business (INTEGRA_TRUSTED_PROXIES).
forwarded_allow_ips = ""
# Heartbeat files in memory, not on disk.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - memory, not disk, is the point
# gunicorn's access log line starts with the client address: off. The app logs one line per
# request itself (method, route pattern, status, time; never an address, agent, referrer,
# query or id), configured here because gunicorn configures no Python logging.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("INTEGRA_LOG_LEVEL", "info").lower()
configure_logging(os.environ.get("INTEGRA_LOG_LEVEL", "INFO").upper())
