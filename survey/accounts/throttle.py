"""Throttling logins and password-reset requests, so guessing is slow and nobody can lock out
a colleague by knowing their address.

Failed logins stop one account at one client address, and one client address (far above what a
town hall behind one address needs); an account from all addresses together is only slowed
down to one attempt every few seconds, so its owner still gets in. Only failures count. The
counts live in Flask-Limiter's storage (memory, or Redis shared by every worker) through the
`limits` strategy it uses, which keeps its own clock.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.strategies import RateLimiter


@dataclass(frozen=True)
class ThrottleLimits:
    per_account_and_address: RateLimitItem
    per_address: RateLimitItem
    slowdown_per_account: RateLimitItem  # failures after which an account is slowed down
    pace: RateLimitItem  # the attempts an account then gets
    reset_per_address: RateLimitItem
    reset_per_account: RateLimitItem

    @classmethod
    def from_config(cls, config) -> ThrottleLimits:
        return cls(
            per_account_and_address=parse(config["LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"]),
            per_address=parse(config["LOGIN_LIMIT_PER_ADDRESS"]),
            slowdown_per_account=parse(config["LOGIN_SLOWDOWN_PER_ACCOUNT"]),
            pace=parse(config["LOGIN_SLOWDOWN_PACE"]),
            reset_per_address=parse(config["PASSWORD_RESET_LIMIT_PER_ADDRESS"]),
            reset_per_account=parse(config["PASSWORD_RESET_LIMIT_PER_ACCOUNT"]),
        )


def _account_key(email: str) -> str:
    # Addresses stay out of the (possibly shared) storage; a digest counts just as well.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


class AccountThrottle:
    def __init__(self, strategy: RateLimiter, limits: ThrottleLimits, prefix: str = ""):
        self.strategy = strategy
        self.limits = limits
        self.prefix = prefix or "spiegel"

    def _key(self, kind: str, *parts: str) -> tuple[str, ...]:
        return (self.prefix, kind, *parts)

    def _seconds_left(self, item: RateLimitItem, key: tuple[str, ...]) -> int:
        reset_at = self.strategy.get_window_stats(item, *key).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def login_wait(self, email: str, address: str) -> int:
        """Seconds before this login attempt may be made; 0 lets it through.

        An account that is being slowed down spends its turn on the attempt itself, so attempts
        sent at the same moment do not all get through."""
        account = _account_key(email)
        for item, key in (
            (self.limits.per_account_and_address, self._key("login-pair", account, address)),
            (self.limits.per_address, self._key("login-address", address)),
        ):
            if not self.strategy.test(item, *key):
                return self._seconds_left(item, key)
        slowed = not self.strategy.test(
            self.limits.slowdown_per_account, *self._key("login-account", account)
        )
        pace_key = self._key("login-pace", account)
        if slowed and not self.strategy.hit(self.limits.pace, *pace_key):
            return self._seconds_left(self.limits.pace, pace_key)
        return 0

    def login_failed(self, email: str, address: str) -> None:
        account = _account_key(email)
        self.strategy.hit(
            self.limits.per_account_and_address, *self._key("login-pair", account, address)
        )
        self.strategy.hit(self.limits.per_address, *self._key("login-address", address))
        self.strategy.hit(self.limits.slowdown_per_account, *self._key("login-account", account))

    def reset_request_wait(self, address: str) -> int:
        """Seconds before this address may ask for another password-reset email; 0: go ahead."""
        key = self._key("reset-address", address)
        if self.strategy.hit(self.limits.reset_per_address, *key):
            return 0
        return self._seconds_left(self.limits.reset_per_address, key)

    def reset_email_allowed(self, email: str) -> bool:
        """Whether one more reset email may go to this account (asked for known accounts and
        unknown addresses alike, so the answer tells nothing)."""
        return self.strategy.hit(
            self.limits.reset_per_account, *self._key("reset", _account_key(email))
        )
