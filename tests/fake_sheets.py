"""A loopback fake of the Google Sheets v4 endpoints gspread calls, on a real HTTP server.

It answers with the API's JSON shapes (a missing "values" key for an empty range, trailing
empty cells and rows dropped, quoted tab titles such as 'Form Responses 1' in A1 ranges),
serves an OAuth token endpoint for service-account credentials, counts every request and
injects the faults a user meets (403, 404, 429, 500, a hang, invalid JSON).
Used by the tests and by benchmarks/bench_sync.py; nothing here talks to Google.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

TOKEN = "fake-access-token"
CLIENT_EMAIL = "mission-control@fake-project.iam.gserviceaccount.com"

FAULT_BODIES = {
    403: {"code": 403, "message": "The caller does not have permission", "status": "PERMISSION_DENIED"},
    404: {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"},
    429: {
        "code": 429,
        "message": "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute "
        "per user' of service 'sheets.googleapis.com' for consumer 'project_number:1'.",
        "status": "RESOURCE_EXHAUSTED",
    },
    500: {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"},
    503: {"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE"},
}


class _QuietHandler(WSGIRequestHandler):
    def log(self, type, message, *args):  # keep test and benchmark output readable
        pass


def column_letter(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA."""
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def frame_values(frame: pd.DataFrame) -> list[list[str]]:
    """A tab as the API sends it: header row first, trailing empty cells and rows dropped."""
    rows = [[str(c) for c in frame.columns]]
    for record in frame.itertuples(index=False, name=None):
        rows.append(["" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in record])
    trimmed = []
    for row in rows:
        while row and row[-1] == "":
            row = row[:-1]
        trimmed.append(row)
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def parse_a1(text: str) -> tuple[str, str | None]:
    """'Form Responses 1'!A1:Z -> ("Form Responses 1", "A1:Z"); Sheet1 -> ("Sheet1", None)."""
    text = text.strip()
    if text.startswith("'"):
        match = re.fullmatch(r"'((?:[^']|'')*)'(?:!(.*))?", text)
        if not match:
            raise ValueError(text)
        return match.group(1).replace("''", "'"), match.group(2)
    name, _, cells = text.partition("!")
    return name, cells or None


@dataclass
class Fault:
    kind: str  # "status" | "hang" | "invalid_json"
    status: int = 0
    seconds: float = 0.0
    times: int = 1  # -1 = every request
    only: str | None = None  # "metadata" | "values" | "batch" | "token" or None for any API request


@dataclass
class FakeSheets:
    """The fake server's state: tabs, spreadsheet properties, faults and request counts."""

    tabs: dict[str, pd.DataFrame] = field(default_factory=dict)  # tab title -> frame of strings (in order)
    key: str = "1FakeSpreadsheetKey_mission-control"
    title: str = "Djangonaut Space - Session 6"
    locale: str = "en_US"
    time_zone: str = "UTC"
    faults: list[Fault] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    log: list[tuple[str, str, dict]] = field(default_factory=list)
    token_claims: list[dict] = field(default_factory=list)  # the JWT claims of each token request (unverified)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> "FakeSheets":
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True, request_handler=_QuietHandler)
        # serve_forever checks for shutdown every poll_interval (0.5 s by default): each test's stop() waited that long
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        """The base URL to configure as [sources] sheets_api_url."""
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def token_uri(self) -> str:
        return self.url + "/token"

    @property
    def spreadsheet_url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.key}/edit#gid=0"

    @property
    def api_requests(self) -> int:
        """Sheets API requests received (token requests not included)."""
        return self.counts["metadata"] + self.counts["values"] + self.counts["batch"]

    def reset_counts(self) -> None:
        self.counts.clear()
        self.log.clear()

    def inject(
        self, kind: str, *, status: int = 0, seconds: float = 0.0, times: int = 1, only: str | None = None
    ) -> None:
        """Fail the next `times` matching requests (-1: all of them)."""
        self.faults.append(Fault(kind, status, seconds, times, only))

    # --- the WSGI app --------------------------------------------------------------------
    def _fault_for(self, endpoint: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times != 0 and (fault.only == endpoint or (fault.only is None and endpoint != "token")):
                    if fault.times > 0:
                        fault.times -= 1
                    return fault
        return None

    @staticmethod
    def _json(data: Any, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, content_type="application/json; charset=UTF-8")

    def _error(self, status: int, message: str | None = None, reason: str | None = None) -> Response:
        body = dict(
            FAULT_BODIES.get(status, {"code": status, "message": message or "Error", "status": reason or "UNKNOWN"})
        )
        if message:
            body["message"] = message
        if reason:
            body["status"] = reason
        return self._json({"error": body}, status)

    def wsgi(self, environ, start_response):
        request = Request(environ)
        response = self.handle(request)
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        path = request.path
        if path == "/token":
            endpoint = "token"
        elif path.endswith("/values:batchGet"):
            endpoint = "batch"
        elif "/values/" in path:
            endpoint = "values"
        else:
            endpoint = "metadata"
        with self._lock:
            self.counts[endpoint] += 1
            self.log.append((request.method, path, {k: request.args.getlist(k) for k in request.args}))
        fault = self._fault_for(endpoint)
        if fault is not None:
            if fault.kind == "hang":
                time.sleep(fault.seconds)
            elif fault.kind == "invalid_json":
                return Response(
                    "<html><body>Bad gateway</body></html>{not json", status=200, content_type="application/json"
                )
            elif fault.kind == "status":
                return self._error(fault.status)
        if endpoint == "token":
            self.token_claims.append(_jwt_claims(request.form.get("assertion", "")))
            return self._json({"access_token": TOKEN, "expires_in": 3600, "token_type": "Bearer"})
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._error(401, "Request is missing required authentication credential.", "UNAUTHENTICATED")
        match = re.match(r"^/v4/spreadsheets/([^/:]+)", path)
        if not match or match.group(1) != self.key:
            return self._error(404)
        if endpoint == "metadata":
            return self._json(self.metadata())
        if endpoint == "batch":
            ranges = request.args.getlist("ranges")
            if not ranges:
                return self._error(400, "Must specify at least one range.", "INVALID_ARGUMENT")
            value_ranges = []
            for a1 in ranges:
                found = self.value_range(a1)
                if found is None:
                    return self._error(400, f"Unable to parse range: {a1}", "INVALID_ARGUMENT")
                value_ranges.append(found)
            return self._json({"spreadsheetId": self.key, "valueRanges": value_ranges})
        a1 = path.split("/values/", 1)[1]
        found = self.value_range(a1)
        if found is None:
            return self._error(400, f"Unable to parse range: {a1}", "INVALID_ARGUMENT")
        return self._json(found)

    # --- the JSON shapes -----------------------------------------------------------------
    def _grid(self, frame: pd.DataFrame) -> tuple[int, int]:
        return max(1000, len(frame) + 1), max(26, len(frame.columns))

    def metadata(self) -> dict[str, Any]:
        sheets = []
        for index, (name, frame) in enumerate(self.tabs.items()):
            rows, cols = self._grid(frame)
            sheets.append(
                {
                    "properties": {
                        "sheetId": index * 1111,
                        "title": name,
                        "index": index,
                        "sheetType": "GRID",
                        "gridProperties": {"rowCount": rows, "columnCount": cols},
                    }
                }
            )
        return {
            "spreadsheetId": self.key,
            "properties": {
                "title": self.title,
                "locale": self.locale,
                "autoRecalc": "ON_CHANGE",
                "timeZone": self.time_zone,
                "defaultFormat": {"backgroundColor": {"red": 1, "green": 1, "blue": 1}},
            },
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.key}/edit",
        }

    def value_range(self, a1: str) -> dict[str, Any] | None:
        try:
            name, cells = parse_a1(a1)
        except ValueError:
            return None
        title = next((t for t in self.tabs if t.casefold() == name.casefold()), None)
        if title is None:
            return None
        frame = self.tabs[title]
        values = frame_values(frame)
        rows, cols = self._grid(frame)
        first_row, first_col, last_col = 1, 1, cols
        if cells:
            m = re.fullmatch(r"([A-Z]+)(\d*)(?::([A-Z]+)(\d*))?", cells.upper())
            if not m:
                return None
            first_col = _col_number(m.group(1))
            first_row = int(m.group(2) or 1)
            last_col = _col_number(m.group(3)) if m.group(3) else first_col
            values = [row[first_col - 1 : last_col] for row in values[first_row - 1 :]]
            values = [_rstrip(r) for r in values]
            while values and not values[-1]:
                values.pop()
        body = {
            "range": f"'{title.replace(chr(39), chr(39) * 2)}'!{column_letter(first_col)}{first_row}:"
            f"{column_letter(last_col)}{rows}",
            "majorDimension": "ROWS",
        }
        if values:  # the API leaves "values" out entirely for an empty range
            body["values"] = values
        return body


def _jwt_claims(assertion: str) -> dict:
    """The claims of a service account's signed JWT, read without checking the signature."""
    import base64

    try:
        payload = assertion.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _rstrip(row: list[str]) -> list[str]:
    while row and row[-1] == "":
        row = row[:-1]
    return row


# --- credentials for tests ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _private_key_pem() -> str:
    """A throwaway RSA key, generated once per process (never a real Google key)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def service_account_info(token_uri: str) -> dict[str, str]:
    """A service-account key whose token endpoint is the fake server's."""
    return {
        "type": "service_account",
        "project_id": "fake-project",
        "private_key_id": "0123456789abcdef",
        "private_key": _private_key_pem(),
        "client_email": CLIENT_EMAIL,
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
    }


def demo_tabs(seed: int = 42, scale: int = 1) -> dict[str, pd.DataFrame]:
    """The demo's current session as a workbook: tab title -> frame, plus a tab nobody configured."""
    from dashboard import demo

    tables = demo.generate(seed, scale).sessions[-1]["tables"]
    tabs = {demo.SHEET_NAMES[t]: frame for t, frame in tables.items()}
    tabs["Notes"] = pd.DataFrame({"Note": ["Organisers' scratch tab"]})
    return tabs


def demo_tab_config(tables: list[str] | None = None) -> dict[str, str]:
    """[sources.tabs] for the demo workbook."""
    from dashboard import demo

    names = tables or ["people", "teams", "applications", "reviews", "decisions", "checkins", "surveys"]
    return {t: demo.SHEET_NAMES[t] for t in names}
