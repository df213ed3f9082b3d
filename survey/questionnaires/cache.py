"""The survey forms of frozen questionnaire versions, built once per process and reused.

A version with responses never changes (models.py refuses), so its questions, option labels,
form class and blank questions' markup per language are built on its first request and kept; a
draft, which can still change, gets them built afresh on every request, so it is never shown
stale. The token check and the invitation stay database reads on every request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from threading import Lock

from markupsafe import Markup

from survey.questionnaires.forms import SurveyForm, SurveyQuestion, build_form
from survey.questionnaires.models import QuestionnaireVersion

# Versions are few (a handful per questionnaire); the bound only guards against surprises.
MAX_KEPT = 256

VersionKey = tuple[int, datetime]


class BuiltVersion:
    """A version's questions, and its form class per language, built when first asked for."""

    def __init__(self, version: QuestionnaireVersion) -> None:
        self.version_id = version.id
        self.questions = tuple(SurveyQuestion.of(q) for q in version.questions)
        self._forms: dict[str, type[SurveyForm]] = {}
        self._blank: dict[str, Markup] = {}

    @property
    def overall_question_id(self) -> int | None:
        return next((q.id for q in self.questions if q.is_overall), None)

    def form_class(self, locale: str) -> type[SurveyForm]:
        form_class = self._forms.get(locale)
        if form_class is None:
            # Two threads may both build it; either copy is right.
            form_class = self._forms[locale] = build_form(self.questions, locale)
        return form_class

    def blank_questions(self, locale: str, draw: Callable[[], str]) -> Markup:
        """The markup of the questions unanswered in `locale`, drawn by `draw` the first time.

        Drawing a few dozen radio buttons through the template's macros was most of the survey
        page's time, and a blank form looks the same on every link to the version."""
        markup = self._blank.get(locale)
        if markup is None:
            markup = self._blank[locale] = Markup(draw())
        return markup


_kept: dict[VersionKey, BuiltVersion] = {}
_lock = Lock()


def _key(version: QuestionnaireVersion) -> VersionKey:
    # With its creation time, so that an id SQLite hands out again after a deletion (a test's
    # clean-up, say) is a different key from the version that had it before.
    return version.id, version.created_at


def built_version(version: QuestionnaireVersion) -> BuiltVersion:
    """What the survey page is built from: kept for a frozen version, made anew for a draft."""
    key = _key(version)
    if not version.is_frozen():
        # Responses are never deleted today; if they ever are, a version that was frozen is a
        # draft again and what was kept of it may go out of date.
        with _lock:
            _kept.pop(key, None)
        return BuiltVersion(version)
    built = _kept.get(key)
    if built is None:
        built = BuiltVersion(version)
        with _lock:
            if len(_kept) >= MAX_KEPT:
                _kept.clear()
            built = _kept.setdefault(key, built)
    return built


def kept_version(version_id: int, created_at: datetime) -> BuiltVersion | None:
    """What is kept of a frozen version, known by its id and creation time (a link's glance),
    without loading it; None until a request has built it."""
    return _kept.get((version_id, created_at))


def overall_question_id(version: QuestionnaireVersion) -> int | None:
    """The id of the version's overall question, from what is kept when the version is (no
    query), else from its questions. Never keeps anything itself: the tallies ask while a
    response is being stored, whose transaction may still roll back and leave a draft."""
    kept = _kept.get(_key(version))
    if kept is not None:
        return kept.overall_question_id
    overall = version.overall_question
    return overall.id if overall is not None else None


def survey_form(version: QuestionnaireVersion, locale: str) -> type[SurveyForm]:
    """The form class asking this version's questions in `locale`."""
    return built_version(version).form_class(locale)


def blank_questions(version: QuestionnaireVersion, locale: str, draw: Callable[[], str]) -> Markup:
    """This version's questions unanswered in `locale`: drawn once for a frozen version, on
    every request for a draft."""
    return built_version(version).blank_questions(locale, draw)


def forget_built_versions() -> None:
    """Drop everything kept (for tests and benchmarks that need a cold start)."""
    with _lock:
        _kept.clear()
