"""The benchmark's reference credential: a 2–3 KB OpenBadgeCredential built with :mod:`credstack.vc.builders`.

Hashed email identity, evidence with ``digestMultibase``, a rubric result, a Bitstring status entry and the
OB 3.0 credential schema. ``benchmarks/data/reference-credential.json`` is this credential as written by
``python -m benchmarks.reference`` (kept in the repository so that figures can be compared across changes);
:func:`variant` makes a different document per iteration (id, subject, dates, status index) so that nothing
keyed on the document can be reused between runs.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from credstack.vc.builders import (
    Achievement,
    AchievementSubject,
    Alignment,
    CredentialSchema,
    Criteria,
    Evidence,
    IdentityObject,
    Image,
    OpenBadgeCredential,
    Profile,
    Result,
    ResultDescription,
    RubricCriterionLevel,
    StatusEntry,
)

DATA = Path(__file__).resolve().parent / "data" / "reference-credential.json"
ISSUER_ID = "https://credstack.example/orgs/acme"
STATUS_LIST = "https://credstack.example/status/acme/revocation/1"
RUBRIC = "https://credstack.example/rubrics/python-basics"
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def build() -> dict[str, Any]:
    issuer = Profile(id=ISSUER_ID, name="Acme Academy", url="https://acme.example")
    level = RubricCriterionLevel(
        id=f"{RUBRIC}/c1/l3", name="Proficient", description="Solid, tested code.", level="3", points="3"
    )
    criterion = ResultDescription(
        id=f"{RUBRIC}/c1", name="Correctness", rubric_criterion_level=(level,), required_level=f"{RUBRIC}/c1/l2"
    )
    achievement = Achievement(
        id="https://credstack.example/achievements/python-basics/v3",
        name="Python basics",
        description="Writes and tests small Python programs.",
        criteria=Criteria(narrative="Pass the assessed project with at least 'Competent' on every criterion."),
        image=Image("https://credstack.example/img/python-basics.png"),
        alignment=(Alignment("Programming", "https://framework.example/programming", target_type="CFItem"),),
        result_description=(criterion,),
        credits_available=2.5,
        tags=("python", "testing"),
    )
    subject = AchievementSubject(
        achievement=achievement,
        identifier=(IdentityObject.for_email("ada@example.org", "4f1c2a9e7d3b5a60"),),
        result=(Result(f"{RUBRIC}/c1", achieved_level=f"{RUBRIC}/c1/l3", status="Completed"),),
    )
    evidence = Evidence.for_file(
        b"%PDF-1.7 project report",
        id="https://credstack.example/evidence/99",
        name="Project report",
        description="The assessed report.",
        genre="Report",
    )
    credential = OpenBadgeCredential(
        id="https://credstack.example/credentials/3f7c9a2e-1b4d-4e8f-9a0c-5d6e7f8a9b0c",
        issuer=issuer,
        valid_from=T0,
        valid_until=T0 + timedelta(days=3 * 365),
        awarded_date=T0,
        name="Python basics",
        credential_subject=subject,
        evidence=(evidence,),
        credential_status=(StatusEntry("revocation", 41, STATUS_LIST),),
        credential_schema=(CredentialSchema(),),
    )
    return credential.to_json()


def load() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return document


def variant(base: dict[str, Any], n: int) -> dict[str, Any]:
    """A different document for iteration ``n``: id, recipient hash, dates and status index change."""
    doc = copy.deepcopy(base)
    doc["id"] = f"https://credstack.example/credentials/{n:012d}"
    moment = T0 + timedelta(seconds=n)
    doc["validFrom"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    doc["awardedDate"] = doc["validFrom"]
    identity = doc["credentialSubject"]["identifier"][0]
    identity["identityHash"] = f"sha256${n:064x}"
    status = doc["credentialStatus"]
    status["statusListIndex"] = str(n % 131_072)
    status["id"] = f"{STATUS_LIST}#{n % 131_072}"
    return doc


if __name__ == "__main__":
    DATA.parent.mkdir(parents=True, exist_ok=True)
    DATA.write_text(json.dumps(build(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {DATA} ({DATA.stat().st_size} bytes)")
