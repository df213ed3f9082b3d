"""The invitation and reminder emails: written in the recipient's language, signed by the
staff member the recipient knows and the municipality, with a one-click unsubscribe (RFC 8058).

The wording follows the questionnaire's purpose and the kind of occasion: a contact survey asks
about the contact with the account manager, a workshop evaluation about the meeting."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from survey.invitations.dimensions import OccasionKind
from survey.invitations.models import Invitation
from survey.outbox.message import one_line
from survey.outbox.models import EmailPurpose, OutboundEmail
from survey.questionnaires.models import Purpose
from survey.responding.links import survey_url, unsubscribe_url
from survey.responding.privacy import answers_audience, privacy_statement_url

# The automatic reminder and the one an event's coordinator sends by hand read alike.
REMINDERS = (EmailPurpose.REMINDER, EmailPurpose.MANUAL_REMINDER)
# Emails about an invitation already sent: its link keeps its expiry, so the email names the day.
SENT_BEFORE = (EmailPurpose.RESEND, EmailPurpose.MANUAL_REMINDER)


def _wording(invitation: Invitation) -> Purpose:
    """Which texts the email uses: those of the questionnaire's purpose."""
    return invitation.questionnaire_version.questionnaire.purpose


def _subject(invitation: Invitation, purpose: EmailPurpose) -> str:
    organisation = invitation.organisation.name
    if _wording(invitation) is Purpose.WORKSHOP:
        subject = _("How was the meeting of %(organisation)s?", organisation=organisation)
    elif invitation.staff_member is not None:
        subject = _(
            "How was your contact with %(person)s of %(organisation)s?",
            person=invitation.staff_member.name,
            organisation=organisation,
        )
    else:
        subject = _("Your opinion for %(organisation)s", organisation=organisation)
    if purpose in REMINDERS:
        return _("Reminder: %(subject)s", subject=subject)
    return subject


def _valid_until(invitation: Invitation, purpose: EmailPurpose) -> date | None:
    """The last day of the link, for an email sent again: its expiry did not start over."""
    if purpose not in SENT_BEFORE or invitation.expires_at is None:
        return None
    return invitation.expires_at.astimezone(ZoneInfo(invitation.organisation.timezone)).date()


def compose_email(invitation: Invitation, purpose: EmailPurpose) -> OutboundEmail:
    """The outbox row for an invitation's email (not yet queued; see outbox.queue.enqueue)."""
    with force_locale(invitation.locale):
        unsubscribe = unsubscribe_url(invitation)
        context = {
            "invitation": invitation,
            "organisation": invitation.organisation,
            "wording": _wording(invitation).value,
            # The contact's subject, for the sentence about the contact.
            "contact": (
                invitation.contact if invitation.occasion_kind is OccasionKind.CONTACT else None
            ),
            "signatory": invitation.staff_member,
            "reminder": purpose in REMINDERS,
            "survey_url": survey_url(invitation),
            "unsubscribe_url": unsubscribe,
            "expiry_days": invitation.organisation.link_expiry_days,
            "valid_until": _valid_until(invitation, purpose),
            "locale": invitation.locale,
            # Who sees the answers, as the survey page says it, and where to read more.
            "audience": answers_audience(invitation.organisation),
            "privacy_url": privacy_statement_url(invitation.organisation, invitation.locale),
        }
        # Names may hold a line break stored before forms refused them: headers are one line.
        subject = one_line(_subject(invitation, purpose))
        text_body = render_template("emails/invitation.txt", subject=subject, **context)
        html_body = render_template("emails/invitation.html", subject=subject, **context)
    sender_name = invitation.organisation.name
    if invitation.staff_member is not None:
        sender_name = f"{invitation.staff_member.name} – {invitation.organisation.name}"
    return OutboundEmail(
        organisation_id=invitation.organisation_id,
        invitation_id=invitation.id,
        purpose=purpose,
        recipient=invitation.recipient_email,
        sender_name=one_line(sender_name),
        reply_to=invitation.staff_member.email if invitation.staff_member is not None else None,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # An automated message (RFC 3834): out-of-office replies need not answer it.
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "OOF, AutoReply",
        },
    )


def sender_address() -> str:
    return current_app.config["MAIL_DEFAULT_SENDER"]
