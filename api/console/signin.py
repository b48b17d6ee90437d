"""Signing in and out of the consoles, the second factor, and opening an invitation.

Sign-in never says whether an account exists: a wrong username, a wrong password and a
disabled account get the same answer. A browser that signed in to an account before
carries a device cookie (an HMAC of the account id), which lets it past the throttle
that failures of that username set, so an attacker cannot lock the right holder out.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Annotated, Any, cast

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from api.auth import client_address
from api.console.base import SIGN_IN_PATH, back, page
from api.console.sessions import RENEW_SESSION_ID
from ledger.bootstrap import Ledger
from ledger.core.errors import Conflict, NotFound, RateLimited, Unauthenticated
from ledger.domain.registry import InvalidField

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

DEVICE_COOKIE = "certledger_device"
DEVICE_SECONDS = 180 * 24 * 3600
#: How long a half-finished sign-in (password right, code not yet given) is kept.
SECOND_FACTOR_SECONDS = 10 * 60
_FIELD_NAMES = {"username": "用户名", "password": "密码"}


def _device_value(secret: str, account: str) -> str:
    mac = hmac.new(secret.encode(), f"device:{account}".encode(), hashlib.sha256).hexdigest()
    return f"{account}.{mac[:32]}"


def known_account(request: Request[Any, Any, Any]) -> str | None:
    """The account the browser's device cookie vouches for, if the cookie is genuine."""
    value = request.cookies.get(DEVICE_COOKIE, "")
    account = value.partition(".")[0]
    secret: str = request.app.state.console_secret
    if account and hmac.compare_digest(value, _device_value(secret, account)):
        return account
    return None


def _safe_next(target: object) -> str:
    # Only paths inside the console: never another site (an open redirect).
    if isinstance(target, str) and target.startswith("/console") and "//" not in target:
        return target
    return "/console"


def _signed_in(request: Request[Any, Any, Any], account: str, target: str) -> Redirect:
    request.clear_session()
    request.set_session({"account": account, "signed_in_at": int(time.time()), "stage": "in"})
    cast(dict[str, Any], request.scope)[RENEW_SESSION_ID] = True
    secret: str = request.app.state.console_secret
    response = Redirect(_safe_next(target), status_code=303)
    response.cookies.append(
        Cookie(
            key=DEVICE_COOKIE,
            value=_device_value(secret, account),
            max_age=DEVICE_SECONDS,
            path="/console",
            httponly=True,
            samesite="lax",
            secure=request.app.state.console_secure,
        )
    )
    return response


def _pending(request: Request[Any, Any, Any], stage: str) -> str | None:
    session = request.session
    started = session.get("started_at")
    if session.get("stage") != stage or not isinstance(started, int):
        return None
    if time.time() - started > SECOND_FACTOR_SECONDS:
        request.clear_session()
        return None
    account = session.get("account")
    return account if isinstance(account, str) else None


class SignInController(Controller):
    """The sign-in, second-factor, sign-out and invitation pages."""

    path = "/"
    include_in_schema = False

    @get("/sign-in", sync_to_thread=False)
    def sign_in_form(
        self, next: FromQuery[str] = "/console", done: FromQuery[str | None] = None
    ) -> Template:
        """The sign-in form."""
        return page("sign_in.html", next=_safe_next(next), notice=done)

    @post("/sign-in", sync_to_thread=True, status_code=303)
    def sign_in(
        self, request: Request[Any, Any, Any], ledger: NamedDependency[Ledger], data: Form
    ) -> Redirect | Template:
        """Check the username and password; on to the second factor or the console."""
        username = str(data.get("username", ""))[:100]
        target = _safe_next(data.get("next"))
        try:
            signed = ledger.staff.authenticate(
                username,
                str(data.get("password", ""))[:500],
                client_address(request),
                known_account(request),
            )
        except RateLimited as exc:
            return page("sign_in.html", next=target, error=str(exc), status_code=429)
        except Unauthenticated as exc:
            return page("sign_in.html", next=target, error=str(exc), status_code=401)
        if signed.second_factor == "none":
            return _signed_in(request, signed.account, target)
        request.clear_session()
        stage = "totp" if signed.second_factor == "verify" else "totp_setup"
        pending: dict[str, Any] = {
            "account": signed.account,
            "stage": stage,
            "started_at": int(time.time()),
            "next": target,
        }
        if stage == "totp_setup":
            pending["secret"] = ledger.staff.new_second_factor_secret()
        request.set_session(pending)
        cast(dict[str, Any], request.scope)[RENEW_SESSION_ID] = True
        return back("/console/second-factor" + ("/set-up" if stage == "totp_setup" else ""))

    @get("/second-factor", sync_to_thread=False)
    def code_form(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """Ask for the code of the authenticator app."""
        if _pending(request, "totp") is None:
            return back(SIGN_IN_PATH)
        return page("second_factor.html")

    @post("/second-factor", sync_to_thread=True, status_code=303)
    def check_code(
        self, request: Request[Any, Any, Any], ledger: NamedDependency[Ledger], data: Form
    ) -> Template | Redirect:
        """Finish signing in with a right code."""
        account = _pending(request, "totp")
        if account is None:
            return back(SIGN_IN_PATH)
        if not ledger.staff.verify_second_factor(account, str(data.get("code", ""))[:20]):
            error = "验证码不正确或已用过 / the code is wrong or was used"
            return page("second_factor.html", error=error, status_code=401)
        return _signed_in(request, account, str(request.session.get("next", "/console")))

    @get("/second-factor/set-up", sync_to_thread=True)
    def set_up_form(
        self, request: Request[Any, Any, Any], ledger: NamedDependency[Ledger]
    ) -> Template | Redirect:
        """Show the new secret to add to an authenticator app."""
        account = _pending(request, "totp_setup")
        if account is None:
            return back(SIGN_IN_PATH)
        secret = str(request.session["secret"])
        uri = ledger.staff.provisioning_uri(secret, account, ledger.settings.origin)
        return page("second_factor_set_up.html", secret=secret, uri=uri, account=account)

    @post("/second-factor/set-up", sync_to_thread=True, status_code=303)
    def set_up(
        self, request: Request[Any, Any, Any], ledger: NamedDependency[Ledger], data: Form
    ) -> Template | Redirect:
        """Keep the secret once the app shows a right code."""
        account = _pending(request, "totp_setup")
        if account is None:
            return back(SIGN_IN_PATH)
        secret = str(request.session["secret"])
        if not ledger.staff.set_up_second_factor(account, secret, str(data.get("code", ""))[:20]):
            uri = ledger.staff.provisioning_uri(secret, account, ledger.settings.origin)
            error = "验证码不正确 / the code is wrong"
            return page(
                "second_factor_set_up.html",
                secret=secret,
                uri=uri,
                account=account,
                error=error,
                status_code=401,
            )
        return _signed_in(request, account, str(request.session.get("next", "/console")))

    @post("/sign-out", sync_to_thread=False, status_code=303)
    def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        """End the session (its row is deleted from the store)."""
        request.clear_session()
        return back(SIGN_IN_PATH, "已退出 / signed out")

    @get("/invitations/{secret:str}", sync_to_thread=True)
    def invitation_form(self, ledger: NamedDependency[Ledger], secret: FromPath[str]) -> Template:
        """The form that opens an invitation; 404 when it is used, expired or unknown."""
        return _invitation_page(ledger, secret)

    @post("/invitations/{secret:str}", sync_to_thread=True, status_code=303)
    def accept(
        self, ledger: NamedDependency[Ledger], secret: FromPath[str], data: Form
    ) -> Template | Redirect:
        """Set the username and password, then go to the sign-in page."""
        record = ledger.staff.invitation(secret[:100])
        if record is None:
            return _invitation_page(ledger, secret)
        password = str(data.get("password", ""))[:500]
        error = None
        if password != str(data.get("password_again", ""))[:500]:
            error = "两次输入的密码不一致 / the two passwords differ"
        else:
            try:
                ledger.staff.activate(
                    secret[:100],
                    str(data.get("username", ""))[:100],
                    password,
                    str(data.get("name", ""))[:100],
                    str(data.get("phone", ""))[:32],
                )
            except InvalidField as exc:
                chinese = _FIELD_NAMES.get(exc.field, exc.field)
                error = f"{chinese}不符合要求 / {exc.field} {exc.problem}"
            except (Conflict, NotFound) as exc:
                error = str(exc)
        if error is not None:
            return page(
                "invitation.html",
                record=record,
                secret=secret,
                error=error,
                username=str(data.get("username", ""))[:100],
                status_code=400,
            )
        return back(SIGN_IN_PATH, "账号已开通，请登录 / your account is ready: sign in")


def _invitation_page(ledger: Ledger, secret: str) -> Template:
    """The form that opens an invitation; 404 when it is used, expired or unknown."""
    record = ledger.staff.invitation(secret[:100])

    if record is None:
        return page(
            "message.html",
            title="邀请无效 / Invitation not valid",
            text="这个邀请已使用、已过期或不存在。/ This invitation is used, expired or unknown.",
            status_code=404,
        )
    return page("invitation.html", record=record, secret=secret)
