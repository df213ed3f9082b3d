"""The QR code on the projector scans to the room link: the SVG in the staff page is drawn back
into pixels module by module and read with a real QR decoder (zxing-cpp), as a phone would."""

from __future__ import annotations

import re

import numpy as np
import zxingcpp

from survey.accounts.models import Role
from survey.clock import utcnow
from survey.events.rooms import qr_code, room_link_for
from survey.extensions import db
from tests import factories

PIXELS_PER_MODULE = 6


def _room_link(app, **org_settings):
    with app.app_context():
        org = factories.organisation(**org_settings)
        coordinator = factories.user(org, Role.COORDINATOR)
        event = factories.event(org, coordinator)
        link = room_link_for(event, utcnow())
        db.session.commit()
        return coordinator.email, event.id, link.shown_code


def _modules(svg: str) -> np.ndarray:
    """The dark modules of segno's SVG (one path of horizontal runs: "M x y", "m dx dy",
    "h n"), as an image: 0 for dark, 255 for light, the quiet zone included."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    path = re.search(r'<path class="qrline"[^>]* d="([^"]+)"', svg).group(1)
    image = np.full((size, size), 255, dtype=np.uint8)
    x = y = 0.0
    for command, numbers in re.findall(r"([MmHh])([-\d. ]+)", path):
        values = [float(v) for v in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:  # a run of dark modules on row y - 0.5 (the stroke is one module wide)
            end = values[0] if command == "H" else x + values[0]
            image[int(y - 0.5), int(x) : int(end)] = 0
            x = end
    return np.kron(image, np.ones((PIXELS_PER_MODULE, PIXELS_PER_MODULE), dtype=np.uint8))


def _decoded(image: np.ndarray) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(image)]


def test_the_qr_code_on_the_staff_page_scans_to_the_room_links_address(app, client, log_in):
    email, event_id, code = _room_link(app)
    log_in(email)
    for page in (f"/events/{event_id}/room", f"/events/{event_id}/room/present"):
        html = client.get(page).text
        svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
        assert _decoded(_modules(svg)) == [f"http://localhost/r/{code}"]
        assert readable_address(html) == f"http://localhost/r/{code}"  # the same, in words


def test_the_qr_code_keeps_its_quiet_zone_and_is_dark_on_white(app, client, log_in):
    email, event_id, _ = _room_link(app)
    log_in(email)
    html = client.get(f"/events/{event_id}/room/present").text
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'stroke="#000"' in svg and 'fill="#fff"' in svg
    image = _modules(svg)
    quiet = 4 * PIXELS_PER_MODULE
    assert (image[:quiet] == 255).all() and (image[:, :quiet] == 255).all()
    assert (image[-quiet:] == 255).all() and (image[:, -quiet:] == 255).all()
    assert "width=" not in svg.split(">", 1)[0]  # scaled by the page, not fixed in pixels


def test_the_qr_code_decodes_from_segnos_own_raster_too(ctx):
    """The same QR object rendered as a bitmap by segno: the decoder reads the long
    addresses of a real deployment as well."""
    url = "https://feedback.gemeente-voorbeeldstad.nl/r/K7Q2-M9XD"
    rows = qr_code(url).matrix_iter(scale=PIXELS_PER_MODULE, border=4)
    image = np.array([[0 if dark else 255 for dark in row] for row in rows], dtype=np.uint8)
    assert _decoded(image) == [url]


def readable_address(html: str) -> str:
    """The address as printed under the QR code, without its markup."""
    shown = re.search(r'<span class="room-url">(.*?</span>)</span>', html, re.S).group(1)
    return re.sub(r"<[^>]+>", "", shown)
