"""The demo learner's profile (``credstack demo``), so that My learning shows suggestions at once. Idempotent."""

from __future__ import annotations

from credstack.accounts.models import User
from credstack.discovery.actions import do_update_learner_profile, profile_of

LEARNER = "learner@example.org"
PROFILE = {
    "subjects": ["science", "mathematics"],
    "grade_bands": ["6-8"],
    "roles": ["teacher"],
    "goals": "Help my students argue from evidence and talk about mathematics.",
}


def load_demo_profile() -> None:
    learner = User.objects.filter(email=LEARNER).first()
    if learner is not None and profile_of(learner).pk is None:
        do_update_learner_profile(user=learner, data=PROFILE, actor=learner)
