"""Bulk awards: the validation report, confirmation, issuing, idempotent re-runs, the command line."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from credstack.awards import actions, bulk
from credstack.awards.models import BulkAward, BulkRow, BulkStatus, Credential, RowState
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization
from tests.platform.conftest import admin_of, client_for

HEADER = "email,name,achievement,evidence_url,evidence_narrative,awarded_on,expires_on\n"


def csv_bytes(*lines: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO((header + "".join(line + "\n" for line in lines)).encode())


def test_report_lists_errors_and_duplicates(published: MicroCredentialVersion) -> None:
    org = published.organization
    actions.do_award_credential(
        organization=org, data={"email": "held@example.org", "achievement": "cer-lab"}, actor=None
    )
    job = bulk.do_create_bulk_award(
        organization=org,
        actor=None,
        filename="cohort.csv",
        stream=csv_bytes(
            "a@example.org,Ann,cer-lab,https://example.org/a,Portfolio,2026-01-05,",
            "b@example.org,,cer-lab,,,,",
            "B@example.org,,cer-lab,,,,",  # same person and achievement as the line above
            "not-an-email,,cer-lab,,,,",
            "c@example.org,,unknown-slug,,,,",
            "d@example.org,,cer-lab,ftp://x,,2026-02-30,",
            "held@example.org,,cer-lab,,,,",
            ",,,,,,",  # blank lines are ignored
        ),
    )
    assert (job.total_rows, job.valid_rows, job.error_rows, job.duplicate_rows) == (7, 2, 4, 1)
    rows = {r.line: r for r in BulkRow.objects.filter(bulk=job)}
    assert "Repeats line 3" in rows[4].errors["email"]
    assert "email" in rows[5].errors and "achievement" in rows[6].errors
    assert {"evidence_url", "awarded_on"} <= set(rows[7].errors)
    assert rows[8].state == RowState.DUPLICATE
    assert Credential.objects.count() == 1  # nothing issued before confirmation


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"email,achievement,colour\nx@example.org,cer-lab,red\n", "unknown column"),
        (b"name,achievement\nAnn,cer-lab\n", "missing column(s): email"),
        (b"email,achievement\n", "no rows"),
        ("email,achievement\nj\xe9@example.org,cer-lab\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_unusable_files(published: MicroCredentialVersion, content: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        bulk.do_create_bulk_award(
            organization=published.organization, stream=io.BytesIO(content), filename="x.csv", actor=None
        )
    assert message in info.value.message_dict["file"][0]
    assert not BulkAward.objects.exists()


def test_confirm_issues_and_a_rerun_issues_nothing(published: MicroCredentialVersion) -> None:
    org = published.organization
    lines = [f"p{i}@example.org,,cer-lab,,,," for i in range(30)]
    job = bulk.do_create_bulk_award(organization=org, stream=csv_bytes(*lines), filename="a.csv", actor=None)
    bulk.do_confirm_bulk_award(bulk=job, actor=None, enqueue=False)
    done = bulk.run_bulk(job.pk, batch_size=7)
    assert (done.status, done.issued, done.skipped) == (BulkStatus.DONE, 30, 0)
    assert Credential.objects.filter(organization=org).count() == 30
    with pytest.raises(ValidationError):
        bulk.do_confirm_bulk_award(bulk=done, actor=None)
    again = bulk.do_create_bulk_award(organization=org, stream=csv_bytes(*lines), filename="a.csv", actor=None)
    assert (again.valid_rows, again.duplicate_rows) == (0, 30)
    with pytest.raises(ValidationError):
        bulk.do_confirm_bulk_award(bulk=again, actor=None)


def test_interrupted_run_resumes_without_duplicates_or_gaps(published: MicroCredentialVersion) -> None:
    org = published.organization
    job = bulk.do_create_bulk_award(
        organization=org,
        actor=None,
        filename="b.csv",
        stream=csv_bytes(*[f"q{i}@example.org,,cer-lab,,,," for i in range(25)]),
    )
    bulk.do_confirm_bulk_award(bulk=job, actor=None, enqueue=False)

    class Crash(Exception):
        pass

    def crash_after_two(state: BulkAward) -> None:
        if state.issued >= 10:
            raise Crash()

    with pytest.raises(Crash):
        bulk.run_bulk(job.pk, batch_size=5, runner="dead-host:1", progress=crash_after_two)
    assert BulkAward.objects.get(pk=job.pk).issued == 10
    # the dead runner's lease blocks nobody once its heartbeat is stale
    BulkAward.objects.filter(pk=job.pk).update(heartbeat_at=None)
    done = bulk.run_bulk(job.pk, batch_size=5)
    assert done.status == BulkStatus.DONE and done.issued == 25
    rows = BulkRow.objects.filter(bulk=job)
    assert rows.filter(state=RowState.ISSUED).count() == 25
    assert Credential.objects.filter(source__startswith="bulk-row:").count() == 25
    assert len({r.credential_id for r in rows}) == 25


def test_live_lease_is_respected(published: MicroCredentialVersion) -> None:
    job = bulk.do_create_bulk_award(
        organization=published.organization,
        actor=None,
        filename="c.csv",
        stream=csv_bytes("z@example.org,,cer-lab,,,,"),
    )
    bulk.do_confirm_bulk_award(bulk=job, actor=None, enqueue=False)
    from django.utils import timezone

    BulkAward.objects.filter(pk=job.pk).update(
        status=BulkStatus.RUNNING, runner="elsewhere:1", heartbeat_at=timezone.now()
    )
    assert bulk.run_bulk(job.pk).issued == 0  # someone else holds it
    assert bulk.resume_abandoned() == []


def test_bulk_pages(
    published: MicroCredentialVersion,
    org_b: Organization,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
) -> None:
    # Inside this test's transaction a thread would not see the rows: run the job right here instead.
    from credstack.awards.tasks import run_bulk_award

    monkeypatch.setattr(bulk, "_start_in_thread", lambda bulk_id: run_bulk_award.apply((bulk_id,)))
    admin = client_for(admin_of(published.organization))
    assert "email,name,achievement" in admin.get("/manage/org-a/bulk/").content.decode()
    assert b"cer-lab" in admin.get("/manage/org-a/bulk/template.csv").content
    missing = admin.post("/manage/org-a/bulk/", {})
    assert missing.status_code == 400 and "Choose a CSV file" in missing.content.decode()
    wrong = admin.post("/manage/org-a/bulk/", {"file": io.BytesIO(b"who,what\n")})
    assert wrong.status_code == 400 and "header is not right" in wrong.content.decode()
    upload = csv_bytes("a@example.org,,cer-lab,,,,", "bad,,cer-lab,,,,")
    upload.name = "cohort.csv"
    answer = admin.post("/manage/org-a/bulk/", {"file": upload})
    assert answer.status_code == 302
    detail = answer["Location"]
    page = admin.get(detail).content.decode()
    assert "Issue 1 credential" in page and "not a valid email" in page
    job = BulkAward.objects.get()
    assert client_for(admin_of(org_b)).get(detail).status_code == 404
    assert client_for(admin_of(org_b)).post(f"{detail}action", {"operation": "confirm"}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):  # eager tasks: issued once the confirmation commits
        assert admin.post(f"{detail}action", {"operation": "confirm"}).status_code == 302
    progress = admin.get(f"{detail}progress").json()
    assert progress["issued"] == 1 and progress["done"] and progress["percent"] == 100
    assert BulkAward.objects.get(pk=job.pk).status == BulkStatus.DONE


def test_award_bulk_command(published: MicroCredentialVersion, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "cohort.csv"
    path.write_text(HEADER + "a@example.org,,cer-lab,,,,\nb@example.org,,cer-lab,,,,\nnope,,cer-lab,,,,\n")
    call_command("award-bulk", str(path), "--org", "org-a", "--dry-run")
    out = capsys.readouterr().out
    assert "2 would be issued" in out and "line 4: rejected" in out
    assert not Credential.objects.exists()
    call_command("award-bulk", str(path), "--org", "org-a")
    out = capsys.readouterr()
    assert "Issued 2, skipped as already awarded 0, rejected 1" in out.out and "2/2" in out.err
    call_command("award-bulk", str(path), "--org", "org-a")
    assert "Issued 0, skipped as already awarded 2, rejected 1" in capsys.readouterr().out
    for argv, message in (
        (["missing.csv", "--org", "org-a"], "no such file"),
        ([str(path), "--org", "nope"], "No organization"),
    ):
        with pytest.raises(CommandError) as info:
            call_command("award-bulk", *argv)
        assert info.value.returncode == 2 and message in str(info.value)


def test_award_and_revoke_commands(published: MicroCredentialVersion, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "badge.png"
    call_command("award", "--org", "org-a", "--achievement", "cer-lab", "--email", "c@example.org", "-o", str(out))
    from credstack.vc.baking import unbake

    document = unbake(out.read_bytes()).json()
    assert document["id"] in capsys.readouterr().out
    call_command("award", "--org", "org-a", "--achievement", "cer-lab", "--email", "d@example.org")
    assert '"OpenBadgeCredential"' in capsys.readouterr().out
    with pytest.raises(CommandError) as info:
        call_command("award", "--org", "org-a", "--achievement", "cer-lab", "--email", "c@example.org")
    assert info.value.returncode == 2 and "already holds" in str(info.value)
    call_command("revoke", document["id"], "--reason", "Issued by mistake")
    assert Credential.objects.get(public_id=document["id"].rsplit("/", 1)[1]).revoked_at is not None
    for argv in (
        [document["id"], "--reason", "again"],
        ["not-a-uuid", "--reason", "x"],
        ["00000000-0000-0000-0000-000000000000", "--reason", "x"],
    ):
        with pytest.raises(CommandError) as info:
            call_command("revoke", *argv)
        assert info.value.returncode == 2


def test_commands_exit_2_without_traceback(tmp_path: Path) -> None:
    env = {"CREDSTACK_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "credstack.cli", "migrate", "-v", "0"], env=env, check=True, timeout=120)
    result = subprocess.run(
        [sys.executable, "-m", "credstack.cli", "award-bulk", "x.csv", "--org", "nope"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr and "No organization" in result.stderr


def test_demo_awards_command(db: Any, capsys: Any) -> None:
    from credstack.catalog.demo.loader import load_demo

    with pytest.raises(CommandError):
        call_command("demo_awards")
    load_demo()
    call_command("demo_awards")
    call_command("demo_awards")  # idempotent
    assert (
        Credential.objects.filter(source__startswith="demo:", recipient_user__email="learner@example.org").count() == 2
    )


@pytest.mark.django_db(transaction=True)
def test_without_a_worker_the_run_goes_on_in_a_thread(published: MicroCredentialVersion) -> None:
    import time

    org = published.organization
    lines = [f"t{i}@example.org,,cer-lab,,,," for i in range(20)]
    job = bulk.do_create_bulk_award(organization=org, stream=csv_bytes(*lines), filename="t.csv", actor=None)
    bulk.do_confirm_bulk_award(bulk=job, actor=None)  # returns at once; the thread issues
    deadline = time.monotonic() + 60
    while BulkAward.objects.get(pk=job.pk).status != BulkStatus.DONE and time.monotonic() < deadline:
        time.sleep(0.2)
    done = BulkAward.objects.get(pk=job.pk)
    assert (done.status, done.issued) == (BulkStatus.DONE, 20)
    assert Credential.objects.filter(organization=org).count() == 20


def test_the_thread_tries_again_while_the_database_is_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    calls: list[int] = []

    def busy_once(bulk_id: int) -> None:
        calls.append(bulk_id)
        if len(calls) == 1:
            raise OperationalError("database table is locked: awards_bulkaward")

    monkeypatch.setattr(bulk, "run_bulk", busy_once)
    monkeypatch.setattr(bulk.time, "sleep", lambda seconds: None)
    bulk._start_in_thread(7).join(10)
    assert calls == [7, 7]

    calls.clear()

    def always_busy(bulk_id: int) -> None:
        calls.append(bulk_id)
        raise OperationalError("database table is locked: awards_bulkaward")

    monkeypatch.setattr(bulk, "run_bulk", always_busy)
    thread = bulk._start_in_thread(8)
    thread.join(10)
    assert not thread.is_alive() and calls == [8] * bulk.THREAD_ATTEMPTS  # gives up, left for the page to resume
