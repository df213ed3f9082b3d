"""The survey page as an open link shows it, drawn once per frozen version, language and
municipality, with holes for what differs from link to link.

A mailing or a room full of participants opens its links at once, and the page of one link
differs from the next one's only in the token (the address the form posts to) and the line about
the contact (whose visit, which day). Everything else, from the questions to the municipality's
privacy sentence, is the same for every link with the same `FrameKey`: so that page is drawn once,
through the same template as always, with markers where the two differing parts go, and each
request fills them in. The key is made of the values the page shows, as read with the link, so a
renamed municipality or questionnaire is another key: a frame is never out of date, only unused.

A draft version (it may still change) and a visitor with a message waiting in their session get
the page drawn afresh, as before.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Callable
from datetime import date
from threading import Lock

from flask import current_app, session
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from survey.invitations.models import OccasionKind
from survey.responding.opening import LinkGlance
from survey.templating import when

# The markers stand where the template puts the token and the contact's line. The token's is
# made of a token's own characters, so the URL the template builds around it keeps it as it is,
# and random, so that no municipality's or questionnaire's name can contain it.
TOKEN_HOLE = f"spiegel.token-hole.{secrets.token_hex(12)}"
OCCASION_HOLE = Markup("<!--spiegel:occasion-hole-->")
# A genuine token is URL-safe base64 and dots (itsdangerous), which need no escaping in a URL or
# in HTML; anything else is drawn afresh.
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9_\-.]+")
# A frame per frozen version, language and municipality's wording: a few dozen at most; the
# bound only guards against surprises.
MAX_FRAMES = 512

FrameKey = tuple
Draw = Callable[[str, Markup], str]


def occasion_paragraph(glance: LinkGlance) -> Markup:
    """The line "About your contact with Sanne on 3 March 2026." for a contact's survey with its
    day; empty for other occasions (an event's page names the event in its questions)."""
    if glance.occasion_kind is not OccasionKind.CONTACT or glance.occasion_on is None:
        return Markup("")
    name = glance.staff_name or glance.organisation_name
    return _occasion_paragraph(str(get_locale()), name, glance.occasion_on)


# A mailing's links share a handful of names and days: the line is written once per language,
# name and day (Babel's long date is the costly part).
@functools.lru_cache(maxsize=4096)
def _occasion_paragraph(locale: str, name: str, day: date) -> Markup:
    line = _("About your contact with %(name)s on %(date)s.", name=name, date=when(day, "long"))
    return Markup('<p class="occasion">{}</p>').format(line)


def frame_key(glance: LinkGlance, locale: str) -> FrameKey:
    return (
        glance.version_id,
        glance.version_created_at,
        locale,
        tuple(sorted(glance.questionnaire_title.items())),
        glance.organisation_id,
        glance.organisation_name,
        glance.organisation_slug,
        glance.privacy_url,
        glance.min_group_size,
        glance.account_managers_see_answers,
    )


class _Frame:
    """A drawn page cut at its markers: text, hole, text, hole, ..., text."""

    def __init__(self, page: str) -> None:
        self.parts = re.split(f"({re.escape(TOKEN_HOLE)}|{re.escape(OCCASION_HOLE)})", page)

    def filled(self, token: str, occasion: Markup) -> str:
        fillers = {TOKEN_HOLE: token, str(OCCASION_HOLE): str(occasion)}
        return "".join(fillers[part] if n % 2 else part for n, part in enumerate(self.parts))


def _frames() -> dict[FrameKey, _Frame]:
    # Per app: the frame holds the app's settings too (its address, its languages).
    return current_app.extensions.setdefault("spiegel.page_frames", {})


_lock = Lock()


def _message_waiting() -> bool:
    """A flashed message would be drawn into the frame and shown on every link: draw afresh."""
    return bool(session.get("_flashes"))


def survey_page(glance: LinkGlance, locale: str, token: str, draw: Draw) -> str:
    """The open link's page in `locale` (already this request's language): its frame filled in,
    or drawn by `draw(token, occasion)` where a frame may not be kept."""
    occasion = occasion_paragraph(glance)
    if not glance.version_frozen or _message_waiting() or not _PLAIN_TOKEN.fullmatch(token):
        return draw(token, occasion)
    frames = _frames()
    key = frame_key(glance, locale)
    frame = frames.get(key)
    if frame is None:
        frame = _Frame(draw(TOKEN_HOLE, OCCASION_HOLE))
        with _lock:
            if len(frames) >= MAX_FRAMES:
                frames.clear()
            frame = frames.setdefault(key, frame)
    return frame.filled(token, occasion)
