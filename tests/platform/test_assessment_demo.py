"""The demo submissions: loaded through the actions, idempotent, and visible in the demo review queue."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from credstack.accounts.models import User
from credstack.assessment.demo import load_demo_submissions
from credstack.assessment.models import Submission
from credstack.catalog.demo.loader import load_demo
from tests.platform.conftest import client_for


def test_demo_submissions(db: Any) -> None:
    with pytest.raises(CommandError):
        call_command("demo_submissions")  # no demo program yet
    load_demo()
    out = StringIO()
    call_command("demo_submissions", stdout=out)
    assert "3 demo submissions" in out.getvalue()
    assert len(load_demo_submissions()) == 3 and Submission.objects.count() == 3  # idempotent
    statuses = sorted(Submission.objects.values_list("status", flat=True))
    assert statuses == ["returned", "submitted", "submitted"]
    assert all(e.sha256 for s in Submission.objects.all() for e in s.active_evidence() if e.file)
    client = client_for(User.objects.get(email="assessor@northfield.example.org"))
    queue = client.get("/review/northfield-usd/")
    html = queue.content.decode()
    assert html.count("<td>Waiting</td>") == 2 and "Jordan" not in html and "Priya" not in html
    for submission in Submission.objects.exclude(status="returned"):
        page = client.get(f"/review/northfield-usd/{submission.pk}/").content.decode()
        for name in ("Jordan", "Priya", "Sam Okafor", "Okafor", "Shah", "jordan.lee"):
            assert name not in page
