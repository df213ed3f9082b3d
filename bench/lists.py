"""The pages that grow with the data: the open answers (first page and a deep one), the account
managers side by side, and the staff lists, at two sizes, each as a ratio to the bare GROUP BY
over the answers of the same run.

    .venv/bin/python -m bench.lists
    BENCH_LIST_SIZES=10000,100000 BENCH_DATABASES=sqlite .venv/bin/python -m bench.lists

For each database and size it migrates a fresh database, generates that many responses with
`survey.demo.bulk.generate_responses`, and times each page (the median of BENCH_REPEAT runs
after a warm-up) as the organisation with the most responses. Flagged: a page above 0.1× the
bare GROUP BY of its run, and a page more than 1.5× slower at the larger size than at the
smaller (ratios, not times: the machine is shared). The number of SQL statements a page sends
should not grow with the data either.

Knobs: BENCH_LIST_SIZES (default 10000,100000), BENCH_DATABASES (sqlite,postgresql),
BENCH_REPEAT (7), BENCH_POSTGRES_URL and BENCH_SEED as for `make bench`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import select

from bench.databases import Unavailable
from bench.pages import Timing, logged_in_client, median_ms, time_page
from bench.run import BASELINE, _fresh, _generate, _subject
from survey import create_app
from survey.accounts.models import Role, User
from survey.demo.data import DEMO_STAFF
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.questionnaires.models import Question, QuestionType
from survey.request_input import cursor_text
from survey.responding.models import Answer, Response

GROUP_BY_SHARE = 0.1  # a page's goal, as a share of the bare GROUP BY
GROWTH = 1.5  # the most a page may slow down from the smaller size to the larger


@dataclass
class Measured:
    database: str
    size: int
    timing: Timing
    baseline_ms: float

    @property
    def ratio(self) -> float | None:
        if self.timing.median_ms is None:
            return None
        return self.timing.median_ms / self.baseline_ms


def _setting(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _admin(organisation_id: int, bulk_password: str) -> tuple[str, str]:
    passwords = {staff[0]: staff[3] for staff in DEMO_STAFF}
    email = db.session.scalar(
        select(User.email).where(User.organisation_id == organisation_id, User.role == Role.ADMIN)
    )
    return email, passwords.get(email, bulk_password)


def _halfway(statement, count_of) -> str | None:
    """The cursor of the row halfway down a list: a deep page, as far as a reader ever goes."""
    total = db.session.scalar(count_of)
    row = db.session.execute(statement.offset(total // 2).limit(1)).first()
    return cursor_text(tuple(row)) if row else None


def _deep_cursors(organisation_id: int) -> dict[str, str | None]:
    answers = (
        select(Response.submitted_at, Response.id, Question.position)
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(Response.organisation_id == organisation_id, Question.type == QuestionType.TEXT)
        .order_by(Response.submitted_at.desc(), Response.id.desc(), Question.position)
    )
    invitations = (
        select(Invitation.created_at, Invitation.id)
        .where(Invitation.organisation_id == organisation_id)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )
    return {
        "answers": _halfway(answers, select(db.func.count()).select_from(answers.subquery())),
        "invitations": _halfway(
            invitations, select(db.func.count()).select_from(invitations.subquery())
        ),
    }


def measure(database: str, size: int, url: str) -> list[Measured]:
    repeat = int(_setting("BENCH_REPEAT", "7"))
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, SCHEDULER_ENABLED=False)
    with app.app_context():
        _generated, password = _generate(size)
        db.engine.dispose()
        subject = _subject(password)
        admin = _admin(subject.organisation_id, password)
        deep = _deep_cursors(subject.organisation_id)
        org = {"org": subject.organisation_id}
        baseline = median_ms(lambda: db.session.execute(BASELINE, org).all(), repeat)
        db.session.remove()
    coordinator = logged_in_client(app, *subject.coordinator)
    administrator = logged_in_client(app, *admin)
    months = subject.all_months
    pages = [
        (coordinator, "open answers, first page", f"/dashboard/open-answers?{months}"),
        (
            coordinator,
            "open answers, halfway down",
            f"/dashboard/open-answers?{months}&after={deep['answers']}",
        ),
        (coordinator, "open answers, a search", f"/dashboard/open-answers?{months}&q=sneller"),
        (coordinator, "managers side by side", f"/dashboard/managers?{months}"),
        (coordinator, "invitations, first page", "/"),
        (coordinator, "invitations, halfway down", f"/?after={deep['invitations']}"),
        (coordinator, "contacts, first page", "/contacts"),
        (coordinator, "events list", "/events"),
        (administrator, "outbox, first page", "/outbox"),
        (administrator, "activity log, first page", "/activity"),
    ]
    measured = [
        Measured(database, size, Timing("baseline GROUP BY over answers", baseline), baseline)
    ]
    for client, name, path in pages:
        measured.append(Measured(database, size, time_page(client, name, path, repeat), baseline))
    with app.app_context():
        db.engine.dispose()
    return measured


def print_lists(rows: list[Measured]) -> None:
    print(
        f"\n{'database':<11}{'size':>10}  {'page':<32}{'median ms':>10}{'ratio':>8}"
        f"{'queries':>9}  note"
    )
    for row in rows:
        timing = row.timing
        value = "-" if timing.median_ms is None else f"{timing.median_ms:,.1f}"
        ratio = "" if row.ratio is None else f"{row.ratio:.3f}"
        queries = "" if timing.queries is None else str(timing.queries)
        note = timing.note
        is_page = not timing.measurement.startswith("baseline")
        if is_page and row.ratio is not None and row.ratio > GROUP_BY_SHARE:
            note = f"> {GROUP_BY_SHARE}× the bare GROUP BY {note}".strip()
        print(
            f"{row.database:<11}{row.size:>10,}  {timing.measurement:<32}{value:>10}{ratio:>8}"
            f"{queries:>9}  {note}"
        )
    print("\nratio: to the bare GROUP BY over the answers of the same run.")
    print_growth(rows)


def print_growth(rows: list[Measured]) -> None:
    """Per page, both targets: at the largest size at most GROUP_BY_SHARE of the bare GROUP BY,
    and at most GROWTH times slower at the largest size than at the smallest (its own time,
    which is what a reader feels; the queries it sends should not grow either)."""
    by_page: dict[tuple[str, str], dict[int, Measured]] = {}
    for row in rows:
        if row.timing.median_ms is not None and not row.timing.measurement.startswith("base"):
            by_page.setdefault((row.database, row.timing.measurement), {})[row.size] = row
    print(
        f"\nPer page, at the largest size: ratio to the bare GROUP BY (target <= {GROUP_BY_SHARE})"
        f" and slower than at the smallest size (target <= {GROWTH}×):"
    )
    print(f"  {'database':<11}{'page':<32}{'ratio':>7}{'growth':>8}  {'verdict':<38}queries")
    for (database, page), by_size in by_page.items():
        small, large = by_size[min(by_size)], by_size[max(by_size)]
        ratio_met = large.ratio <= GROUP_BY_SHARE
        missed = [] if ratio_met else [f"ratio > {GROUP_BY_SHARE}"]
        growth = "-"
        if len(by_size) > 1:
            slower = large.timing.median_ms / small.timing.median_ms
            growth = f"{slower:.2f}×"
            if slower > GROWTH:
                missed.append(f"growth > {GROWTH}×")
        verdict = "BOTH MET" if not missed else "MISSED: " + ", ".join(missed)
        if len(by_size) < 2 and not missed:
            verdict = "ratio met (one size only)"
        queries = " -> ".join(str(by_size[size].timing.queries) for size in sorted(by_size))
        print(f"  {database:<11}{page:<32}{large.ratio:>7.3f}{growth:>8}  {verdict:<38}{queries}")


def main() -> None:
    sizes = [int(s) for s in _setting("BENCH_LIST_SIZES", "10000,100000").split(",")]
    databases = [d.strip() for d in _setting("BENCH_DATABASES", "sqlite,postgresql").split(",")]
    rows: list[Measured] = []
    for database in databases:
        for size in sizes:
            print(f"\n== {database}, {size:,} responses", flush=True)
            try:
                with _fresh(database) as url:
                    rows.extend(measure(database, size, url))
            except Unavailable as error:
                print(f"{database} skipped: {error}")
                break
    print_lists(rows)


if __name__ == "__main__":
    main()
