"""Column types shared by the models of every package."""

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and read back as aware UTC, on SQLite and PostgreSQL alike.

    SQLite has no time zones; storing naive UTC everywhere keeps comparisons in SQL correct.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def render_item(type_: str, obj, autogen_context):
    """Alembic autogenerate: write our column types as plain SQLAlchemy ones."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


# Kept by the migrations alone, as no model can say them: the open answers' search indexes
# (PostgreSQL GIN trigram indexes; SQLite full-text tables and their shadow tables).
SEARCH_INDEXES = ("answer_search", "invitation_search")
SEARCH_TRIGRAM_INDEXES = ("ix_answer_text_trigram", "ix_invitation_company_trigram")


def include_name(name: str | None, type_: str, parent_names) -> bool:
    """Alembic autogenerate: leave the search indexes the models do not declare alone."""
    if type_ == "table":
        return not (name or "").startswith(SEARCH_INDEXES)
    return not (type_ == "index" and name in SEARCH_TRIGRAM_INDEXES)


def enum_column(enum_class: type[enum.Enum], length: int = 20) -> Enum:
    """An enum stored as its values in a VARCHAR: readable, and new members need no ALTER TYPE."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )
