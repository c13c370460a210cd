"""Security headers and safe redirects."""

from urllib.parse import urlsplit

from flask import abort, current_app, request

#: No inline script, no third-party origin; images may be data: and blob: for chart downloads.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def set_security_headers(response):
    """Add the security headers that a response has not set more strictly itself."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
    if current_app.config["HTTPS_ONLY"] or request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def refuse_nul_bytes() -> None:
    """Answer 400 to a request with a NUL character anywhere: PostgreSQL text cannot hold one."""
    if "\x00" in request.path or any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in request.values.lists()
    ):
        abort(400)


def is_safe_redirect(target: str | None) -> bool:
    """Tell whether *target* is a path on this site (so `?next=` cannot send people away)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not any(c in target for c in "\r\n\t")


def safe_next(default: str) -> str:
    """Return the request's `next` target when it stays on this site, else *default*."""
    target = request.values.get("next")
    return target if is_safe_redirect(target) else default


def init_app(app) -> None:
    """Refuse NUL bytes and send the security headers with every response."""
    app.before_request(refuse_nul_bytes)
    app.after_request(set_security_headers)
