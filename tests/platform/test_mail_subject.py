"""Claim mail built with the subject encoded once per subject is byte for byte what ``send_mail`` builds."""

from __future__ import annotations

import pytest
from django.core.mail import BadHeaderError, EmailMultiAlternatives

from credstack.core.mail import SameSubjectMail, encoded_subject

SUBJECTS = [
    "Plain ASCII subject",
    "You have earned “Checks for Understanding” from Northfield Unified School District",
    "Ünïcödé " + "a very long subject that folds over more than one line of the header " * 3,
    "Short ✓",
]


def wire(message: EmailMultiAlternatives) -> bytes:
    built = message.message()
    for name in ("Message-ID", "Date"):
        built.replace_header(name, "-")
    return bytes(built.as_bytes())


@pytest.mark.parametrize("subject", SUBJECTS)
def test_the_message_bytes_are_djangos(subject: str) -> None:
    body = "Hello Lee,\n\nCongratulations — “your credential” is ready.\n\nhttps://example.org/c/1\n"
    for _ in range(2):  # the second one takes the kept encoding
        ours = SameSubjectMail(subject, body, "from@example.org", ["lee@example.org"])
        django = EmailMultiAlternatives(subject, body, "from@example.org", ["lee@example.org"])
        assert wire(ours) == wire(django)
    assert encoded_subject.cache_info().hits >= 1


def test_a_subject_with_a_newline_is_still_refused() -> None:
    with pytest.raises(BadHeaderError):
        SameSubjectMail("Hello\nBcc: x@example.org", "body", "from@example.org", ["lee@example.org"]).message()
