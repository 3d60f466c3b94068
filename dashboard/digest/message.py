"""What a digest says (Item, Section, Digest) and how it becomes plain text, HTML and an e-mail."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

SEVERITY_COLOURS = {"high": "#b42318", "medium": "#b54708", "low": "#175cd3"}


@dataclass(frozen=True)
class Item:
    """One line of a section, with optional detail lines and a severity badge."""

    title: str
    lines: tuple[str, ...] = ()
    severity: str | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    items: tuple[Item, ...]
    empty: str = ""


@dataclass(frozen=True)
class Digest:
    """One recipient's digest for one week, before it becomes an e-mail."""

    kind: str
    recipient: str
    name: str
    week: int
    subject: str
    intro: str
    sections: tuple[Section, ...]
    footer: str
    link: str | None
    people: tuple[str, ...] = ()  # e-mails of the Djangonauts the message names (for the audit log)
    about: str = ""  # "Captain of Team Aurora": how the output names this recipient

    def text(self) -> str:
        """The plain-text body."""
        out = [f"Hi {self.name},", "", self.intro, ""]
        for section in self.sections:
            out.append(f"{section.heading}")
            if not section.items:
                out.append(f"  {section.empty}")
            for item in section.items:
                badge = f" [{item.severity.capitalize()}]" if item.severity else ""
                out.append(f"- {item.title}{badge}")
                out += [f"    {line}" for line in item.lines]
            out.append("")
        if self.link:
            out += [f"Open the Wellbeing page: {self.link}", ""]
        out += ["-- ", self.footer]
        return "\n".join(out) + "\n"

    def html(self) -> str:
        """A simple HTML body: the same words as the text, every outside value escaped."""
        e = html.escape
        parts = [f"<p>Hi {e(self.name)},</p>", f"<p>{e(self.intro)}</p>"]
        for section in self.sections:
            parts.append(f'<h2 style="font-size:17px;margin:22px 0 8px">{e(section.heading)}</h2>')
            if not section.items:
                parts.append(f'<p style="color:#555">{e(section.empty)}</p>')
                continue
            parts.append('<ul style="padding-left:20px;margin:0">')
            for item in section.items:
                badge = ""
                if item.severity:
                    colour = SEVERITY_COLOURS.get(item.severity, "#555")
                    badge = (
                        f' <span style="color:#fff;background:{colour};border-radius:4px;padding:1px 6px;'
                        f'margin-left:4px;font-size:12px">{e(item.severity.capitalize())}</span>'
                    )
                lines = "".join(f'<li style="margin:2px 0">{e(line)}</li>' for line in item.lines)
                title = f"<strong>{e(item.title)}</strong>" if lines or badge else e(item.title)
                parts.append(
                    f'<li style="margin:6px 0">{title}{badge}'
                    + (f'<ul style="color:#333;padding-left:18px">{lines}</ul>' if lines else "")
                    + "</li>"
                )
            parts.append("</ul>")
        if self.link:
            parts.append(
                f'<p style="margin:24px 0"><a href="{e(self.link, quote=True)}" style="background:#2c1e5a;'
                'color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">Open the Wellbeing page</a></p>'
            )
        parts.append(
            f'<p style="color:#666;font-size:13px;border-top:1px solid #ddd;padding-top:10px">{e(self.footer)}</p>'
        )
        body = "\n".join(parts)
        return (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>' + e(self.subject) + "</title></head>"
            '<body style="font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:15px;'
            'line-height:1.45;color:#1a1a1a;max-width:640px;margin:0 auto;padding:16px">\n'
            + body
            + "\n</body></html>\n"
        )

    def message(self, sender: str, session_id: int) -> EmailMessage:
        """The e-mail: plain text plus HTML; a Message-ID fixed per session, week, kind and recipient."""
        msg = EmailMessage()
        msg["Subject"] = self.subject
        msg["From"] = sender
        msg["To"] = (
            formataddr((" ".join(self.name.split()), self.recipient)) if self.name != self.recipient else self.recipient
        )
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a robot
        token = hashlib.sha256(f"{session_id}/{self.week}/{self.kind}/{self.recipient}".encode()).hexdigest()[:24]
        msg["Message-ID"] = f"<digest-{token}@{parseaddr(sender)[1].rpartition('@')[2] or 'mission-control'}>"
        msg.set_content(self.text())
        msg.add_alternative(self.html(), subtype="html")
        return msg
