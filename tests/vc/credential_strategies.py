"""Hypothesis strategies for the fast-path differential tests (and the benchmark's 10,000-credential run).

OB 3.0 and CLR 2.0 credentials are built with :mod:`credstack.vc.builders` (nested profiles, several evidence
items, results, alignments, rubrics, endorsements, status entries, schemas), then the JSON is bent the ways real
and hostile credentials are: unicode and control characters, numbers of every kind (integers, floats, huge,
negative, integral floats), odd dates, multiple and undefined types, relative and absolute IRIs (and ones only
one of pyld's two tests calls absolute), absolute-IRI properties, undefined properties, nulls, empty and nested
arrays, repeated ids (nodes that merge), embedded signed credentials (the ``proof`` graph container).

A quarter of them are shaped like the credentials the platform issues (:func:`platform_credentials`): rubric
criteria sharing one ``allowedValue`` list, levels, results, alignments, evidence arrays, one or two status
entries, with values from small pools so that look-alike blank nodes are common (RDFC-1.0's N-degree step).
"""

from __future__ import annotations

import copy
import string
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from credstack.vc.builders import (
    Achievement,
    AchievementSubject,
    Alignment,
    Association,
    ClrCredential,
    ClrSubject,
    CredentialSchema,
    Criteria,
    EndorsementCredential,
    EndorsementSubject,
    Evidence,
    IdentityObject,
    Image,
    OpenBadgeCredential,
    Profile,
    Related,
    Result,
    ResultDescription,
    RubricCriterionLevel,
    StatusEntry,
    digest_multibase,
)

TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=20)
NASTY_TEXT = st.one_of(
    TEXT,
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x7F), max_size=12),
    st.sampled_from(["", " ", "\\", '"', "\x00", "\x7f", "a\tb\nc\rd\x0ce\x08f", "\u2028\u2029", "é😀", "<>{}|^`"]),
)
OPTIONAL_TEXT = st.none() | TEXT
SEGMENT = st.text(alphabet=string.ascii_letters + string.digits + "-._~", min_size=1, max_size=8)
IRI = st.one_of(
    st.builds(lambda s: f"https://credstack.example/{s}", SEGMENT),
    st.builds(lambda u: f"urn:uuid:{u}", st.uuids()),
    st.builds(lambda s: f"did:example:{s}", SEGMENT),
    st.sampled_from(["https://credstack.example/shared", "did:example:shared"]),  # repeated ids: nodes merge
)
OPTIONAL_IRI = st.none() | IRI
# relative references and strings the two absolute-IRI tests (safe mode, pyld's RDF conversion) disagree on
ODD_IRI = st.sampled_from(
    [
        "relative/path",
        "#fragment",
        "",
        "1:x",
        "a b:c",
        "http://a b",
        "urn:x\ty",
        "_:b0",
        "@id",
        ":x",
        "https://example.org/<x>",
        "https://example.org/{x}|^`",
        "HTTP://EXAMPLE.ORG/X",
        "mailto:ada@example.org",
        "https://example.org/%20",
        "tag:a,b:c",
        "x+y.z-w:v",
        "https://ünïcode.example/ü",
    ]
)
ZONES = st.builds(timezone, st.timedeltas(min_value=timedelta(hours=-14), max_value=timedelta(hours=14)))
MOMENTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=ZONES)
NUMBERS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(),
    st.sampled_from([0, -0.0, 1.0, 2.5, 1e21, 1e20, 10**21, 10**25, -7, 0.1, 1e-7, 123456789.0, 3]),
)
LANG = st.none() | st.sampled_from(["en", "fr", "de-DE", "zh-Hant-TW"])

images = st.none() | st.builds(Image, IRI, OPTIONAL_TEXT)
alignments = st.lists(
    st.builds(
        Alignment,
        TEXT,
        IRI,
        st.none() | st.sampled_from(["CFItem", "ceasn:Competency", "CTDL", "ext:Skill"]),
        OPTIONAL_TEXT,
        OPTIONAL_TEXT,
        OPTIONAL_TEXT,
    ),
    max_size=3,
).map(tuple)
simple_profiles = st.builds(Profile, id=IRI, name=OPTIONAL_TEXT)
profiles = st.builds(
    Profile,
    id=IRI,
    name=OPTIONAL_TEXT,
    url=OPTIONAL_IRI,
    email=OPTIONAL_TEXT,
    description=OPTIONAL_TEXT,
    image=images,
    parent_org=st.none() | simple_profiles,
)
levels = st.lists(
    st.builds(RubricCriterionLevel, IRI, TEXT, OPTIONAL_TEXT, OPTIONAL_TEXT, OPTIONAL_TEXT, alignments),
    max_size=3,
).map(tuple)
result_descriptions = st.lists(
    st.builds(
        ResultDescription,
        id=IRI,
        name=TEXT,
        result_type=st.sampled_from(["RubricCriterionLevel", "RubricCriterion", "Status", "ext:Stars"]),
        rubric_criterion_level=levels,
        required_level=OPTIONAL_IRI,
        allowed_value=st.lists(TEXT, max_size=3).map(tuple),
        alignment=alignments,
    ),
    max_size=2,
).map(tuple)


def generated_documents(max_examples: int) -> settings:
    """Hypothesis settings for tests over generated credentials: large documents (their health checks off), no
    deadline (the reference path is slow), no example database (runs do not depend on earlier ones)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example, HealthCheck.data_too_large],
    )


@st.composite
def achievements(draw: st.DrawFn) -> Achievement:
    return Achievement(
        id=draw(IRI),
        name=draw(TEXT),
        description=draw(TEXT),
        criteria=draw(st.builds(Criteria, OPTIONAL_TEXT, IRI) | st.builds(Criteria, TEXT, OPTIONAL_IRI)),
        achievement_type=draw(st.none() | st.sampled_from(["MicroCredential", "Badge", "Course", "ext:Micro"])),
        image=draw(images),
        alignment=draw(alignments),
        result_description=draw(result_descriptions),
        related=draw(st.lists(st.builds(Related, IRI, OPTIONAL_TEXT, LANG), max_size=2).map(tuple)),
        credits_available=draw(st.none() | st.floats(min_value=0, max_value=1000)),
        tags=draw(st.lists(TEXT, max_size=3).map(tuple)),
        version=draw(OPTIONAL_TEXT),
        creator=draw(st.none() | profiles),
        in_language=draw(LANG),
    )


@st.composite
def ob3_credentials(draw: st.DrawFn, *, endorsements: bool = True) -> OpenBadgeCredential:
    ach = draw(achievements())
    criteria_ids = [rd.id for rd in ach.result_description] or [draw(IRI)]
    results = draw(
        st.lists(
            st.builds(
                Result,
                st.sampled_from(criteria_ids),
                OPTIONAL_IRI,
                st.none() | st.sampled_from(["Completed", "InProgress", "Failed"]),
                OPTIONAL_TEXT,
                alignments,
            ),
            max_size=3,
        ).map(tuple)
    )
    subject_id = draw(OPTIONAL_IRI)
    emails = draw(st.lists(st.emails(), min_size=0 if subject_id else 1, max_size=2))
    start = draw(st.none() | MOMENTS)
    subject = AchievementSubject(
        achievement=ach,
        id=subject_id,
        identifier=tuple(IdentityObject.for_email(email, draw(st.none() | TEXT)) for email in emails),
        result=results,
        credits_earned=draw(st.none() | st.floats(min_value=0, max_value=1000)),
        activity_start_date=start,
        activity_end_date=None if start is None else start + draw(st.timedeltas(timedelta(0), timedelta(days=400))),
        narrative=draw(OPTIONAL_TEXT),
    )
    evidence = draw(
        st.lists(
            st.builds(
                Evidence,
                id=OPTIONAL_IRI,
                name=OPTIONAL_TEXT,
                description=OPTIONAL_TEXT,
                narrative=OPTIONAL_TEXT,
                genre=OPTIONAL_TEXT,
                audience=OPTIONAL_TEXT,
                digest_multibase=st.none() | st.binary(max_size=32).map(digest_multibase),
            ),
            max_size=3,
        ).map(tuple)
    )
    valid_from = draw(MOMENTS)
    status = draw(
        st.lists(
            st.builds(StatusEntry, st.sampled_from(["revocation", "suspension"]), st.integers(0, 2**20), IRI),
            max_size=1,
        ).map(tuple)
    )
    endorsement: tuple[EndorsementCredential, ...] = ()
    if endorsements:
        endorsement = draw(
            st.lists(
                st.builds(
                    EndorsementCredential,
                    id=IRI,
                    issuer=simple_profiles,
                    valid_from=MOMENTS,
                    name=TEXT,
                    credential_subject=st.builds(EndorsementSubject, IRI, OPTIONAL_TEXT),
                    description=OPTIONAL_TEXT,
                ),
                max_size=2,
            ).map(tuple)
        )
    return OpenBadgeCredential(
        id=draw(IRI),
        issuer=draw(profiles),
        valid_from=valid_from,
        credential_subject=subject,
        name=draw(OPTIONAL_TEXT),
        description=draw(OPTIONAL_TEXT),
        valid_until=None if not draw(st.booleans()) else valid_from + timedelta(days=draw(st.integers(1, 3650))),
        awarded_date=draw(st.none() | MOMENTS),
        image=draw(images),
        evidence=evidence,
        credential_status=status,
        credential_schema=draw(st.sampled_from([(), (CredentialSchema(),)])),
        endorsement=endorsement,
        credential_type=draw(st.sampled_from(["OpenBadgeCredential", "AchievementCredential"])),
    )


# a proof as an embedded signed credential carries it (fixed, so generation stays cheap)
EMBEDDED_PROOF = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2026-03-01T09:30:00Z",
    "verificationMethod": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#"
    "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "proofPurpose": "assertionMethod",
    "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKiZbgPdBjxoutZhbQ",
}


@st.composite
def clr_credentials(draw: st.DrawFn) -> dict[str, Any]:
    inner: list[dict[str, Any]] = []
    for built in draw(st.lists(ob3_credentials(endorsements=False), min_size=1, max_size=2)):
        doc = built.to_json()
        if draw(st.booleans()):
            doc["proof"] = dict(EMBEDDED_PROOF)
        inner.append(doc)
    ach_ids = [doc["credentialSubject"]["achievement"]["id"] for doc in inner]
    associations = draw(
        st.lists(
            st.builds(
                Association,
                st.sampled_from(["isChildOf", "isParentOf", "precedes"]),
                st.sampled_from(ach_ids),
                st.sampled_from(ach_ids),
            ),
            max_size=2,
        ).map(tuple)
    )
    subject_id = draw(OPTIONAL_IRI)
    clr = ClrCredential(
        id=draw(IRI),
        issuer=draw(profiles),
        valid_from=draw(MOMENTS),
        name=draw(TEXT),
        credential_subject=ClrSubject(
            verifiable_credential=tuple(inner),
            id=subject_id,
            identifier=() if subject_id else (IdentityObject.for_email("ada@example.org", draw(TEXT)),),
            achievement=tuple(draw(st.lists(achievements(), max_size=1))),
            association=associations,
        ),
        description=draw(OPTIONAL_TEXT),
        partial=draw(st.none() | st.booleans()),
        credential_schema=draw(st.sampled_from([(), (CredentialSchema(),)])),
    )
    return clr.to_json()


# --- shaped like the platform's own credentials (credstack.awards.documents.build) ---------------------------
#
# Rubric criteria that carry the same allowedValue list (an RDF list each: blank nodes whose first-degree hashes
# collide), their levels, a result per criterion, alignments, evidence arrays and several status entries. Values
# come from small pools, so look-alike blank nodes (the same alignment twice, evidence without an id, equal
# results) are common: the N-degree step of RDFC-1.0, ties between permutations included, runs on most of them.

PLATFORM_ORIGIN = "http://127.0.0.1:8000"
LEVEL_NAME_LISTS = st.sampled_from(
    [
        ("Not yet", "Developing", "Proficient", "Exemplary"),
        ("Beginning", "Emerging", "Meets"),
        ("Not yet", "Proficient"),
        ("Not yet", "Developing", "Proficient", "Exemplary", "Exemplary"),  # a name twice in one list
        ("Pass",),
        ("Emerging", "Developing", "Proficient", "Advanced", "Expert", "Leader"),
    ]
)
POOL_TEXT = st.sampled_from(["Evidence", "Portfolio", "Lesson plan", "", "Plain-text summary.", 'é😀\n"x"'])
POOL_ALIGNMENTS = st.sampled_from(
    [
        Alignment("Scientific explanation", "https://example.org/framework/sci-2", "ceasn:Competency", "SCI.2"),
        Alignment("Feedback that moves learning", "https://example.org/framework/necf-3-2", "CFItem", "NECF-3.2"),
        Alignment("Scientific explanation", "https://example.org/framework/sci-2"),
        Alignment("Same", "https://example.org/same", "ext:Skill"),
    ]
)
pool_alignments = st.lists(POOL_ALIGNMENTS, max_size=3).map(tuple)


@st.composite
def platform_credentials(draw: st.DrawFn) -> dict[str, Any]:
    org = draw(st.sampled_from(["northfield-usd", "lakeside-teacher-institute"]))
    slug = draw(st.sampled_from(["claim-evidence-reasoning", "number-talks"]))
    aid = f"{PLATFORM_ORIGIN}/catalog/{org}/{slug}/v{draw(st.integers(1, 3))}/achievement.json"
    shared = draw(LEVEL_NAME_LISTS)
    rubric: list[ResultDescription] = []
    results: list[Result] = []
    for number in range(draw(st.integers(0, 5))):
        key = f"c{number}" if draw(st.integers(0, 9)) else "c0"  # now and then a criterion id twice: nodes merge
        names = shared if draw(st.integers(0, 4)) else draw(LEVEL_NAME_LISTS)
        levels = tuple(
            RubricCriterionLevel(
                id=f"{aid}#criterion-{key}-level-{index}",
                name=name,
                description=draw(st.none() | POOL_TEXT),
                points=str(index),
                alignment=draw(st.just(()) | pool_alignments),
            )
            for index, name in enumerate(names)
        )
        rubric.append(
            ResultDescription(
                id=f"{aid}#criterion-{key}",
                name=draw(st.sampled_from(["Scaffold design", "Student work", "Feedback"])),
                result_type="RubricCriterionLevel",
                rubric_criterion_level=levels,
                required_level=f"{aid}#criterion-{key}-level-{len(names) // 2}",
                allowed_value=names,
                alignment=draw(st.just(()) | pool_alignments),
            )
        )
        if draw(st.integers(0, 5)):
            achieved = draw(st.integers(0, len(names) - 1))
            results.append(
                Result(
                    f"{aid}#criterion-{key}",
                    achieved_level=draw(st.sampled_from([f"{aid}#criterion-{key}-level-{achieved}", None])),
                    status=draw(st.none() | st.sampled_from(["Completed"])),
                    alignment=draw(st.just(()) | pool_alignments),
                )
            )
    issuer_id = f"did:web:127.0.0.1%3A8000:issuers:{org}"
    achievement = Achievement(
        id=aid,
        name=draw(POOL_TEXT),
        description=draw(POOL_TEXT),
        criteria=Criteria(narrative=draw(POOL_TEXT), id=f"{PLATFORM_ORIGIN}/catalog/{org}/{slug}/?version=1"),
        achievement_type=draw(st.sampled_from(["MicroCredential", "ext:CourseCredential"])),
        image=draw(st.none() | st.just(Image(f"{PLATFORM_ORIGIN}/media/{slug}.png", "Badge"))),
        alignment=draw(pool_alignments),
        result_description=tuple(rubric),
        credits_available=draw(st.none() | st.sampled_from([1.0, 0.9, 2.5])),
        tags=draw(st.lists(st.sampled_from(["science", "writing", "science"]), max_size=3).map(tuple)),
        version=draw(st.none() | st.just("1")),
        creator=Profile(id=issuer_id, name="Northfield"),
    )
    public_id = draw(st.uuids())
    evidence = tuple(
        Evidence(
            id=draw(
                st.none()
                | st.just(f"{PLATFORM_ORIGIN}/credentials/{public_id}/evidence/1")
                | st.builds(lambda n: f"{PLATFORM_ORIGIN}/credentials/{public_id}/evidence/{n}", st.integers(1, 4))
            ),
            name=draw(st.none() | POOL_TEXT),
            description=draw(st.none() | POOL_TEXT),
            narrative=draw(st.none() | POOL_TEXT),
            genre=draw(st.none() | st.just("Report")),
            digest_multibase=draw(st.none() | st.sampled_from([b"", b"report"]).map(digest_multibase)),
        )
        for _ in range(draw(st.integers(0, 4)))
    )
    identifiers = [IdentityObject.for_email("learner@example.org", draw(st.sampled_from(["00" * 16, "5d2f"])))]
    if draw(st.booleans()):
        identifiers.append(IdentityObject(identity_hash="Taylor Teacher", identity_type="name", hashed=False))
    index = draw(st.integers(0, 2**17))
    lists = f"{PLATFORM_ORIGIN}/issuers/{org}/status/{draw(st.integers(1, 2))}"
    status = [StatusEntry("revocation", index, f"{lists}/revocation")]
    if draw(st.booleans()):
        status.append(StatusEntry("suspension", index, f"{lists}/suspension"))
    awarded = draw(MOMENTS)
    credential = OpenBadgeCredential(
        id=f"{PLATFORM_ORIGIN}/credentials/{public_id}",
        issuer=Profile(
            id=issuer_id,
            name="Northfield Unified School District (demo)",
            url="https://example.org/northfield",
            email=draw(st.none() | st.just("learning@example.org")),
            description=draw(st.none() | POOL_TEXT),
            parent_org=draw(st.none() | st.just(Profile(id="did:web:127.0.0.1%3A8000:issuers:state", name="State"))),
        ),
        valid_from=awarded,
        valid_until=None if draw(st.booleans()) else awarded + timedelta(days=3 * 365),
        awarded_date=awarded,
        name=achievement.name,
        description=achievement.description,
        image=achievement.image,
        credential_subject=AchievementSubject(
            achievement=achievement,
            id=draw(st.none() | st.just("did:example:learner")),
            identifier=tuple(identifiers),
            result=tuple(results),
            credits_earned=achievement.credits_available,
        ),
        evidence=evidence,
        credential_status=tuple(status),
    )
    return credential.to_json(allow_status_array=True)


# --- JSON-level mutations ------------------------------------------------------------------------------------

# terms defined somewhere in the bundled contexts (often not where they get put), undefined ones, absolute IRIs
KEYS = st.sampled_from(
    [
        "name",
        "description",
        "narrative",
        "image",
        "id",
        "type",
        "creditsEarned",
        "creditsAvailable",
        "hashed",
        "salt",
        "achievementType",
        "targetUrl",
        "validFrom",
        "statusListIndex",
        "fieldOfStudy",
        "tag",
        "partial",
        "endorsementComment",
        "activityStartDate",
        "url",
        "email",
        "allowedValue",
        "digestMultibase",
        "https://example.org/vocab#extra",
        "undefinedTerm",
        "ex:foo",
        "mailto:x",
        "@id",
    ]
)
SCALARS = st.one_of(NASTY_TEXT, IRI, ODD_IRI, NUMBERS, st.booleans(), st.none(), MOMENTS.map(lambda m: m.isoformat()))
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.builds(lambda i, n: {"id": i, "name": n}, IRI | ODD_IRI, TEXT),
    st.lists(st.lists(SCALARS, max_size=2), max_size=2),
)
TYPES = st.sampled_from(
    [
        "Profile",
        "Achievement",
        "Evidence",
        "Result",
        "AchievementCredential",
        "EndorsementCredential",
        "UndefinedType",
        "https://example.org/Type",
        "VerifiableCredential",
        "Image",
        "ClrCredential",
        "ex:T",
    ]
)


def _positions(node: Any, out: list[tuple[Any, Any]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "@context":
                out.append((node, key))
                _positions(value, out)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.append((node, index))
            _positions(value, out)


def _objects(node: Any, out: list[dict[str, Any]]) -> None:
    if isinstance(node, dict):
        out.append(node)
        for key, value in node.items():
            if key != "@context":
                _objects(value, out)
    elif isinstance(node, list):
        for value in node:
            _objects(value, out)


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    """A credential from ``base`` with 0–3 mutations (none about a third of the time)."""
    doc = copy.deepcopy(draw(base))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]))):
        kind = draw(st.sampled_from(["replace", "add", "type", "id", "number", "text"]))
        positions: list[tuple[Any, Any]] = []
        _positions(doc, positions)
        objects: list[dict[str, Any]] = []
        _objects(doc, objects)
        if kind == "replace" and positions:
            parent, key = draw(st.sampled_from(positions))
            parent[key] = draw(VALUES)
        elif kind == "add":
            target = draw(st.sampled_from(objects))
            target[draw(KEYS)] = draw(VALUES)
        elif kind == "type":
            target = draw(st.sampled_from(objects))
            current = target.get("type")
            extra = draw(st.lists(TYPES, min_size=1, max_size=2))
            # a type an earlier mutation replaced may be any value: keep it beside the new ones
            before = current if isinstance(current, list) else [] if current is None else [current]
            target["type"] = before + extra
        elif kind == "id":
            target = draw(st.sampled_from(objects))
            target["id"] = draw(IRI | ODD_IRI)
        elif kind == "number":
            target = draw(st.sampled_from(objects))
            target[draw(st.sampled_from(["creditsEarned", "creditsAvailable", "statusListIndex", "ttl", "hashed"]))] = (
                draw(NUMBERS | st.booleans())
            )
        elif kind == "text":
            target = draw(st.sampled_from(objects))
            target[draw(st.sampled_from(["name", "description", "narrative"]))] = draw(NASTY_TEXT)
    return doc


ob3_documents = ob3_credentials().map(lambda built: built.to_json())
platform_documents = platform_credentials()
credential_documents = mutated(st.one_of(ob3_documents, ob3_documents, clr_credentials(), platform_documents))
