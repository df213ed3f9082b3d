"""a text index for the open answers' search: trigrams of the answers' text and the invitations'
company, so that a rare word is found without reading every answer

Revision ID: 9d3b5e7a1c24
Revises: 3f8a6c2d9e51
Create Date: 2026-12-02 21:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "9d3b5e7a1c24"
down_revision = "3f8a6c2d9e51"
branch_labels = None
depends_on = None

# PostgreSQL: GIN trigram indexes on the searched columns, which serve the search's ILIKE
# (SQLAlchemy's icontains there: x ILIKE '%' || search || '%'; the trigrams are case-folded).
# pg_trgm is a trusted extension since PostgreSQL 13, so the database's owner may create it.
POSTGRESQL_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_answer_text_trigram ON answer USING gin (text gin_trgm_ops)"
    " WHERE text IS NOT NULL",
    "CREATE INDEX ix_invitation_company_trigram ON invitation"
    " USING gin (company_name gin_trgm_ops) WHERE company_name IS NOT NULL",
]
# The extension stays: something else may use it, and it holds no data of ours.
POSTGRESQL_DOWN = [
    "DROP INDEX ix_invitation_company_trigram",
    "DROP INDEX ix_answer_text_trigram",
]

# SQLite: an FTS5 trigram index per searched column, its content read from the table itself
# (external content: the text is not stored twice) and kept by triggers on every insert, change
# and delete (privacy erasure and retention delete answers and invitations). The 'delete'
# command needs the old value exactly as it was indexed, which the triggers have at hand.
# A later batch migration of `answer` or `invitation` (a table copied and renamed) drops these
# triggers: it must create them again.
SEARCHED = [
    ("answer_search", "answer", "text"),
    ("invitation_search", "invitation", "company_name"),
]


def _sqlite_up(index: str, table: str, column: str) -> list[str]:
    add = f"INSERT INTO {index}(rowid, {column})"
    remove = f"INSERT INTO {index}({index}, rowid, {column})"
    return [
        f"CREATE VIRTUAL TABLE {index} USING fts5({column}, content='{table}',"
        f" content_rowid='id', tokenize='trigram', columnsize=0)",
        f"{add} SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL",
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table}"
        f" WHEN new.{column} IS NOT NULL BEGIN"
        f" {add} VALUES (new.id, new.{column}); END",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table}"
        f" WHEN old.{column} IS NOT NULL BEGIN"
        f" {remove} VALUES ('delete', old.id, old.{column}); END",
        f"CREATE TRIGGER {index}_update AFTER UPDATE OF id, {column} ON {table} BEGIN"
        f" {remove} SELECT 'delete', old.id, old.{column} WHERE old.{column} IS NOT NULL;"
        f" {add} SELECT new.id, new.{column} WHERE new.{column} IS NOT NULL; END",
    ]


def _sqlite_down(index: str) -> list[str]:
    return [
        f"DROP TRIGGER {index}_update",
        f"DROP TRIGGER {index}_delete",
        f"DROP TRIGGER {index}_insert",
        f"DROP TABLE {index}",
    ]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        return POSTGRESQL_UP if up else POSTGRESQL_DOWN
    if dialect == "sqlite":
        if up:
            return [sql for searched in SEARCHED for sql in _sqlite_up(*searched)]
        return [sql for index, _table, _column in reversed(SEARCHED) for sql in _sqlite_down(index)]
    return []  # another database searches by reading the answers, as before


def upgrade():
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade():
    for statement in _statements(up=False):
        op.execute(statement)
