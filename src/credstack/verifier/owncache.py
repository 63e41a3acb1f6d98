"""This platform's own DID documents and status lists, kept in-process while the rows behind them are unchanged.

Every verification of a platform credential reads the issuer's DID document (twice: for the credential and for
its status list credential) and a status list. Calling their views in-process costs the URL resolution, the
view's queries and a JSON rendering each time, most of what verifying costs. This cache keeps the answer of
those two views (body and content type, exactly as served) with a *stamp*: a small query over the rows the
document is made of. Each fetch reads the stamp first and serves the kept answer only when the stamp is the one
it was kept with, so a revocation (a status list's ``updated_at`` moves in the transaction that flips the bit)
or a key rotation or retirement (the key rows change) is seen by the very next verification, in every worker
process, with no message between processes. The stamp is read before the view runs, so an answer is never
kept under a stamp older than itself: a write in between only makes the next fetch read the view again.

Writes in this process also empty the cache (``post_save``/``post_delete`` of the rows, a changed setting), so
that tests that roll back and re-create rows with the same keys and times never see an earlier test's answer.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.urls import ResolverMatch, resolve

from credstack.vc.fetch import FetchResult

#: Entries kept at most; past it the cache starts over (an organization has a few lists and one DID document).
MAX_ENTRIES = 512


# The stamp is read on every verification, and compiling an ORM query costs more than running it: each query is
# compiled once, by the ORM, with placeholder values, and then run with each fetch's values in their places.
_SLUG, _NUMBER = "-", 0


@functools.cache
def _compiled(name: str) -> tuple[str, tuple[Any, ...]]:
    from credstack.awards.models import StatusList
    from credstack.signing.models import SigningKey

    query: Any
    if name == "did_document":
        query = (
            SigningKey.objects.filter(organization__slug=_SLUG)
            .order_by("pk")
            .values_list(
                "pk",
                "public_key_multibase",
                "state",
                "revoked_at",
                "organization_id",
                "organization__did_method",
                "organization__did_key",
            )
        )
    else:
        query = (
            StatusList.objects.filter(organization__slug=_SLUG, number=_NUMBER)
            .order_by()
            .values_list("pk", "organization_id", "updated_at")
        )
    sql, placeholders = query.query.sql_with_params()
    return str(sql), tuple(placeholders)


def _stamp_rows(name: str, values: dict[Any, Any]) -> list[tuple[Any, ...]]:
    from django.db import connection

    sql, placeholders = _compiled(name)
    with connection.cursor() as cursor:
        cursor.execute(sql, [values[p] for p in placeholders])
        return [tuple(row) for row in cursor.fetchall()]


def _did_document_stamp(kwargs: dict[str, Any]) -> Hashable | None:
    """The organization's did:web settings and every key's id, public key, state and revocation date."""
    rows = tuple(_stamp_rows("did_document", {_SLUG: kwargs["org_slug"]}))
    # No key: the document is nearly empty and cheap; not kept (nothing would tell its organization apart).
    return rows or None


def _status_list_stamp(kwargs: dict[str, Any]) -> Hashable | None:
    """The list's row and ``updated_at``, which moves in the transaction that flips a bit or re-signs the list."""
    rows = _stamp_rows("status_list", {_SLUG: kwargs["org_slug"], _NUMBER: kwargs["number"]})
    return rows[0] if rows else None


#: View name -> how to read the stamp of the rows its document is made of (from the URL's keyword arguments).
STAMPS: dict[str, Callable[[dict[str, Any]], Hashable | None]] = {
    "signing:did_document": _did_document_stamp,
    "awards:status_list": _status_list_stamp,
}

_entries: dict[Hashable, tuple[Hashable, FetchResult]] = {}
_lock = threading.Lock()


def clear() -> None:
    with _lock:
        _entries.clear()
    resolve_path.cache_clear()


@functools.lru_cache(maxsize=1024)
def resolve_path(path: str) -> ResolverMatch:
    """``django.urls.resolve``, remembered: the URL configuration is fixed while the process runs (a test that
    swaps it changes a setting, which empties this). Raises ``Resolver404`` as ``resolve`` does."""
    return resolve(path)


def cacheable(view_name: str) -> bool:
    return view_name in STAMPS


def fetch(
    view_name: str, kwargs: dict[str, Any], url: str, accept: str, run_view: Callable[[], FetchResult]
) -> FetchResult:
    """The view's answer for ``url``: kept, when the rows behind it are unchanged; else the view's, then kept."""
    stamp = STAMPS[view_name](kwargs)
    if stamp is None:
        return run_view()
    key = (settings.CREDSTACK_BASE_URL, url, accept)
    kept = _entries.get(key)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    result = run_view()
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[key] = (stamp, result)
    return result


def _on_change(**_: Any) -> None:
    clear()


def connect_signals() -> None:
    """Empty the cache on any write to the rows (in this process) and when a setting changes (tests)."""
    from django.core.signals import setting_changed
    from django.db.models.signals import post_delete, post_save

    from credstack.awards.models import StatusList
    from credstack.organizations.models import Organization
    from credstack.signing.models import SigningKey

    for model in (StatusList, SigningKey, Organization):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"owncache-save-{model.__name__}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"owncache-delete-{model.__name__}")
    setting_changed.connect(_on_change, dispatch_uid="owncache-settings")
