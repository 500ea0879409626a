"""Persistence: engine and models, migrations, sealed blobs, server secrets, throttles
and the audit log."""
