"""Who may see a credential's evidence pages.

Evidence is public when the learner made it public for that credential; otherwise the learner, the
issuing organization's admins and assessors may see it, and anyone a registered check lets in. Sharing
(e.g. the verifier's share links) registers such a check with :func:`register_evidence_access` instead
of changing this module: ``check(credential, request) -> bool``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from credstack.awards.models import Credential
from credstack.organizations.permissions import can_assess, is_org_admin

EvidenceCheck = Callable[[Credential, Any], bool]
_CHECKS: list[EvidenceCheck] = []


def register_evidence_access(check: EvidenceCheck) -> None:
    if check not in _CHECKS:
        _CHECKS.append(check)


def evidence_access_allowed(credential: Credential, request: Any) -> bool:
    if credential.evidence_public:
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if credential.recipient_user_id == user.pk:
            return True
        if is_org_admin(user, credential.organization) or can_assess(user, credential.organization):
            return True
    return any(check(credential, request) for check in _CHECKS)
