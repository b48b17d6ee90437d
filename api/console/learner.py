"""Learners' own sign-in and page under ``/learner``: the account number with the school's
activation code (then a new password), or with the password; the learner's page with
their certificates (QR code, PDF), credits, conversions and the transcripts (readable
PDF and signed JWS).

Sessions follow the staff's rules (server-side, 30 idle minutes, 12 hours at most, new
id at sign-in) with a cookie of their own on path ``/learner``; CSRF on every form. The
pages never take an account from the URL: a learner only ever sees their own.
``GET /learner`` itself stays the token page of API clients (api.pages).
"""

from __future__ import annotations

import time
from typing import Annotated, Any, cast

from litestar import Controller, Request, Response, Router, get, post
from litestar.config.csrf import CSRFConfig
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from api.auth import client_address
from api.console.base import PAGE_HEADERS, back, page, refuse_writes_while_behind
from api.console.errors import html_error
from api.console.learner_view import certificate_face, learner_view, transcript_face
from api.console.pdf import certificate_pdf, transcript_pdf
from api.console.sessions import ABSOLUTE_SECONDS, RENEW_SESSION_ID, ConsoleSessionConfig
from ledger.bootstrap import Ledger
from ledger.core.errors import (
    LedgerError,
    NotFound,
    RateLimited,
    SigningKeyError,
    Unauthenticated,
)
from ledger.core.principals import Principal, Role
from ledger.domain.registry import InvalidField

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
SIGN_IN = "/learner/sign-in"
COOKIE = "certledger_learner"


class LearnerSignInRequired(Exception):
    """No valid learner session: the router answers with the sign-in page."""


def learner_of(request: Request[Any, Any, Any], ledger: Ledger) -> str:
    """The signed-in learner's account; LearnerSignInRequired when there is none, past the
    absolute end, or signed in before their code or password last changed."""
    session = request.session if "session" in request.scope else {}
    account, at = session.get("learner"), session.get("signed_in_at")
    if not isinstance(account, str) or not isinstance(at, int) or session.get("stage") != "in":
        raise LearnerSignInRequired
    if time.time() - at > ABSOLUTE_SECONDS:
        request.clear_session()
        raise LearnerSignInRequired
    try:
        ledger.learner_access.standing(account, at)
    except Unauthenticated:
        request.clear_session()
        raise LearnerSignInRequired from None
    return account


def _provide(request: Request[Any, Any, Any], ledger: NamedDependency[Ledger]) -> str:
    account = learner_of(request, ledger)
    refuse_writes_while_behind(request, ledger)
    return account


def _to_sign_in(_request: Request[Any, Any, Any], _exc: Exception) -> Response[Any]:
    return Redirect(SIGN_IN, status_code=303)


def _pdf(content: bytes, filename: str) -> Response[bytes]:
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            **PAGE_HEADERS,
        },
    )


class LearnerController(Controller):
    """Sign-in, activation, the learner's page and their downloads."""

    path = "/"
    include_in_schema = False

    @get("/sign-in", sync_to_thread=False)
    def sign_in_form(self, done: FromQuery[str | None] = None) -> Template:
        """Account number and activation code or password."""
        return page("learner_sign_in.html", notice=done, learner=None)

    @post("/sign-in", sync_to_thread=True, status_code=303)
    def sign_in(
        self, request: Request[Any, Any, Any], ledger: NamedDependency[Ledger], data: Form
    ) -> Redirect | Template:
        """With the code: on to set a password; with the password: the learner's page."""
        account = str(data.get("account", "")).strip().upper()[:20]
        secret = str(data.get("secret", ""))[:500]
        try:
            signed = ledger.learner_access.authenticate(account, secret, client_address(request))
        except (RateLimited, Unauthenticated) as exc:
            status = 429 if isinstance(exc, RateLimited) else 401
            return page("learner_sign_in.html", error=str(exc), status_code=status, learner=None)
        request.clear_session()
        now = int(time.time())
        if signed.activate:
            request.set_session(
                {"learner": signed.account, "stage": "activate", "code": secret, "started_at": now}
            )
            target = "/learner/password"
        else:
            request.set_session({"learner": signed.account, "stage": "in", "signed_in_at": now})
            target = "/learner/me"
        cast(dict[str, Any], request.scope)[RENEW_SESSION_ID] = True
        return back(target)

    @get("/password", sync_to_thread=False)
    def password_form(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """Choose a password, after signing in with the activation code."""
        if request.session.get("stage") != "activate":
            return back(SIGN_IN)
        return page("learner_password.html", learner=None, account=request.session["learner"])

    @post("/password", sync_to_thread=True, status_code=303)
    def set_password(
        self, request: Request[Any, Any, Any], ledger: NamedDependency[Ledger], data: Form
    ) -> Redirect | Template:
        """Set the password with the code kept in the session; then signed in."""
        session = request.session
        started = session.get("started_at")
        if session.get("stage") != "activate" or not isinstance(started, int):
            return back(SIGN_IN)
        if time.time() - started > 15 * 60:
            request.clear_session()
            return back(SIGN_IN)
        account = str(session["learner"])
        password = str(data.get("password", ""))[:500]
        if password != str(data.get("password_again", ""))[:500]:
            error = "两次输入的密码不一致 / the passwords differ"
        else:
            try:
                ledger.learner_access.activate(account, str(session["code"]), password)
            except InvalidField as exc:
                error = f"密码不可用 / the password {exc.problem}"
            except NotFound as exc:
                request.clear_session()
                return page("learner_sign_in.html", error=str(exc), status_code=404, learner=None)
            else:
                request.clear_session()
                request.set_session(
                    {"learner": account, "stage": "in", "signed_in_at": int(time.time())}
                )
                cast(dict[str, Any], request.scope)[RENEW_SESSION_ID] = True
                return back("/learner/me", "密码已设置 / password set")
        return page(
            "learner_password.html", learner=None, account=account, error=error, status_code=400
        )

    @post("/sign-out", sync_to_thread=False, status_code=303)
    def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        """End the session."""
        request.clear_session()
        return back(SIGN_IN, "已退出 / signed out")

    @get("/me", sync_to_thread=True)
    def me(
        self,
        ledger: NamedDependency[Ledger],
        learner: NamedDependency[str],
        done: FromQuery[str | None] = None,
    ) -> Template:
        """The learner's own page."""
        view = learner_view(ledger, learner)
        return page("learner_home.html", learner=learner, view=view, notice=done)

    @post("/me/enrolment-code", sync_to_thread=True, status_code=200)
    def enrolment_code(
        self, ledger: NamedDependency[Ledger], learner: NamedDependency[str]
    ) -> Template:
        """A new one-time enrolment code, shown once: the learner's consent to be enrolled
        by the school they give it to."""
        code, expires_at = ledger.learner_access.enrolment_code(Principal(Role.LEARNER, learner))
        view = learner_view(ledger, learner)
        until = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(expires_at))
        return page(
            "learner_home.html", learner=learner, view=view, enrolment_code=code, until=until
        )

    @get("/me/certificates/{number:str}/certificate.pdf", sync_to_thread=True)
    def certificate(
        self, ledger: NamedDependency[Ledger], learner: NamedDependency[str], number: FromPath[str]
    ) -> Response[bytes]:
        """One of the learner's own certificates as a printable PDF; 404 for any other."""
        try:
            record = ledger.certificates.certificate(number[:20])
        except LedgerError:
            raise NotFoundException("没有找到这张证书 / not found") from None
        if record.account != learner:
            raise NotFoundException("没有找到这张证书 / not found")
        return _pdf(certificate_pdf(certificate_face(ledger, record)), f"{record.number}.pdf")

    @get("/me/transcript.pdf", sync_to_thread=True)
    def transcript(
        self, ledger: NamedDependency[Ledger], learner: NamedDependency[str]
    ) -> Response[bytes]:
        """The readable transcript."""
        face = transcript_face(learner_view(ledger, learner))
        return _pdf(transcript_pdf(face), f"transcript-{learner}.pdf")

    @get("/me/transcript.jws", sync_to_thread=True)
    def signed(
        self, ledger: NamedDependency[Ledger], learner: NamedDependency[str]
    ) -> Response[str]:
        """The signed transcript (JWS), to verify."""
        token = ledger.credit_bank.transcript(
            Principal(Role.LEARNER, learner), learner, ledger.settings.public_url
        )
        return Response(
            token,
            media_type="application/jose",
            headers={
                "Content-Disposition": f'attachment; filename="transcript-{learner}.jws"',
                "Cache-Control": "no-store",
            },
        )


def learner_router(ledger: Ledger, secret: str) -> Router:
    """The learner's pages under /learner, behind their own sessions and CSRF."""
    secure = ledger.settings.public_url.startswith("https://")
    csrf = CSRFConfig(
        secret=secret,
        cookie_name="certledger_learner_csrf",
        cookie_path="/learner",
        cookie_secure=secure,
        cookie_httponly=True,
        cookie_samesite="lax",
        header_name="x-csrftoken",
    )
    sessions = ConsoleSessionConfig(
        key=COOKIE,
        store="console_sessions",
        max_age=30 * 60,
        renew_on_access=True,
        path="/learner",
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    return Router(
        path="/learner",
        route_handlers=[LearnerController],
        middleware=[sessions.middleware, DefineMiddleware(CSRFMiddleware, config=csrf)],
        dependencies={"learner": Provide(_provide, sync_to_thread=True)},
        exception_handlers={
            LearnerSignInRequired: _to_sign_in,
            **dict.fromkeys(
                (
                    HTTPException,
                    NotFoundException,
                    PermissionDeniedException,
                    LedgerError,
                    SigningKeyError,
                ),
                html_error,
            ),
        },
        include_in_schema=False,
    )
