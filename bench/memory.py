"""The memory one CSV export takes, in a fresh process:

    python -m bench.memory DATABASE_URL EMAIL PASSWORD PATH

prints one JSON line: status, responses exported (lines after the header), the resident memory
before the export and its high-water mark during it, in MB. The mark is reset after logging in
(Linux: /proc/self/clear_refs), since checking a password with Argon2 alone takes 64 MB.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from bench.pages import fetch, logged_in_client
from survey import create_app

STATUS = Path("/proc/self/status")


def _status_mb(field: str) -> float:
    return int(re.search(rf"{field}:\s+(\d+) kB", STATUS.read_text()).group(1)) / 1024


def main() -> None:
    url, email, password, path = sys.argv[1:5]
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, SCHEDULER_ENABLED=False)
    client = logged_in_client(app, email, password)
    Path("/proc/self/clear_refs").write_text("5")  # the high-water mark starts again from here
    before = _status_mb("VmRSS")
    status, size, lines = fetch(client, path)
    result = {
        "status": status,
        "responses": max(lines - 1, 0),
        "megabytes": round(size / 2**20, 1),
        "rss_before_mb": round(before, 1),
        "rss_peak_mb": round(_status_mb("VmHWM"), 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
