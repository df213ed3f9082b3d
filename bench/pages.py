"""Timing pages through Flask's test client, logged in through the real login form, and a plain
query on the database: each the median of several runs after a warm-up; and counting the SQL
statements a page sends to the database."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from survey.extensions import db

CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Timing:
    measurement: str
    median_ms: float | None  # None: not measured, `note` says why
    note: str = ""
    queries: int | None = None  # SQL statements of one request of the page


def logged_in_client(app: Flask, email: str, password: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/login")
    token = CSRF_TOKEN.search(page.text).group(1)
    answer = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    if answer.status_code != 302:
        raise RuntimeError(f"logging in as {email} failed ({answer.status_code})")
    return client


def fetch(client: FlaskClient, url: str) -> tuple[int, int, int]:
    """Status, bytes and lines of the page, reading the whole (streamed) body."""
    response = client.get(url, buffered=False)
    size = lines = 0
    for chunk in response.iter_encoded():
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    return response.status_code, size, lines


def median_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm-up: caches, compiled statements, templates
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def queries_of(client: FlaskClient, url: str) -> int:
    """How many SQL statements one request of the page sends (a warm one: after the timings)."""
    with client.application.app_context():
        engine = db.engine
    sent = 0

    def count(*_) -> None:
        nonlocal sent
        sent += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        fetch(client, url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return sent


def time_page(client: FlaskClient, measurement: str, url: str, repeat: int) -> Timing:
    try:
        status, _, _ = fetch(client, url)
        if status == 404:
            return Timing(measurement, None, "page missing (404)")
        if status != 200:
            return Timing(measurement, None, f"answered {status}")
        timing = Timing(measurement, median_ms(lambda: fetch(client, url), repeat))
        timing.queries = queries_of(client, url)
        return timing
    except Exception as error:  # a page under construction may fail; measure the rest
        return Timing(measurement, None, f"error: {type(error).__name__}: {error}"[:120])
