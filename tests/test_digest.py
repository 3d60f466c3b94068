"""Weekly digests against a real SMTP server on loopback (aiosmtpd): who gets what, once, and nothing private."""

from __future__ import annotations

import email
import json
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import policy
from ipaddress import ip_address
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session as OrmSession

from dashboard import audit, cli, config, db as dbmod, demo, digest, mailer, models, reads, wellbeing
from dashboard.config import EXAMPLE_CONFIG_PATH, with_overrides
from tests.apptest_support import signed_in
from tests.conftest import edit_directly
from tests.browser_support import free_port

SESSION = "2026 Session 6"
LEAD = "lead@example.org"
PLANTED = (
    "PLANTED-NOTE-7f3a tell nobody",
    "PLANTED-BLOCKER-91c2 my landlord",
    "PLANTED-SURVEY-44d0 free text",
    "PLANTED-ONE-TO-ONE-c5e1 private chat",
)


# --- a real SMTP server on loopback ----------------------------------------------------------


@dataclass
class Inbox:
    """What the loopback server received, and the addresses it refuses with a 550."""

    messages: list = field(default_factory=list)  # (envelope recipients, parsed message, raw bytes, session facts)
    refuse: set = field(default_factory=set)
    reject_message_to: set = field(default_factory=set)  # refused after DATA, as a spam filter does

    def to(self, address: str) -> list:
        return [m for rcpts, m, _, _ in self.messages if address in rcpts]

    def recipients(self) -> list[str]:
        return sorted(r for rcpts, *_ in self.messages for r in rcpts)


class Handler:
    def __init__(self, inbox: Inbox):
        self.inbox = inbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.inbox.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if {r.lower() for r in envelope.rcpt_tos} & self.inbox.reject_message_to:
            return "554 5.7.1 Message rejected as spam"
        facts = {
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "login": session.auth_data.login.decode() if session.authenticated else None,
        }
        self.inbox.messages.append(
            (
                list(envelope.rcpt_tos),
                email.message_from_bytes(envelope.content, policy=policy.default),
                envelope.content,
                facts,
            )
        )
        return "250 Message accepted for delivery"


def _tls_files(folder: Path) -> tuple[Path, Path, Path]:
    """A test certificate authority and a certificate for 127.0.0.1 signed by it (made here, never committed)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mission Control test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1")), x509.DNSName("localhost")]), False
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@pytest.fixture
def smtp_server(tmp_path):
    """start(security) -> (Inbox, [digest] settings): a real aiosmtpd server on 127.0.0.1, stopped after the test."""
    controllers = []

    def start(security: str = "none", login: tuple[str, str] | None = None):
        inbox, port, extra = Inbox(), free_port(), {}
        cfg = {
            "host": "127.0.0.1",
            "port": port,
            "security": security,
            "timeout": 10,
            "sender": "Mission Control <mission-control@example.org>",
            "app_url": "https://mc.example.org",
        }
        if security != "none":
            ca, cert, key = _tls_files(tmp_path)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            cfg["ca_file"] = str(ca)
            # aiosmtpd only counts STARTTLS as TLS for AUTH; with "ssl" the whole connection is TLS from the start
            extra = (
                {"ssl_context": context, "auth_require_tls": False}
                if security == "ssl"
                else {"tls_context": context, "require_starttls": True}
            )
        if login:

            def authenticator(server, session, envelope, mechanism, data):
                ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == login
                return AuthResult(success=ok, handled=False, auth_data=data)

            extra |= {"authenticator": authenticator, "auth_required": True}
        controller = Controller(Handler(inbox), hostname="127.0.0.1", port=port, **extra)
        controller.start()
        controllers.append(controller)
        return inbox, cfg

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture(autouse=True)
def _no_developer_secrets(monkeypatch, tmp_path):
    """A developer's own .streamlit/secrets.toml must not change what the tests send or to whom."""
    monkeypatch.setattr(config, "SECRETS_FILE", tmp_path / "no-secrets.toml")
    monkeypatch.delenv("DASHBOARD_SMTP_USERNAME", raising=False)
    monkeypatch.delenv("DASHBOARD_SMTP_PASSWORD", raising=False)


# --- the program's data -------------------------------------------------------------------


def _sid(url: str) -> int:
    frame = reads.sessions_frame(url)
    return int(frame.loc[frame["name"] == SESSION, "id"].iloc[0])


def _as_imported(url: str) -> None:
    """The demo database as if an organiser had imported their own files (demo data is never e-mailed)."""
    with edit_directly(url) as db:
        db.add(models.SyncRun(session_id=_sid(url), source="checkins.csv", kind="import", status="ok"))


def _people(url: str):
    return reads.load_table(url, _sid(url), "people")


def _teams(url: str):
    return reads.load_table(url, _sid(url), "teams")


def _config(tmp_path: Path, digest_cfg: dict, organisers=(LEAD,)) -> Path:
    """dashboard.example.toml with [digest] and [roles] organisers replaced."""
    import tomllib

    raw = tomllib.loads(EXAMPLE_CONFIG_PATH.read_text(encoding="utf-8"))
    raw["digest"] = {**raw.get("digest", {}), **digest_cfg}
    raw["roles"] = {**raw.get("roles", {}), "organisers": list(organisers)}
    path = tmp_path / "dashboard.toml"
    path.write_text(_toml(raw), encoding="utf-8")
    return path


def _toml(value: dict, prefix: str = "") -> str:
    """Enough TOML writing for the example config (tables, strings, numbers, booleans, lists of those or of tables)."""

    def scalar(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{json.dumps(k)} = {scalar(x)}" for k, x in v.items()) + " }"
        if isinstance(v, list):
            return "[" + ", ".join(scalar(x) for x in v) + "]"
        return json.dumps(str(v))

    lines = [f"{json.dumps(k)} = {scalar(v)}" for k, v in value.items() if not isinstance(v, dict)]
    for k, v in value.items():
        if isinstance(v, dict):
            name = f"{prefix}.{json.dumps(k)}" if prefix else json.dumps(k)
            lines += ["", f"[{name}]", _toml(v, name)]
    return "\n".join(lines)


def _send(monkeypatch, capsys, url: str, config: Path, *args: str) -> tuple[int, dict]:
    """`python -m dashboard digest send --json ARGS` in-process; its exit code and JSON."""
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", url)
    code = cli.main(["--config", str(config), "digest", "send", "--json", *args])
    return code, json.loads(capsys.readouterr().out)


def _bodies(message) -> str:
    """Text and HTML parts of a received message, decoded."""
    return "\n".join(
        part.get_content() for part in message.walk() if part.get_content_type() in ("text/plain", "text/html")
    )


def _plain(message) -> str:
    """The plain-text part with the wire's CRLF line ends as \\n."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def _captains(url: str) -> dict[str, set[str]]:
    teams = _teams(url)
    out: dict[str, set[str]] = {}
    for name, captain in zip(teams["name"], teams["captain"]):
        out.setdefault(captain.lower(), set()).add(name)
    return out


# --- who gets what ------------------------------------------------------------------------


def test_each_captain_receives_exactly_their_people(monkeypatch, capsys, tmp_path, demo_url, smtp_server):
    _as_imported(demo_url)
    # Aurora's Captain also navigates Team Comet: the digest is about the teams they captain, not those they navigate.
    aurora_captain = _teams(demo_url).set_index("name").at["Team Aurora", "captain"]
    with edit_directly(demo_url) as db:
        db.execute(
            update(models.Team)
            .where(models.Team.session_id == _sid(demo_url), models.Team.name == "Team Comet")
            .values(navigators=["comet-nav@example.org", aurora_captain])
        )
    inbox, cfg = smtp_server()
    code, result = _send(monkeypatch, capsys, demo_url, _config(tmp_path, cfg), "--week", "8")
    assert code == 0 and result["ok"], result
    people = _people(demo_url)
    djangonauts = people[people["role"] == "djangonaut"]
    captains = _captains(demo_url)
    assert inbox.recipients() == sorted([*captains, LEAD])
    for captain, teams in captains.items():
        [message] = inbox.to(captain)
        body = _bodies(message)
        mine = djangonauts[djangonauts["team"].isin(teams)]
        assert len(mine) == 3
        for name in mine["name"]:
            assert name in body, (captain, name)
        for _, other in djangonauts[~djangonauts["team"].isin(teams)].iterrows():
            assert other["name"] not in body and other["email"] not in body, (captain, other["team"])
        # what the Wellbeing page puts first for this Captain is what the digest lists to check on
        viewer = digest.captain_viewer(captain, digest.load_session(demo_url, _sid(demo_url)))
        data = wellbeing.load_for_viewer(demo_url, _sid(demo_url), viewer)
        queue = wellbeing.who_to_check_on(wellbeing.compute_for(data, None, as_of_week=8).open, data.people)
        section = _plain(message).split("Who to check on")[1].split("Asked for")[0]
        assert [line[2:].split(" [")[0] for line in section.splitlines() if line.startswith("- ")] == list(
            queue["name"]
        )
        for reasons in queue["reasons"]:
            assert all(reason in body for reason in reasons)
    [organisers] = inbox.to(LEAD)
    body = _bodies(organisers)
    assert "Captains whose people have open high-severity signals" in body
    for _, person in djangonauts.iterrows():  # the organisers' digest names no Djangonaut
        assert person["name"] not in body and person["email"] not in body
    # every send is recorded once and audited with the people it named
    log = audit.entries(demo_url, _sid(demo_url), action="digest_sent")
    assert sorted(log["subject"]) == inbox.recipients()
    aurora = djangonauts[djangonauts["team"] == "Team Aurora"]
    detail = log.loc[log["subject"] == aurora_captain.lower(), "detail"].iloc[0]
    assert all(e in detail for e in aurora["email"]) and "mission-control@example.org" in detail


def test_captain_digest_matches_the_wellbeing_page_for_that_captain(
    monkeypatch, capsys, tmp_path, demo_url, smtp_server
):
    _as_imported(demo_url)
    sid = _sid(demo_url)
    people = _people(demo_url)
    aurora = people[(people["team"] == "Team Aurora") & (people["role"] == "djangonaut")].sort_values("email")
    with edit_directly(demo_url) as db:  # one of Aurora burns out in week 8 and asks for a one-to-one
        db.execute(
            update(models.Checkin)
            .where(
                models.Checkin.session_id == sid,
                models.Checkin.week == 8,
                models.Checkin.email == aurora["email"].iloc[0],
            )
            .values(burnout=5, wants_one_to_one=True)
        )
    inbox, cfg = smtp_server()
    assert _send(monkeypatch, capsys, demo_url, _config(tmp_path, cfg), "--week", "8")[0] == 0
    captain = _teams(demo_url).set_index("name").at["Team Aurora", "captain"].lower()
    [message] = inbox.to(captain)
    at = signed_in(monkeypatch, demo_url, captain, page="app_pages/wellbeing.py")  # an imported session needs sign-in
    assert not at.exception
    shown = [t.value for t in at.text]
    page_queue = [t.split(" · ")[0] for t in shown if " · " in t]
    page_reasons = [t[2:] for t in shown if t.startswith("• ")]
    plain = _plain(message)
    assert page_queue == [aurora["name"].iloc[0]]
    assert f"- {aurora['name'].iloc[0]} [High]" in plain
    assert page_reasons and all(f"    {reason}" in plain for reason in page_reasons)
    assert f"Asked for a one-to-one, not held yet\n- {aurora['name'].iloc[0]}\n" in plain
    # and the page tells that Captain the digest went to them, and nobody else's
    label = [e.label for e in at.expander if e.label.startswith("Weekly e-mail digest")]
    assert label and label[0].startswith("Weekly e-mail digest: week 8 went to you on ")
    assert list(at.dataframe[0].value["recipient"]) == [captain]


def test_organisers_see_every_recipient_and_anyone_may_opt_out_on_the_page(
    monkeypatch, capsys, tmp_path, demo_url, smtp_server
):
    _as_imported(demo_url)
    inbox, cfg = smtp_server()
    assert _send(monkeypatch, capsys, demo_url, _config(tmp_path, cfg), "--week", "8")[0] == 0
    at = signed_in(monkeypatch, demo_url, "organiser1@example.org", page="app_pages/wellbeing.py")
    label = [e.label for e in at.expander if e.label.startswith("Weekly e-mail digest")][0]
    assert label.startswith(f"Weekly e-mail digest: week 8 went to {len(inbox.messages)} people on ")
    table = at.dataframe[0].value
    assert sorted(table["recipient"]) == inbox.recipients()
    at.toggle(key="digest_on").set_value(False).run()
    assert not at.exception
    assert digest.is_opted_out(demo_url, "organiser1@example.org")
    assert audit.entries(demo_url, action="digest_preference")[["actor", "subject", "detail"]].values.tolist() == [
        ["organiser1@example.org", "organiser1@example.org", "opted out"]
    ]


# --- once only, and a bad address stops nobody else ---------------------------------------


def test_a_rerun_sends_nothing_twice(monkeypatch, capsys, tmp_path, demo_url, smtp_server):
    _as_imported(demo_url)
    inbox, cfg = smtp_server()
    config = _config(tmp_path, cfg)
    code, first = _send(monkeypatch, capsys, demo_url, config, "--week", "8")
    assert code == 0 and len(first["sent"]) == len(inbox.messages) == 7
    code, again = _send(monkeypatch, capsys, demo_url, config, "--week", "8")
    assert code == 0 and again["sent"] == [] and len(inbox.messages) == 7
    assert {s["reason"] for s in again["skipped"]} == {"already sent"} and len(again["skipped"]) == 7
    assert "Week 8's digests all went already; nothing new to send." in again["notes"]
    # another week is another digest
    code, week7 = _send(monkeypatch, capsys, demo_url, config, "--week", "7")
    assert code == 0 and len(week7["sent"]) == 7 and len(inbox.messages) == 14
    with OrmSession(dbmod.get_engine(demo_url)) as db:
        assert db.scalar(select(models.DigestSend.id).where(models.DigestSend.week == 8).limit(1)) is not None
        ids = db.scalars(select(models.DigestSend.message_id)).all()
    assert len(ids) == len(set(ids)) == 14


def test_a_refused_or_malformed_address_does_not_stop_the_rest(monkeypatch, capsys, tmp_path, demo_url, smtp_server):
    _as_imported(demo_url)
    sid = _sid(demo_url)
    teams = _teams(demo_url).sort_values("name")
    refused, spam = teams["captain"].iloc[0].lower(), teams["captain"].iloc[2].lower()
    with edit_directly(demo_url) as db:  # a typo in the sheet: no @
        db.execute(
            update(models.Team)
            .where(models.Team.session_id == sid, models.Team.name == teams["name"].iloc[1])
            .values(captain="pat.captain at example.org")
        )
    inbox, cfg = smtp_server()
    inbox.refuse.add(refused)
    inbox.reject_message_to.add(spam)
    config = _config(tmp_path, cfg)
    code, result = _send(monkeypatch, capsys, demo_url, config, "--week", "8")
    assert code == digest.EXIT_SOME_NOT_SENT == 3
    errors = {f["to"]: f["error"] for f in result["failed"]}
    assert set(errors) == {refused, spam, "pat.captain at example.org"}
    assert errors[refused] == (
        f"Not sent to {refused} (Captain of {teams['name'].iloc[0]}): the mail server refused the "
        "address (550 5.1.1 No such user here); check it and run again."
    )
    assert (
        "it is not an e-mail address; fix it in the captain column of the teams table"
        in errors["pat.captain at example.org"]
    )
    assert errors[spam].endswith(
        "the mail server refused the message (554 5.7.1 Message rejected as spam); its reply "
        "says why; run again once that is dealt with."
    )
    assert len(inbox.messages) == len(result["sent"]) == 4  # 6 Captains and the lead, less the three
    assert refused not in inbox.recipients() and spam not in inbox.recipients()
    # the address is fixed on the server's side: the next run sends that one only
    inbox.refuse.clear()
    inbox.reject_message_to.clear()
    code, again = _send(monkeypatch, capsys, demo_url, config, "--week", "8")
    assert sorted(s["to"] for s in again["sent"]) == sorted([refused, spam]) and code == 3  # the malformed one stays
    assert len(inbox.messages) == 6 and inbox.recipients().count(refused) == inbox.recipients().count(spam) == 1
    # the text output says it in one sentence per problem
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", demo_url)
    assert cli.main(["--config", str(config), "digest", "send", "--week", "8"]) == 3
    out = capsys.readouterr().out
    assert out.count("Not sent to 'pat.captain at example.org'") == 1 and "Traceback" not in out


def test_no_note_or_free_text_in_any_message(monkeypatch, capsys, tmp_path, demo_url, smtp_server):
    _as_imported(demo_url)
    sid = _sid(demo_url)
    note, blocker, survey, meeting = PLANTED
    with edit_directly(demo_url) as db:  # everyone writes private text; everyone reports blockers and burns out
        db.execute(
            update(models.Checkin)
            .where(models.Checkin.session_id == sid)
            .values(notes=note, blockers=blocker, burnout=5, wants_one_to_one=True)
        )
        db.execute(update(models.Survey).where(models.Survey.session_id == sid).values(free_text=survey))
        db.execute(update(models.OneToOne).where(models.OneToOne.session_id == sid).values(note=meeting))
    inbox, cfg = smtp_server()
    config = _config(tmp_path, cfg)
    code, result = _send(monkeypatch, capsys, demo_url, config, "--week", "8")
    assert code == 0 and len(inbox.messages) == 7
    assert any("Stuck: reported something blocking them" in _bodies(m) for _, m, _, _ in inbox.messages)
    for _, message, raw, _ in inbox.messages:
        everything = raw.decode("utf-8", "replace") + _bodies(message)
        for planted in PLANTED:
            assert planted.split()[0] not in everything
    code, _ = _send(monkeypatch, capsys, demo_url, config, "--week", "7", "--dry-run", str(tmp_path / "out"))
    files = list((tmp_path / "out").iterdir())
    assert code == 0 and files
    for path in files:
        for planted in PLANTED:
            assert planted.split()[0] not in path.read_text(encoding="utf-8", errors="replace")
    assert not any(planted.split()[0] in json.dumps(result) for planted in PLANTED)


# --- secure transports --------------------------------------------------------------------


def test_starttls_with_a_login_from_the_environment(monkeypatch, capsys, tmp_path, demo_url, smtp_server):
    _as_imported(demo_url)
    inbox, cfg = smtp_server("starttls", login=("digest-bot", "s3cret-pw"))
    config = _config(tmp_path, cfg)
    monkeypatch.setenv("DASHBOARD_SMTP_USERNAME", "digest-bot")
    monkeypatch.setenv("DASHBOARD_SMTP_PASSWORD", "wrong")
    code, result = _send(monkeypatch, capsys, demo_url, config, "--week", "8")
    assert code == digest.EXIT_MAIL_UNAVAILABLE == 4 and not inbox.messages
    assert result["stopped"].startswith(
        f"The mail server 127.0.0.1:{cfg['port']} refused the login for digest-bot (535"
    )
    assert audit.entries(demo_url, action="digest_sent").empty
    monkeypatch.setenv("DASHBOARD_SMTP_PASSWORD", "s3cret-pw")
    code, result = _send(monkeypatch, capsys, demo_url, config, "--week", "8")
    assert code == 0 and len(inbox.messages) == 7
    assert {json.dumps(facts) for *_, facts in inbox.messages} == {json.dumps({"tls": True, "login": "digest-bot"})}


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # with "ssl" the connection is TLS
def test_ssl_with_the_password_from_secrets_and_an_untrusted_certificate_refused(
    monkeypatch, capsys, tmp_path, demo_url, smtp_server
):
    _as_imported(demo_url)
    inbox, cfg = smtp_server("ssl", login=("digest-bot", "from-secrets"))
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[smtp]\nusername = "digest-bot"\npassword = "from-secrets"\n', encoding="utf-8")
    monkeypatch.setattr(config, "SECRETS_FILE", secrets)
    untrusted = {**cfg}
    untrusted.pop("ca_file")
    code, result = _send(monkeypatch, capsys, demo_url, _config(tmp_path, untrusted), "--week", "8")
    assert code == 4 and "TLS handshake" in result["stopped"] and "ca_file" in result["stopped"] and not inbox.messages
    code, result = _send(monkeypatch, capsys, demo_url, _config(tmp_path, cfg), "--week", "8")
    assert code == 0 and len(inbox.messages) == 7, result["stopped"]
    assert all(facts == {"tls": True, "login": "digest-bot"} for *_, facts in inbox.messages)


def test_an_unreachable_server_is_one_sentence_and_nothing_is_recorded(monkeypatch, capsys, tmp_path, demo_url):
    _as_imported(demo_url)
    port = free_port()  # nobody listens here
    cfg = {"host": "127.0.0.1", "port": port, "security": "none", "sender": "mc@example.org", "timeout": 5}
    code, result = _send(monkeypatch, capsys, demo_url, _config(tmp_path, cfg), "--week", "8")
    assert code == 4 and result["stopped"].startswith(f"Could not reach the mail server 127.0.0.1:{port}")
    assert len(result["unsent"]) == 7 and not result["sent"] and not result["failed"]
    with OrmSession(dbmod.get_engine(demo_url)) as db:
        assert db.scalar(select(models.DigestSend.id)) is None


# --- demo data, dry runs, opting out ------------------------------------------------------


def test_demo_data_is_never_emailed_only_written_to_a_folder(monkeypatch, capsys, tmp_path, demo_url, smtp_server):
    inbox, cfg = smtp_server()
    config = _config(tmp_path, cfg)
    code, result = _send(monkeypatch, capsys, demo_url, config, "--week", "8")
    assert code == 1 and not inbox.messages
    assert result["error"] == (
        f"{SESSION} holds the generated demo data, so no digest is e-mailed from it; preview it "
        "with --dry-run DIR, or choose your own session with --session."
    )
    folder = tmp_path / "preview"
    code, result = _send(monkeypatch, capsys, demo_url, config, "--dry-run", str(folder))
    assert code == 0 and not inbox.messages and result["week"] == 8 and result["dry_run"] == str(folder)
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 3 * 7 and f"week08-organiser-{LEAD}.eml" in names
    parsed = email.message_from_bytes((folder / f"week08-organiser-{LEAD}.eml").read_bytes(), policy=policy.default)
    assert parsed["To"] == LEAD and parsed.get_body(("html",)) is not None and parsed.get_body(("plain",)) is not None
    with OrmSession(dbmod.get_engine(demo_url)) as db:  # a preview is not a send
        assert db.scalar(select(models.DigestSend.id)) is None


def test_opting_out_and_in_from_the_command_line(monkeypatch, capsys, tmp_path, demo_url, smtp_server):
    _as_imported(demo_url)
    captain = sorted(_captains(demo_url))[0]
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", demo_url)
    assert cli.main(["digest", "opt-out", captain.upper(), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "email": captain, "opted_out": True}
    assert cli.main(["digest", "opt-out", "not-an-address"]) == 1
    assert "'not-an-address' is not an e-mail address" in capsys.readouterr().err
    inbox, cfg = smtp_server()
    config = _config(tmp_path, cfg)
    code, result = _send(monkeypatch, capsys, demo_url, config, "--week", "8")
    assert code == 0 and captain not in inbox.recipients() and len(inbox.messages) == 6
    assert {"to": captain, "kind": "captain", "reason": "opted out"} in result["skipped"]
    assert f"({captain}) opted out of the Captain's digest." in _bodies(inbox.to(LEAD)[0])
    assert cli.main(["digest", "opt-in", captain]) == 0
    capsys.readouterr()
    code, result = _send(monkeypatch, capsys, demo_url, config, "--week", "8")
    assert code == 0 and [s["to"] for s in result["sent"]] == [captain]
    assert audit.entries(demo_url, action="digest_preference")["detail"].tolist() == ["opted in", "opted out"]


def test_organisers_hear_about_a_team_without_a_captain(demo_url, settings):
    _as_imported(demo_url)
    sid = _sid(demo_url)
    with edit_directly(demo_url) as db:
        db.execute(
            update(models.Team)
            .where(models.Team.session_id == sid, models.Team.name == "Team Comet")
            .values(captain=None)
        )
    plan = digest.plan(demo_url, sid, with_overrides(settings, roles={"organisers": [LEAD]}), week=8, secrets_roles={})
    assert len([d for d in plan.due if d.kind == "captain"]) == 5
    [organisers] = [d for d in plan.due if d.kind == "organiser"]
    assert "Team Comet has no Captain: its Djangonauts' signals reach nobody by e-mail." in organisers.text()


# --- when a digest is due -----------------------------------------------------------------


def test_which_week_goes_out_when(demo_url, settings):
    _as_imported(demo_url)
    sid = _sid(demo_url)
    # 2026 Session 6 starts Monday 28 Sep 2026; week 3 ends Monday 19 Oct 00:00 UTC, its cut-off is 12:00
    cfg = with_overrides(settings, digest={"send_day": "Monday", "cutoff_hours": 12})
    at = lambda *a: datetime(*a)  # noqa: E731
    assert digest.plan(demo_url, sid, cfg, now=at(2026, 10, 19, 13)).week == 3
    assert digest.plan(demo_url, sid, cfg, now=at(2026, 10, 19, 11)).week == 2  # before the cut-off: last week's
    tuesday = digest.plan(demo_url, sid, cfg, now=at(2026, 10, 20, 13))
    assert tuesday.week is None and not tuesday.due
    assert tuesday.notes == ["Today (Tuesday) is not the sending day (Monday, [digest] send_day); nothing sent."]
    early = digest.plan(demo_url, sid, cfg, now=at(2026, 10, 5, 9))
    assert early.week is None and early.notes[0].startswith(
        "Week 1's cut-off (Mon 05 Oct 2026, 12:00 UTC) has not passed"
    )
    over = digest.plan(demo_url, sid, cfg, now=at(2026, 12, 7, 13))
    assert over.week is None and "is over" in over.notes[0]
    assert digest.plan(demo_url, sid, cfg, now=at(2026, 12, 7, 13), scheduled=False).week == 8  # a dry run previews it
    with pytest.raises(digest.DigestRefused, match="Week 5's cut-off .* has not passed yet"):
        digest.plan(demo_url, sid, cfg, week=5, now=at(2026, 10, 19, 13))
    with pytest.raises(
        digest.DigestRefused, match="--week 9 is not a week of 2026 Session 6; use a number from 1 to 8"
    ):
        digest.plan(demo_url, sid, cfg, week=9)
    due = digest.plan(demo_url, sid, cfg, now=at(2026, 10, 19, 13))
    assert {d.week for d in due.due} == {3} and {d.kind for d in due.due} == {"captain"}  # [roles] organisers is empty
    assert any("No organiser is listed in [roles] organisers" in n for n in due.notes)


@pytest.mark.parametrize(
    "bad, says",
    [
        ({"send_day": "Mondays"}, "send_day = 'Mondays' is not a weekday"),
        ({"cutoff_hours": "noon"}, "cutoff_hours = 'noon' must be a number of hours"),
        ({"host": ""}, "No mail server is configured; set [digest] host"),
        ({"host": "smtp.example.org", "security": "tls"}, "security = 'tls' is not known"),
        (
            {"host": "smtp.example.org", "sender": "Mission Control"},
            "sender = 'Mission Control' is not an e-mail address",
        ),
    ],
)
def test_digest_settings_say_what_to_fix(monkeypatch, capsys, tmp_path, demo_url, bad, says):
    _as_imported(demo_url)
    cfg = {"host": "smtp.example.org", "sender": "mc@example.org", **bad}
    code, result = _send(monkeypatch, capsys, demo_url, _config(tmp_path, cfg), "--week", "8")
    assert code == 1 and says in result["error"]


def test_a_password_is_never_sent_unencrypted_to_another_host(settings):
    cfg = with_overrides(settings, digest={"host": "smtp.example.org", "security": "none", "sender": "mc@example.org"})
    with pytest.raises(Exception, match="Refusing to send the SMTP password to smtp.example.org unencrypted"):
        mailer.smtp_settings(cfg, secrets={"username": "u", "password": "p"}, environ={})
    with pytest.raises(Exception, match="no password; put password under \\[smtp\\]"):
        mailer.smtp_settings(cfg, secrets={"username": "u"}, environ={})


# --- both databases: the (session, week, recipient, kind) key holds ------------------------


def test_a_parallel_run_that_sent_first_is_not_repeated(storage_url, settings, smtp_server):
    demo.build(storage_url, settings, seed=42, scale=1)
    _as_imported(storage_url)
    sid = _sid(storage_url)
    inbox, cfg = smtp_server()
    cfg_settings = with_overrides(settings, digest=cfg, roles={"organisers": [LEAD]})
    plan = digest.plan(storage_url, sid, cfg_settings, week=8, secrets_roles={})
    assert len(plan.due) == 7
    first = plan.due[0]
    with edit_directly(storage_url) as db:  # another run sent the first one after this plan was made
        db.add(models.DigestSend(session_id=sid, week=8, recipient=first.recipient, kind=first.kind, people=[]))
    with mailer.Mailer(mailer.smtp_settings(cfg_settings, secrets={}, environ={})) as m:
        outcome = digest.deliver(storage_url, sid, plan, m, cfg["sender"])
    assert outcome.exit_code == 0 and len(outcome.sent) == 6 and first.recipient not in inbox.recipients()
    assert {"to": first.recipient, "kind": first.kind, "reason": "already sent by another run"} in outcome.skipped
    assert len(audit.entries(storage_url, sid, action="digest_sent")) == 6


def test_upgrading_from_0002_keeps_data_and_adds_the_digest_tables(storage_url):
    from alembic import command
    from sqlalchemy import inspect

    dbmod.get_engine.cache_clear()
    command.downgrade(dbmod.alembic_config(storage_url), "0002")
    engine = dbmod.get_engine(storage_url)
    assert "digest_sends" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sessions (id, name, weeks, expected_hours, blind_review, data_version, created_at) "
                "VALUES (1, 'Old session', 8, 4, true, 1, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(text("INSERT INTO checkins (session_id, email, week, hours) VALUES (1, 'dj@example.org', 2, 4.5)"))
    dbmod.migrate(storage_url)
    engine = dbmod.get_engine(storage_url)
    assert {"digest_sends", "digest_preferences"} <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        assert tuple(conn.execute(text("SELECT email, week, hours FROM checkins")).one()) == ("dj@example.org", 2, 4.5)
    digest.set_opted_out(storage_url, "dj@example.org", True, actor="cli")
    assert digest.is_opted_out(storage_url, "DJ@example.org")


# --- in Chromium --------------------------------------------------------------------------


def test_the_wellbeing_page_shows_the_last_digest_in_the_browser(
    monkeypatch, capsys, tmp_path, demo_url, smtp_server, page
):
    """An organiser in local mode (an imported session is never shown to demo personas)."""
    from tests.browser_support import assert_no_exception, open_page, screenshot, shown, streamlit_server

    _as_imported(demo_url)
    inbox, cfg = smtp_server()
    assert _send(monkeypatch, capsys, demo_url, _config(tmp_path, cfg), "--week", "8")[0] == 0
    with streamlit_server(demo_url, env={"DASHBOARD_LOCAL_MODE": "1"}) as base:
        open_page(page, base, "wellbeing")
        assert_no_exception(page)
        summary = page.get_by_text(f"Weekly e-mail digest: week 8 went to {len(inbox.messages)} people on")
        assert shown(summary)
        summary.click()
        assert shown(page.locator("[data-testid=stExpander] [data-testid=stDataFrame]"))  # who got which digest
        assert page.get_by_text("E-mail me the weekly digest").count() == 0  # local mode has no address of its own
        page.wait_for_timeout(800)  # the expander's opening animation
        screenshot(page, "wellbeing-digest-organiser")
