"""The authorization matrix: every route × every kind of caller, against a table of what each may get.

The routes come from the URL configuration (Django's resolver, every pattern) and from the OpenAPI document of
the Ninja APIs (every operation, the W3C VC API routes included). A route missing from ``MATRIX`` fails the test
("add it to the matrix"), so a new route cannot slip in without someone deciding who may use it.

Callers, in the order of each row: anonymous; learner A (holds a credential of organization X, from a passed
submission, with a share link); learner B (an unrelated learner); an assessor of X; an admin of X; an admin of Y;
X's API key (made by X's admin); an access token of Y's OAuth client, granted by ``/oauth/token``. URL parameters
name objects of X and of learner A. Every route is asked with GET; write routes also with their unsafe method
(a body that would succeed for the right caller), session callers sending a CSRF token. Each request runs in a
savepoint that is rolled back, so every row starts from the same state.

Outcome codes: a status number, ``login`` (a redirect to the sign-in page), ``302`` (any other redirect).
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.crypto import get_random_string

from credstack.accounts.models import User
from credstack.api.api import api
from credstack.assessment import actions as assessment
from credstack.assessment.models import EvidenceItem, EvidenceUpload
from credstack.awards import bulk
from credstack.awards.models import Credential
from credstack.catalog import actions as catalog
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.actions import do_create_api_key, do_create_oauth_client
from credstack.organizations.models import Membership, Organization
from credstack.pathways.actions import do_create_stack, do_publish_stack
from credstack.signing.models import SigningKey
from credstack.verifier.actions import do_create_share_link
from tests.platform.assessment_support import PNG, levels, submitted, upload
from tests.platform.conftest import admin_of
from tests.platform.test_verifier_issue import UNSIGNED

ROLES = ("anonymous", "learner_a", "learner_b", "assessor_x", "admin_x", "admin_y", "key_x", "token_y")
SESSION_ROLES = {"learner_a", "learner_b", "assessor_x", "admin_x", "admin_y"}
RECORD = os.environ.get("CREDSTACK_RECORD_MATRIX") == "1"  # print the observed table instead of asserting

# --- the table ---------------------------------------------------------------------------------------------
# Django routes by URL name (the pattern when it has none): "GET outcomes | POST outcomes". Ninja operations as
# "METHOD /path": the outcomes of that method (a GET on a path without a GET operation must be 405 for everyone,
# checked without a row). Outcomes are space-separated, one per caller in the order of ROLES.

MATRIX: dict[str, str] = {
    # Pages and other Django views: GET | POST, each for anonymous, learner A, learner B, assessor of X,
    # admin of X, admin of Y, X's API key, Y's OAuth token.
    "home": "200 200 200 200 200 200 200 200 | 200 200 200 200 200 200 200 200",
    "health": "200 200 200 200 200 200 200 200 | 200 200 200 200 200 200 200 200",
    "accounts:login": "200 200 200 200 200 200 200 200 | 200 200 200 200 200 200 200 200",
    "accounts:logout": "405 405 405 405 405 405 405 405 | 302 302 302 302 302 302 302 302",
    "accounts:register": "200 302 302 302 302 302 200 200 | 200 302 302 302 302 302 200 200",
    "accounts:register_sent": "302 302 302 302 302 302 302 302 | 302 302 302 302 302 302 302 302",
    "accounts:activate": "200 200 200 200 200 200 200 200 | 400 400 400 400 400 400 400 400",
    "accounts:password_reset": "200 200 200 200 200 200 200 200 | 200 200 200 200 200 200 200 200",
    "accounts:password_reset_done": "200 200 200 200 200 200 200 200 | 405 405 405 405 405 405 405 405",
    "accounts:password_reset_confirm": "200 200 200 200 200 200 200 200 | 200 200 200 200 200 200 200 200",
    "accounts:password_reset_complete": "200 200 200 200 200 200 200 200 | 405 405 405 405 405 405 405 405",
    "api:openapi-json": "200 200 200 200 200 200 200 200 | 200 200 200 200 200 200 200 200",
    "api:openapi-view": "200 200 200 200 200 200 200 200 | 200 200 200 200 200 200 200 200",
    "api:api-root": "404 404 404 404 404 404 404 404 | 404 404 404 404 404 404 404 404",
    "catalog:list": "200 200 200 200 200 200 200 200 | 200 200 200 200 200 200 200 200",
    "catalog:detail": "200 200 200 200 200 200 200 200 | 200 200 200 200 200 200 200 200",
    "catalog:achievement_json": "200 200 200 200 200 200 200 200 | 200 200 200 200 200 200 200 200",
    "catalog:artwork": "200 200 200 200 200 200 200 200 | 405 405 405 405 405 405 405 405",
    "catalog:design_preview": "login 404 404 404 200 404 login login | login 405 405 405 405 405 login login",
    "catalog:new": "login 404 404 404 200 404 login login | login 404 404 404 400 404 login login",
    "catalog:edit": "login 404 404 404 200 404 login login | login 404 404 404 200 404 login login",
    "catalog:publish": "login 405 405 405 405 405 login login | login 404 404 404 302 404 login login",
    "catalog:new_version": "login 405 405 405 405 405 login login | login 404 404 404 302 404 login login",
    "catalog:retire": "login 405 405 405 405 405 login login | login 404 404 404 302 404 login login",
    "organizations:profile": "200 200 200 200 200 200 200 200 | 200 200 200 200 200 200 200 200",
    "organizations:issuer_json": "200 200 200 200 200 200 200 200 | 200 200 200 200 200 200 200 200",
    "organizations:mine": "login 200 200 200 302 302 login login | login 200 200 200 302 302 login login",
    # X's management pages: X's admin only; a 404 for everyone else signed in (nothing revealed).
    "organizations:dashboard": "login 404 404 404 200 404 login login | login 404 404 404 200 404 login login",
    "organizations:edit_profile": "login 404 404 404 200 404 login login | login 404 404 404 200 404 login login",
    "organizations:add_member": "login 405 405 405 405 405 login login | login 404 404 404 302 404 login login",
    "organizations:remove_member": "login 405 405 405 405 405 login login | login 404 404 404 302 404 login login",
    "organizations:create_api_key": "login 405 405 405 405 405 login login | login 404 404 404 302 404 login login",
    "organizations:revoke_api_key": "login 405 405 405 405 405 login login | login 404 404 404 302 404 login login",
    "organizations:create_oauth_client": "login 405 405 405 405 405 login login | login 404 404 404 302 404 login login",  # noqa: E501
    "organizations:revoke_oauth_client": "login 405 405 405 405 405 login login | login 404 404 404 302 404 login login",  # noqa: E501
    "organizations:oauth_token": "405 405 405 405 405 405 405 405 | 400 400 400 400 400 400 401 401",
    "organizations:oauth_metadata": "200 200 200 200 200 200 200 200 | 200 200 200 200 200 200 200 200",
    "verifier:verify": "200 200 200 200 200 200 200 200 | 400 400 400 400 400 400 400 400",
    "verifier:shared": "200 200 200 200 200 200 200 200 | 200 200 200 200 200 200 200 200",
    # Learner A's own wallet and submissions: nobody else's, not even X's admin.
    "verifier:share_links": "login 200 404 404 404 404 login login | login 302 404 404 404 404 login login",
    "verifier:withdraw_share_link": "login 405 405 405 405 405 login login | login 302 404 404 404 404 login login",
    "vcapi:api-root": "200 200 200 200 200 200 200 200 | 200 200 200 200 200 200 200 200",
    "assessment:my_learning": "login 200 200 200 200 200 login login | login 200 200 200 200 200 login login",
    "assessment:start": "login 405 405 405 405 405 login login | login 302 302 302 302 302 login login",
    "assessment:submission": "login 200 404 404 404 404 login login | login 302 404 404 404 404 login login",
    "assessment:autosave": "login 405 405 405 405 405 login login | login 400 404 404 404 404 login login",
    "assessment:withdraw": "login 405 405 405 405 405 login login | login 302 404 404 404 404 login login",
    # Resumable evidence uploads: the submission's learner only (A's submission is passed: no more uploads, 409).
    "assessment:start_upload": "login 405 405 405 405 405 login login | login 409 404 404 404 404 login login",
    "assessment:upload": "login 200 404 404 404 404 login login | login 405 404 404 404 404 login login",
    "assessment:finish_upload": "login 405 405 405 405 405 login login | login 400 404 404 404 404 login login",
    "assessment:evidence_file": "login 200 404 200 200 404 login login | login 200 404 200 200 404 login login",
    "assessment:review_home": "login 200 200 302 302 302 login login | login 200 200 302 302 302 login login",
    "assessment:conflicts": "login 200 200 200 200 200 login login | login 400 400 400 400 400 login login",
    "assessment:withdraw_conflict": "login 405 405 405 405 405 login login | login 404 404 302 404 404 login login",
    "assessment:queue": "login 404 404 200 200 404 login login | login 404 404 200 200 404 login login",
    "assessment:review": "login 404 404 200 200 404 login login | login 404 404 302 302 404 login login",
    "signing:did_document": "200 200 200 200 200 200 200 200 | 405 405 405 405 405 405 405 405",
    "signing:keys": "login 404 404 404 200 404 login login | login 404 404 404 200 404 login login",
    "signing:rotate": "login 405 405 405 405 405 login login | login 404 404 404 302 404 login login",
    "signing:revoke": "login 405 405 405 405 405 login login | login 404 404 404 400 404 login login",
    "awards:credential": "200 200 200 200 200 200 200 200 | 405 405 405 405 405 405 405 405",
    "awards:download_json": "200 200 200 200 200 200 200 200 | 405 405 405 405 405 405 405 405",
    "awards:download_png": "200 200 200 200 200 200 200 200 | 405 405 405 405 405 405 405 405",
    "awards:download_svg": "200 200 200 200 200 200 200 200 | 405 405 405 405 405 405 405 405",
    # A credential's evidence: its holder and X's assessors and admins; private to everyone else.
    "awards:evidence": "403 200 403 200 200 403 403 403 | 405 405 405 405 405 405 405 405",
    "awards:evidence_file": "404 200 404 200 200 404 404 404 | 405 405 405 405 405 405 405 405",
    "awards:claim": "400 400 400 400 400 400 400 400 | 400 400 400 400 400 400 400 400",
    # a claim link that does not prove the mailbox sends everyone back to the claim page, which says so
    "awards:claim_account": "302 302 302 302 302 302 302 302 | 302 302 302 302 302 302 302 302",
    "awards:status_list": "200 200 200 200 200 200 200 200 | 405 405 405 405 405 405 405 405",
    "awards:wallet": "login 200 200 200 200 200 login login | login 200 200 200 200 200 login login",
    "awards:wallet_settings": "login 405 405 405 405 405 login login | login 302 302 302 302 302 login login",
    "awards:send_confirmation": "login 405 405 405 405 405 login login | login 302 302 302 302 302 login login",
    "awards:confirm_email": "login 302 302 302 302 302 login login | login 302 302 302 302 302 login login",
    "awards:wallet_evidence": "login 405 405 405 405 405 login login | login 302 404 404 404 404 login login",
    "awards:wallet_presentation": "login 405 405 405 405 405 login login | login 302 404 404 404 404 login login",
    "awards:issued": "login 404 404 404 200 404 login login | login 404 404 404 200 404 login login",
    "awards:award": "login 404 404 404 200 404 login login | login 404 404 404 400 404 login login",
    "awards:manage_credential": "login 404 404 404 200 404 login login | login 404 404 404 400 404 login login",
    "awards:bulk_upload": "login 404 404 404 200 404 login login | login 404 404 404 400 404 login login",
    "awards:bulk_template": "login 404 404 404 200 404 login login | login 405 405 405 405 405 login login",
    "awards:bulk_detail": "login 404 404 404 200 404 login login | login 404 404 404 200 404 login login",
    "awards:bulk_progress": "login 404 404 404 200 404 login login | login 405 405 405 405 405 login login",
    "awards:bulk_action": "login 405 405 405 405 405 login login | login 404 404 404 302 404 login login",
    "pathways:list": "200 200 200 200 200 200 200 200 | 405 405 405 405 405 405 405 405",
    "pathways:detail": "200 200 200 200 200 200 200 200 | 405 405 405 405 405 405 405 405",
    "pathways:clr": "login 404 404 404 404 404 login login | login 405 405 405 405 405 login login",
    # the transcript is always the signed-in person's own: there is no learner id in the URL
    "pathways:transcript": "login 200 200 200 200 200 login login | login 405 405 405 405 405 login login",
    "pathways:transcript_pdf": "login 200 200 200 200 200 login login | login 405 405 405 405 405 login login",
    "pathways:org_transcript": "login 404 404 404 200 404 login login | login 405 405 405 405 405 login login",
    "pathways:transcript_clr": "login 200 404 404 404 404 login login | login 405 405 405 405 405 login login",
    "pathways:manage": "login 404 404 404 200 404 login login | login 404 404 404 200 404 login login",
    "pathways:new": "login 404 404 404 200 404 login login | login 404 404 404 400 404 login login",
    "pathways:edit": "login 404 404 404 302 404 login login | login 404 404 404 302 404 login login",
    "pathways:publish": "login 405 405 405 405 405 login login | login 404 404 404 302 404 login login",
    "pathways:retire": "login 405 405 405 405 405 login login | login 404 404 404 302 404 login login",
    "pathways:delete": "login 405 405 405 405 405 login login | login 404 404 404 302 404 login login",
    "program:overview": "login 404 404 404 200 404 login login | login 405 405 405 405 405 login login",
    "discovery:profile": "login 200 200 200 200 200 login login | login 302 302 302 302 302 login login",
    "media/issuers/<path:path>": "404 404 404 404 404 404 404 404 | 404 404 404 404 404 404 404 404",
    "media/achievements/<path:path>": "404 404 404 404 404 404 404 404 | 404 404 404 404 404 404 404 404",
    # The JSON API and the W3C VC API (Ninja operations): the operation's own method, for the same callers.
    "GET /api/me": "200 200 200 200 200 200 200 200",
    "GET /api/health": "200 200 200 200 200 200 200 200",
    "GET /api/catalog/organizations": "200 200 200 200 200 200 200 200",
    "GET /api/catalog/microcredentials": "200 200 200 200 200 200 200 200",
    "GET /api/catalog/microcredentials/{org_slug}/{slug}": "200 200 200 200 200 200 200 200",
    "GET /api/catalog/microcredentials/{org_slug}/{slug}/v{version}/achievement": "200 200 200 200 200 200 200 200",
    "POST /api/orgs/{org_slug}/microcredentials": "401 404 404 404 201 404 201 401",
    "GET /api/orgs/{org_slug}/microcredentials": "401 404 404 404 200 404 200 401",
    "PUT /api/orgs/{org_slug}/microcredentials/{slug}/draft": "401 404 404 404 409 404 409 401",
    "POST /api/orgs/{org_slug}/microcredentials/{slug}/versions": "401 404 404 404 201 404 201 401",
    "POST /api/orgs/{org_slug}/microcredentials/{slug}/publish": "401 404 404 404 409 404 409 401",
    "POST /api/orgs/{org_slug}/microcredentials/{slug}/retire": "401 404 404 404 200 404 200 401",
    # A learner's side is the learner's own: an organization's key gets 403 (issue 12, Access 5).
    "POST /api/submissions": "401 400 201 201 201 201 403 401",
    "GET /api/submissions": "401 200 200 200 200 200 403 401",
    "GET /api/submissions/{pk}": "401 200 404 404 404 404 403 401",
    "PUT /api/submissions/{pk}/answers": "401 409 404 404 404 404 403 401",
    "POST /api/submissions/{pk}/evidence": "401 409 404 404 404 404 403 401",
    "DELETE /api/submissions/{pk}/evidence/{item_id}": "401 409 404 404 404 404 403 401",
    "POST /api/submissions/{pk}/submit": "401 409 404 404 404 404 403 401",
    "POST /api/submissions/{pk}/withdraw": "401 409 404 404 404 404 403 401",
    # The organization's side: X's key acts as the admin who made it.
    "GET /api/evidence/{item_id}/content": "401 200 404 200 200 404 200 401",
    "GET /api/review/{org_slug}/queue": "401 404 404 200 200 404 200 401",
    "GET /api/review/{org_slug}/submissions/{pk}": "401 404 404 200 200 404 200 401",
    "POST /api/review/{org_slug}/submissions/{pk}/claim": "401 404 404 409 409 404 409 401",
    "POST /api/review/{org_slug}/submissions/{pk}/release": "401 404 404 400 400 404 400 401",
    "PUT /api/review/{org_slug}/submissions/{pk}/scores": "401 404 404 400 400 404 400 401",
    "POST /api/review/{org_slug}/submissions/{pk}/decision": "401 404 404 400 400 404 400 401",
    "GET /api/conflicts": "401 200 200 200 200 200 200 401",
    "POST /api/conflicts": "401 201 201 201 201 201 201 401",
    "DELETE /api/conflicts/{pk}": "401 404 404 204 404 404 404 401",
    "POST /api/orgs/{org_slug}/credentials": "401 404 404 404 201 404 201 401",
    "GET /api/orgs/{org_slug}/credentials": "401 404 404 404 200 404 200 401",
    "GET /api/orgs/{org_slug}/credentials/{public_id}": "401 404 404 404 200 404 200 401",
    "POST /api/orgs/{org_slug}/credentials/{public_id}/revoke": "401 404 404 404 200 404 200 401",
    "POST /api/orgs/{org_slug}/credentials/{public_id}/suspend": "401 404 404 404 200 404 200 401",
    "POST /api/orgs/{org_slug}/credentials/{public_id}/unsuspend": "401 404 404 404 400 404 400 401",
    "GET /api/orgs/{org_slug}/keys": "401 404 404 404 200 404 200 401",
    "POST /api/orgs/{org_slug}/keys/rotate": "401 404 404 404 201 404 201 401",
    "POST /api/orgs/{org_slug}/keys/{public_key_multibase}/retire": "401 404 404 404 200 404 200 401",
    "GET /api/stacks": "200 200 200 200 200 200 200 200",
    "GET /api/stacks/{org_slug}/{slug}": "200 200 200 200 200 200 200 200",
    "GET /api/me/stacks": "401 200 200 200 200 200 401 401",
    "GET /api/orgs/{org_slug}/stacks": "401 404 404 404 200 404 200 401",
    "POST /api/orgs/{org_slug}/stacks": "401 404 404 404 201 404 201 401",
    "POST /api/orgs/{org_slug}/stacks/{slug}/publish": "401 404 404 404 409 404 409 401",
    "POST /api/orgs/{org_slug}/stacks/{slug}/retire": "401 404 404 404 200 404 200 401",
    "POST /credentials/verify": "200 200 200 200 200 200 200 200",
    "POST /credentials/verify/file": "400 400 400 400 400 400 400 400",
    "POST /presentations/verify": "200 200 200 200 200 200 200 200",
    # Signing takes an admin key or an issue:credentials token; Y's token signs as Y.
    "POST /credentials/issue": "401 401 401 401 401 401 201 201",
}


# --- the world: objects of X (org-a) and of learner A ------------------------------------------------------

V2 = "https://www.w3.org/ns/credentials/v2"


class World:
    def __init__(self, org_x: Organization, org_y: Organization, version: MicroCredentialVersion, capture: Any) -> None:
        self.org_x, self.org_y = org_x, org_y
        self.admin_x, self.admin_y = admin_of(org_x), admin_of(org_y)
        self.assessor_x = User.objects.get(email="assessor-a@example.org")
        self.learner_a = User.objects.create_user("learner-a@example.org", "pw-learner-a-1234")
        self.learner_b = User.objects.create_user("learner-b@example.org", "pw-learner-b-1234")
        self.submission = submitted(self.learner_a, version)
        assessment.do_claim_submission(submission=self.submission, assessor=self.assessor_x, actor=self.assessor_x)
        with capture(execute=True):  # the pass issues learner A's credential on commit
            assessment.do_decide_submission(
                submission=self.submission,
                assessor=self.assessor_x,
                decision="pass",
                levels=levels(version),
                criterion_feedback={},
                overall_feedback="Well evidenced.",
                actor=self.assessor_x,
            )
        self.item = EvidenceItem.objects.filter(submission=self.submission).exclude(file="").first()
        # An unfinished upload of learner A's (left from before the submission was sent).
        self.upload = EvidenceUpload.objects.create(
            submission=self.submission, learner=self.learner_a, artifact_index=0, size=10
        )
        self.credential = Credential.objects.get(recipient_user=self.learner_a)
        self.share = do_create_share_link(credential=self.credential, actor=self.learner_a)
        second = catalog.do_create_micro_credential(
            organization=org_x, data=version.definition(), slug="second", actor=self.admin_x
        )
        catalog.do_publish_version(version=second, actor=self.admin_x)
        stack = do_create_stack(
            organization=org_x,
            data={
                "name": "Core",
                "slug": "cer-lab",
                "summary": "The core.",
                "micro_credentials": ["cer-lab", "second"],
            },
            actor=self.admin_x,
        )
        do_publish_stack(stack=stack, actor=self.admin_x)
        self.conflict = assessment.do_declare_conflict(
            assessor=self.assessor_x, learner_email="someone@example.org", actor=self.assessor_x
        )
        self.bulk = bulk.do_create_bulk_award(
            organization=org_x,
            stream=io.BytesIO(b"email,achievement\nbulk@example.org,cer-lab\n"),
            filename="cohort.csv",
            actor=self.admin_x,
        )
        self.api_key, raw_key = do_create_api_key(organization=org_x, name="lms", actor=self.admin_x)
        self.oauth_x, _ = do_create_oauth_client(organization=org_x, name="harness x", actor=self.admin_x)
        client_y, secret_y = do_create_oauth_client(organization=org_y, name="harness y", actor=self.admin_y)
        granted = Client().post(
            "/oauth/token",
            {"grant_type": "client_credentials", "client_id": client_y.client_id, "client_secret": secret_y},
        )
        assert granted.status_code == 200, granted.content
        self.signing_key = SigningKey.objects.filter(organization=org_x).first()
        self.clients = {
            "anonymous": Client(),
            "learner_a": self._session(self.learner_a),
            "learner_b": self._session(self.learner_b),
            "assessor_x": self._session(self.assessor_x),
            "admin_x": self._session(self.admin_x),
            "admin_y": self._session(self.admin_y),
            "key_x": Client(headers={"Authorization": f"Bearer {raw_key}"}),
            "token_y": Client(headers={"Authorization": f"Bearer {granted.json()['access_token']}"}),
        }
        self.csrf = get_random_string(32)
        for client in self.clients.values():
            client.cookies[settings.CSRF_COOKIE_NAME] = self.csrf

    @staticmethod
    def _session(user: User) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        return client

    def parameters(self, route: str) -> dict[str, str]:
        """URL parameters naming objects of X and of learner A (a few names mean different objects per route)."""
        values = {
            "org_slug": self.org_x.slug,
            "slug": "cer-lab",  # the micro-credential, and the stack of the same slug
            "version": "1",
            "ext": "png",
            "pk": str(self.submission.pk),
            "item_id": str(self.item.pk),  # type: ignore[union-attr]
            "upload_id": str(self.upload.pk),
            "public_id": str(self.credential.public_id),
            "public_key_multibase": self.signing_key.public_key_multibase,  # type: ignore[union-attr]
            "membership_id": str(Membership.objects.get(user=self.assessor_x).pk),
            "key_id": str(self.api_key.pk),
            "client_pk": str(self.oauth_x.pk),
            "token": self.share.token,
            "link_id": str(self.share.pk),
            "job_id": str(self.bulk.pk),
            "number": "1",
            "purpose": "revocation",
            "uidb64": "MQ",
            "path": "missing.png",
            "url": "no-such-page/",  # the admin's catch-all
            "object_id": "1",
            "id": "1",
            "content_type_id": "1",
            "app_label": "organizations",
        }
        overrides = {
            "assessment:withdraw_conflict": {"pk": str(self.conflict.pk)},
            "DELETE /api/conflicts/{pk}": {"pk": str(self.conflict.pk)},
            "assessment:evidence_file": {"pk": str(self.item.pk)},  # type: ignore[union-attr]
            "signing:revoke": {"key_id": str(self.signing_key.pk)},  # type: ignore[union-attr]
            "awards:status_list": {"number": str(self.credential.status_list.number)},  # type: ignore[union-attr]
        }
        return {**values, **overrides.get(route, {})}

    def body(self, route: str, role: str = "") -> tuple[Any, str | None]:
        """A body the right caller would get through with (or a harmless one): (data, content type)."""
        definition = MicroCredentialVersion.objects.get(micro_credential__slug="cer-lab", version=1).definition()
        reason = {"reason": "Checked by the authorization matrix."}
        bodies: dict[str, Any] = {
            "POST /api/orgs/{org_slug}/microcredentials": {**definition, "slug": "another-one"},
            "PUT /api/orgs/{org_slug}/microcredentials/{slug}/draft": definition,
            "POST /api/submissions": {"organization": "org-a", "micro_credential": "cer-lab"},
            "PUT /api/submissions/{pk}/answers": {"overview": ["An answer."], "reflection": ""},
            "PUT /api/review/{org_slug}/submissions/{pk}/scores": {"overall_feedback": "so far"},
            "POST /api/review/{org_slug}/submissions/{pk}/decision": {"decision": "return"},
            "POST /api/conflicts": {"learner_email": "other@example.org"},
            "POST /api/orgs/{org_slug}/credentials": {"email": "new@example.org", "achievement": "cer-lab"},
            "POST /api/orgs/{org_slug}/credentials/{public_id}/revoke": reason,
            "POST /api/orgs/{org_slug}/credentials/{public_id}/suspend": reason,
            "POST /api/orgs/{org_slug}/keys/{public_key_multibase}/retire": reason,
            "POST /api/orgs/{org_slug}/stacks": {
                "name": "Another",
                "summary": "Another stack.",
                "micro_credentials": ["cer-lab", "second"],
            },
            "POST /credentials/verify": {"verifiableCredential": self.credential.document},
            "POST /presentations/verify": {
                "verifiablePresentation": {
                    "@context": [V2],
                    "type": ["VerifiablePresentation"],
                    "verifiableCredential": [self.credential.document],
                }
            },
            # a credential names its issuer: the organization of the key or token that signs it
            "POST /credentials/issue": {
                "credential": {**UNSIGNED, "issuer": (self.org_y if role.endswith("_y") else self.org_x).issuer_id}
            },
        }
        multipart = {
            "POST /api/submissions/{pk}/evidence": {"artifact_index": 0, "url": "https://example.org/work"},
            "POST /credentials/verify/file": {"file": upload(PNG, "badge.png")},
        }
        if route in multipart:
            return multipart[route], None
        if route in bodies:
            return json.dumps(bodies[route]), "application/json"
        if route.split(" ", 1)[0] in ("POST", "PUT", "DELETE", "PATCH") and route.split(" ", 1)[1].startswith("/"):
            return "", "application/json"
        return {}, None  # a Django form post: empty; the view decides who may post before it reads the form


# --- the routes --------------------------------------------------------------------------------------------


def _url_patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, bool]]:
    """Every pattern of the URL configuration: (name, or the pattern when unnamed; pattern; is a Ninja operation)."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from _url_patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or pattern)
            yield name, pattern, getattr(entry.callback, "__qualname__", "").startswith("PathView.")


def _django_patterns(resolver: URLResolver) -> Iterator[tuple[str, str]]:
    """The Django views (Ninja operations are enumerated from the OpenAPI document, by method)."""
    return ((name, pattern) for name, pattern, ninja in _url_patterns(resolver) if not ninja)


def _ninja_operations() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]  # the VC API routes are merged into it (verifier.api.document_in)
    return [(f"{method.upper()} {path}", path) for path, item in paths.items() for method in item]


def _fill(pattern: str, values: dict[str, str]) -> str:
    """A concrete path from a Django pattern (``<int:pk>``, ``(?P<x>…)``) or an OpenAPI path (``{pk}``)."""
    pattern = pattern.lstrip("^").rstrip("$")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], pattern)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], path)
    path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
    return "/" + path.lstrip("/").replace("\\", "")


def _expected(route: str, method: str) -> str | None:
    row = MATRIX.get(route)
    if row is None or " /" in route:
        return row
    get, _, post = row.partition("|")
    return get if method == "GET" else post


def _outcome(response: Any) -> str:
    if response.status_code in (301, 302, 303):
        target = response["Location"]
        return "login" if target.startswith((resolve_url(settings.LOGIN_URL), "/admin/login/")) else "302"
    return str(response.status_code)


def _ask(world: World, role: str, method: str, path: str, route: str, *, csrf: bool = True) -> str:
    client = world.clients[role]
    cache.clear()  # no rate limit or throttle counts across requests: each one is judged on who asks
    with transaction.atomic():
        if method == "GET":
            response = client.get(path)
        else:
            client.cookies[settings.CSRF_COOKIE_NAME] = world.csrf
            token = {"HTTP_X_CSRFTOKEN": world.csrf} if csrf else {}
            data, content_type = world.body(route, role)
            if content_type is None:  # a form, or multipart with a file
                response = client.post(path, data, **token)
            else:
                response = client.generic(method, path, data, content_type=content_type, **token)
        transaction.set_rollback(True)
    if role in SESSION_ROLES and "_auth_user_id" not in client.session:  # signed out (the logout route)
        world.clients[role] = World._session(getattr(world, role))
    return _outcome(response)


#: Session callers whose unsafe requests are repeated without the CSRF token.
CSRF_ROLES = ("learner_a", "admin_x")


def _csrf_failures(world: World, route: str, method: str, path: str, outcomes: dict[str, str]) -> list[str]:
    """Where a session caller gets something an anonymous caller does not, the same request without the CSRF
    token must be refused (403): a page's CSRF middleware, the API's session authentication."""
    failures = []
    for role in CSRF_ROLES:
        if outcomes[role] != outcomes["anonymous"]:
            got = _ask(world, role, method, path, route, csrf=False)
            if got != "403":
                failures.append(f"{route} {method} {path}: {role} without a CSRF token got {got}, not 403")
    return failures


@pytest.fixture
def world(
    org_a: Organization,
    org_b: Organization,
    published: MicroCredentialVersion,
    django_capture_on_commit_callbacks: Any,
) -> World:
    return World(org_a, org_b, published, django_capture_on_commit_callbacks)


@override_settings(CREDSTACK_VERIFIER_RATE_LIMIT="off")
def test_every_route_answers_every_caller_as_the_matrix_says(world: World) -> None:
    routes: list[tuple[str, str, str]] = []  # (route key, method, pattern)
    for name, pattern in _django_patterns(get_resolver()):
        if pattern.startswith("admin/"):
            continue  # Django's admin: its own test below
        routes += [(name, method, pattern) for method in ("GET", "POST")]
    ninja_paths = {}
    for key, path in _ninja_operations():
        routes.append((key, key.split(" ", 1)[0], path))
        ninja_paths.setdefault(path, set()).add(key.split(" ", 1)[0])
    observed: dict[str, dict[str, str]] = {}
    failures = []
    for key, method, pattern in routes:
        path = _fill(pattern, world.parameters(key))
        got = " ".join(_ask(world, role, method, path, key) for role in ROLES)
        observed.setdefault(key, {})[method] = got
        expected = _expected(key, method)
        if expected is None:
            failures.append(f"{key} {method} at {path}: not in the matrix; add it to the matrix (observed: {got})")
        elif got.split() != expected.split():
            label = key if " /" in key else f"{key} {method}"
            failures.append(f"{label} at {path}: expected {expected}, got {got}")
        if method != "GET":
            failures += _csrf_failures(world, key, method, path, dict(zip(ROLES, got.split(), strict=True)))
    for path, methods in ninja_paths.items():
        if "GET" not in methods:
            got = " ".join(_ask(world, role, "GET", _fill(path, world.parameters(path)), path) for role in ROLES)
            if set(got.split()) != {"405"}:
                failures.append(f"GET {path}: expected 405 for every caller, got {got}")
    # An operation left out of the OpenAPI document would escape the loop above: every Ninja path must be in it.
    hidden = {
        "/" + re.sub(r"<(\w+)>", r"{\1}", pattern) for _, pattern, ninja in _url_patterns(get_resolver()) if ninja
    } - set(ninja_paths)
    failures += [f"{path}: a Ninja route missing from the OpenAPI document; document it" for path in sorted(hidden)]
    stale = set(MATRIX) - {key for key, _, _ in routes}
    failures += [f"{key}: in the matrix but no such route; remove it" for key in sorted(stale)]
    if RECORD:
        for key, methods in observed.items():
            print(f"    {key!r}: {{{', '.join(f'{m!r}: {v!r}' for m, v in methods.items())}}},")
    assert not failures, "\n".join(failures)


def _admin_expected(name: str) -> tuple[str, str]:
    """Django's admin is for staff, and none of the callers is staff: its sign-in page answers everyone, its
    sign-out sends a non-staff caller to the admin's index (which asks for sign-in), and every other admin route
    sends every caller to the admin's sign-in page."""
    if name == "admin:login":
        return "200", "200"
    if name == "admin:logout":
        return "302", "302"
    return "login", "login"


@override_settings(CREDSTACK_VERIFIER_RATE_LIMIT="off")
def test_no_caller_gets_into_the_django_admin(world: World) -> None:
    failures = []
    admin_routes = [(n, p) for n, p in _django_patterns(get_resolver()) if p.startswith("admin/")]
    assert len(admin_routes) > 50, "the admin's routes were not found"
    for name, pattern in admin_routes:
        path = _fill(pattern, world.parameters(name))
        for method, expected in zip(("GET", "POST"), _admin_expected(name), strict=True):
            got = [_ask(world, role, method, path, name) for role in ROLES]
            if set(got) != {expected}:
                failures.append(f"{name} {method} {path}: expected {expected} for every caller, got {' '.join(got)}")
    assert not failures, "\n".join(failures)
