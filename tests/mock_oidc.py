"""A small OpenID Connect provider on loopback, for testing the real sign-in flow.

It answers what Streamlit's st.login (Authlib) asks of a provider: discovery
(/.well-known/openid-configuration), an authorize page (a form where the test types the
e-mail to sign in as), the token endpoint (checks the client secret and the code, returns an
id_token signed with a throwaway RSA key and the nonce from the authorize request) and JWKS.
"""

from __future__ import annotations

import base64
import html
import json
import secrets
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "mission-control-test"
CLIENT_SECRET = secrets.token_urlsafe(24)


class Provider:
    """State of one mock provider: its signing key, pending codes and what it was asked."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"}, private=True)
        self.codes: dict[str, dict] = {}
        self.issuer = ""
        self.token_requests = 0
        self.verified = True

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }

    def id_token(self, email: str, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": f"user-{email}",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 600,
            "email": email,
            "email_verified": self.verified,
            "name": email.split("@")[0].title(),
        }
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: str | bytes, content_type: str = "application/json", headers=None):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

        def do_GET(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._send(200, json.dumps(provider.metadata()))
            elif url.path == "/jwks":
                self._send(200, json.dumps({"keys": [provider.key.as_dict(private=False)]}))
            elif url.path == "/authorize":
                if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                    self._send(400, json.dumps({"error": "invalid_request"}))
                    return
                hidden = "".join(
                    f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in query.items()
                )
                self._send(
                    200,
                    f"""<!doctype html><title>Mock provider</title><h1>Sign in to Mock provider</h1>
<form method="post" action="/authorize">{hidden}<label>E-mail <input name="login_email" type="email"></label>
<button type="submit">Continue</button></form>""",
                    "text/html",
                )
            else:
                self._send(404, json.dumps({"error": "not_found"}))

        def do_POST(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            form = self._form()
            if url.path == "/authorize":
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {
                    "email": form["login_email"],
                    "nonce": form.get("nonce"),
                    "redirect_uri": form["redirect_uri"],
                }
                target = form["redirect_uri"] + "?" + urlencode({"code": code, "state": form.get("state", "")})
                self._send(302, b"", "text/plain", {"Location": target})
            elif url.path == "/token":
                provider.token_requests += 1
                client_id, client_secret = form.get("client_id"), form.get("client_secret")
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Basic "):
                    client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
                grant = provider.codes.pop(form.get("code", ""), None)
                if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
                    self._send(401, json.dumps({"error": "invalid_client"}))
                elif grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                    self._send(400, json.dumps({"error": "invalid_grant"}))
                else:
                    self._send(
                        200,
                        json.dumps(
                            {
                                "access_token": secrets.token_urlsafe(16),
                                "token_type": "Bearer",
                                "expires_in": 600,
                                "id_token": provider.id_token(grant["email"], grant["nonce"]),
                                "scope": "openid email profile",
                            }
                        ),
                    )
            else:
                self._send(404, json.dumps({"error": "not_found"}))

    return Handler


@contextmanager
def mock_provider():
    """Run the mock provider on a free loopback port; yields the Provider (issuer set)."""
    provider = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


def secrets_toml(provider: Provider, port: int, roles: str) -> str:
    """A secrets file whose [auth] signs in through this provider, for an app on 127.0.0.1:port; roles is the
    [roles] section's body."""
    return f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"

[auth.mock]
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
server_metadata_url = "{provider.issuer}/.well-known/openid-configuration"

[roles]
{roles}
"""
