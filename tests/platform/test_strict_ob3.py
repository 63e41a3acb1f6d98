"""Strict Open Badges 3.0 by default: every credential the platform issues for a new organization (a direct award, a
bulk run, an assessment pass, a completed stack and its CLR 2.0) validates against 1EdTech's JSON schemas with
``strict_status`` (one ``CredentialStatus`` object, as the OB 3.0 schema requires), and verifies."""

from __future__ import annotations

import io
from typing import Any

from credstack.accounts.models import User
from credstack.awards import bulk
from credstack.awards.models import Credential, Origin
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.actions import do_create_organization
from credstack.organizations.models import Organization
from credstack.pathways import actions as pathways
from credstack.pathways.models import StackAward
from credstack.signing.actions import do_ensure_signing_key
from credstack.vc import schema
from credstack.vc.proofs import add_proof
from tests.platform.assessment_support import LEARNER_EMAIL, claim_and_pass, submitted
from tests.platform.test_pathways import award_all, make_stack, publish
from tests.platform.test_verifier_issue import UNSIGNED, _client, issue, verify


def strict(document: dict[str, Any]) -> None:
    assert isinstance(document["credentialStatus"], dict), document["credentialStatus"]
    assert document["credentialStatus"]["statusPurpose"] == "revocation"
    assert schema.validate(document, strict_status=True) == [], schema.validate(document, strict_status=True)
    response = verify(document)
    assert response.status_code == 200, response.json()["reasons"]


def test_a_new_organization_is_strict_by_default(db: Any) -> None:
    org = do_create_organization(name="Riverside District", slug="riverside", actor=None)
    assert org.publish_suspension is False


def test_every_kind_of_default_credential_is_strict_ob3(
    org_a: Organization,
    definition: dict[str, Any],
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert org_a.publish_suspension is False
    parts = [
        publish(org_a, definition, "cer-lab", "Claim-Evidence-Reasoning"),
        publish(org_a, definition, "lab-safety", "Lab Safety Routines"),
    ]
    make_stack(org_a, ["cer-lab", "lab-safety"])

    # a direct award of both parts completes the stack (and its CLR)
    direct = award_all(django_capture_on_commit_callbacks, org_a, "cer-lab", "lab-safety")
    for credential in direct:
        strict(credential.document)
    stack_credential = Credential.objects.get(origin=Origin.STACK)
    strict(stack_credential.document)
    key = do_ensure_signing_key(organization=org_a, actor=None)
    clr = add_proof(pathways.clr_document(StackAward.objects.get()), key.signer())
    assert schema.validate(clr, strict_status=True) == []
    checked = verify(clr)
    assert checked.status_code == 200, checked.json()["reasons"]

    # a bulk run
    rows = "email,achievement\n" + "".join(f"bulk{i}@example.org,cer-lab\n" for i in range(3))
    job = bulk.do_create_bulk_award(organization=org_a, stream=io.BytesIO(rows.encode()), filename="b.csv", actor=None)
    bulk.do_confirm_bulk_award(bulk=job, actor=None, enqueue=False)
    bulk.run_bulk(job.pk)
    for credential in Credential.objects.filter(recipient_email__startswith="bulk"):
        strict(credential.document)

    # an assessment pass
    version: MicroCredentialVersion = parts[0]
    learner = make_user(LEARNER_EMAIL)
    assessor = User.objects.get(email="assessor-a@example.org")
    claim_and_pass(submitted(learner, version), assessor, django_capture_on_commit_callbacks)
    strict(Credential.objects.get(source__startswith="assessment:").document)

    # the VC API's issue route
    issued = issue(_client(org_a), UNSIGNED)
    assert issued.status_code == 201
    assert isinstance(issued.json()["verifiableCredential"]["credentialStatus"], dict)
