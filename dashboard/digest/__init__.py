"""Weekly e-mail digests: each Captain hears which of their own Djangonauts need a check-in; organisers get the numbers.

A Captain's digest is what the Wellbeing page shows that Captain as of the digest's week
(wellbeing.for_viewer + compute_for), for the teams they captain only: names, severity, the
one-line signal reasons, who asked for a one-to-one, who has not checked in. The organisers'
digest holds the session's numbers and the Captains whose people have open high-severity
signals, and names no Djangonaut. No message ever holds check-in notes, blockers text, survey
free text or one-to-one notes: signal reasons are built from numbers, never from answers.

When: session week N ends 7*N days after the session's start date (00:00 UTC). Its cut-off is
[digest] cutoff_hours after that: the check-ins that have arrived by then are the week's digest.
`digest send` sends the latest week whose cut-off has passed, on [digest] send_day (UTC).

Once only: a digest is recorded (models.DigestSend, unique per session, week, recipient and
kind) in the transaction that is open while the mail server takes the message, and commits
as soon as the server has said yes. A run that stops half-way is simply run again. The one
window left is a crash between the server's yes and that commit (milliseconds): the next run
sends that one message again, with the same Message-ID. We chose that over the opposite
(record first, send after), which in the same crash would lose the digest without a trace.

The modules, in the order a run goes:
    settings     [digest] settings, the weeks' cut-offs, the kinds of digest, DigestRefused
    message      what a message says (Item, Section, Digest) and its text, HTML and e-mail
    content      who gets what: each Captain's digest and the organisers'
    planning     the week to send and the digests due (Plan, choose_week, plan)
    send         e-mailing them once each, or writing them to a folder (Outcome, deliver, write_folder)
    preferences  opting out, and what the Wellbeing page shows of the digests sent
"""

from dashboard.digest.content import (
    SessionData,
    captain_digest,
    captain_viewer,
    load_session,
    organiser_digest,
    organiser_emails,
    organiser_sections,
)
from dashboard.digest.message import SEVERITY_COLOURS, Digest, Item, Section
from dashboard.digest.planning import Plan, choose_week, plan, sent_already
from dashboard.digest.preferences import is_opted_out, last_sent, last_sent_label, opted_out, set_opted_out
from dashboard.digest.send import (
    DRY_RUN_SENDER,
    EXIT_MAIL_UNAVAILABLE,
    EXIT_OK,
    EXIT_SOME_NOT_SENT,
    Outcome,
    deliver,
    refuse_demo,
    write_folder,
)
from dashboard.digest.settings import (
    CAPTAIN,
    KIND_LABELS,
    ORGANISER,
    WEEKDAYS,
    DigestRefused,
    DigestSettings,
    digest_settings,
    latest_closed_week,
    week_cutoff,
)
from dashboard.mailer import is_address  # the Wellbeing page asks whether a viewer has an address to send to

__all__ = [
    "SessionData",
    "captain_digest",
    "captain_viewer",
    "load_session",
    "organiser_digest",
    "organiser_emails",
    "organiser_sections",
    "SEVERITY_COLOURS",
    "Digest",
    "Item",
    "Section",
    "Plan",
    "choose_week",
    "plan",
    "sent_already",
    "is_opted_out",
    "last_sent",
    "last_sent_label",
    "opted_out",
    "set_opted_out",
    "DRY_RUN_SENDER",
    "EXIT_MAIL_UNAVAILABLE",
    "EXIT_OK",
    "EXIT_SOME_NOT_SENT",
    "Outcome",
    "deliver",
    "refuse_demo",
    "write_folder",
    "CAPTAIN",
    "KIND_LABELS",
    "ORGANISER",
    "WEEKDAYS",
    "DigestRefused",
    "DigestSettings",
    "digest_settings",
    "latest_closed_week",
    "week_cutoff",
    "is_address",
]
