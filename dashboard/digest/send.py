"""Sending: each due digest by e-mail, recorded once (or written to a folder for --dry-run); demo data never leaves."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from sqlalchemy.exc import IntegrityError, OperationalError

from dashboard import audit, db as dbmod, models, reads
from dashboard.digest.message import Digest
from dashboard.digest.planning import Plan
from dashboard.digest.settings import CAPTAIN, KIND_LABELS, DigestRefused
from dashboard.mailer import Mailer, MailUnavailable, RecipientRefused, is_address

DRY_RUN_SENDER = "Mission Control <mission-control@example.org>"
EXIT_OK, EXIT_SOME_NOT_SENT, EXIT_MAIL_UNAVAILABLE = 0, 3, 4


@dataclass
class Outcome:
    """What a run did: sent (or written), skipped, not sent with a sentence each, and why it stopped."""

    plan: Plan
    sent: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)  # each with the sentence that says why
    stopped: str | None = None  # why the run stopped early (the mail server or the database)
    unsent: list[dict] = field(default_factory=list)  # not tried because the run stopped
    folder: str | None = None

    def __post_init__(self) -> None:
        self.skipped = list(self.plan.skipped)

    @property
    def exit_code(self) -> int:
        """0 only when every due message went; 4 when the mail server could not be used; 3 when some were not sent."""
        if self.stopped:
            return EXIT_MAIL_UNAVAILABLE
        return EXIT_SOME_NOT_SENT if self.failed else EXIT_OK

    def summary(self) -> dict:
        """The run as JSON-ready data."""
        return {
            "ok": self.exit_code == EXIT_OK,
            "exit_code": self.exit_code,
            "session": self.plan.session.name,
            "week": self.plan.week,
            "dry_run": self.folder,
            "sent": self.sent,
            "skipped": self.skipped,
            "failed": self.failed,
            "stopped": self.stopped,
            "unsent": self.unsent,
            "notes": self.plan.notes,
        }


def _bad_address(d: Digest) -> str:
    where = "the captain column of the teams table" if d.kind == CAPTAIN else "[roles] organisers"
    return f"Not sent to '{d.recipient}' ({d.about}): it is not an e-mail address; fix it in {where} and run again."


def _audit_detail(d: Digest, sender: str) -> str:
    named = f"{len(d.people)} Djangonauts named: {', '.join(d.people)}" if d.people else "no Djangonaut named"
    return f"week {d.week} {KIND_LABELS[d.kind]} digest from {parseaddr(sender)[1]}; {named}"


def deliver(url: str, session_id: int, plan_: Plan, mailer: Mailer, sender: str, actor: str | None = None) -> Outcome:
    """Send each due digest, recording and auditing it in the transaction that is open while the server takes it."""
    refuse_demo(url, session_id, plan_.session.name)
    outcome = Outcome(plan_)
    for i, d in enumerate(plan_.due):
        if not is_address(d.recipient):
            outcome.failed.append({"to": d.recipient, "kind": d.kind, "error": _bad_address(d)})
            continue
        message = d.message(sender, session_id)
        handed = False
        try:
            with dbmod.write(
                url,
                actor=actor or audit.cli_actor(),
                action="digest_sent",
                session_id=session_id,
                subject=d.recipient,
                detail=_audit_detail(d, sender),
            ) as change:
                change.bump = False  # no program data changed: the pages read the digest log fresh
                change.db.add(
                    models.DigestSend(
                        session_id=session_id,
                        week=d.week,
                        recipient=d.recipient,
                        kind=d.kind,
                        people=list(d.people),
                        message_id=message["Message-ID"],
                    )
                )
                change.db.flush()  # takes the (session, week, recipient, kind) key: a parallel run waits here, then skips
                mailer.send(message)
                handed = True
        except IntegrityError:
            outcome.skipped.append({"to": d.recipient, "kind": d.kind, "reason": "already sent by another run"})
        except RecipientRefused as exc:
            outcome.failed.append(
                {"to": d.recipient, "kind": d.kind, "error": f"Not sent to {d.recipient} ({d.about}): {exc}."}
            )
        except OperationalError as exc:
            problem = str(exc.orig)[:200]
            outcome.stopped = (
                f"The mail server took the digest to {d.recipient} but the database could not record it ({problem}); "
                "fix the database before running again, or they get it twice."
                if handed
                else f"The database could not record the digest to {d.recipient} ({problem}), so it was not sent; run the "
                "command again (another digest run may be sending right now)."
            )
        except MailUnavailable as exc:
            outcome.stopped = str(exc)
        if handed:
            outcome.sent.append({"to": d.recipient, "kind": d.kind, "people": len(d.people)})
        if outcome.stopped:
            outcome.unsent = [{"to": rest.recipient, "kind": rest.kind} for rest in plan_.due[i + int(handed) :]]
            break
    return outcome


def _file_stem(d: Digest) -> str:
    return f"week{d.week:02d}-{d.kind}-" + re.sub(r"[^A-Za-z0-9@._-]", "_", d.recipient)


def write_folder(url: str, session_id: int, plan_: Plan, folder: Path, sender: str | None = None) -> Outcome:
    """--dry-run: write each due digest as .eml, .txt and .html into folder; nothing is sent or recorded."""
    folder.mkdir(parents=True, exist_ok=True)
    outcome = Outcome(plan_, folder=str(folder))
    for d in plan_.due:
        stem = str(folder / _file_stem(d))
        Path(f"{stem}.eml").write_bytes(bytes(d.message(sender or DRY_RUN_SENDER, session_id)))
        Path(f"{stem}.txt").write_text(d.text(), encoding="utf-8")
        Path(f"{stem}.html").write_text(d.html(), encoding="utf-8")
        if is_address(d.recipient):
            outcome.sent.append({"to": d.recipient, "kind": d.kind, "people": len(d.people), "file": f"{stem}.eml"})
        else:
            outcome.failed.append({"to": d.recipient, "kind": d.kind, "error": _bad_address(d)})
    return outcome


def refuse_demo(url: str, session_id: int, session_name: str) -> None:
    """Demo data never leaves by e-mail: only --dry-run may write it to a folder."""
    if reads.is_demo_session(url, session_id):
        raise DigestRefused(
            f"{session_name} holds the generated demo data, so no digest is e-mailed from it; "
            "preview it with --dry-run DIR, or choose your own session with --session."
        )
