"""Generated odd input on every route, public and staff, never gets a server error (5xx).

The routes come from the app's URL map, so a new route is driven too; one that takes a path
argument must be named in PATH_VALUES with valid values, or this test says it is missing.
FUZZ_EXAMPLES sets the examples per route and role (CI's default keeps the run under a minute);
e.g. `FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/test_no_server_errors.py` for a long run.
"""

from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from plotly.offline import get_plotlyjs_version

from survey.accounts.models import Role
from survey.clock import utcnow
from survey.events.rooms import room_link_for
from survey.extensions import db
from survey.invitations.models import InvitationState
from survey.operations.heartbeat import SchedulerProcess, record_run
from survey.outbox.models import SuppressionKind
from survey.outbox.suppressions import suppress_address
from survey.responding.tokens import Purpose, make_token
from tests import factories
from tests.circles import factories as circles
from tests.circles.action_factories import action as improvement_action
from tests.conftest import csrf_token_in

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
# Examples per route for each kind of visitor, as a share of EXAMPLES.
ROLES = {"admin": 1.0, "manager": 0.5, "anonymous": 0.25}

# What the views read from the query string, and some names nobody reads.
QUERY_NAMES = [
    "page", "q", "manager", "state", "status", "purpose", "recipient", "first", "last", "since",
    "questionnaire", "channel", "next", "lang", "locale", "code", "id", "x",
    "occasion", "period", "group", "adjust", "months", "year", "after", "before",
]  # fmt: skip

SEEN = [
    "\x00", "%00", "\r\n", "\n", "\t", "1e19", "-1", "0", "10000000000000000000",
    "9223372036854775807", "0000-01", "2026-13", "9999-12", "2026-03", "NaN", "inf",
    "/%09/evil.example", "//evil.example", "/\\evil", "\uff0f\uff0fevil", "javascript:alert(1)",
    "localtime", "Factory", "Europe/Amsterdam", "nl", "en", "sent", "pending", "visit",
    "' OR 1=1 --", "<script>alert(1)</script>", "%", "_", "\\", "\ufeff", "\u202e", "😀",
]  # fmt: skip

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
ODD_VALUE = st.one_of(
    st.sampled_from(SEEN),
    TEXT,
    st.integers().map(str),
    st.integers(min_value=2**31 - 2, max_value=2**70).map(str),
    st.floats().map(str),
    st.tuples(st.sampled_from(SEEN[:8] + ["a", "9"]), st.integers(100, 20_000)).map(
        lambda repeat: repeat[0] * repeat[1]
    ),
)
NUMBERS = st.sampled_from(["10000000000000000000", "1e19", "9223372036854775807", "-1", "0", "2"])
MONTHS = st.sampled_from(["0000-01", "2026-13", "1999-12", "2101-01", "2026-00", "2026-03"])
BYPASSES = st.sampled_from(["/%09/evil.example", "/\r\n/x", "%252F%252Fevil", "／／evil", "/ok"])
# The odd values of the kind a name asks for, besides odd values of any kind.
KINDS = {
    **dict.fromkeys(["page", "manager", "questionnaire", "id", "account_manager"], NUMBERS),
    **dict.fromkeys(["first", "last", "since"], MONTHS),
    **dict.fromkeys(
        ["q", "recipient", "company_name", "person_name", "name", "subject", "pasted"], TEXT
    ),
    "next": BYPASSES,
    "timezone": st.sampled_from(["localtime", "Factory", "UTC", "US/Eastern", "Europe/Brussels"]),
}


def _value_for(name: str) -> st.SearchStrategy[str]:
    kind = KINDS.get(name)
    if kind is None and name.endswith(("_days", "_hour", "_size")):
        kind = NUMBERS
    return ODD_VALUE if kind is None else st.one_of(kind, kind, ODD_VALUE)


def _odd_fields(data, names: list[str]) -> dict[str, str]:
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=3), "names")
    return {name: data.draw(_value_for(name), name) for name in chosen}


def _shown(sent: dict) -> str:
    return repr({name: value[:60] for name, value in sent.items()})


PATH_TEXT = st.one_of(st.sampled_from(SEEN), TEXT.filter(bool), st.integers().map(str))


def _csv(rows: list[list[str]]) -> str:
    return "\r\n".join(";".join(cells) for cells in rows)


CSV_TEXT = st.lists(st.lists(st.one_of(st.sampled_from(SEEN), TEXT), max_size=9), max_size=6).map(
    lambda rows: "Bedrijfsnaam;KvK;Contactpersoon;E-mail;Taal;Datum;Kanaal\r\n" + _csv(rows)
)
UPLOAD = st.one_of(
    st.binary(max_size=3000),
    CSV_TEXT.map(lambda text: text.encode("utf-8", "surrogatepass")),
    CSV_TEXT.map(lambda text: text.encode("utf-16")),
    st.tuples(CSV_TEXT, st.binary(min_size=1, max_size=3)).map(
        lambda odd: codecs.BOM_UTF16_LE + odd[0].encode("utf-16-le") + odd[1]
    ),
    st.binary(max_size=200).map(lambda data: b"PK\x03\x04" + data),
)


@dataclass
class Site:
    """The records the path arguments name, made once for the whole test."""

    invitations: list[int]  # one of this organisation, one of another
    email: int
    spare_user: int
    protected_users: set[int]
    survey_tokens: list[str]
    unsubscribe_token: str
    organisation_slug: str
    # A contact whose invitation is still planned (its form works), one sent, one elsewhere.
    contacts: list[int] = field(default_factory=list)
    suppression: int = 0  # an address that opted out
    # An event with a participant, a series and a room link; and an event elsewhere.
    events: list[int] = field(default_factory=list)
    series: list[int] = field(default_factory=list)
    participants: list[int] = field(default_factory=list)
    room_codes: list[str] = field(default_factory=list)
    # A circle the organisation shares in, and one it is not in; an improvement action;
    # the organisation and another one (the platform pages take organisations).
    circles: list[int] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)
    organisations: list[int] = field(default_factory=list)
    export_jobs: list[int] = field(default_factory=list)  # the admin's, another person's


# Every route with a path argument, and valid values for it; odd values are added to them.
PATH_VALUES: dict[str, Callable[[Site], dict[str, list[str]]]] = {
    "/assets/plotly-<version>.min.js": lambda site: {"version": [get_plotlyjs_version()]},
    "/dashboard/export.<any(csv, xlsx):extension>": lambda site: {"extension": ["csv", "xlsx"]},
    "/dev/mailbox/<key>": lambda site: {"key": ["1700000000.M1P1.host"]},
    "/dev/mailbox/<key>/html": lambda site: {"key": ["1700000000.M1P1.host"]},
    "/invitations/<int:invitation_id>": lambda site: {"invitation_id": site.invitations},
    **{
        f"/events/<int:event_id>{tail}": lambda site: {"event_id": site.events}
        for tail in (
            "",
            "/edit",
            "/participants",
            "/send-now",
            "/reschedule",
            "/remind",
            "/participants/import",
            "/participants/import/columns",
            "/participants/import/confirm",
            "/participants/import/rejected",
            "/room",
            "/room/close",
            "/room/present",
            "/results",
            "/summary",
        )
    },  # fmt: skip
    "/events/<int:event_id>/participants/<int:participant_id>/remove": lambda site: {
        "event_id": site.events,
        "participant_id": site.participants,
    },
    "/events/<int:event_id>/export.<any(csv, xlsx):extension>": lambda site: {
        "event_id": site.events,
        "extension": ["csv", "xlsx"],
    },
    "/events/series/<int:series_id>": lambda site: {"series_id": site.series},
    **{
        f"/dashboard/exports/<int:job_id>{tail}": lambda site: {"job_id": site.export_jobs}
        for tail in ("", "/file", "/progress")
    },
    **{
        rule: lambda site: {"circle_id": site.circles}
        for rule in (
            "/circles/<int:circle_id>",
            "/circles/<int:circle_id>/report",
            "/circles/<int:circle_id>/consent",
            "/circles/<int:circle_id>/consent/revoke",
            "/platform/circles/<int:circle_id>",
            "/platform/circles/<int:circle_id>/members",
        )
    },
    "/circles/<int:circle_id>/export.<any(csv, xlsx):extension>": lambda site: {
        "circle_id": site.circles,
        "extension": ["csv", "xlsx"],
    },
    "/platform/circles/<int:circle_id>/members/<int:organisation_id>/remove": lambda site: {
        "circle_id": site.circles,
        "organisation_id": site.organisations,
    },
    **{
        rule: lambda site: {"organisation_id": site.organisations}
        for rule in (
            "/platform/organisations/<int:organisation_id>",
            "/platform/organisations/<int:organisation_id>/size",
            "/platform/organisations/<int:organisation_id>/administrator",
        )
    },
    **{
        f"/circles/actions/<int:action_id>{tail}": lambda site: {"action_id": site.actions}
        for tail in ("", "/edit", "/share", "/withdraw")
    },
    "/r/<code>": lambda site: {"code": site.room_codes},
    "/r/<code>/thanks": lambda site: {"code": site.room_codes},
    "/invitations/<int:invitation_id>/preview": lambda site: {"invitation_id": site.invitations},
    "/invitations/<int:invitation_id>/resend": lambda site: {"invitation_id": site.invitations},
    "/invitations/<int:invitation_id>/cancel": lambda site: {"invitation_id": site.invitations},
    "/invitations/<int:invitation_id>/wrong-address": lambda site: {
        "invitation_id": site.invitations
    },
    "/contacts/<int:contact_id>/edit": lambda site: {"contact_id": site.contacts},
    "/language/<code>": lambda site: {"code": ["nl", "en"]},
    "/outbox/<int:email_id>": lambda site: {"email_id": [site.email]},
    "/outbox/<int:email_id>/retry": lambda site: {"email_id": [site.email]},
    "/outbox/suppressions/<int:suppression_id>": lambda site: {
        "suppression_id": [site.suppression]
    },
    "/password/choose/<token>": lambda site: {"token": ["not-a-token.abc"]},
    "/password/reset/<token>": lambda site: {"token": ["not-a-token.abc"]},
    "/privacy/<slug>": lambda site: {"slug": [site.organisation_slug]},
    "/s/<token>": lambda site: {"token": site.survey_tokens},
    "/s/<token>/thanks": lambda site: {"token": site.survey_tokens},
    "/u/<token>": lambda site: {"token": [site.unsubscribe_token]},
    "/static/<path:filename>": lambda site: {"filename": ["css/app.css", "favicon.svg"]},
    "/users/<int:user_id>": lambda site: {"user_id": [site.spare_user]},
    "/users/<int:user_id>/password-link": lambda site: {"user_id": [site.spare_user]},
    "/users/<int:user_id>/email": lambda site: {"user_id": [site.spare_user]},
    "/users/<int:user_id>/remove": lambda site: {"user_id": [site.spare_user]},
    "/account/email/<token>": lambda site: {"token": ["not-a-token.abc"]},
}


def _argument_values(rule: str, site: Site) -> dict[str, st.SearchStrategy[str]]:
    """Each argument's valid values, cut-off ones, and odd ones of its kind (ids for <int:>)."""
    strategies = {}
    for name, valid in PATH_VALUES[rule](site).items():
        if f"<int:{name}>" in rule:
            numbers = st.integers(min_value=0, max_value=2**70) | st.just(2**63)
            odd = numbers.filter(lambda n: n not in site.protected_users).map(str)
        else:
            odd = PATH_TEXT | st.sampled_from(valid).map(lambda value: value[:-2])
        strategies[name] = st.sampled_from([str(value) for value in valid]) | odd
    return strategies


@dataclass
class _Form:
    action: str | None
    fields: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


class _Forms(HTMLParser):
    """The POST forms of a page with the values they would send as they are."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.forms.append(_Form(attrs.get("action")))
        if not self.forms or not attrs.get("name"):
            if tag == "option" and self._select and "selected" in attrs:
                self.forms[-1].fields[self._select] = attrs.get("value") or ""
            return
        form, name = self.forms[-1], attrs["name"]
        if tag == "input" and attrs.get("type") == "file":
            form.files.append(name)
        elif tag == "input" and attrs.get("type") in ("radio", "checkbox"):
            if "checked" in attrs or name not in form.fields:
                form.fields[name] = attrs.get("value") or "y"
        elif tag == "input":
            form.fields[name] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea, form.fields[name] = name, ""
        elif tag == "select":
            self._select = name
            form.fields.setdefault(name, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] += data


def _form_on(client, path: str, method: str) -> _Form:
    """The form the page at `path` posts to itself, else an empty one with a CSRF token."""
    page = client.get(path) if method == "POST" else None
    parser = _Forms()
    if page is not None and page.status_code == 200 and page.mimetype == "text/html":
        parser.feed(page.text)
    for form in parser.forms:
        if form.action in (None, "", path) and "csrf_token" in form.fields:
            return form
    # A page with a form for a logged-in visitor, and for an anonymous one.
    for page in (client.get("/account"), client.get("/login")):
        if page.status_code == 200:
            return _Form(path, {"csrf_token": csrf_token_in(page.text)})
    raise AssertionError("no page to take a CSRF token from")


def _log_in(app, email: str):
    client = app.test_client()
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "email": email,
            "password": factories.PASSWORD,
            "csrf_token": csrf_token_in(page.text),
        },
    )
    return client


@pytest.fixture
def site(app) -> Site:
    """An organisation with feedback, an email, a spare colleague, and another organisation."""
    with app.app_context():
        org, other = factories.organisation(), factories.organisation("Gemeente Elders")
        admin = factories.user(org, Role.ADMIN, email="admin@fuzz.example")
        manager = factories.user(org, email="manager@fuzz.example")
        spare = factories.user(org, email="spare@fuzz.example")
        for overall in (9, 8, 7, 6, 5):
            answers = {**factories.rated_answers(overall), "improve": "Sneller terugbellen"}
            factories.response(org, manager, answers)
        sent = factories.invitation(org, manager)
        fresh = factories.invitation(org, manager)
        elsewhere = factories.invitation(other)
        planned = factories.invitation(org, manager, state=InvitationState.SCHEDULED)
        email = factories.outbound_email(sent)
        opted_out = suppress_address(
            org.id, "gone@fuzz.example", SuppressionKind.OPTED_OUT, utcnow()
        )
        event = factories.event(org, series_title="Lerend netwerk", speakers=("Fatima",))
        participant = factories.participant(event)
        room = room_link_for(event, utcnow())
        event_elsewhere = factories.event(other, series_title="Elders")
        shared = circles.circle(org, other, name="Kring Fuzz")
        elsewhere_circle = circles.circle(other, name="Kring Elders")
        action = improvement_action(org, date(2026, 5, 1), contact_person=admin)
        export_jobs = [factories.export_job(admin).id, factories.export_job(manager).id]
        # A scheduler ran just now, so /readyz answers as on a working installation.
        record_run(SchedulerProcess("fuzz", 1, utcnow()), "send-outbox", True, utcnow())
        db.session.commit()
        secret = app.config["SECRET_KEY"]
        return Site(
            invitations=[sent.id, elsewhere.id],
            email=email.id,
            spare_user=spare.id,
            protected_users={admin.id, manager.id},
            survey_tokens=[make_token(i, Purpose.SURVEY, secret) for i in (sent, fresh)],
            unsubscribe_token=make_token(sent, Purpose.UNSUBSCRIBE, secret),
            organisation_slug=org.slug,
            contacts=[planned.contact_id, sent.contact_id, elsewhere.contact_id],
            suppression=opted_out.id,
            events=[event.id, event_elsewhere.id],
            series=[event.series_id, event_elsewhere.series_id],
            participants=[participant.id],
            room_codes=[room.shown_code, room.code.lower()],
            circles=[shared.id, elsewhere_circle.id],
            actions=[action.id],
            organisations=[org.id, other.id],
            export_jobs=export_jobs,
        )


def _routes(app) -> list[tuple[str, str]]:
    """(rule, method) of every route; logging out comes last, so the others run logged in."""
    routes = [
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    return sorted(routes, key=lambda route: (route[0] == "/logout", route))


def _path(rule: str, values: dict[str, str]) -> str:
    return re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m: quote(values[m[1]], safe=""), rule)


def _drive(client, rule: str, method: str, arguments: dict, form: _Form | None) -> Callable:
    @settings(
        max_examples=max(1, round(EXAMPLES * ROLES[client.role])),
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def requests_get_no_server_error(data) -> None:
        path = _path(rule, {name: data.draw(values, name) for name, values in arguments.items()})
        if method == "GET":
            sent = _odd_fields(data, QUERY_NAMES)
            send = partial(client.get, path, query_string=sent)
        else:
            names = sorted(set(form.fields) - {"csrf_token"}) or QUERY_NAMES
            sent = _odd_fields(data, names)
            body: dict = {**form.fields, **sent}
            for name in form.files:
                body[name] = (io.BytesIO(data.draw(UPLOAD, name)), "contacten.csv")
            send = partial(client.post, path, data=body)
        what = f"{client.role}: {method} {path[:200]} {_shown(sent)}"
        try:
            response = send()
        except Exception as error:
            raise AssertionError(f"{type(error).__name__} on {what}: {error}") from error
        assert response.status_code < 500, f"{response.status_code} on {what}"
        response.close()

    return requests_get_no_server_error


def test_every_route_with_a_path_argument_is_listed(app):
    unlisted = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.arguments and rule.rule not in PATH_VALUES
    )
    assert not unlisted, f"add valid values for these routes to PATH_VALUES: {unlisted}"


def test_odd_input_on_every_route_never_gives_a_server_error(app, site):
    clients = {"admin": "admin@fuzz.example", "manager": "manager@fuzz.example", "anonymous": None}
    failures = []
    for role, email in clients.items():
        client = _log_in(app, email) if email else app.test_client()
        client.role = role
        for rule, method in _routes(app):
            arguments = _argument_values(rule, site) if rule in PATH_VALUES else {}
            valid = {
                name: str(values[0])
                for name, values in PATH_VALUES.get(rule, lambda _: {})(site).items()
            }
            form = _form_on(client, _path(rule, valid), method) if method == "POST" else None
            try:
                _drive(client, rule, method, arguments, form)()
            except Exception as error:  # noqa: BLE001  (every route is tried; all failures told)
                failures.append(f"{role} {method} {rule}: {error}")
    assert not failures, "\n".join(failures)
