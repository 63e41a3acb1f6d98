"""Demo submissions for the demo program: a few teachers' evidence waiting in Northfield's review queue.

``load_demo_submissions()`` runs after the catalog demo (``credstack demo_submissions``, or from the demo
loader). Idempotent. Everything goes through the same actions as the pages; the evidence files are
small plain-text documents and links, stored and hashed like any upload.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction

from credstack.accounts.actions import do_register_user
from credstack.accounts.models import User
from credstack.assessment import actions
from credstack.assessment.models import Submission
from credstack.catalog.demo.loader import DEMO_PASSWORD
from credstack.catalog.models import MicroCredential
from credstack.organizations.models import Organization

ORGANIZATION = "northfield-usd"
ASSESSOR = "assessor@northfield.example.org"

# (email, display name, micro-credential slug, returned with feedback?)
DEMO_SUBMISSIONS = (
    ("jordan.lee@example.org", "Jordan Lee", "scientific-modeling-with-diagrams", False),
    ("priya.shah@example.org", "Priya Shah", "checks-for-understanding", False),
    ("sam.okafor@example.org", "Sam Okafor", "evaluating-online-sources", True),
)


_ANSWERS = (
    "Two grade 7 classes, 28 and 31 students, in a unit on ecosystems. Before I began, most students wrote one "
    "sentence and rarely pointed to anything they had observed.",
    "I modelled the routine with a think-aloud, then used a checklist for three weeks and removed it for the last "
    "task. Samples from weeks 1, 3 and 5 are in the evidence.",
    "Students traded drafts, marked each part with the checklist and revised; I kept the marked-up copies.",
)


def _answer(index: int) -> str:
    # Blind review: demo answers never carry the learner's name.
    return _ANSWERS[index % len(_ANSWERS)]


def load_demo_submissions() -> list[Submission]:
    """Create the demo learners' submissions once; return them (existing ones on a second run)."""
    org = Organization.objects.filter(slug=ORGANIZATION).first()
    assessor = User.objects.filter(email=ASSESSOR).first()
    if org is None or assessor is None:
        return []
    existing = list(Submission.objects.filter(learner__email__in=[e for e, *_ in DEMO_SUBMISSIONS]))
    if existing:
        return existing
    created = []
    with transaction.atomic():
        for email, name, slug, returned in DEMO_SUBMISSIONS:
            mc = MicroCredential.objects.filter(organization=org, slug=slug).first()
            version = mc.published_version() if mc else None
            if version is None:
                continue
            learner = User.objects.filter(email=email).first() or do_register_user(
                email=email, password=DEMO_PASSWORD, display_name=name
            )
            submission = actions.do_start_submission(learner=learner, version=version, actor=learner)
            spec = version.submission
            actions.do_save_draft(
                submission=submission,
                actor=learner,
                answers={
                    "overview": [_answer(i) for i, _ in enumerate(spec["overview_questions"])],
                    "reflection": "What surprised me most was how much students said once I waited longer.",
                },
            )
            for i, artifact in enumerate(spec["artifacts"]):
                kinds = artifact["accepted_kinds"]
                if "document" in kinds:
                    text = (
                        f"{artifact['title']}\n\n{artifact['description']}\n\n"
                        "Week 1: baseline samples. Week 3: revised task. Week 5: final samples with feedback.\n"
                    )
                    actions.do_add_evidence(
                        submission=submission,
                        artifact_index=i,
                        title=artifact["title"],
                        actor=learner,
                        note="Plain-text summary of the materials used in class.",
                        upload=ContentFile(text.encode(), name=f"artifact-{i + 1}.txt"),
                    )
                elif "link" in kinds:
                    actions.do_add_evidence(
                        submission=submission,
                        artifact_index=i,
                        title=artifact["title"],
                        url="https://example.org/classroom-evidence",
                        actor=learner,
                    )
            actions.do_submit_submission(submission=submission, actor=learner)
            if returned:
                rubric = version.rubric
                levels = {}
                feedback = {}
                for n, criterion in enumerate(rubric["criteria"]):
                    keys = [lv["key"] for lv in criterion["levels"]]
                    at = keys.index(criterion["passing_level"])
                    levels[criterion["key"]] = keys[at - 1] if n == 0 else keys[at]
                    if n == 0:
                        feedback[criterion["key"]] = (
                            "The evidence describes the lesson but shows no student work "
                            "yet; add two annotated samples."
                        )
                actions.do_claim_submission(submission=submission, assessor=assessor, actor=assessor)
                actions.do_decide_submission(
                    submission=submission,
                    assessor=assessor,
                    decision="return",
                    levels=levels,
                    criterion_feedback=feedback,
                    overall_feedback="A clear plan; show us what students did with it.",
                    actor=assessor,
                )
            created.append(submission)
    return created
