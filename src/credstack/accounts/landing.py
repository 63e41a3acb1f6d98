"""Where a person lands after signing in when no ``next`` page was asked for: the page of their main job.

- An assessor lands on the review queue (``/review/`` goes straight to the queue of their only organization),
  unless they also run an organization and nothing waits for review there: then on its dashboard.
- An organization admin lands on the dashboard of the first organization they run.
- A learner with submissions or credentials lands on My learning; anyone else on the home page.

Nothing here writes; the sign-in view asks it once per sign-in.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def landing_url(user: Any) -> str:
    """The URL of the page ``user`` should see first after signing in."""
    from credstack.assessment.models import QUEUE_STATUSES, Submission
    from credstack.awards.models import Credential
    from credstack.organizations.models import Membership, Role

    memberships = list(Membership.objects.filter(user=user).select_related("organization"))
    assessing = [m.organization for m in memberships if m.role == Role.ASSESSOR]
    running = [m.organization for m in memberships if m.role == Role.ADMIN]
    if assessing:
        waiting = Submission.objects.filter(organization__in=assessing, status__in=QUEUE_STATUSES).exists()
        if waiting or not running:
            return reverse("assessment:review_home")
    if running:
        first = min(running, key=lambda org: org.name)
        return reverse("organizations:dashboard", args=[first.slug])
    if (
        Submission.objects.filter(learner=user).exists()
        or Credential.objects.filter(recipient_user=user, revoked_at__isnull=True).exists()
    ):
        return reverse("assessment:my_learning")
    return reverse("home")
