"""The benchmark's platform credential: what credstack issues for a passed assessment in the demo program.

An OpenBadgeCredential of about 12 KB (compact JSON), built by the platform's own
:func:`credstack.awards.documents.build` for the first micro-credential of the demo program
(``credstack/catalog/demo/program.json``): four rubric criteria, each with its levels and the same
``allowedValue`` list, a result per criterion, two alignments, three evidence items (page URL, name,
description, digest) as :func:`credstack.awards.actions.assessment_evidence` lists them, a salted email
identity, and two status entries (revocation and suspension). Its repeated ``allowedValue`` lists make
blank nodes whose first-degree hashes collide: RDFC-1.0's N-degree step runs on every one of these.

``benchmarks/data/platform-credential.json`` is this credential, written by ``python -m
benchmarks.platform_credential`` (Django on a throwaway SQLite home, the demo program loaded); the benchmark
reads the file and needs no Django. ``tests/platform/test_bench_platform_credential.py`` builds the document
again the same way and checks that it equals the file, so the benchmark keeps measuring what the platform
issues. :func:`variant` makes a different document per iteration (id, recipient hash, dates, status index),
like :func:`benchmarks.reference.variant`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "platform-credential.json"
AWARDED_AT = datetime(2026, 3, 2, 14, 5, tzinfo=UTC)
PUBLIC_ID = uuid.UUID("6f0c1b7e-2d4a-4c59-9e3b-8a1f0d2c4b6e")
EMAIL = "learner@example.org"
SALT = "5d2f8a1c9e7b3046a1b2c3d4e5f60718"
STATUS_INDEX = 48_211


def build_with_platform(version: Any) -> dict[str, Any]:
    """The unsigned credential the platform issues for a pass of ``version`` (a published
    ``MicroCredentialVersion``), with this module's fixed learner, date, evidence files and status slot.

    Needs Django set up (the caller's settings decide the public origin); imports it only here.
    """
    from django.conf import settings
    from django.urls import reverse

    from credstack.awards import documents
    from credstack.awards.actions import evidence_page_url
    from credstack.awards.models import StatusList

    org = version.micro_credential.organization
    criteria = version.rubric.get("criteria", [])
    # the first criterion at its top level, the others at their passing level (what assessors record)
    levels = {c["key"]: c["passing_level"] for c in criteria}
    if criteria:
        levels[criteria[0]["key"]] = criteria[0]["levels"][-1]["key"]
    evidence = []
    for number, artifact in enumerate(version.submission.get("artifacts", []), start=1):
        content = f"{artifact['title']}\n\n{artifact['description']}\n".encode()
        evidence.append(
            {
                "url": evidence_page_url(PUBLIC_ID, number),
                "name": artifact["title"],
                "description": "Plain-text summary of the materials used in class.",
                "digest": documents.sha256_hex_to_digest_multibase(hashlib.sha256(content).hexdigest()),
            }
        )
    status_list = StatusList(organization=org, number=1)
    award = documents.Award(
        credential_id=settings.CREDSTACK_BASE_URL + reverse("awards:credential", args=[PUBLIC_ID]),
        organization=org,
        version=version,
        recipient=documents.Recipient(email=EMAIL, salt=SALT),
        awarded_at=AWARDED_AT,
        valid_until=AWARDED_AT.replace(year=AWARDED_AT.year + 3),
        status=documents.StatusSlot(status_list.url("revocation"), status_list.url("suspension"), STATUS_INDEX),
        levels=levels,
        evidence=evidence,
        credits_earned=version.credits_available,
    )
    return documents.build(award)


def demo_version() -> Any:
    """The published version of the demo program's first micro-credential (the demo must be loaded)."""
    from credstack.catalog.demo.loader import program
    from credstack.catalog.models import MicroCredentialVersion

    first = program()["microcredentials"][0]
    return (
        MicroCredentialVersion.objects.published()
        .select_related("micro_credential__organization")
        .get(micro_credential__slug=first["slug"], micro_credential__organization__slug=first["organization"])
    )


def load() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return document


def variant(base: dict[str, Any], n: int) -> dict[str, Any]:
    """A different document for iteration ``n``: id (and the evidence pages' ids under it), recipient hash, dates
    and status index change."""
    doc = copy.deepcopy(base)
    public_id = str(uuid.UUID(int=PUBLIC_ID.int ^ n))
    doc["id"] = doc["id"].replace(str(PUBLIC_ID), public_id)
    for item in doc.get("evidence", []):
        item["id"] = item["id"].replace(str(PUBLIC_ID), public_id)  # evidence pages are the credential's own
    moment = AWARDED_AT + timedelta(seconds=n)
    doc["validFrom"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    doc["awardedDate"] = doc["validFrom"]
    doc["credentialSubject"]["identifier"][0]["identityHash"] = f"sha256${n:064x}"
    index = str(n % 131_072)
    status = doc["credentialStatus"]
    for entry in status if isinstance(status, list) else [status]:  # one object (strict OB 3.0) or a list
        entry["statusListIndex"] = index
        entry["id"] = entry["statusListCredential"] + "#" + index
    return doc


def _write() -> None:
    import os
    import tempfile

    os.environ["CREDSTACK_HOME"] = tempfile.mkdtemp(prefix="credstack-bench-credential-")
    os.environ["CREDSTACK_ENV"] = "test"
    os.environ["CREDSTACK_EMAIL_BACKEND"] = "locmem"
    for name in ("DATABASE_URL", "REDIS_URL", "CREDSTACK_BASE_URL"):
        os.environ.pop(name, None)  # the default public origin, as in the test that checks the file
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credstack.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from credstack.catalog.demo.loader import load_demo

    load_demo()
    document = build_with_platform(demo_version())
    DATA.parent.mkdir(parents=True, exist_ok=True)
    DATA.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    compact = len(json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    print(f"wrote {DATA} ({compact:,} bytes as compact JSON)")


if __name__ == "__main__":
    _write()
