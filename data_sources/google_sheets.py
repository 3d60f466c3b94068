"""Google Sheets as a source: every configured tab of one spreadsheet, as raw strings.

One read is at most two API requests: one for the spreadsheet's metadata (tab titles,
locale, time zone) and one ``values:batchGet`` for all configured tabs. Values come back
as Google shows them (FORMATTED_VALUE) and stay strings; dashboard.importer interprets
them, exactly as it does for CSV files.

gspread 6 builds its URLs from module constants (gspread/urls.py). ``SheetsHTTPClient``
rewrites that prefix per client, so a configured ``sheets_api_url`` (a loopback server in
tests) never changes the URLs other gspread clients in the same process use. It is also
the one place that decides timeouts and retries (gspread's BackOffHTTPClient in 6.2.1
retries forever, which would hang a cron job).

Like every connector it takes plain arguments (the spreadsheet, its tabs, the service
account's key, the base URL, the retry policy) and knows nothing of dashboard.toml or the
secrets: dashboard.sync reads those and passes them in.
"""

from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Mapping

import gspread
import pandas as pd
import requests
from google.auth import exceptions as auth_exceptions
from google.oauth2 import service_account
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient
from gspread.urls import SPREADSHEETS_API_V4_BASE_URL

from data_sources.files import RawSheet, raw_sheet_from_rows

DEFAULT_API_URL = "https://sheets.googleapis.com"
GOOGLE_V4_PREFIX = SPREADSHEETS_API_V4_BASE_URL  # https://sheets.googleapis.com/v4/spreadsheets
READONLY_SCOPES = ("https://www.googleapis.com/auth/spreadsheets.readonly",)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
METADATA_FIELDS = "spreadsheetId,properties(title,locale,timeZone),sheets(properties(sheetId,title,index,hidden))"

Progress = Callable[[str], None]


class SyncError(Exception):
    """A sync that cannot go on; ``user_message`` is the one sentence to show a person."""

    def __init__(self, user_message: str, reason: str = "error"):
        super().__init__(user_message)
        self.user_message = user_message
        self.reason = reason


# --- retries and timeouts: the one policy -------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff for 429/5xx/network errors, and a total time limit."""

    timeout: float = 30.0  # seconds for one request (connect and read)
    max_attempts: int = 5  # per request, the first try included
    base_delay: float = 1.0  # first wait; doubles each retry
    max_delay: float = 32.0
    total_seconds: float = 120.0  # for the whole read, all requests and waits together

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1, 2, ...): Retry-After, else backoff with jitter."""
        if retry_after is not None:
            return min(self.max_delay, max(0.0, retry_after))
        backoff = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return backoff * (0.5 + random.random() / 2)


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


def _api_message(response: requests.Response) -> str:
    try:
        return str(response.json()["error"].get("message", "")).strip()
    except Exception:
        return response.text[:200].strip()


class SheetsHTTPClient(HTTPClient):
    """gspread's HTTP client talking to a configurable base URL, with timeouts and bounded retries."""

    def __init__(self, auth, session=None, *, base_url: str = DEFAULT_API_URL, policy: RetryPolicy = RetryPolicy()):
        super().__init__(auth, session)
        self.base_url = base_url.rstrip("/")
        self.policy = policy
        self.timeout = policy.timeout
        self.requests_made = 0  # API requests sent, retries included (token requests are not counted)
        self.deadline: float | None = None

    def start(self) -> None:
        """Start the total time limit for one read."""
        self.deadline = time.monotonic() + self.policy.total_seconds

    def rebase(self, endpoint: str) -> str:
        """gspread's Google URL moved onto the configured base URL."""
        google = GOOGLE_V4_PREFIX.removesuffix("/v4/spreadsheets")
        return self.base_url + endpoint[len(google) :] if endpoint.startswith(google) else endpoint

    def request(self, method, endpoint, params=None, data=None, json=None, files=None, headers=None):
        """One API call: retried on 429, 5xx and network errors until the attempts or the time run out."""
        url = self.rebase(endpoint)
        if self.deadline is None:
            self.start()
        attempt = 0
        while True:
            attempt += 1
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise SyncError(
                    f"Google Sheets did not answer within {self.policy.total_seconds:g} seconds in total; "
                    "try again later.",
                    "time_limit",
                )
            retry_after = None
            try:
                self.requests_made += 1
                response = self.session.request(
                    method=method,
                    url=url,
                    json=json,
                    params=params,
                    data=data,
                    files=files,
                    headers=headers,
                    timeout=min(self.timeout, remaining),
                )
            except auth_exceptions.RefreshError as exc:
                raise SyncError(
                    f"Google refused the service account's key ({_short(exc)}); check the key or create a "
                    "new one in the Google Cloud console.",
                    "credentials",
                ) from exc
            except requests.Timeout:
                problem, reason = f"no answer within {min(self.timeout, remaining):g} seconds", "timeout"
            except (requests.ConnectionError, auth_exceptions.TransportError) as exc:
                problem, reason = f"could not connect ({_short(exc)})", "network"
            else:
                if response.ok:
                    return response
                if response.status_code not in RETRY_STATUSES:
                    raise APIError(response)
                retry_after = _retry_after(response)
                detail = _api_message(response)
                problem = f"HTTP {response.status_code}" + (f": {detail}" if detail else "")
                reason = "rate_limited" if response.status_code == 429 else "server_error"
            wait = self.policy.delay(attempt, retry_after)
            out_of_time = time.monotonic() + wait >= self.deadline
            if attempt >= self.policy.max_attempts or out_of_time:
                raise SyncError(_give_up_message(reason, problem, attempt), reason)
            time.sleep(wait)


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _give_up_message(reason: str, problem: str, attempts: int) -> str:
    tries = f"{attempts} attempt" + ("s" if attempts != 1 else "")
    if reason == "rate_limited":
        return (
            f"Google Sheets is rate-limiting this service account ({problem}); gave up after {tries}. "
            "Wait a minute and sync again, or sync less often."
        )
    if reason == "server_error":
        return f"Google Sheets kept failing ({problem}); gave up after {tries}. Try again later."
    if reason == "timeout":
        return (
            f"Google Sheets did not answer in time ({problem}); gave up after {tries}. Check the network "
            "and try again, or raise [sources] request_timeout in dashboard.toml."
        )
    return f"Could not reach Google Sheets ({problem}); gave up after {tries}. Check the network and sheets_api_url."


# --- credentials and spreadsheet names ----------------------------------------------------


def read_key_file(path: Path) -> dict[str, Any]:
    """A service account's JSON key from a file downloaded from the Google Cloud console."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SyncError(
            f"The service account key file {path} does not exist; fix [sources] service_account_file "
            "in dashboard.toml.",
            "credentials",
        ) from exc
    except (OSError, ValueError) as exc:
        raise SyncError(
            f"The service account key file {path} is not a JSON key ({_short(exc)}); download the key "
            "again from the Google Cloud console.",
            "credentials",
        ) from exc


class _OffGoogleCredentials(service_account.Credentials):
    """Service-account credentials for a non-Google API base URL (a loopback server, a proxy).

    google-auth 2.6x looks up a "regional access boundary" at iamcredentials.googleapis.com
    after each token refresh; with another base URL that call is meaningless, and in tests it
    would reach Google, so it is skipped.
    """

    def _is_regional_access_boundary_lookup_required(self):
        return False


def credentials_from_info(info: Mapping[str, Any], base_url: str = DEFAULT_API_URL) -> service_account.Credentials:
    """Read-only service-account credentials from the key's fields."""
    google = base_url.rstrip("/") == DEFAULT_API_URL
    cls = service_account.Credentials if google else _OffGoogleCredentials
    try:
        return cls.from_service_account_info(dict(info), scopes=list(READONLY_SCOPES))
    except (ValueError, KeyError, TypeError) as exc:
        raise SyncError(
            f"The service account key is not usable ({_short(exc)}); paste the whole JSON key into "
            "[gcp_service_account] or point service_account_file at it.",
            "credentials",
        ) from exc


def spreadsheet_key(spreadsheet: str) -> str:
    """The spreadsheet key from a key or a docs.google.com URL."""
    text = (spreadsheet or "").strip()
    if not text:
        raise SyncError(
            "No spreadsheet is configured; set [sources] spreadsheet in dashboard.toml to the sheet's URL.",
            "not_configured",
        )
    if "/" in text:
        try:
            return gspread.utils.extract_id_from_url(text)
        except gspread.exceptions.NoValidUrlKeyFound as exc:
            raise SyncError(
                f"'{text}' is not a Google Sheets URL; copy the URL from the browser's address bar "
                "(https://docs.google.com/spreadsheets/d/<key>/edit).",
                "bad_url",
            ) from exc
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise SyncError(
            f"'{text}' is neither a spreadsheet key nor a URL; copy the URL from the browser's address bar.", "bad_url"
        )
    return text


def a1_sheet(title: str) -> str:
    """A whole tab as an A1 range: the title in single quotes, inner quotes doubled."""
    return "'" + title.replace("'", "''") + "'"


def make_client(
    info: Mapping[str, Any], base_url: str = DEFAULT_API_URL, policy: RetryPolicy = RetryPolicy()
) -> gspread.Client:
    """A gspread client with read-only service-account credentials, our base URL, timeout and retries."""
    return gspread.Client(
        auth=credentials_from_info(info, base_url),
        http_client=partial(SheetsHTTPClient, base_url=base_url, policy=policy),
    )


# --- reading ------------------------------------------------------------------------------


@dataclass
class SpreadsheetRead:
    """What one read returned: raw tabs per canonical table, and the sheet's locale and time zone."""

    key: str
    title: str
    locale: str
    time_zone: str
    sheets: dict[str, RawSheet] = field(default_factory=dict)
    tabs_found: list[str] = field(default_factory=list)
    empty_tabs: list[str] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0


def _first_row(a1_range: str | None) -> int:
    """The row a returned range starts at ('Check-ins'!A1:Z40 -> 1)."""
    match = re.search(r"![A-Za-z]*(\d+)", a1_range or "")
    return int(match.group(1)) if match else 1


def raw_sheet(title: str, value_range: Mapping[str, Any]) -> RawSheet:
    """One values range as a frame of strings: ragged rows padded, row numbers as the sheet shows them."""
    values = value_range.get("values") or []  # an empty range has no "values" key at all
    if not isinstance(values, list) or not all(isinstance(r, list) for r in values):
        raise SyncError(
            f"Google Sheets sent values for tab '{title}' in an unexpected shape; try again later.", "malformed"
        )
    if not values:
        return RawSheet(title, pd.DataFrame(), [])
    width = max(len(r) for r in values)
    rows = [["" if c is None else str(c) for c in r] + [""] * (width - len(r)) for r in values]
    return raw_sheet_from_rows(title, pd.DataFrame(rows, dtype=str), _first_row(value_range.get("range")))


def _json(response_reader: Callable[[], Any], what: str) -> Any:
    try:
        data = response_reader()
    except SyncError:
        raise
    except (ValueError, requests.JSONDecodeError) as exc:
        raise SyncError(
            f"Google Sheets answered the {what} request with something that is not JSON ({_short(exc)}); "
            "try again later, and check [sources] sheets_api_url.",
            "malformed",
        ) from exc
    if not isinstance(data, dict):
        raise SyncError(
            f"Google Sheets answered the {what} request in an unexpected shape; try again later.", "malformed"
        )
    return data


def _api_error(exc: APIError, key: str, client_email: str, what: str) -> SyncError:
    status = exc.response.status_code
    message = str(exc.error.get("message", "")).strip()
    if status == 403:
        if "SERVICE_DISABLED" in json.dumps(exc.error) or "has not been used" in message or "is disabled" in message:
            return SyncError(
                "The Google Sheets API is not enabled for the service account's Google Cloud project; "
                f"enable it in the Google Cloud console and sync again ({message}).",
                "api_disabled",
            )
        return SyncError(
            f"The spreadsheet is not shared with the service account; share it with {client_email} "
            "(Viewer is enough) and sync again.",
            "not_shared",
        )
    if status == 404:
        return SyncError(
            f"No spreadsheet with key '{key}' was found; check [sources] spreadsheet in dashboard.toml "
            "(copy the URL from the browser's address bar).",
            "not_found",
        )
    if status == 401:
        return SyncError(
            f"Google did not accept the service account's credentials ({message or 'HTTP 401'}); check the key.",
            "credentials",
        )
    return SyncError(
        f"Google Sheets refused the {what} request (HTTP {status}: {message or 'no reason given'}); "
        "check the spreadsheet settings in dashboard.toml.",
        "api_error",
    )


def read_spreadsheet(
    spreadsheet: str,
    tabs: Mapping[str, str],
    info: Mapping[str, Any],
    *,
    base_url: str = DEFAULT_API_URL,
    policy: RetryPolicy = RetryPolicy(),
    progress: Progress | None = None,
) -> SpreadsheetRead:
    """Read the given tabs (canonical table -> tab title): one metadata request, one batchGet."""
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    key = spreadsheet_key(spreadsheet)
    if not tabs:
        raise SyncError(
            "No tabs are configured; list them in dashboard.toml [sources.tabs], e.g. "
            'applications = "Form Responses 1".',
            "config",
        )
    client = make_client(info, base_url, policy)
    http: SheetsHTTPClient = client.http_client  # type: ignore[assignment]
    http.start()
    client_email = str(info.get("client_email", "the service account's client_email"))

    say("Reading spreadsheet metadata")
    try:
        meta = _json(
            lambda: http.fetch_sheet_metadata(key, params={"includeGridData": "false", "fields": METADATA_FIELDS}),
            "metadata",
        )
    except APIError as exc:
        raise _api_error(exc, key, client_email, "metadata") from exc
    props = meta.get("properties") or {}
    sheets_meta = meta.get("sheets")
    if not isinstance(props, dict) or not isinstance(sheets_meta, list):
        raise SyncError(
            "Google Sheets answered the metadata request without the spreadsheet's tabs; try again later.", "malformed"
        )
    titles = [str((s.get("properties") or {}).get("title", "")) for s in sheets_meta if isinstance(s, dict)]
    by_norm = {" ".join(t.split()).casefold(): t for t in titles}
    resolved: dict[str, str] = {}
    missing = []
    for table, tab in tabs.items():
        title = tab if tab in titles else by_norm.get(" ".join(tab.split()).casefold())
        if title is None:
            missing.append(f"'{tab}' (for {table})")
        else:
            resolved[table] = title
    if missing:
        raise SyncError(
            f"Tab {', '.join(missing)} not found in spreadsheet '{props.get('title', key)}'; tabs found: "
            f"{', '.join(repr(t) for t in titles) or 'none'}. Fix dashboard.toml [sources.tabs].",
            "missing_tab",
        )

    say(f"Reading {len(resolved)} tab" + ("s" if len(resolved) != 1 else "") + ": " + ", ".join(resolved.values()))
    ranges = [a1_sheet(t) for t in resolved.values()]
    try:
        batch = _json(
            lambda: http.values_batch_get(
                key, ranges, params={"valueRenderOption": "FORMATTED_VALUE", "majorDimension": "ROWS"}
            ),
            "values",
        )
    except APIError as exc:
        raise _api_error(exc, key, client_email, "values") from exc
    value_ranges = batch.get("valueRanges")
    if not isinstance(value_ranges, list) or len(value_ranges) != len(ranges):
        raise SyncError(
            "Google Sheets answered the values request without one range per tab; try again later.", "malformed"
        )

    result = SpreadsheetRead(
        key=key,
        title=str(props.get("title", "")),
        locale=str(props.get("locale") or ""),
        time_zone=str(props.get("timeZone") or ""),
        tabs_found=titles,
    )
    for (table, title), value_range in zip(resolved.items(), value_ranges):
        if not isinstance(value_range, dict):
            raise SyncError(f"Google Sheets sent tab '{title}' in an unexpected shape; try again later.", "malformed")
        sheet = raw_sheet(title, value_range)
        if sheet.frame.empty and not len(sheet.frame.columns):
            result.empty_tabs.append(title)
            continue
        result.sheets[table] = sheet
    result.requests = http.requests_made
    result.seconds = round(time.perf_counter() - started, 3)
    return result


# --- the spreadsheet's locale -> how the importer reads its dates ----------------------------

MDY_LOCALES = {"en_US", "en_PH", "es_US", "en_BZ", "en_FM", "en_MH", "en_PW", "fil_PH", "en"}
YMD_LANGUAGES = {"ja", "zh", "ko", "hu", "lt", "mn", "eu", "sv", "fr_CA", "en_CA", "af", "si", "ms_BN"}


def date_order_for_locale(locale: str) -> str | None:
    """How a spreadsheet locale writes dates: 'MDY', 'DMY' or 'YMD' (None when unknown)."""
    locale = (locale or "").replace("-", "_").strip()
    if not locale:
        return None
    language = locale.split("_")[0]
    if locale in MDY_LOCALES:
        return "MDY"
    if locale in YMD_LANGUAGES or language in YMD_LANGUAGES:
        return "YMD"
    return "DMY"
