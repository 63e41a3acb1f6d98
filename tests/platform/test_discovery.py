"""Learners say what they teach; My learning suggests the micro-credentials that fit them."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client

from credstack.assessment import actions as assessment
from credstack.awards.actions import claim_token, do_award_credential, do_claim_credential
from credstack.catalog import actions as catalog
from credstack.catalog.models import MicroCredentialVersion
from credstack.discovery.actions import do_update_learner_profile, suggestions
from credstack.discovery.models import LearnerProfile
from credstack.organizations.models import Organization
from credstack.pathways import actions as stacks
from tests.platform.conftest import admin_of, client_for

LEARNER = "teacher@example.org"


def publish(
    org: Organization, definition: dict[str, Any], slug: str, name: str, **fields: Any
) -> MicroCredentialVersion:
    data = {**copy.deepcopy(definition), "name": name, **fields}
    version = catalog.do_create_micro_credential(organization=org, data=data, slug=slug, actor=admin_of(org))
    return catalog.do_publish_version(version=version, actor=admin_of(org))


@pytest.fixture
def catalog_of_four(org_a: Organization, definition: dict[str, Any]) -> dict[str, MicroCredentialVersion]:
    return {
        "lab": publish(org_a, definition, "lab", "Lab Reports", subject_areas=["science"], grade_bands=["6-8"]),
        "models": publish(
            org_a, definition, "models", "Scientific Models", subject_areas=["science"], grade_bands=["6-8"]
        ),
        "phonics": publish(org_a, definition, "phonics", "Phonics", subject_areas=["literacy"], grade_bands=["prek-2"]),
        "coach": publish(
            org_a,
            definition,
            "coach",
            "Coaching Science",
            subject_areas=["science"],
            grade_bands=["6-8"],
            roles=["instructional-coach"],
        ),
    }


def profile(user: Any, **data: Any) -> None:
    do_update_learner_profile(
        user=user, data={"subjects": ["science"], "grade_bands": ["6-8"], "roles": ["teacher"], **data}, actor=user
    )


def names(user: Any) -> list[str]:
    return [s.version.name for s in suggestions(user)]


def test_suggestions_fit_the_profile_and_skip_what_was_started(
    catalog_of_four: dict[str, MicroCredentialVersion], make_user: Any
) -> None:
    learner = make_user(LEARNER)
    assert suggestions(learner) == []  # no profile, no guess
    profile(learner)
    assert names(learner) == ["Lab Reports", "Scientific Models"]  # not phonics (subject), not coaching (role)
    assessment.do_start_submission(learner=learner, version=catalog_of_four["lab"], actor=learner)
    assert names(learner) == ["Scientific Models"]
    profile(learner, goals="Better scientific models with diagrams")
    (first,) = suggestions(learner)
    assert any("matches your goals" in reason for reason in first.reasons)


def test_the_missing_part_of_a_started_stack_comes_first(
    org_a: Organization,
    catalog_of_four: dict[str, MicroCredentialVersion],
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    learner = make_user(LEARNER)
    profile(learner, subjects=["science", "literacy"], grade_bands=["6-8", "prek-2"])
    stack = stacks.do_create_stack(
        organization=org_a,
        data={"name": "Early Reading", "summary": "S.", "micro_credentials": ["phonics", "lab"]},
        actor=admin_of(org_a),
    )
    stacks.do_publish_stack(stack=stack, actor=admin_of(org_a))
    with django_capture_on_commit_callbacks(execute=True):
        held = do_award_credential(
            organization=org_a, data={"email": LEARNER, "achievement": "lab"}, actor=admin_of(org_a), notify=False
        )
    do_claim_credential(credential=held, token=claim_token(held), user=learner, actor=learner)
    first = suggestions(learner)[0]
    assert first.version.name == "Phonics" and "counts toward Early Reading" in first.reasons[0]
    assert "Lab Reports" not in names(learner)  # earned already


def test_the_profile_page_saves_and_my_learning_suggests(
    catalog_of_four: dict[str, MicroCredentialVersion], make_user: Any
) -> None:
    learner = make_user(LEARNER)
    browser = client_for(learner)
    assert "Tell us" in browser.get("/learning/").content.decode()
    saved = browser.post(
        "/learning/profile/", {"subjects": ["science"], "grade_bands": ["6-8"], "roles": ["teacher"], "goals": "x"}
    )
    assert saved.status_code == 302 and saved["Location"] == "/learning/"
    page = browser.get("/learning/").content.decode()
    assert "Suggested for you" in page and "Lab Reports" in page and "Phonics" not in page
    form = browser.get("/learning/profile/").content.decode()
    assert 'value="science" checked' in form


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"subjects": ["astrology"]}, "subjects"),
        ({"grade_bands": ["13"]}, "grade_bands"),
        ({"roles": ["principal-of-everything"]}, "roles"),
        ({"goals": "x" * 1001}, "goals"),
    ],
)
def test_a_bad_profile_is_refused_with_its_field(make_user: Any, data: dict[str, Any], field: str) -> None:
    learner = make_user(LEARNER)
    response = client_for(learner).post("/learning/profile/", data)
    assert response.status_code == 400 and f'id="f-{field}"' in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert not LearnerProfile.objects.exists()


def test_a_profile_with_nul_is_refused_before_the_view(make_user: Any) -> None:
    # NUL in any request is refused once, by credstack.core.middleware, naming the field.
    response = client_for(make_user(LEARNER)).post("/learning/profile/", {"goals": "nul\x00goal"})
    assert response.status_code == 400 and "field &#x27;goals&#x27; contains a NUL" in response.content.decode()
    assert not LearnerProfile.objects.exists()


def test_the_profile_page_needs_an_account(db: Any) -> None:
    assert Client().get("/learning/profile/").status_code == 302
    assert Client().post("/learning/profile/", {"subjects": ["science"]}).status_code == 302
    assert not LearnerProfile.objects.exists()
