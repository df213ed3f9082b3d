"""Spiegel: feedback after every contact between a municipality and an entrepreneur."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import load_config
from survey.extensions import babel, csrf, db, limiter, login_manager, migrate
from survey.operations import register_operations


def create_app(profile: str | None = None, **overrides) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.from_object(load_config(profile))
    app.config.update(overrides)
    register_proxy(app)
    register_operations(app)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_templates(app)
    from survey.errors import register_error_handlers
    from survey.security import register_security_headers

    register_error_handlers(app)
    register_security_headers(app)
    register_jobs(app)
    return app


def register_proxy(app: Flask) -> None:
    if hops := app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from survey import models  # noqa: F401  (every model known before Alembic looks)
    from survey.accounts.login import load_user
    from survey.accounts.sessions import SessionCookie
    from survey.languages import select_locale, select_timezone
    from survey.pool import watch_pooled_connections
    from survey.types import include_name, render_item

    db.init_app(app)
    with app.app_context():
        watch_pooled_connections(db.engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        render_item=render_item,
        include_name=include_name,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    _check_limits_where_declared(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.session_interface = SessionCookie()
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.localize_callback = str  # translated when flashed, in the visitor's language
    login_manager.login_message_category = "info"


# The settings that give Flask-Limiter limits to check before every view.
_LIMITS_FOR_EVERY_REQUEST = (
    "RATELIMIT_DEFAULT",
    "RATELIMIT_APPLICATION",
    "RATELIMIT_META",
    "RATELIMIT_IN_MEMORY_FALLBACK",
)


def _check_limits_where_declared(app: Flask) -> None:
    """Without limits for every request, leave out the limiter's check before every view.

    That check looks for default, application and blueprint limits; Spiegel has none. Its limits
    sit on the views they guard (`@limiter.limit` checks them itself) or are counted where they
    apply (the login throttle), so the check found nothing, at a tenth of what opening a survey
    link costs. Configured limits for every request (RATELIMIT_DEFAULT and the like) keep it."""
    manager = limiter.limit_manager
    if any(app.config.get(key) for key in _LIMITS_FOR_EVERY_REQUEST):
        return
    if manager.default_limits or manager.application_limits:
        return
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:
        hooks.remove(limiter._check_request_limit)


def register_blueprints(app: Flask) -> None:
    from survey.accounts.admin import bp as users
    from survey.accounts.routes import bp as accounts
    from survey.accounts.settings import bp as settings
    from survey.audit.routes import bp as audit
    from survey.circles.action_views import bp as improvement_actions
    from survey.circles.routes import bp as circles
    from survey.contacts.routes import bp as contacts
    from survey.dashboards.plotly_asset import bp as plotly_asset
    from survey.dashboards.routes import bp as dashboards
    from survey.devmail.routes import bp as mailbox
    from survey.events.routes import bp as events
    from survey.invitations.routes import bp as invitations
    from survey.languages import bp as languages
    from survey.outbox.routes import bp as outbox
    from survey.platform.routes import bp as platform
    from survey.privacy.views import bp as privacy_requests
    from survey.request_input import RecordIdConverter
    from survey.responding.privacy_statement import bp as privacy
    from survey.responding.room import bp as room
    from survey.responding.routes import bp as responding
    from survey.responding.unsubscribe import bp as unsubscribe

    app.url_map.converters["int"] = RecordIdConverter  # bounded ids: never a database overflow

    for blueprint in (
        accounts,
        users,
        settings,
        audit,
        contacts,
        events,
        circles,
        improvement_actions,
        dashboards,
        plotly_asset,
        invitations,
        outbox,
        languages,
        responding,
        room,
        unsubscribe,
        privacy,
        mailbox,
        platform,
        privacy_requests,
    ):
        app.register_blueprint(blueprint)


def register_cli(app: Flask) -> None:
    from survey.accounts.cli import organisations_cli, users_cli
    from survey.analysis.cli import analysis_cli
    from survey.backups import backup_command
    from survey.circles.cli import circles_cli
    from survey.demo.cli import demo_command
    from survey.jobs.cli import jobs_cli, scheduler_command
    from survey.privacy.cli import privacy_cli
    from survey.questionnaires.cli import catalogue_cli

    for command in (
        organisations_cli,
        users_cli,
        catalogue_cli,
        circles_cli,
        analysis_cli,
        backup_command,
        demo_command,
        jobs_cli,
        scheduler_command,
        privacy_cli,
    ):
        app.cli.add_command(command)


def register_jobs(app: Flask) -> None:
    """The outbox learns what invitation emails mean; development may run the jobs in-process."""
    from survey.invitations.sending import InvitationDelivery
    from survey.jobs.scheduler import start_in_background

    app.extensions["spiegel.delivery_hooks"] = InvitationDelivery()
    if app.config["SCHEDULER_ENABLED"]:
        start_in_background(app)


def register_templates(app: Flask) -> None:
    from survey.templating import register_template_helpers

    register_template_helpers(app)
