"""Organizations are the issuers: their Open Badges profile, their members and roles.

The issuer profile lives here and only here; signing keys and the organization's DID will hang off
this model (another part of the platform), so that a credential's issuer is always one row.
"""

from __future__ import annotations

import hashlib
import urllib.parse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from credstack.core.inputs import web_url_message


def hash_secret(raw: str) -> str:
    """The sha256 (hex) under which a key, client secret or access token is stored. The raw values are
    256-bit random strings, so a plain hash (no salt, no stretching) cannot be reversed."""
    return hashlib.sha256(raw.encode()).hexdigest()


class Organization(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    url = models.URLField("website", blank=True)
    email = models.EmailField("contact email", blank=True)
    description = models.TextField(blank=True)
    image = models.ImageField(upload_to="issuers/", blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    turnaround_days = models.PositiveSmallIntegerField(
        default=14, help_text="Target number of days between a submission and its review."
    )
    second_review = models.CharField(
        max_length=20,
        default="none",
        choices=[
            ("none", "No second review"),
            ("passes", "Second review of every pass"),
            ("sample", "Second review of a random sample of passes"),
        ],
        help_text="Whether a pass needs a second, independent assessor.",
    )
    second_review_sample_percent = models.PositiveSmallIntegerField(
        default=20, help_text="With a sampled second review: the share of passes sampled, in percent."
    )
    publish_suspension = models.BooleanField(
        "publish suspension in credentials",
        default=False,
        help_text=(
            "Unticked (the default): one status entry, revocation only — the single object the Open Badges 3.0 "
            "schema requires, so 1EdTech's validator and every strict OB 3.0 verifier accept the credentials; a "
            "suspension then shows only on this platform. Ticked: credentials carry two entries, revocation and "
            "suspension (the VC 2.0 list form), so verifiers anywhere see a suspension, but validators that apply "
            "the OB 3.0 schema reject them. Applies to credentials issued from now on."
        ),
    )
    did_method = models.CharField(
        "issuer identity",
        max_length=8,
        default="web",
        choices=[
            ("web", "did:web on this platform (keys can be rotated and retired)"),
            ("key", "did:key (the key is the identity: it can never be rotated or retired)"),
        ],
        help_text=(
            "did:web (the default): verifiers read the organization's keys from this platform, so a key can be "
            "rotated, and a leaked one retired so that what it signed stops verifying. did:key: the identity is the "
            "public key itself, which any verifier resolves offline (some test suites and wallets know only "
            "did:key), but it can never be rotated or retired: if the key leaks, the identity is lost. Chosen "
            "before the first credential; it cannot change afterwards."
        ),
    )
    did_key = models.CharField(max_length=120, blank=True, default="", editable=False)
    """With ``did_method == "key"``: the did:key of the organization's one signing key, bound on first use."""
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def clean(self) -> None:
        # The website goes into every credential's issuer profile: the builders' URL rule applies here too.
        if self.url:
            message = web_url_message(self.url, max_length=200, label="The website")
            if message is not None:
                raise ValidationError({"url": [message]})

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:profile", args=[self.slug])

    @property
    def issuer_id(self) -> str:
        """The issuer's public id: its did:web, whose DID document (``…/issuers/<slug>/did.json``) lists its keys;
        or, for an organization that chose did:key, the did:key of its signing key once it has one."""
        if self.did_method == "key" and self.did_key:
            return self.did_key
        return platform_did_web("issuers", self.slug)

    @property
    def profile_url(self) -> str:
        """Where the issuer's Open Badges Profile document is served (its ``id`` is :attr:`issuer_id`)."""
        return settings.CREDSTACK_BASE_URL + reverse("organizations:issuer_json", args=[self.slug])


def platform_did_web(*path: str) -> str:
    """The did:web DID of a path on the platform's public origin (``CREDSTACK_BASE_URL``).

    ``https://badges.example.org`` + ``issuers/x`` gives ``did:web:badges.example.org:issuers:x``; a port is
    percent-encoded (``127.0.0.1%3A8000``) as did:web requires. did:web always resolves over https, so a
    development base URL on plain http yields a DID only the platform itself resolves (through
    ``credstack.awards.local.LocalFetcher``).
    """
    base = urllib.parse.urlsplit(settings.CREDSTACK_BASE_URL)
    parts = [urllib.parse.quote(p, safe="") for p in base.path.split("/") if p] + list(path)
    return ":".join(["did:web", base.netloc.replace(":", "%3A"), *parts])


def in_platform_space(iri: str) -> bool:
    """Whether ``iri`` names something on this platform: a URL on ``CREDSTACK_BASE_URL``'s host (any scheme,
    port or letter case) under its path, or a did:web DID of that host.

    Only the platform mints such ids (credential pages, issuer profiles, status lists); a caller who sends
    one would make a credential look like another organization's, or like one the platform made.
    """
    base = urllib.parse.urlsplit(settings.CREDSTACK_BASE_URL)
    text = urllib.parse.unquote(iri.strip()).lower()
    if text.startswith("did:web:"):
        return text.removeprefix("did:web:").split(":", 1)[0] == base.hostname  # an unquoted port follows a ':'

    try:
        parts = urllib.parse.urlsplit(text)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or host != base.hostname:
        return False
    base_path = base.path.rstrip("/").lower()
    return not base_path or parts.path == base_path or parts.path.startswith(base_path + "/")


class Role(models.TextChoices):
    ADMIN = "admin", "Organization admin"
    ASSESSOR = "assessor", "Assessor"


class Membership(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user", "role"], name="unique_membership_role")]
        ordering = ["organization__name", "role"]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.organization}"


class ApiKey(models.Model):
    """A bearer key for integrations; only its sha256 is stored, the key is shown once."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ADMIN)
    # The person the key or client acts as; deleting their account deletes what they made (see creator_may_act).
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(raw: str) -> str:
        return hash_secret(raw)


#: The OAuth 2.0 scopes an organization's client may be granted. ``issue:credentials`` is the W3C VC API's
#: name for signing with ``POST /credentials/issue``.
OAUTH_SCOPES = {"issue:credentials": "Sign credentials as the organization (POST /credentials/issue)"}


class OAuthClient(models.Model):
    """An OAuth 2.0 confidential client of an organization (RFC 6749 client credentials grant).

    Like an API key it acts for the organization alone; unlike one, it trades its secret at
    ``/oauth/token`` for short-lived access tokens, which is what integrations and the W3C test harnesses
    expect. Only the secret's sha256 is stored; the secret is shown once.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="oauth_clients")
    name = models.CharField(max_length=100)
    client_id = models.CharField(max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.CharField(max_length=200, default="issue:credentials", help_text="Space-separated scopes.")
    # The person the key or client acts as; deleting their account deletes what they made (see creator_may_act).
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_token_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class OAuthAccessToken(models.Model):
    """An access token granted to an :class:`OAuthClient`; only its sha256 is stored."""

    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"token of {self.client} until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scope.split())
