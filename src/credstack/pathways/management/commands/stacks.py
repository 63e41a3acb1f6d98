"""``credstack stacks --org SLUG``: list an organization's stacks; ``--create FILE.json``, ``--publish SLUG``,
``--retire SLUG``, or ``--evaluate SLUG`` (award the stack now to everyone who completed it, e.g. after a bulk
import)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from pydantic import ValidationError as PydanticValidationError

from credstack.awards.management.commands._common import organization, unusable
from credstack.organizations.models import Organization
from credstack.pathways import actions
from credstack.pathways.api import StackIn
from credstack.pathways.models import Stack, StackAward, StackStatus


def _stack(org: Organization, slug: str) -> Stack:
    found = Stack.objects.select_related("organization").filter(organization=org, slug=slug).first()
    if found is None:
        known = ", ".join(Stack.objects.filter(organization=org).order_by("slug").values_list("slug", flat=True))
        raise CommandError(f"{org.slug} has no stack {slug!r} (known: {known or 'none'}).", returncode=2)
    return found


def _definition(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"{path}: cannot be read ({exc.strerror or exc}).", returncode=2)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"{path}: not a JSON file ({exc}).", returncode=2)
    if not isinstance(data, dict):
        raise CommandError(
            f"{path}: expected a JSON object with name, summary and micro_credentials (a list of slugs).",
            returncode=2,
        )
    try:
        return StackIn.model_validate(data).dict()  # the API's body: the same fields, the same types
    except PydanticValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors())
        raise CommandError(f"{path}: {problems}.", returncode=2)


class Command(BaseCommand):
    help = (
        "Stacks of an organization: list them, or --create FILE.json (a draft), --publish, --retire or "
        "--evaluate SLUG (award it now to everyone who has completed it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="The organization (slug).")
        step = parser.add_mutually_exclusive_group()
        step.add_argument(
            "--create",
            metavar="FILE.json",
            help="Define a draft: name, slug, summary, criteria_narrative, achievement_type, "
            "micro_credentials (slugs), required_count, validity_months.",
        )
        step.add_argument("--publish", metavar="SLUG", help="Publish a draft stack.")
        step.add_argument("--retire", metavar="SLUG", help="Retire a published stack (its awards stand).")
        step.add_argument("--evaluate", metavar="SLUG", help="Award a published stack to everyone who completed it.")

    def handle(self, *args: Any, **options: Any) -> None:
        org = organization(options["org"])
        try:
            if options["create"]:
                stack = actions.do_create_stack(organization=org, data=_definition(options["create"]), actor=None)
                self.stdout.write(f"Draft stack {stack} saved: {actions.rule_text(stack)}")
            elif options["publish"]:
                stack = actions.do_publish_stack(stack=_stack(org, options["publish"]), actor=None)
                self.stdout.write(f"Published {stack}; learners who already completed it are awarded it.")
            elif options["retire"]:
                stack = actions.do_retire_stack(stack=_stack(org, options["retire"]), actor=None)
                self.stdout.write(f"Retired {stack}; the credentials already awarded stand.")
            elif options["evaluate"]:
                self._evaluate(_stack(org, options["evaluate"]))
            else:
                self._list(org)
        except ValidationError as exc:
            raise unusable(exc)

    def _evaluate(self, stack: Stack) -> None:
        if stack.status != StackStatus.PUBLISHED:
            raise CommandError(f"Only a published stack awards credentials; {stack} is {stack.status}.", returncode=2)
        awarded = actions.do_evaluate_stacks(credentials=actions.holders_of(stack))
        mine = StackAward.objects.filter(stack=stack, credential__in=awarded).count()
        others = f" (and {len(awarded) - mine} of other stacks these learners completed)" if len(awarded) > mine else ""
        self.stdout.write(f"{stack}: {mine} stack credential(s) awarded{others}.")

    def _list(self, org: Organization) -> None:
        stacks = (
            Stack.objects.filter(organization=org)
            .annotate(total=Count("stack_requirements", distinct=True), awarded=Count("awards", distinct=True))
            .order_by("status", "slug")
        )
        if not stacks:
            self.stdout.write(f"{org.slug} has no stacks yet; define one with --create FILE.json.")
        for s in stacks:
            needed = s.needed_of(s.total)
            self.stdout.write(f"{s.status:<10} {s.slug:<40} {needed}/{s.total:<4} {s.awarded:>6} awarded  {s.name}")
