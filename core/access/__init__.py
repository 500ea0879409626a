"""Who may act and with which keys: officers, logins, entities and their keys, and the
server-side key sessions."""
