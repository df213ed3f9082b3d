"""Keyset paging: walking a list page by page shows every row exactly once, even while rows are
added between the pages; going back shows the same pages; a damaged link is refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey.analysis.open_answers import open_answers
from survey.analysis.population import Population, version_ids
from survey.audit.filters import activity_page
from survey.audit.models import Action, AuditEvent
from survey.audit.trail import record
from survey.contacts.logbook import contact_list
from survey.contacts.models import Contact
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.invitations.overview import NEWEST_FIRST, recent_invitations
from survey.listing import Order, SortColumn, count_per_value, keyset_page
from survey.outbox.models import EmailStatus, OutboundEmail
from survey.outbox.overview import newest_emails
from survey.request_input import Cursor, cursor_text, cursor_values
from survey.responding.models import Answer, Response
from tests import factories

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _walk(fetch: Callable, add: Callable[[int], None], key: Callable) -> list:
    """Every item seen following the "next" links from the first page, calling `add` before
    each further page (rows added by someone else meanwhile)."""
    seen, cursor, step = [], None, 0
    while True:
        page = fetch(cursor)
        seen += [key(item) for item in page.items]
        if not page.next:
            return seen
        add(step)
        step += 1
        cursor = Cursor("after", page.next)


def _walk_back(fetch: Callable, key: Callable) -> list:
    """From the last page back to the first through the "previous" links."""
    page = fetch(None)
    while page.next:
        page = fetch(Cursor("after", page.next))
    pages = [[key(item) for item in page.items]]
    while page.previous:
        page = fetch(Cursor("before", page.previous))
        pages.insert(0, [key(item) for item in page.items])
    return pages


def _population(org) -> Population:
    return Population(org.id, version_ids(db.session, factories.contact_version().questionnaire))


def _remark(org, manager, text: str, at: datetime):
    return factories.remark(org, manager, text, at)


def test_open_answers_newest_first_neither_skip_nor_repeat_while_answers_come_in(org, manager):
    for number in range(23):
        _remark(org, manager, f"antwoord {number}", START + timedelta(hours=number))
    # Two answers in the same second: the response's id keeps them apart.
    _remark(org, manager, "gelijktijdig", START + timedelta(hours=5))

    def fetch(cursor):
        return open_answers(db.session, _population(org), None, cursor, 5, locale="nl").page

    def add(step):  # newer answers arrive, and a late one about an earlier moment
        _remark(org, manager, f"nieuw {step}", START + timedelta(days=10, hours=step))
        _remark(org, manager, f"laat {step}", START + timedelta(hours=30 - step * 3))

    seen = _walk(fetch, add, lambda item: item.text)

    originals = {f"antwoord {n}" for n in range(23)} | {"gelijktijdig"}
    assert len(seen) == len(set(seen)), "an answer was shown twice"
    assert originals <= set(seen), "an answer was skipped"
    assert not any(text.startswith("nieuw") for text in seen)  # above the first page
    assert seen[0] == "antwoord 22"


def test_open_answers_of_some_months_page_through_those_months_exactly_at_their_edges(org, manager):
    """The months also bound the responses' time (to walk the index by time): an answer in the
    first hour of a month in the organisation's zone, still the month before in UTC, is in;
    one in the last hour before the first month, or just after the last, is out."""
    march, april = date(2026, 3, 1), date(2026, 4, 1)
    # Europe/Amsterdam: 1 March 00:30 local is 28 February 23:30 UTC (winter time), 1 May
    # 00:30 local is 30 April 22:30 UTC (summer time).
    inside = {
        "eerste half uur": datetime(2026, 2, 28, 23, 30, tzinfo=UTC),
        "laatste half uur": datetime(2026, 4, 30, 21, 30, tzinfo=UTC),
    }
    outside = {
        "februari": datetime(2026, 2, 28, 22, 30, tzinfo=UTC),
        "mei": datetime(2026, 4, 30, 22, 30, tzinfo=UTC),
    }
    for number in range(11):
        inside[f"antwoord {number}"] = START + timedelta(days=3 * number, hours=number)
    for text, at in {**inside, **outside}.items():
        _remark(org, manager, text, at)
    population = replace(_population(org), first_month=march, last_month=april)

    def fetch(cursor):
        return open_answers(db.session, population, None, cursor, 4, locale="nl").page

    def add(step):  # answers keep coming in, inside the months and after them
        _remark(org, manager, f"nieuw {step}", datetime(2026, 5, 2, step, tzinfo=UTC))
        _remark(org, manager, f"laat {step}", START + timedelta(days=1, minutes=step))

    shown = _walk(fetch, add, lambda item: (item.text, item.month))
    seen = [text for text, _ in shown]

    assert len(seen) == len(set(seen)), "an answer was shown twice"
    assert set(inside) <= set(seen), "an answer was skipped"
    assert not set(seen) & set(outside)
    assert not any(text.startswith("nieuw") for text in seen)  # in May
    assert {month for _, month in shown} == {march, april}
    assert seen[:2] == ["laatste half uur", "antwoord 10"]


def test_open_answers_walked_back_show_the_same_pages(org, manager):
    for number in range(12):
        _remark(org, manager, f"antwoord {number}", START + timedelta(hours=number))

    def fetch(cursor):
        return open_answers(db.session, _population(org), None, cursor, 5, locale="nl").page

    pages = _walk_back(fetch, lambda item: item.text)

    assert pages == [
        [f"antwoord {n}" for n in range(11, 6, -1)],
        [f"antwoord {n}" for n in range(6, 1, -1)],
        ["antwoord 1", "antwoord 0"],
    ]


def test_open_answers_without_names_page_through_equal_texts_without_an_id(org, manager):
    # Many equal remarks in one month, some other ones, in another month too.
    for number in range(9):
        _remark(org, manager, "Prima", START + timedelta(hours=number))
    for text in ("Alles goed", "Zeer tevreden", "Beter bereikbaar"):
        _remark(org, manager, text, START + timedelta(days=2))
    _remark(org, manager, "April", datetime(2026, 4, 8, 9, tzinfo=UTC))

    def fetch(cursor):
        found = open_answers(
            db.session, _population(org), None, cursor, 4, locale="nl", without_names=True
        )
        return found.page

    def add(step):  # another "Prima" in March comes in between the pages
        _remark(org, manager, "Prima", START + timedelta(days=3, hours=step))

    first = fetch(None)
    # The link names the first "Prima" among the equal ones, not which answer it is.
    assert first.next == (date(2026, 3, 1), "Prima", 1)
    seen = _walk(fetch, add, lambda item: (item.month, item.text))
    march = [text for month, text in seen if month == date(2026, 3, 1)]
    primas = db.session.scalar(
        select(func.count(Answer.id))
        .join(Response)
        .where(Response.organisation_id == org.id, Answer.text == "Prima")
    )
    assert seen[0] == (date(2026, 4, 1), "April")
    # Each "Prima" once, those added meanwhile too (they come after the ones shown).
    assert march == ["Alles goed", "Beter bereikbaar"] + ["Prima"] * primas + ["Zeer tevreden"]
    assert primas > 9


def test_invitations_neither_skip_nor_repeat_while_contacts_are_logged(org, manager):
    made = [factories.invitation(org, manager) for _ in range(11)]
    scope = select(Invitation).where(Invitation.organisation_id == org.id)

    def add(step):
        factories.invitation(org, manager)

    seen = _walk(
        lambda cursor: recent_invitations(scope, None, cursor, 4), add, lambda item: item.id
    )

    assert sorted(seen) == sorted(i.id for i in made)
    assert seen == sorted(seen, reverse=True)


def test_invitations_of_one_state_page_newest_first_and_count_alike_in_that_order(org, manager):
    sent = [factories.invitation(org, manager) for _ in range(7)]
    answered = [factories.invitation(org, manager, state=InvitationState.ANSWERED)]
    scope = select(Invitation).where(Invitation.organisation_id == org.id)

    def add(step):
        factories.invitation(org, manager, state=InvitationState.ANSWERED)

    seen = _walk(
        lambda cursor: recent_invitations(scope, InvitationState.SENT, cursor, 3),
        add,
        lambda item: item.id,
    )
    counted = count_per_value(scope, Invitation.state, InvitationState, 5, order=NEWEST_FIRST)
    unordered = count_per_value(scope, Invitation.state, InvitationState, 5)

    assert seen == sorted((i.id for i in sent), reverse=True)
    assert counted == unordered and str(counted[InvitationState.SENT]) == "5+"
    assert counted[InvitationState.ANSWERED] == len(answered) + 2  # two came in meanwhile
    assert counted[InvitationState.SCHEDULED] == 0


def test_contacts_of_one_day_page_by_their_id_and_late_ones_in_the_past_show_once(org, manager):
    for number in range(10):
        factories.contact(org, manager, email=f"eva{number}@bakkerij.example")
    db.session.flush()
    before = set(db.session.scalars(select(Contact.id)))
    scope = select(Contact).where(Contact.organisation_id == org.id)

    def add(step):  # logged now, about a contact weeks ago: lands further down the list
        factories.contact(
            org, manager, email=f"laat{step}@bakkerij.example", contacted_on=date(2026, 10, 1)
        )
        db.session.flush()

    seen = _walk(
        lambda cursor: contact_list(scope, cursor=cursor, per_page=3),
        add,
        lambda row: row[0].id,
    )

    assert len(seen) == len(set(seen)) and before <= set(seen)


def test_emails_and_the_activity_log_neither_skip_nor_repeat(org, manager):
    for _ in range(7):
        factories.outbound_email(factories.invitation(org, manager))
    for hour in range(9):
        record(Action.RESPONSES_EXPORTED, START + timedelta(hours=hour), actor=manager)
    db.session.flush()
    emails = select(OutboundEmail).where(OutboundEmail.organisation_id == org.id)
    trail = select(AuditEvent).where(AuditEvent.organisation_id == org.id)
    email_ids = set(db.session.scalars(emails.with_only_columns(OutboundEmail.id)))
    event_ids = set(db.session.scalars(trail.with_only_columns(AuditEvent.id)))

    def add_email(step):
        factories.outbound_email(factories.invitation(org, manager))
        db.session.flush()

    def add_event(step):
        record(Action.RESPONSES_EXPORTED, START + timedelta(days=1, hours=step), actor=manager)
        db.session.flush()

    seen_emails = _walk(lambda c: newest_emails(emails, None, c, 3), add_email, lambda e: e.id)
    seen_events = _walk(lambda c: activity_page(trail, c, 4), add_event, lambda e: e.id)

    # (An invitation made by the factory was sent a day ago: its email lands further down.)
    assert len(seen_emails) == len(set(seen_emails)) and email_ids <= set(seen_emails)
    assert sorted(seen_events) == sorted(event_ids)  # the new entries are above the first page


def test_rows_with_equal_sort_values_run_in_both_directions_alike(org, manager):
    for number in range(7):
        factories.contact(org, manager, email=f"gelijk{number}@bakkerij.example")
    db.session.flush()
    order = Order(SortColumn(Contact.contacted_on, date), SortColumn(Contact.id, int))
    scope = select(Contact.id).where(Contact.organisation_id == org.id)

    pages = _walk_back(lambda cursor: keyset_page(scope, order, cursor, 3), lambda i: i)

    assert [len(page) for page in pages] == [3, 3, 1]
    assert sum(pages, []) == sorted(sum(pages, []))


def test_a_cursor_is_read_back_as_written():
    values = (datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC), 42, date(2026, 3, 1), "a,b%\nc")
    text = cursor_text(values)

    assert cursor_values(text, (datetime, int, date, str)) == values
    assert "," not in text.split(",", 3)[3]  # the comma in the text cannot split it


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026-03-02T09:00:00Z",  # too few values
        "2026-03-02T09:00:00Z,12,3",  # too many
        "2026-03-02T09:00:00,12",  # no time zone
        "yesterday,12",
        "2026-03-02T09:00:00Z,-1",
        "2026-03-02T09:00:00Z,1e9",
        "9999-03-02T09:00:00Z,12",
        "2026-03-02T09:00:00Z,\x0012",
        "2026-03-02T09:00:00Z," + "1" * 2000,
    ],
)
def test_a_damaged_cursor_names_no_place(text):
    assert cursor_values(text, (datetime, int)) is None


def test_counts_per_value_stop_at_the_limit(org, manager):
    for _ in range(4):
        factories.outbound_email(factories.invitation(org, manager))
    db.session.flush()
    scope = select(OutboundEmail).where(OutboundEmail.organisation_id == org.id)

    counts = count_per_value(scope, OutboundEmail.status, EmailStatus, limit=3)

    assert str(counts[EmailStatus.PENDING]) == "3+" and counts[EmailStatus.PENDING].more
    assert counts[EmailStatus.SENT] == 0 and str(sum(counts.values())) == "3+"
