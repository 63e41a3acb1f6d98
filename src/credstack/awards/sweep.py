"""The sweep: what a killed worker, a broker that was down or a database blip left behind, done now.

- bulk runs whose runner is gone (a killed pool child: its process no longer exists; another machine's runner:
  no heartbeat for two minutes) and confirmed runs whose task never reached a worker are queued again — the
  lease makes sure only one runner issues, the unique sources that nothing is issued twice;
- assessment passes still waiting for their credential are queued again;
- evidence uploads left unfinished (``credstack.assessment.uploads``: untouched for
  ``CREDSTACK_UPLOAD_ABANDONED_HOURS``, or their submission can no longer change) are deleted with their pieces;
- claim mail still due (``Credential.mail_due_at``: written with the credential, in its transaction) for longer
  than the grace period the task's own retries take is sent.

Every worker sends the sweep task to its queue every ``CREDSTACK_SWEEP_SECONDS`` (a timer of the worker, see
``credstack.celery``), so nothing waits for a worker restart; ``credstack sweep`` runs it once, in-process
(the embedded default without Redis has no worker: run it from cron, or by hand after an outage). Running it
twice, or on several workers at once, is harmless.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from credstack.core.mail import SameSubjectMail

logger = logging.getLogger(__name__)

#: Claim mail due for longer than this is the sweep's; before, the task (and its retries) is still on it.
MAIL_GRACE = timedelta(minutes=10)
#: Mail sent per transaction (its rows stay locked while it is sent).
MAIL_BATCH = 100


@dataclass
class SweepReport:
    resumed_runs: list[int] = field(default_factory=list)
    queued_passes: list[int] = field(default_factory=list)
    mails_sent: int = 0
    abandoned_uploads: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def mail_situation(credential: Any) -> str:
    """What the award mail asks of its recipient: nothing (``in_wallet``: earned through the platform, already in
    their account), to sign in (``sign_in``: an account uses the address) or to create an account (``create``)."""
    from credstack.accounts.models import User

    if credential.recipient_user_id is not None:
        return "in_wallet"
    if User.objects.filter(email__iexact=credential.recipient_email, is_active=True).exists():
        return "sign_in"
    return "create"


def _send_claim_mail(credential: Any, connection: Any = None) -> int:
    from credstack.awards.actions import claim_url

    body = render_to_string(
        "awards/mail/awarded.txt",
        {
            "c": credential,
            "situation": mail_situation(credential),
            "claim_url": claim_url(credential),
            "wallet_url": settings.CREDSTACK_BASE_URL + reverse("awards:wallet"),
            "base": settings.CREDSTACK_BASE_URL,
        },
    )
    subject, _, text = body.partition("\n\n")
    # send_mail's message, with the subject encoded once for the whole batch (one micro-credential, one subject)
    return SameSubjectMail(subject.strip(), text, None, [credential.recipient_email], connection=connection).send()


def _attach_for_mail(batch: list[Any]) -> None:
    """What the claim mail reads of each credential, once per batch: the versions (their names, the title), and
    the signed document only of credentials without a version (its name is their title)."""
    from credstack.awards.bulk import attach_versions
    from credstack.awards.models import Credential

    attach_versions(batch)
    unversioned = [c.pk for c in batch if c.version_id is None]
    documents = dict(Credential.objects.filter(pk__in=unversioned).values_list("pk", "document")) if unversioned else {}
    for credential in batch:
        if credential.version_id is None:
            credential.document = documents[credential.pk]


def send_due_mails(*, credential_ids: list[int] | None = None, older_than: timedelta | None = None) -> int:
    """Send claim mail still due — of ``credential_ids``, or of every credential due for ``older_than`` —
    and clear each as it goes out. Rows are locked (and locked ones skipped) so that the task and a sweep never
    send the same mail at once. A failure stops the pass and is raised after the mail already sent is recorded."""
    from credstack.awards.models import Credential

    due = Credential.objects.filter(mail_due_at__isnull=False).exclude(recipient_email="")
    if credential_ids is not None:
        due = due.filter(pk__in=credential_ids)
    if older_than is not None:
        due = due.filter(mail_due_at__lte=timezone.now() - older_than)
    sent = 0
    while True:
        failure: Exception | None = None
        with transaction.atomic():
            batch = list(
                due.select_for_update(skip_locked=True, of=("self",))
                .select_related("organization")
                .defer("document", "results", "evidence")
                .order_by("mail_due_at", "pk")[:MAIL_BATCH]
            )
            _attach_for_mail(batch)
            done: list[int] = []
            # One connection to the mail server for the batch (SMTP: one login, not one per mail); each mail is
            # still handed over on its own, so a failure leaves exactly the ones not sent due.
            connection = get_connection()
            try:
                if batch:
                    connection.open()  # held open: a backend opens and closes one per message otherwise
                for credential in batch:
                    try:
                        _send_claim_mail(credential, connection)
                    except Exception as exc:
                        failure = exc
                        break
                    done.append(credential.pk)
            finally:
                try:
                    connection.close()
                except Exception:
                    logger.warning("Could not close the mail connection", exc_info=True)
                # Cleared in this transaction, with the rows still locked: the mail sent is never sent again.
                Credential.objects.filter(pk__in=done).update(mail_due_at=None)
            sent += len(done)
        if failure is not None:
            raise failure
        if len(batch) < MAIL_BATCH:
            return sent


def sweep(*, queue: str | None = None, mail_grace: timedelta = MAIL_GRACE) -> SweepReport:
    """One pass over everything above; each part runs even when another fails (and says why)."""
    from credstack.awards.bulk import resume_abandoned
    from credstack.awards.receivers import queue_pending_assessments

    report = SweepReport()
    try:
        report.resumed_runs = resume_abandoned(queue=queue)
    except Exception as exc:
        logger.exception("Sweep: could not look for bulk awards to resume")
        report.problems.append(f"bulk runs: {exc}")
    try:
        report.queued_passes = queue_pending_assessments(queue=queue)
    except Exception as exc:
        logger.exception("Sweep: could not queue pending assessment passes")
        report.problems.append(f"assessment passes: {exc}")
    try:
        from credstack.assessment.uploads import sweep_abandoned_uploads

        report.abandoned_uploads = sweep_abandoned_uploads()
    except Exception as exc:
        logger.exception("Sweep: could not delete abandoned evidence uploads")
        report.problems.append(f"evidence uploads: {exc}")
    try:
        report.mails_sent = send_due_mails(older_than=mail_grace)
    except Exception as exc:
        logger.warning("Sweep: claim mail could not be sent (%s); the next sweep tries again", exc)
        report.problems.append(f"claim mail: {exc}")
    if report.resumed_runs or report.queued_passes or report.mails_sent or report.abandoned_uploads:
        logger.info(
            "Sweep: resumed bulk awards %s, queued %d pending passes, sent %d claim mails, deleted %d abandoned "
            "uploads",
            report.resumed_runs,
            len(report.queued_passes),
            report.mails_sent,
            report.abandoned_uploads,
        )
    return report
