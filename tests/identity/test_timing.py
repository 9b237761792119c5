"""An unknown login costs one password-hash verification, like a known one."""

from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, register
from walletdesk.identity.passwords import PasswordHasher
from walletdesk.runtime import Runtime


class CountingHasher(PasswordHasher):
    """A real hasher that counts verifications, dummy ones included."""

    verifications = 0

    def verify(self, stored_hash: str, password: str) -> bool:
        CountingHasher.verifications += 1
        return super().verify(stored_hash, password)


def test_unknown_and_known_logins_both_verify_one_hash(client: TestClient, rt: Runtime) -> None:
    register(client, ZHANG_MING)
    counting = CountingHasher.__new__(CountingHasher)
    counting.__dict__.update(rt.passwords.__dict__)
    rt.passwords = counting
    CountingHasher.verifications = 0
    client.post("/api/v1/auth/login", json={"login": "13900000000", "password": "some guess 1"})
    unknown = CountingHasher.verifications
    client.post("/api/v1/auth/login", json={"login": "not a valid login", "password": "guess 2"})
    malformed = CountingHasher.verifications - unknown
    client.post("/api/v1/auth/login", json={"login": ZHANG_MING.login, "password": "guess 3"})
    known = CountingHasher.verifications - unknown - malformed
    assert unknown == malformed == known == 1
