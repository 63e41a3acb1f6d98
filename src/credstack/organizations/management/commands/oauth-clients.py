"""``credstack oauth-clients``: list, create and revoke an organization's OAuth 2.0 clients."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from credstack.awards.management.commands._common import organization, unusable
from credstack.organizations import actions
from credstack.organizations.models import OAuthClient


class Command(BaseCommand):
    help = (
        "OAuth 2.0 clients (client credentials grant at /oauth/token): list (--org), --create NAME "
        "(prints the secret once) or --revoke CLIENT_ID."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="The organization (slug).")
        parser.add_argument("--create", metavar="NAME", help="Create a client; its secret is printed once.")
        parser.add_argument("--revoke", metavar="CLIENT_ID", help="Revoke a client; its tokens stop working.")

    def handle(self, *args: Any, **options: Any) -> None:
        org = organization(options["org"])
        if options["create"] is not None:
            if not options["create"].strip():
                raise CommandError("Give the client a name: --create NAME.", returncode=2)
            try:
                client, secret = actions.do_create_oauth_client(
                    organization=org, name=options["create"].strip(), actor=None
                )
            except ValidationError as exc:
                raise unusable(exc) from exc
            self.stdout.write(f"client_id      {client.client_id}")
            self.stdout.write(f"client_secret  {secret}")
            self.stdout.write(f"token endpoint {settings.CREDSTACK_BASE_URL}/oauth/token  scope {client.scopes}")
            self.stderr.write("The secret is not stored: keep it now.")
            return
        if options["revoke"]:
            live = OAuthClient.objects.filter(
                organization=org, client_id=options["revoke"], revoked_at__isnull=True
            ).first()
            if live is None:
                raise CommandError(f"{org.slug} has no live OAuth client {options['revoke']!r}.", returncode=2)
            actions.do_revoke_oauth_client(client=live, actor=None)
            self.stdout.write(f"Revoked {live.client_id}; its tokens no longer work.")
            return
        for client in OAuthClient.objects.filter(organization=org).order_by("created_at"):
            state = "revoked" if client.revoked_at else "live"
            last = f"{client.last_token_at:%Y-%m-%d %H:%M}" if client.last_token_at else "never"
            self.stdout.write(f"{state:<8} {client.client_id}  {client.scopes}  last token {last}  {client.name}")
