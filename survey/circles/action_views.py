"""Staff pages for improvement actions: the list, recording and changing an action, its measured
effect, sharing it as a good practice and withdrawing it; and the good practices and largest
proven progress of the circles the organisation shares its figures in."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.accounts.models import Role, User
from survey.analysis.effects import DEFAULT_WINDOW, LONGEST_WINDOW
from survey.audit.models import Action
from survey.audit.trail import record
from survey.circles import actions
from survey.circles.action_forms import ActionForm, PracticeForm, action_values
from survey.circles.models import ImprovementAction
from survey.clock import utcnow
from survey.errors import render_error
from survey.extensions import db
from survey.request_input import FIRST_YEAR, LAST_YEAR, bounded_int
from survey.security import get_scoped_or_404, roles_required, scoped

bp = Blueprint("actions", __name__, url_prefix="/circles/actions")

COORDINATING = (Role.ADMIN, Role.COORDINATOR)


def _me() -> User:
    return current_user._get_current_object()


def _locale() -> str:
    return str(get_locale())


def _query_number(name: str, low: int, high: int, default: int, problem: str) -> int:
    """A whole number from the query string, `default` when absent; 400 saying `problem` for
    anything else."""
    text = request.args.get(name)
    if text is None:
        return default
    number = bounded_int(text, low, high)
    if number is None:
        abort(
            make_response(render_error(400, _("Something went wrong with this request"), problem))
        )
    return number


def _staff() -> list[User]:
    statement = scoped(select(User), User).where(User.active, User.removed_at.is_(None))
    return list(db.session.scalars(statement.order_by(User.stored_name, User.id)))


def _form(action: ImprovementAction | None = None, **values) -> ActionForm:
    staff = _staff()
    chosen = set(action.account_manager_ids) if action else set()
    managers = [u for u in staff if u.role is Role.ACCOUNT_MANAGER or u.id in chosen]
    if action and action.contact_person and action.contact_person not in staff:
        staff.append(action.contact_person)
    return ActionForm(
        questions=actions.target_questions(_locale()), managers=managers, staff=staff, **values
    )


def _form_page(form: ActionForm, action: ImprovementAction | None = None):
    return render_template(
        "circles/action_form.html", form=form, action=action
    ), 422 if form.errors else 200


@bp.get("")
@roles_required(*COORDINATING)
def index():
    found = db.session.scalars(
        scoped(select(ImprovementAction), ImprovementAction).order_by(
            ImprovementAction.starts_on.desc(), ImprovementAction.id.desc()
        )
    )
    texts = {q.code: q.text for q in actions.target_questions(_locale())}
    return render_template("circles/action_list.html", actions=list(found), texts=texts)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*COORDINATING)
def new():
    form = _form()
    if form.validate_on_submit():
        action = actions.record_action(_me().organisation, form.details(), utcnow(), _me())
        record(Action.IMPROVEMENT_ACTION_RECORDED, utcnow(), actor=_me(), subject=action)
        db.session.commit()
        flash(_("The improvement action has been recorded."), "info")
        return redirect(url_for(".detail", action_id=action.id))
    return _form_page(form)


@bp.route("/<int:action_id>/edit", methods=["GET", "POST"])
@roles_required(*COORDINATING)
def edit(action_id: int):
    action = get_scoped_or_404(ImprovementAction, action_id)
    form = _form(action, data=action_values(action))
    if form.validate_on_submit():
        actions.change_action(action, form.details())
        record(Action.IMPROVEMENT_ACTION_CHANGED, utcnow(), actor=_me(), subject=action)
        db.session.commit()
        flash(_("The improvement action has been changed."), "info")
        return redirect(url_for(".detail", action_id=action.id))
    return _form_page(form, action)


@bp.get("/<int:action_id>")
@roles_required(*COORDINATING)
def detail(action_id: int):
    action = get_scoped_or_404(ImprovementAction, action_id)
    months = _query_number(
        "months",
        1,
        LONGEST_WINDOW,
        DEFAULT_WINDOW,
        _("Choose a number of months from 1 to %(longest)d.", longest=LONGEST_WINDOW),
    )
    measurement = actions.measure_action(action, months, utcnow())
    questions = {q.code: q for q in actions.target_questions(_locale())}
    managers = db.session.scalars(
        scoped(select(User), User).where(User.id.in_(action.account_manager_ids))
    )
    return render_template(
        "circles/action_detail.html",
        action=action,
        measurement=measurement,
        questions=questions,
        statements=actions.statements(measurement, _locale()),
        managers=[user.name for user in managers],
        months=months,
        longest=LONGEST_WINDOW,
        minimum=action.organisation.min_group_size,
        shared=actions.is_shared(action),
    )


@bp.route("/<int:action_id>/share", methods=["GET", "POST"])
@roles_required(*COORDINATING)
def share(action_id: int):
    action, now = get_scoped_or_404(ImprovementAction, action_id), utcnow()
    circles = actions.sharing_circles(action.organisation_id, now)
    if request.method == "GET":
        form = PracticeForm(data=asdict(actions.practice_draft(action, now, _locale())))
    else:
        form = PracticeForm()
    if circles and form.validate_on_submit():
        actions.share_practice(action, form.details(), now, _me())
        record(Action.GOOD_PRACTICE_SHARED, now, actor=_me(), subject=action)
        db.session.commit()
        flash(_("The action is shared as a good practice with your circles."), "info")
        return redirect(url_for(".detail", action_id=action.id))
    status = 422 if form.errors else (409 if request.method == "POST" else 200)
    return render_template(
        "circles/practice_form.html", form=form, action=action, circles=circles
    ), status


@bp.post("/<int:action_id>/withdraw")
@roles_required(*COORDINATING)
def withdraw(action_id: int):
    action = get_scoped_or_404(ImprovementAction, action_id)
    if action.good_practice is not None:
        actions.withdraw_practice(action.good_practice, utcnow())
        record(Action.GOOD_PRACTICE_WITHDRAWN, utcnow(), actor=_me(), subject=action)
        db.session.commit()
    flash(_("The good practice has been withdrawn: the circles no longer see it."), "info")
    return redirect(url_for(".detail", action_id=action.id))


@bp.get("/practices")
@roles_required(*COORDINATING)
def practices():
    now = utcnow()
    year = _query_number(
        "year",
        FIRST_YEAR,
        LAST_YEAR,
        _last_full_year(now),
        _("Choose a year from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR),
    )
    circles = actions.sharing_circles(_me().organisation_id, now)
    return render_template(
        "circles/practices.html",
        circles=[
            (
                circle,
                actions.circle_practices(circle.id, now),
                actions.largest_progress(circle.id, year, now),
            )
            for circle in circles
        ],
        year=year,
        questions={q.code: q for q in actions.target_questions(_locale())},
    )


def _last_full_year(now: datetime) -> int:
    return now.year - 1
