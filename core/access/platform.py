"""Platform roles (issue 13): who runs an install hosting many entities.

An entity's accounts (officer, head, auditor, admin) act inside their entity only. The
platform operator (Role.PLATFORM) lists the install's entities, disables and enables them
(core.services.entities_admin, the casework page casework/platform_pages.py and
`integra entity …`): counts only, never a case, a file or an identity. The operator holds no
entity key (core.access.accounts.KEY_ROLES names no platform role, so a grant is refused)
and is created from the server's console only (`integra officer add --role platform`): an
entity admin may create the entity roles, never this one.
"""

from __future__ import annotations

from core.law.enums import Role

ENTITY_ROLES: tuple[Role, ...] = tuple(r for r in Role if r is not Role.PLATFORM)
PLATFORM_ROLES: tuple[Role, ...] = (Role.PLATFORM,)


def is_platform(role: Role) -> bool:
    return role in PLATFORM_ROLES
