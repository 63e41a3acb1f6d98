"""One rule for URLs and texts at every door (issue 12, points 2, 10 and 13).

- A URL the credential builders refuse is refused where it comes in: the award form, the API, ``credstack award``,
  a bulk file's row (evidence URL); the issuer profile's website; a definition's alignment URL.
- Anything the doors accept, the builders accept (hypothesis).
- NUL and lone surrogates are refused once, by a middleware, with a 400 page or problem details (PostgreSQL
  cannot store them); binary uploads keep working.
- The command line ends every error with a message and exit code 2, never a traceback.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credstack.awards.models import BulkRow, Credential, RowState
from credstack.catalog.definition import DefinitionError, clean_definition
from credstack.catalog.models import MicroCredentialVersion
from credstack.cli import main as cli_main
from credstack.core.inputs import WebURLField, validate_web_url
from credstack.organizations.actions import do_update_organization_profile
from credstack.organizations.models import Organization
from credstack.vc import builders as b
from tests.platform.conftest import admin_of, client_for, key_client, profile_form

# The characters Django's URLValidator let through that an IRI may not hold (issue 12, point 2).
REFUSED = ['"', "|", "{", "}", "^", "\\", "`"]


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """``credstack.cli.main`` runs commands as the console does, and they close the connections when done; the
    test's own transaction must outlive them."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def _bad_url(char: str) -> str:
    return f"https://example.org/evidence{char}1"


# --- point 2: evidence URLs ----------------------------------------------------------------------------


@pytest.mark.parametrize("char", REFUSED)
def test_evidence_url_the_builder_refuses_is_refused_by_the_award_form(
    published: MicroCredentialVersion, char: str
) -> None:
    org = published.micro_credential.organization
    response = client_for(admin_of(org)).post(
        f"/manage/{org.slug}/credentials/award/",
        {"email": "pat@example.org", "achievement": "cer-lab", "evidence_url": _bad_url(char)},
    )
    assert response.status_code == 400
    assert "The evidence URL may not contain" in response.content.decode()
    assert not Credential.objects.exists()


@pytest.mark.parametrize("char", REFUSED)
def test_evidence_url_the_builder_refuses_is_refused_by_the_api(published: MicroCredentialVersion, char: str) -> None:
    org = published.micro_credential.organization
    response = key_client(org).post(
        f"/api/orgs/{org.slug}/credentials",
        {"email": "pat@example.org", "achievement": "cer-lab", "evidence_url": _bad_url(char)},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "may not contain" in response.json()["errors"]["payload.evidence_url"]
    assert not Credential.objects.exists()


@pytest.mark.parametrize("char", REFUSED)
def test_evidence_url_the_builder_refuses_is_refused_by_the_command_line(
    published: MicroCredentialVersion, char: str, capsys: pytest.CaptureFixture[str]
) -> None:
    org = published.micro_credential.organization
    args = ["award", "--org", org.slug, "--achievement", "cer-lab", "--email", "pat@example.org"]
    with pytest.raises(SystemExit) as exit_:
        cli_main([*args, "--evidence-url", _bad_url(char)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "The evidence URL may not contain" in err and "Traceback" not in err
    assert not Credential.objects.exists()


def test_a_bulk_row_with_such_a_url_is_rejected_and_the_others_are_issued(
    published: MicroCredentialVersion, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    org = published.micro_credential.organization
    rows = ["email,achievement,evidence_url,name"]
    rows += [f"p{i}@example.org,cer-lab,{_bad_url(char)},x" for i, char in enumerate("|{}^`\\")]
    rows += ['q@example.org,cer-lab,"https://example.org/a""b",x', "ok@example.org,cer-lab,https://example.org/ok,x"]
    rows += ["nul@example.org,cer-lab,,a\x00b"]
    path = tmp_path / "awards.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert cli_main(["award-bulk", str(path), "--org", org.slug]) == 0
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    assert "Issued 1," in out.out and "rejected 8" in out.out
    assert list(Credential.objects.values_list("recipient_email", flat=True)) == ["ok@example.org"]
    assert BulkRow.objects.filter(state=RowState.ERROR).count() == 8
    assert BulkRow.objects.get(email="nul@example.org").name == "a\ufffdb"


# --- point 2: the issuer profile's website and an alignment's URL -----------------------------------------


@pytest.mark.parametrize("char", REFUSED)
def test_profile_url_the_builder_refuses_is_refused_by_the_profile_form(org_a: Organization, char: str) -> None:
    posted = profile_form(org_a, url=_bad_url(char))
    response = client_for(admin_of(org_a)).post(f"/manage/{org_a.slug}/profile/", posted)
    assert response.status_code == 400
    assert "The URL may not contain" in response.content.decode()
    org_a.refresh_from_db()
    assert org_a.url == "https://example.org/a"


@pytest.mark.parametrize("char", REFUSED)
def test_profile_url_the_builder_refuses_is_refused_by_the_action(org_a: Organization, char: str) -> None:
    # The action is what the admin site and any command call.
    with pytest.raises(ValidationError) as error:
        do_update_organization_profile(organization=org_a, actor=admin_of(org_a), url=_bad_url(char))
    assert "url" in error.value.message_dict
    org_a.refresh_from_db()
    assert org_a.url == "https://example.org/a"


@pytest.mark.parametrize("char", REFUSED)
def test_alignment_url_the_builder_refuses_is_refused_by_the_definition_rule_and_the_api(
    published: MicroCredentialVersion, definition: dict[str, Any], char: str
) -> None:
    definition["alignments"][0]["target_url"] = _bad_url(char)
    with pytest.raises(DefinitionError) as error:
        clean_definition(definition)  # the editor's, the API's and the catalog import's rule
    assert "may not contain" in error.value.errors_by_path["alignments.0.target_url"]
    org = published.micro_credential.organization
    response = key_client(org).post(
        f"/api/orgs/{org.slug}/microcredentials",
        {**definition, "slug": "new-one"},
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert "target_url" in json.dumps(response.json()["errors"])


@pytest.mark.parametrize("char", REFUSED)
def test_an_evidence_link_the_builder_refuses_is_refused_for_a_submission(
    published: MicroCredentialVersion, make_user: Any, char: str
) -> None:
    from credstack.assessment.actions import do_start_submission

    learner = make_user("learner@example.org")
    submission = do_start_submission(learner=learner, version=published, actor=learner)
    response = client_for(learner).post(
        f"/api/submissions/{submission.pk}/evidence", {"artifact_index": 0, "url": _bad_url(char)}
    )
    assert response.status_code == 400
    assert "may not contain" in response.json()["errors"]["url"]
    assert not submission.evidence.exists()


def test_urls_saved_before_the_rule_are_percent_encoded_into_credentials(published: MicroCredentialVersion) -> None:
    """A website, an alignment URL or an evidence URL stored before the rule no longer makes awards fail."""
    from credstack.awards.actions import do_award_credential
    from credstack.catalog.models import MicroCredentialVersion as Version

    org = published.micro_credential.organization
    Organization.objects.filter(pk=org.pk).update(url='https://example.org/a"b')
    alignments = [{**published.alignments[0], "target_url": "https://example.org/c|d"}]
    Version.objects.filter(pk=published.pk).update(alignments=alignments)
    org.refresh_from_db()
    credential = do_award_credential(
        organization=org, data={"email": "pat@example.org", "achievement": "cer-lab"}, actor=admin_of(org)
    )
    document = credential.document
    assert document["issuer"]["url"] == "https://example.org/a%22b"
    assert document["credentialSubject"]["achievement"]["alignment"][0]["targetUrl"] == "https://example.org/c%7Cd"


def test_a_large_upload_with_nul_in_its_title_is_refused_by_the_action(
    published: MicroCredentialVersion, make_user: Any, settings: Any
) -> None:
    """The guard leaves large API uploads unread (the view's size limits come first); the action checks their texts."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from credstack.assessment.actions import do_start_submission

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    learner = make_user("learner@example.org")
    submission = do_start_submission(learner=learner, version=published, actor=learner)
    pdf = b"%PDF-1.4\n" + b"0" * 5000 + b"\n%%EOF\n"
    response = client_for(learner).post(
        f"/api/submissions/{submission.pk}/evidence",
        {"artifact_index": 0, "title": "a\x00b", "file": SimpleUploadedFile("e.pdf", pdf)},
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["errors"]["title"]
    assert not submission.evidence.exists()


# --- point 2: what the doors accept, the builders accept ---------------------------------------------------

_URLISH = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda scheme, host, separator, rest: scheme + host + separator + rest,
        st.sampled_from(["https://", "http://", "HTTPS://", "https:", "ftp://", "", "https:///"]),
        st.sampled_from(["example.org", "EXAMPLE.org:8443", "[::1]", "127.0.0.1", "bücher.example", "a_b.example"]),
        st.sampled_from(["/", "?", "#", "/a?b=", ":80/", ""]),
        st.text(
            alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Z", "Cc", "Cf", "Co")), max_size=30
        ),
    ),
)


def _door_accepts(value: str) -> str | None:
    """What the form field makes of ``value`` (it may add https://), or None when any door refuses it."""
    try:
        validate_web_url(value)
        cleaned = WebURLField(required=True).clean(value)
    except ValidationError:
        return None
    return str(cleaned)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_URLISH)
def test_anything_the_doors_accept_the_builders_accept(value: str) -> None:
    cleaned = _door_accepts(value)
    if cleaned is None:
        return
    for url in {value, cleaned}:
        b.Evidence(id=url, name="Evidence")
        b.Profile(id="did:web:example.org", name="Org", url=url)
        b.Alignment(target_name="A competency", target_url=url)
        b.Image(id=url)


def test_the_doors_refuse_each_character_the_builders_refuse() -> None:
    for char in [*REFUSED, " ", "\t", "\x00", "\x7f", "\x85", "\u2028", "<", ">"]:
        url = _bad_url(char)
        with pytest.raises(ValueError):
            b.Evidence(id=url, name="Evidence")
        assert _door_accepts(url) is None, repr(char)


# --- point 10: NUL and lone surrogates are refused once ----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/catalog/?q=%00",
        "/catalog/?subject=%00",
        "/catalog/?org=%00",
        "/share/%00",
        "/stacks/?q=a%00",
    ],
)
def test_public_pages_refuse_nul_with_a_readable_400(published: MicroCredentialVersion, path: str) -> None:
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 400
    page = response.content.decode()
    assert "<h1>This request cannot be carried out</h1>" in page and "NUL" in page


@pytest.mark.parametrize(
    "path", ["/api/catalog/microcredentials?org=%00", "/api/catalog/microcredentials?q=%00", "/api/stacks/a%00/b"]
)
def test_the_api_refuses_nul_with_problem_details(published: MicroCredentialVersion, path: str) -> None:
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "NUL" in response.json()["detail"]


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("a\\u0000b", True),
        ("a\\ud800b", True),
        ("\\udc00\\ud800", True),
        ("\\ud83d\\ude00", False),
        ("a\\\\u0000", False),
    ],
)
def test_json_bodies_with_nul_or_a_lone_surrogate_are_refused_and_pairs_are_not(
    published: MicroCredentialVersion, text: str, refused: bool
) -> None:
    org = published.micro_credential.organization
    body = '{"email": "pat@example.org", "achievement": "cer-lab", "name": "' + text + '"}'
    response = key_client(org).post(f"/api/orgs/{org.slug}/credentials", body, content_type="application/json")
    if refused:
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert not Credential.objects.exists()
    else:
        assert response.status_code == 201, response.content
        assert Credential.objects.get().recipient_name == json.loads(f'"{text}"')


_ESCAPE_TOKENS = [
    "\\ud83d",
    "\\ude00",
    "\\\\",
    "u",
    "d800",
    "\\u0000",
    "\\u00e9",
    "a",
    "\\\\u0000",
    "\\uDBFF",
    "\\uDC00",
]


@settings(max_examples=600, deadline=None)
@given(
    st.one_of(
        st.lists(st.sampled_from(_ESCAPE_TOKENS), max_size=12).map(lambda t: '{"k": "' + "".join(t) + '"}'),
        st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F700, exclude_categories=()), max_size=12).map(
            lambda t: json.dumps({"k": [t, {t: 1}]})
        ),
    )
)
def test_the_body_scan_agrees_with_parsing(text: str) -> None:
    """The guard reads escapes from the bytes without parsing: exactly what parsing and checking each text says."""
    from credstack.core.middleware import escape_problem
    from credstack.vc.iri import is_text

    body = text.encode("utf-8")
    stack, bad = [json.loads(body)], False
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            bad = bad or not is_text(item)
        elif isinstance(item, dict):
            bad = bad or not all(is_text(k) for k in item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    assert (escape_problem(body) is not None) == bad, body


def test_the_verify_api_refuses_nul_in_a_credential(published: MicroCredentialVersion) -> None:
    body = json.dumps({"verifiableCredential": {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "a\x00"}})
    response = Client().post("/credentials/verify", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["title"] == "The request holds text that cannot be stored"


def test_a_form_field_with_nul_is_refused_and_nothing_is_saved(org_a: Organization) -> None:
    posted = profile_form(org_a, name="Evil\x00Org")
    response = client_for(admin_of(org_a)).post(f"/manage/{org_a.slug}/profile/", posted)
    assert response.status_code == 400
    assert "field &#x27;name&#x27; contains a NUL character" in response.content.decode()
    org_a.refresh_from_db()
    assert org_a.name == "Org A"


def test_binary_uploads_keep_their_nul_bytes_and_text_fields_beside_them_are_checked(
    published: MicroCredentialVersion,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    org = published.micro_credential.organization
    credential = key_client(org).post(
        f"/api/orgs/{org.slug}/credentials",
        {"email": "pat@example.org", "achievement": "cer-lab"},
        content_type="application/json",
    )
    assert credential.status_code == 201
    png = Client().get(f"/credentials/{credential.json()['public_id']}/badge.png").content
    assert b"\x00" in png
    client = Client(raise_request_exception=False)
    verified = client.post("/credentials/verify/file", {"file": SimpleUploadedFile("badge.png", png)})
    assert verified.status_code == 200, verified.content
    # Django drops a NUL from a file's name; a text field of the same form holding one is refused.
    named = client.post("/credentials/verify/file", {"file": SimpleUploadedFile("bad\x00.png", png)})
    assert named.status_code == 200, named.content
    refused = client.post("/credentials/verify/file", {"file": SimpleUploadedFile("badge.png", png), "note": "a\x00"})
    assert refused.status_code == 400
    assert "field 'note' contains a NUL" in refused.json()["detail"]


def test_a_session_cookie_holding_nul_is_no_session(published: MicroCredentialVersion) -> None:
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    response = client.get("/catalog/")
    assert response.status_code == 200


# --- point 13: the command line ends in a message and exit code 2 -----------------------------------------


def test_an_argument_that_is_not_utf8_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["award", "--org", "x\udcff", "--achievement", "a", "--email", "a@example.org"]) == 2
    err = capsys.readouterr().err
    assert "argument 3 is not valid UTF-8 text" in err and "Traceback" not in err


def test_an_unexpected_error_in_a_command_is_a_message_and_exit_2(
    published: MicroCredentialVersion, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from credstack.awards.management.commands import award

    def broken(self: Any, *args: Any, **options: Any) -> None:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(award.Command, "handle", broken)
    args = ["award", "--org", "org-a", "--achievement", "cer-lab", "--email", "pat@example.org"]
    assert cli_main(args) == 2
    err = capsys.readouterr().err
    assert "award failed: RuntimeError: the disk is on fire" in err and "Traceback" not in err
    with pytest.raises(RuntimeError):
        cli_main([*args, "--traceback"])


@pytest.mark.parametrize(
    ("email", "name", "message"),
    [("not-an-email", "", "is not a valid email address"), ("a@example.org", "x" * 151, "at most 150 characters")],
)
def test_createadmin_refuses_a_bad_email_or_name(
    db: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], email: str, name: str, message: str
) -> None:
    from credstack.accounts.models import User

    monkeypatch.setenv("CREDSTACK_ADMIN_PASSWORD", "a-long-enough-password-2026")
    with pytest.raises(SystemExit) as exit_:
        cli_main(["createadmin", "--email", email, "--name", name, "--no-input"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not User.objects.exists()


def test_a_validation_error_escaping_a_command_is_a_message_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: Any
) -> None:
    from credstack.catalog.management.commands import catalog

    def refusing(self: Any, *args: Any, **options: Any) -> None:
        raise ValidationError({"slug": ["No such slug."]})

    monkeypatch.setattr(catalog.Command, "handle", refusing)
    assert cli_main(["catalog"]) == 2
    assert "credstack: slug: No such slug." in capsys.readouterr().err


def test_datetime_is_aware() -> None:
    # The builders' datetime rule is part of the one rule too: a naive datetime is refused.
    with pytest.raises(ValueError):
        b.format_datetime(datetime(2026, 1, 1))
    assert b.format_datetime(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00Z"


def test_bulk_file_rows_are_checked_with_the_same_rule(published: MicroCredentialVersion) -> None:
    from credstack.awards.bulk import read_rows, validate_rows

    org = published.micro_credential.organization
    data = io.BytesIO(b'email,achievement,evidence_url\na@example.org,cer-lab,"https://e.org/a""b"\n')
    [row] = list(validate_rows(org, read_rows(data)))
    assert row.state == RowState.ERROR and "may not contain" in row.errors["evidence_url"]
