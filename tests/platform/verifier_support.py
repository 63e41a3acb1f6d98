"""Test credentials for the verifier, made with credstack.vc directly, and a transport that never connects.

A did:key issuer signs an Open Badges 3.0 credential with a rubric result, evidence (with its digest) and
a Bitstring status entry; the status list and the evidence are "hosted" on made-up hosts that only the
injected :class:`RecordingTransport` answers, so nothing ever leaves the process.
"""

from __future__ import annotations

import copy
import json
import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from credstack.vc import baking, builders, proofs, statuslist
from credstack.vc.errors import FetchError
from credstack.vc.fetch import FetchResult
from credstack.vc.keys import Ed25519Key

STATUS_HOST = "status.example.test"
EVIDENCE_HOST = "evidence.example.test"
STATUS_URL = f"https://{STATUS_HOST}/lists/1"
EVIDENCE_URL = f"https://{EVIDENCE_HOST}/e/lab-report.pdf"
EVIDENCE_BYTES = b"%PDF-1.4 lab report: claim, evidence, reasoning"
RECIPIENT = "teacher@example.org"
KEY = Ed25519Key.generate(seed=bytes(range(32)))
ISSUED = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
ACHIEVEMENT_ID = "https://issuer.example.test/achievements/cer-lab"


@dataclass
class RecordingTransport:
    """Answers only the URLs it holds; records every call, so a test can prove no connection was tried."""

    resources: dict[str, bytes] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def __call__(self, url: str, accept: str, max_bytes: int, timeout: float) -> FetchResult:
        self.calls.append(url)
        if url in self.resources:
            return FetchResult(url, self.resources[url])
        raise FetchError(f"{url}: refused by the test transport (no network in tests).")


def _sign(document: dict[str, Any]) -> dict[str, Any]:
    return proofs.add_proof(document, KEY, created=ISSUED)


def status_list(revoked: tuple[int, ...] = ()) -> bytes:
    bits = statuslist.Bitstring()
    for index in revoked:
        bits.set(index)
    credential = statuslist.build_status_list_credential(
        id=STATUS_URL, issuer=KEY.did_key, purpose="revocation", bitstring=bits, valid_from=ISSUED, sign=_sign
    )
    return json.dumps(credential).encode()


def credential(index: int = 7, *, status_url: str = STATUS_URL, evidence: bool = True) -> dict[str, Any]:
    level_base = f"{ACHIEVEMENT_ID}#criterion-claim"
    achievement = builders.Achievement(
        id=ACHIEVEMENT_ID,
        name="Claim-Evidence-Reasoning in Science Lab Reports",
        description="Teaches students to argue from evidence in lab reports.",
        criteria=builders.Criteria(narrative="Submit three annotated lab reports scored against the rubric."),
        result_description=(
            builders.ResultDescription(
                id=level_base,
                name="Claim quality",
                required_level=f"{level_base}-level-proficient",
                rubric_criterion_level=(
                    builders.RubricCriterionLevel(id=f"{level_base}-level-developing", name="Developing", points="1"),
                    builders.RubricCriterionLevel(id=f"{level_base}-level-proficient", name="Proficient", points="2"),
                    builders.RubricCriterionLevel(
                        id=f"{level_base}-level-exemplary",
                        name="Exemplary",
                        points="3",
                        description="Claims are precise and testable.",
                    ),
                ),
            ),
        ),
        credits_available=1.5,
    )
    subject = builders.AchievementSubject(
        achievement=achievement,
        identifier=(builders.IdentityObject.for_email(RECIPIENT, salt="pepper"),),
        result=(builders.Result(result_description=level_base, achieved_level=f"{level_base}-level-exemplary"),),
        credits_earned=1.5,
    )
    items = (
        (
            builders.Evidence.for_file(
                EVIDENCE_BYTES,
                id=EVIDENCE_URL,
                name="Annotated lab report",
                description="The third lab report with the teacher's annotations.",
            ),
        )
        if evidence
        else ()
    )
    document = builders.OpenBadgeCredential(
        id=f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
        issuer=builders.Profile(id=KEY.did_key, name="Northfield Test District"),
        valid_from=ISSUED,
        name="Claim-Evidence-Reasoning in Science Lab Reports",
        credential_subject=subject,
        evidence=items,
        credential_status=(builders.StatusEntry("revocation", index, status_url),),
    ).to_json()
    return _sign(document)


def tampered(document: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    changed["credentialSubject"]["creditsEarned"] = 15.0
    return changed


def png(width: int = 4, height: int = 4) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def baked(document: dict[str, Any]) -> bytes:
    return baking.bake(png(), document)


def transport(revoked: tuple[int, ...] = (), evidence: bytes = EVIDENCE_BYTES) -> RecordingTransport:
    return RecordingTransport({STATUS_URL: status_list(revoked), EVIDENCE_URL: evidence})
