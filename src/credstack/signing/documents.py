"""The organization's did:web DID document, built from its signing keys.

``did:web:<host%3Aport>[:<base path>]:issuers:<slug>`` resolves (did:web rules) to
``https://<host:port>[/<base path>]/issuers/<slug>/did.json``, which the platform serves. Every key the
organization ever had is listed as a Multikey verification method ``<did>#<publicKeyMultibase>``:
active and rotated-out keys under ``assertionMethod`` (so credentials they signed verify), keys retired
as compromised with a ``revoked`` date and no relationship (so what they signed fails, and says why).
"""

from __future__ import annotations

from typing import Any

from credstack.organizations.models import Organization
from credstack.signing.models import KeyState, SigningKey
from credstack.vc.builders import format_datetime
from credstack.vc.did import DID_CONTEXT, MULTIKEY_CONTEXT


def did_document(organization: Organization) -> dict[str, Any]:
    did = organization.issuer_id
    methods: list[dict[str, Any]] = []
    assertion: list[str] = []
    for key in SigningKey.objects.filter(organization=organization).order_by("created_at", "pk"):
        method: dict[str, Any] = {
            "id": f"{did}#{key.public_key_multibase}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        if key.state == KeyState.REVOKED and key.revoked_at is not None:
            method["revoked"] = format_datetime(key.revoked_at)
        else:
            assertion.append(method["id"])
        methods.append(method)
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": assertion,
    }
