"""Whose feedback a figure is about: an organisation's responses to one questionnaire (all its
versions), narrowed by kind of occasion, event, account manager, channel and months.

The analysis knows events only as ids: which events a page covers (one event, a series, a
speaker's sessions) is decided by the events package, which hands over a Population.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from survey.questionnaires.models import Questionnaire, QuestionnaireVersion


@dataclass(frozen=True)
class Population:
    organisation_id: int
    version_ids: tuple[int, ...]
    account_manager_ids: tuple[int, ...] = ()  # none: every account manager
    channel: str | None = None
    first_month: date | None = None
    last_month: date | None = None
    occasion_kind: str | None = None  # None: contact surveys and event evaluations alike
    event_ids: tuple[int, ...] = ()  # none: every event (and no event)

    def where(self, table) -> list[ColumnElement]:
        """The filter on a tally, or on Response: both name these columns alike."""
        clauses = [
            table.organisation_id == self.organisation_id,
            table.questionnaire_version_id.in_(self.version_ids),
        ]
        if self.occasion_kind:
            clauses.append(table.occasion_kind == self.occasion_kind)
        if self.event_ids:
            clauses.append(table.event_id.in_(self.event_ids))
        if self.account_manager_ids:
            clauses.append(table.account_manager_id.in_(self.account_manager_ids))
        if self.channel:
            clauses.append(table.channel == self.channel)
        if self.first_month:
            clauses.append(table.month >= self.first_month)
        if self.last_month:
            clauses.append(table.month <= self.last_month)
        return clauses

    def whole_organisation(self) -> Population:
        """The same questionnaire, channel and months, for every account manager."""
        return replace(self, account_manager_ids=())


def version_ids(session: Session, questionnaire: Questionnaire) -> tuple[int, ...]:
    """Every version of the questionnaire: questions are compared across them by code."""
    return tuple(
        session.scalars(
            select(QuestionnaireVersion.id).where(
                QuestionnaireVersion.questionnaire_id == questionnaire.id
            )
        )
    )
