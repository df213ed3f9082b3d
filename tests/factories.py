"""Small factories for test data; each works in the current app context and flushes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import count

from survey.accounts.models import Organisation, Role, User
from survey.accounts.staff import create_organisation, create_user
from survey.clock import utcnow
from survey.contacts.models import Channel, Contact
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState, SuppressionReason
from survey.questionnaires.catalogue import catalogue_questionnaire, load_catalogue
from survey.questionnaires.models import QuestionnaireVersion
from survey.responding.tokens import Purpose, make_token

PASSWORD = "correct horse battery"
_numbers = count(1)


def organisation(name: str = "Gemeente Testdorp", **settings) -> Organisation:
    number = next(_numbers)
    return create_organisation(f"{name} {number}", f"org-{number}", **settings)


def user(org: Organisation, role: Role = Role.ACCOUNT_MANAGER, **fields) -> User:
    number = next(_numbers)
    fields.setdefault("email", f"user{number}@{org.slug}.example")
    fields.setdefault("name", f"Medewerker {number}")
    return create_user(
        org, role=role, password=fields.pop("password", PASSWORD), now=utcnow(), **fields
    )


def contact_version() -> QuestionnaireVersion:
    load_catalogue()
    return catalogue_questionnaire("contact-survey").latest_version


def workshop_version() -> QuestionnaireVersion:
    load_catalogue()
    return catalogue_questionnaire("workshop-evaluation").latest_version


def invitation(
    org: Organisation,
    sender: User | None = None,
    *,
    version: QuestionnaireVersion | None = None,
    state: InvitationState = InvitationState.SENT,
    sent_at: datetime | None = None,
    locale: str = "nl",
    email: str | None = None,
    channel: Channel = Channel.VISIT,
) -> Invitation:
    """An invitation in `state`, moved there through the model's own transitions."""
    version = version or contact_version()
    sender = sender or user(org)
    number = next(_numbers)
    contact = Contact(
        organisation_id=org.id,
        account_manager_id=sender.id,
        company_name=f"Bedrijf {number} BV",
        person_name=f"Ondernemer {number}",
        email=email or f"ondernemer{number}@bedrijf.example",
        locale=locale,
        contacted_on=date(2026, 11, 20),
        channel=channel,
        subject="Kennismaking",
    )
    created = Invitation.for_contact(contact, version, scheduled_at=utcnow())
    db.session.add_all([contact, created])
    sent_at = sent_at or utcnow() - timedelta(days=1)
    if state is InvitationState.SUPPRESSED:
        created.suppress(SuppressionReason.RECENTLY_INVITED)
    elif state is InvitationState.FAILED:
        created.mark_failed()
    elif state is not InvitationState.SCHEDULED:
        created.mark_sent(sent_at, org.link_expiry_days)
        if state is InvitationState.REMINDED:
            created.mark_reminded(sent_at + timedelta(days=5))
        elif state is InvitationState.EXPIRED:
            created.mark_expired()
        elif state is InvitationState.ANSWERED:
            created.mark_answered(sent_at + timedelta(hours=2))
    db.session.flush()
    return created


def response_from_another_tab(invitation: Invitation):
    """A bare response to `invitation`, added to the session as another tab's request would
    have stored it: the unique constraint then refuses a second one."""
    from survey.responding.models import Response

    response = Response(
        invitation_id=invitation.id,
        organisation_id=invitation.organisation_id,
        questionnaire_version_id=invitation.questionnaire_version_id,
        submitted_at=utcnow(),
        locale="nl",
        month=utcnow().date().replace(day=1),
    )
    db.session.add(response)
    return response


def survey_token(invitation: Invitation, secret_key: str = "test-secret") -> str:
    return make_token(invitation, Purpose.SURVEY, secret_key)


# A complete contact-survey answer: as the form posts it, and as it is stored.
CONTACT_FORM_ANSWERS = {
    "q_reachability": "4",
    "q_expertise": "5",
    "q_speed": "3",
    "q_agreements": "4",
    "q_thinking_along": "5",
    "q_clarity": "4",
    "q_overall": "8",
    "q_recommend": "9",
    "q_improve": "  Sneller terugbellen graag.  ",
}
CONTACT_STORED_ANSWERS = {
    "reachability": 4,
    "expertise": 5,
    "speed": 3,
    "agreements": 4,
    "thinking_along": 5,
    "clarity": 4,
    "overall": 8,
    "recommend": 9,
    "improve": "Sneller terugbellen graag.",
}


def stored_answers(response) -> dict:
    """A response's answers by question code: the number, the text or the option."""
    return {
        a.question.code: a.value if a.value is not None else a.text or a.option
        for a in response.answers
    }


def contact(
    org: Organisation,
    manager: User,
    *,
    email: str = "eva@bakkerij.example",
    registry_number: str | None = None,
    contacted_on: date = date(2026, 11, 24),
    locale: str = "nl",
) -> Contact:
    """A contact of `manager` with Eva of Bakkerij Van Dam (not yet invited)."""
    made = Contact(
        organisation_id=org.id,
        account_manager_id=manager.id,
        company_name="Bakkerij Van Dam",
        registry_number=registry_number,
        person_name="Eva de Vries",
        email=email,
        locale=locale,
        contacted_on=contacted_on,
        channel=Channel.VISIT,
        subject="Uitbreiding van de winkel",
    )
    db.session.add(made)
    return made


def outbound_email(invitation: Invitation, purpose=None, now: datetime | None = None):
    """The invitation's email, queued in the outbox as the jobs would queue it."""
    from survey.invitations.emails import compose_email
    from survey.outbox.models import EmailPurpose
    from survey.outbox.queue import enqueue

    email = compose_email(invitation, purpose or EmailPurpose.INVITATION)
    return enqueue(email, "Spiegel <noreply@localhost>", now or utcnow())


def response(
    org: Organisation,
    manager: User,
    answers: dict,
    *,
    submitted_at: datetime | None = None,
    version: QuestionnaireVersion | None = None,
    channel: Channel = Channel.VISIT,
    sent_at: datetime | None = None,
):
    """A response to a contact survey of `manager`, given as {question code: answer}.

    The invitation was sent at `sent_at`, by default an hour before the response came in.
    """
    from survey.responding.submission import submit_response

    version = version or contact_version()
    submitted_at = submitted_at or utcnow()
    sent_at = sent_at or submitted_at - timedelta(hours=1)
    made = invitation(org, manager, version=version, sent_at=sent_at, channel=channel)
    questions = {question.code: question for question in version.questions}
    given = {questions[code]: value for code, value in answers.items()}
    return submit_response(made, given, "nl", submitted_at)


def remark(
    org: Organisation,
    manager: User,
    text: str,
    submitted_at: datetime,
    *,
    company: str | None = None,
):
    """A contact-survey response with every grade 7 and `text` as its open remark, about
    `company` when given (as the contact and its invitation record it)."""
    made = response(org, manager, {**rated_answers(7), "improve": text}, submitted_at=submitted_at)
    if company is not None:
        made.invitation.contact.company_name = made.invitation.company_name = company
        db.session.flush()
    return made


def rated_answers(overall: int, statements: int | dict = 4, recommend: int = 8) -> dict:
    """A contact-survey answer: every statement `statements` (or per code), with these grades."""
    codes = ("reachability", "expertise", "speed", "agreements", "thinking_along", "clarity")
    per_code = statements if isinstance(statements, dict) else dict.fromkeys(codes, statements)
    return {**per_code, "overall": overall, "recommend": recommend}


def event(
    org: Organisation,
    organiser: User | None = None,
    *,
    starts_at: datetime | None = None,
    hours: int = 2,
    send_at: datetime | None = None,
    series_title: str = "",
    speakers: tuple[str, ...] = (),
    title: str | None = None,
    kind=None,
    locale: str = "nl",
):
    """An event of `org` through the same function the event form uses."""
    from survey.events.models import EventKind
    from survey.events.planning import EventDetails, create_event

    organiser = organiser or user(org, Role.COORDINATOR)
    starts_at = starts_at or utcnow() - timedelta(hours=hours + 1)
    details = EventDetails(
        title=title or f"Workshop {next(_numbers)}",
        kind=kind or EventKind.WORKSHOP,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        questionnaire=workshop_version().questionnaire,
        locale=locale,
        series_title=series_title,
        organisers=[organiser],
        speakers=list(speakers),
        send_at=send_at,
    )
    return create_event(org, details, utcnow(), organiser)


def participant(event_, email: str | None = None, *, name: str = "Deelnemer", locale=None):
    """A participant of `event_` with their evaluation, through `add_participant`."""
    from survey.events.participants import add_participant, check_participant

    email = email or f"deelnemer{next(_numbers)}@example.org"
    details = check_participant(name, email, "Bakkerij De Korf", locale)
    return add_participant(event_, details, utcnow(), None)


def export_job(requested_by: User, rows: int = 25_000):
    """A background XLSX export of `requested_by`'s organisation's contact surveys, waiting."""
    from survey.analysis.export import ExportOptions
    from survey.analysis.population import Population
    from survey.exports.jobs import ExportRequest, request_export

    version = contact_version()
    asked = ExportRequest(
        population=Population(requested_by.organisation_id, (version.id,)),
        options=ExportOptions("nl", requested_by.organisation.timezone),
        format="xlsx",
        download_name="antwoorden.xlsx",
        log={},
    )
    return request_export(requested_by, asked, rows, utcnow())
