"""The Open Badges 3.0 ``Achievement`` (and issuer ``Profile``) JSON for catalog objects."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization

OB3_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def _absolute(path: str) -> str:
    return settings.CREDSTACK_BASE_URL + path


def issuer_profile(org: Organization) -> dict[str, Any]:
    profile: dict[str, Any] = {"id": org.issuer_id, "type": ["Profile"], "name": org.name}
    if org.url:
        profile["url"] = org.url
    if org.email:
        profile["email"] = org.email
    if org.description:
        profile["description"] = org.description
    if org.image:
        profile["image"] = {"id": _absolute(org.image.url), "type": "Image"}
    if org.parent is not None:
        profile["parentOrg"] = {"id": org.parent.issuer_id, "type": ["Profile"], "name": org.parent.name}
    return profile


def achievement(version: MicroCredentialVersion) -> dict[str, Any]:
    org = version.micro_credential.organization
    page = _absolute(reverse("catalog:detail", args=[org.slug, version.micro_credential.slug]))
    data: dict[str, Any] = {
        "id": version.achievement_id,
        "type": ["Achievement"],
        "achievementType": version.achievement_type,
        "name": version.name,
        "description": version.summary,
        "criteria": {
            "id": f"{page}?version={version.version}",
            "narrative": version.criteria_narrative or version.competency_statement,
        },
        "creator": {"id": org.issuer_id, "type": ["Profile"], "name": org.name},
        "version": str(version.version),
    }
    # Every version has artwork (uploaded, or drawn from its design), served at a stable, cacheable URL.
    data["image"] = {"id": _absolute(version.artwork_url("png")), "type": "Image", "caption": version.name}
    if version.tags:
        data["tag"] = list(version.tags)
    if version.credits_available is not None:
        data["creditsAvailable"] = float(version.credits_available)
    if version.alignments:
        data["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": al["target_name"],
                "targetUrl": al["target_url"],
                **({"targetType": al["target_type"]} if al.get("target_type") else {}),
                **({"targetCode": al["target_code"]} if al.get("target_code") else {}),
                **({"targetFramework": al["target_framework"]} if al.get("target_framework") else {}),
                **({"targetDescription": al["target_description"]} if al.get("target_description") else {}),
            }
            for al in version.alignments
        ]
    criteria = version.rubric.get("criteria", [])
    if criteria:
        data["resultDescription"] = [
            {
                "id": f"{version.achievement_id}#criterion-{crit['key']}",
                "type": ["ResultDescription"],
                "name": crit["name"],
                "resultType": "RubricCriterionLevel",
                "requiredLevel": f"{version.achievement_id}#criterion-{crit['key']}-level-{crit['passing_level']}",
                "allowedValue": [level["name"] for level in crit["levels"]],
                "rubricCriterionLevel": [
                    {
                        "id": f"{version.achievement_id}#criterion-{crit['key']}-level-{level['key']}",
                        "type": ["RubricCriterionLevel"],
                        "name": level["name"],
                        **({"description": level["description"]} if level.get("description") else {}),
                        "points": str(level["points"]),
                    }
                    for level in crit["levels"]
                ],
            }
            for crit in criteria
        ]
    related = [mc.published_version() for mc in version.related.all()]
    if any(related):
        data["related"] = [
            {"id": r.achievement_id, "type": ["Related"], "version": str(r.version)} for r in related if r is not None
        ]
    return data
