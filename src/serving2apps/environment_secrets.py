"""Which endpoint environment values are secrets, and how they may be written down.

Kept apart from the workspace client so that migrate (which reads recorded environments) does not import the
databricks-sdk, whose import alone takes seconds.
"""

from __future__ import annotations

import re

# Environment variable names whose plain (non-secret-reference) values must never be recorded.
_SENSITIVE_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|AUTH|\bPAT\b", re.IGNORECASE)
_SECRET_REFERENCE = re.compile(r"^\{\{\s*secrets/([^/\s}]+)/([^/\s}]+)\s*\}\}$")
REDACTED = "<redacted: plain value of a sensitive variable>"
# A URL's user information (`https://user:password@host`, `git+https://<token>@github.com`): a credential whatever
# the variable or the line is called. Only ssh's conventional `git@` names no one in particular.
_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)(?P<userinfo>[^/\s@]+)@", re.IGNORECASE)
HIDDEN_USERINFO = "***"


def secret_reference(value: str) -> tuple[str, str] | None:
    """(scope, key) of a `{{secrets/scope/key}}` reference, else None."""
    match = _SECRET_REFERENCE.match(value.strip())
    return (match.group(1), match.group(2)) if match else None


def is_sensitive(name: str) -> bool:
    """A variable whose name says it holds a credential: its plain value is never written anywhere."""
    return bool(_SENSITIVE_NAME.search(name))


def holds_credential(text: str) -> bool:
    """A URL in the text carries user information other than ssh's `git`."""
    return any(m.group("userinfo") != "git" for m in _URL_USERINFO.finditer(text))


def without_credentials(text: str, shown: bool = True) -> str:
    """The text with every URL's user information (but ssh's `git@`) replaced by *** (`shown`, for messages),
    or removed (for a URL that is still used)."""
    return _URL_USERINFO.sub(lambda m: m.group(0) if m.group("userinfo") == "git"
                             else m.group("scheme") + (f"{HIDDEN_USERINFO}@" if shown else ""), text)


def is_secret_reference(value: str) -> bool:
    return secret_reference(value) is not None


def safe_environment(env: dict[str, str] | None) -> dict[str, str]:
    """The endpoint's environment as it may be written down: references kept, sensitive plain values (by the
    variable's name, or a URL's credentials in the value) hidden."""
    return {
        name: value if is_secret_reference(value) or not (is_sensitive(name) or holds_credential(value)) else REDACTED
        for name, value in sorted((env or {}).items())
    }
