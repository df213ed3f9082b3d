"""The benchmark pages: members with a standing consent see each other's named aggregates and
nothing below them; everyone else gets a 404; only fixed periods; the report and the export."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from survey.accounts.models import Role
from survey.audit.models import Action, AuditEvent
from survey.extensions import db
from survey.responding.models import Answer
from tests import factories
from tests.circles.factories import answered, circle, join, municipality

APRIL = datetime(2025, 4, 15, 10, tzinfo=UTC)
REMARK = "Geheime opmerking over de accountmanager"


@pytest.fixture
def world(app):
    """Four sharing members, one member that does not share, and another circle."""
    with app.app_context():
        names = ["Gemeente Aa", "Gemeente Bee", "Gemeente Cee", "Gemeente Dee"]
        sharing = [
            municipality(name, size_class="s" if i < 2 else "m") for i, name in enumerate(names)
        ]
        for index, org in enumerate(sharing):
            grades = {"overall": [6, 8, 9], "statements": [3, 4, 5], "remark": REMARK}
            answered(org, 6 + index, on=APRIL, seed=index, **grades)
        silent = municipality("Gemeente Zwijg")
        answered(silent, 8, on=APRIL)
        kring = circle(*sharing, name="Kring Noord")
        join(kring, silent, consented=False)
        other_org = municipality("Gemeente Elders")
        other = circle(other_org, name="Kring Zuid")
        platform = factories.organisation("Platform", is_platform=True)
        people = {
            "admin": factories.user(sharing[0], Role.ADMIN).email,
            "coordinator": factories.user(sharing[0], Role.COORDINATOR).email,
            "manager": factories.user(sharing[0], Role.ACCOUNT_MANAGER).email,
            "silent": factories.user(silent, Role.ADMIN).email,
            "elsewhere": factories.user(other_org, Role.ADMIN).email,
            "operator": factories.user(platform, Role.OPERATOR).email,
        }
        managers = sorted(
            u.name for org in sharing for u in org.users if u.role is Role.ACCOUNT_MANAGER
        )
        db.session.commit()
        # The remarks are there to be kept out: every sharing member's responses carry one.
        assert db.session.scalar(select(func.count(Answer.id)).where(Answer.text == REMARK)) == 30
        return {
            "circle": kring.id,
            "other": other.id,
            "names": [org.name for org in sharing],
            "silent": silent.name,
            "people": people,
            "managers": managers,
        }


def _page(client, log_in, world, who, path="", **query):
    client.post("/logout", data={"csrf_token": _token(client)})
    log_in(world["people"][who])
    return client.get(f"/circles/{world['circle']}{path}", query_string=query)


def _token(client) -> str:
    from tests.conftest import csrf_token_in

    page = client.get("/account")
    return csrf_token_in(page.text) if page.status_code == 200 else ""


def test_a_member_sees_the_named_aggregates_of_the_members_that_share(client, log_in, world):
    page = _page(client, log_in, world, "admin", period="2025-Q2")
    assert page.status_code == 200
    for name in world["names"]:
        assert name in page.text
    assert world["silent"] not in page.text  # no consent: its figures are absent
    assert 'id="chart-overall"' in page.text  # the funnel plot, with its table


def test_no_remark_and_no_account_manager_is_ever_on_the_circle_pages(client, log_in, world):
    for who in ("admin", "operator"):
        for path in ("", "/report", "/export.csv"):
            page = _page(client, log_in, world, who, path, period="2025-Q2")
            assert page.status_code == 200
            text = page.get_data(as_text=True)
            assert REMARK not in text
            assert not any(name in text for name in world["managers"])


def test_another_circle_or_an_unknown_one_is_a_404(client, log_in, world):
    log_in(world["people"]["elsewhere"])
    assert client.get(f"/circles/{world['circle']}").status_code == 404
    assert client.get(f"/circles/{world['circle']}/report").status_code == 404
    assert client.get(f"/circles/{world['circle']}/export.csv").status_code == 404
    assert client.get("/circles/999999").status_code == 404


def test_a_member_that_does_not_share_sees_no_figures(client, log_in, world):
    log_in(world["people"]["silent"])
    assert client.get(f"/circles/{world['circle']}").status_code == 404
    listing = client.get("/circles")
    assert "Kring Noord" in listing.text and "deelt haar cijfers niet" in listing.text


def test_account_managers_do_not_compare_municipalities(client, log_in, world):
    assert _page(client, log_in, world, "manager").status_code == 403


def test_the_operator_sees_the_aggregates_of_every_circle(client, log_in, world):
    page = _page(client, log_in, world, "operator", period="2025-Q2")
    assert page.status_code == 200 and world["names"][0] in page.text
    listing = client.get("/circles")
    assert "Kring Noord" in listing.text and "Kring Zuid" in listing.text


@pytest.mark.parametrize(
    "query",
    [
        {"period": "2025-05"},
        {"period": "2025-01..2025-05"},
        {"period": "2025-Q5"},
        {"period": "2099-Q1"},  # not ended
        {"period": "2026-Q4"},  # not ended on 1 December 2026 either
        {"period": "2025-Q2\x00"},
        {"group": "nobody"},
        {"adjust": "maybe"},
    ],
)
def test_only_fixed_ended_periods_and_known_choices_are_shown(client, log_in, world, query):
    page = _page(client, log_in, world, "coordinator", **query)
    assert page.status_code == 400
    assert "2026-Q1" in page.text or "circle" in page.text


def test_a_size_class_and_the_channel_adjustment_can_be_chosen(client, log_in, world):
    page = _page(client, log_in, world, "admin", period="2025-Q2", group="s", adjust="1")
    assert page.status_code == 200
    assert "Gemeente Aa" in page.text and "Gemeente Cee" not in page.text


def test_the_report_has_a_page_per_member_and_a_section_for_good_practices(client, log_in, world):
    page = _page(client, log_in, world, "admin", "/report", period="2025-Q2")
    assert page.status_code == 200
    assert page.text.count('class="report-section member-page"') == 4
    assert "<svg" in page.text and "circle-report.css" in page.text
    assert 'id="practices-title"' in page.text


def test_the_export_holds_the_aggregates_and_is_recorded(client, log_in, app, world):
    page = _page(client, log_in, world, "admin", "/export.csv", period="2025-Q2")
    assert page.status_code == 200 and page.content_type.startswith("text/csv")
    text = page.get_data(as_text=True)
    assert all(name in text for name in world["names"]) and world["silent"] not in text
    xlsx = client.get(f"/circles/{world['circle']}/export.xlsx", query_string={"period": "2025"})
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.RESPONSES_EXPORTED)
        ).all()
        assert [e.detail["period"] for e in events] == ["2025-Q2", "2025"]
        assert {e.detail["circle_id"] for e in events} == {world["circle"]}


def test_a_member_far_below_the_others_is_called_below_the_circle(client, log_in, app):
    # Ten members, as a circle has: the winsorised dispersion keeps the one far-off member
    # from widening the limits so much that it would fall within them.
    with app.app_context():
        orgs = [municipality(f"Gemeente {number}") for number in range(9)]
        orgs.append(municipality("Gemeente Laag"))
        for seed, org in enumerate(orgs[:9]):
            answered(org, 15, on=APRIL, overall=[8, 9], statements=[4, 5], seed=seed)
        answered(orgs[9], 15, on=APRIL, overall=[2, 3], statements=[1, 2], seed=1)
        kring = circle(*orgs)
        email = factories.user(orgs[0], Role.COORDINATOR).email
        db.session.commit()
        circle_id = kring.id
    log_in(email)
    page = client.get(f"/circles/{circle_id}", query_string={"period": "2025-Q2"})
    assert page.status_code == 200
    row = page.text.split('scope="row">Gemeente Laag')[1].split("</tr>")[0]
    assert "onder de kring" in row  # Dutch by default
    english = client.get(
        f"/circles/{circle_id}",
        query_string={"period": "2025-Q2"},
        headers={"Accept-Language": "en"},
    )
    assert english.status_code == 200


def test_an_empty_circle_shows_no_figures_and_no_error(client, log_in, app):
    with app.app_context():
        platform = factories.organisation("Platform", is_platform=True)
        email = factories.user(platform, Role.OPERATOR).email
        circle_id = circle(name="Kring Leeg").id
        db.session.commit()
    log_in(email)
    for path in ("", "/report", "/export.csv", "/export.xlsx"):
        assert client.get(f"/circles/{circle_id}{path}").status_code == 200


def test_odd_choices_are_refused_with_a_message_never_a_server_error(client, log_in, world):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    log_in(world["people"]["admin"])
    odd = st.one_of(st.text(max_size=30), st.sampled_from(["2025-Q2", "2025", "s", "1", "0"]))

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(period=odd, group=odd, adjust=odd, path=st.sampled_from(["", "/report", "/export.csv"]))
    def check(period, group, adjust, path):
        query = {"period": period, "group": group, "adjust": adjust}
        page = client.get(f"/circles/{world['circle']}{path}", query_string=query)
        assert page.status_code in (200, 400)

    check()


def test_the_report_shows_the_good_practices_shared_in_the_circle(client, log_in, app, world):
    from datetime import date

    from survey.accounts.models import Organisation
    from survey.circles.models import GoodPractice, ImprovementAction

    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == world["names"][1]))
        action = ImprovementAction(
            organisation_id=org.id, title="Terugbelbelofte", starts_on=date(2025, 1, 1)
        )
        db.session.add(action)
        db.session.flush()
        shared = datetime(2025, 6, 1, tzinfo=UTC)
        db.session.add(
            GoodPractice(
                action_id=action.id,
                organisation_id=org.id,
                title="Terugbelbelofte binnen een dag",
                what_was_done="Elke vraag binnen een werkdag teruggebeld.",
                shared_at=shared,
            )
        )
        db.session.commit()
    page = _page(client, log_in, world, "coordinator", "/report", period="2025-Q2")
    section = page.text.split('id="practices-title"')[1]
    assert "Terugbelbelofte binnen een dag" in section and world["names"][1] in section
