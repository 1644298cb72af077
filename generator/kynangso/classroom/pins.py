"""A class's PIN: the rule a facilitator's PIN must meet, and the salted scrypt hash that is
all the store keeps of it. Checking a PIN costs about 0.2 s whatever the answer, so a guess is
slow and the time taken does not tell which class codes exist. (The commune PIN is kept the
same way: `commune.set_pin`.)
"""

from __future__ import annotations

import hashlib
import hmac

from kynangso.classroom.database import Connection

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
PIN_MIN, PIN_MAX = 4, 64  # characters; a longer PIN is a stronger one


def pin_problem(pin: str) -> str | None:
    """What is wrong with a PIN a facilitator chose, or None."""
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        return f"the PIN must be {PIN_MIN} to {PIN_MAX} characters"
    return None


def hash_pin(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8", "surrogatepass"), salt=salt, **SCRYPT)


def pin_record(connection: Connection, code: str) -> tuple[bytes, bytes] | None:
    """(salt, hash) of a class's PIN, or None for an unknown code: a quick read, so the slow
    part (`pin_matches`) can run in another thread without sharing the connection."""
    row = connection.execute(
        "SELECT pin_salt, pin_hash FROM classes WHERE code = ?", (code,)
    ).fetchone()
    return None if row is None else (bytes(row["pin_salt"]), bytes(row["pin_hash"]))


def pin_matches(pin: str, record: tuple[bytes, bytes] | None) -> bool:
    """Whether `pin` is the one behind `record`; about 0.2 s of scrypt whatever the answer."""
    if record is None:
        hash_pin(pin, b"0" * 16)  # same work either way: timing does not tell which codes exist
        return False
    salt, digest = record
    return hmac.compare_digest(hash_pin(pin, salt), digest)


def check_pin(connection: Connection, code: str, pin: str) -> bool:
    return pin_matches(pin, pin_record(connection, code))
