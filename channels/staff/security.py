"""Passwords (argon2), signed session tokens, CSRF tokens and login lock-out."""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, select

from channels.api import ratelimit
from request_store import RequestStoreError

from . import config
from .storage import LoginThrottle, RevokedSession, StaffUser, ensure_storage, session, utcnow

SESSION_COOKIE = "parismed_staff"
LOGIN_CSRF_COOKIE = "parismed_staff_login"
SESSION_MAX_AGE = 8 * 3600  # one working day
MIN_PASSWORD_LENGTH = 10

# argon2id with argon2-cffi's default time and memory cost (RFC 9106 low-memory profile) but one lane, and at
# most one verification at a time: whatever the number of login requests, hashing never takes more than one
# core from the chat and the API (measured in tests/security: a login flood doubled chat turns with 4 lanes).
# Older hashes (4 lanes) still verify and are rehashed at the next successful login.
_hasher = PasswordHasher(parallelism=1)
_hashing = threading.BoundedSemaphore(1)
_dummy_hash: str | None = None


def _dummy() -> str:
    """A hash verified when the e-mail is unknown, so that timing does not reveal which accounts exist."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hash


# Expected failure of the staff console (``message`` is French, shown to the user): the request store's own
# error type, so that a failure raised by the store and one raised here are handled the same way.
StaffError = RequestStoreError


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _secret() -> str:
    return config.current().secret_key


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(), salt=salt)


# --- accounts ---------------------------------------------------------------------------------


def add_user(email: str, password: str, name: str = "") -> StaffUser:
    """Create a staff account, or reset the password of an existing one."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise StaffError("Adresse e-mail invalide.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"Le mot de passe doit contenir au moins {MIN_PASSWORD_LENGTH} caractères.")
    ensure_storage()
    with session() as db:
        user = db.scalar(select(StaffUser).where(StaffUser.email == email))
        if user is None:
            user = StaffUser(email=email, name=name.strip(), password_hash=hash_password(password))
            db.add(user)
        else:
            user.password_hash = hash_password(password)
            user.active = True
            user.session_epoch += 1  # a password change ends every open session of the account
            if name:
                user.name = name.strip()
        db.commit()
        db.refresh(user)
        return user


def list_users() -> list[StaffUser]:
    ensure_storage()
    with session() as db:
        return list(db.scalars(select(StaffUser).order_by(StaffUser.email)))


@dataclass
class LoginResult:
    user: StaffUser | None
    error: str | None = None
    status: int = 401


# Limits of the login form (the ``limits`` library, shared through Redis when several instances run):
# - per client address, every attempt: a flood from one address gets 429, other addresses are not affected;
# - per account *and* address, failures only, in growing windows (5 a minute, 20 an hour, 50 a day) on top of
#   the lock-out after ``login_max_failures`` failures: the delay grows with the failures, and since every key
#   includes the address, an outsider cannot lock a real account out from elsewhere.
ADDRESS_RATES = ("10/minute", "100/day")
FAILURE_RATES = ("5/minute", "20/hour", "50/day")


def throttle_key(email: str, address: str) -> str:
    return f"{email}|{address}"[:400]


def _limit_wait(rates: tuple[str, ...], *keys: str, count: bool) -> float | None:
    limits = ratelimit.current()
    for rate in rates:
        if count:
            wait = limits.hit(rate, *keys)
        elif limits.test(rate, *keys):
            continue
        else:
            wait = 60.0
        if wait is not None:
            return wait
    return None


def authenticate(email: str, password: str, address: str = "inconnu") -> LoginResult:
    """Check credentials (blocking: argon2; call it from a worker thread).

    Refused with 429 when the address or the (account, address) pair is over its limits; lock-out after
    ``login_max_failures`` failures of one account from one address.
    """
    settings = config.current()
    email = normalise_email(email)
    wait = _limit_wait(ADDRESS_RATES, "login-address", address, count=True)
    if wait is not None:
        return LoginResult(
            None,
            f"Trop de tentatives de connexion depuis votre adresse : réessayez dans {ratelimit.french_wait(wait)}.",
            status=429,
        )
    key = throttle_key(email, address)
    wait = _limit_wait(FAILURE_RATES, "login-failures", key, count=False)
    if wait is not None:
        return LoginResult(
            None,
            "Trop de tentatives infructueuses : ce compte est bloqué depuis votre adresse. "
            f"Réessayez dans {ratelimit.french_wait(wait)}.",
            status=429,
        )
    now = utcnow()
    with session() as db:
        throttle = db.get(LoginThrottle, key) if email else None
        if throttle and throttle.locked_until and throttle.locked_until > now:
            minutes = max(1, int((throttle.locked_until - now).total_seconds() // 60) + 1)
            return LoginResult(
                None,
                f"Trop de tentatives infructueuses : ce compte est bloqué. Réessayez dans {minutes} minute(s).",
            )
        user = db.scalar(select(StaffUser).where(StaffUser.email == email)) if email else None
        ok = False
        try:
            with _hashing:
                ok = _hasher.verify(user.password_hash if user else _dummy(), password or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if ok and user is not None and user.active:
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            if throttle:
                db.delete(throttle)
            db.commit()
            db.refresh(user)
            return LoginResult(user)
        _limit_wait(FAILURE_RATES, "login-failures", key, count=True)
        if email:
            if throttle is None:
                throttle = LoginThrottle(email=key, failures=0)
                db.add(throttle)
            if throttle.locked_until and throttle.locked_until <= now:
                throttle.failures = 0
                throttle.locked_until = None
            throttle.failures += 1
            throttle.last_failure_at = now
            if throttle.failures >= settings.login_max_failures:
                throttle.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
            db.commit()
            if throttle.locked_until:
                return LoginResult(
                    None,
                    "Trop de tentatives infructueuses : ce compte est bloqué pendant "
                    f"{settings.login_lockout_minutes} minutes.",
                )
        return LoginResult(None, "Adresse e-mail ou mot de passe incorrect.")


def set_active(email: str, active: bool) -> StaffUser:
    """Disable (every open session ends) or enable an account."""
    email = normalise_email(email)
    ensure_storage()
    with session() as db:
        user = db.scalar(select(StaffUser).where(StaffUser.email == email))
        if user is None:
            raise StaffError(f"Aucun compte pour {email}.")
        user.active = active
        user.session_epoch += 1
        db.commit()
        db.refresh(user)
        return user


def unlock(email: str) -> int:
    """Lift the lock-outs of an account (from every address); returns how many were lifted."""
    email = normalise_email(email)
    ensure_storage()
    with session() as db:
        result = db.execute(delete(LoginThrottle).where(LoginThrottle.email.like(f"{email}|%")))
        db.commit()
        return int(getattr(result, "rowcount", 0) or 0)  # CursorResult of a DELETE


# --- sessions and CSRF ------------------------------------------------------------------------


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def make_session_token(user: StaffUser) -> str:
    return _serializer("staff-session").dumps(
        {"uid": user.id, "csrf": new_csrf_token(), "sid": secrets.token_hex(16), "ep": user.session_epoch}
    )


@dataclass
class StaffSession:
    user: StaffUser
    csrf: str
    session_id: str = ""


def revoke_session(sess: StaffSession) -> None:
    """Ends a session on the server side too: a copy of its cookie no longer opens the console."""
    if not sess.session_id:
        return
    now = utcnow()
    with session() as db:
        db.execute(delete(RevokedSession).where(RevokedSession.expires_at < now))  # forget expired ones
        if db.get(RevokedSession, sess.session_id) is None:
            db.add(RevokedSession(session_id=sess.session_id, expires_at=now + timedelta(seconds=SESSION_MAX_AGE)))
        db.commit()


def read_session_token(token: str | None) -> StaffSession | None:
    if not token:
        return None
    try:
        data = _serializer("staff-session").loads(token, max_age=SESSION_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not {"uid", "csrf", "sid"} <= data.keys():
        return None
    with session() as db:
        if db.get(RevokedSession, str(data["sid"])) is not None:
            return None
        user = db.get(StaffUser, data["uid"])
        if user is None or not user.active or data.get("ep", 0) != user.session_epoch:
            return None
        return StaffSession(user=user, csrf=str(data["csrf"]), session_id=str(data["sid"]))


def make_login_csrf() -> tuple[str, str]:
    """(token for the form, signed value for the cookie) of the anonymous login form."""
    token = new_csrf_token()
    return token, _serializer("staff-login-csrf").dumps(token)


def check_login_csrf(cookie_value: str | None, form_token: str | None) -> bool:
    if not cookie_value or not form_token:
        return False
    try:
        token = _serializer("staff-login-csrf").loads(cookie_value, max_age=3600)
    except (BadSignature, SignatureExpired):
        return False
    return hmac.compare_digest(str(token), str(form_token))


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, str(given))
