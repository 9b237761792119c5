import base64
from datetime import UTC, datetime, timedelta

import pytest

from walletdesk.identity import totp
from walletdesk.randomness import SeededRandom

SHA1_SEED = base64.b32encode(b"12345678901234567890").decode()
SHA256_SEED = base64.b32encode(b"12345678901234567890123456789012").decode()
SHA512_SEED = base64.b32encode(
    b"1234567890123456789012345678901234567890123456789012345678901234"
).decode()


# RFC 6238 appendix B: 8-digit codes for three hash functions at six instants.
@pytest.mark.parametrize(
    ("label", "unix_time", "seed", "algorithm", "expected"),
    [
        ("59 s sha1", 59, SHA1_SEED, "sha1", "94287082"),
        ("59 s sha256", 59, SHA256_SEED, "sha256", "46119246"),
        ("59 s sha512", 59, SHA512_SEED, "sha512", "90693936"),
        ("1111111109 sha1", 1111111109, SHA1_SEED, "sha1", "07081804"),
        ("1111111109 sha256", 1111111109, SHA256_SEED, "sha256", "68084774"),
        ("1111111109 sha512", 1111111109, SHA512_SEED, "sha512", "25091201"),
        ("1111111111 sha1", 1111111111, SHA1_SEED, "sha1", "14050471"),
        ("1111111111 sha256", 1111111111, SHA256_SEED, "sha256", "67062674"),
        ("1111111111 sha512", 1111111111, SHA512_SEED, "sha512", "99943326"),
        ("1234567890 sha1", 1234567890, SHA1_SEED, "sha1", "89005924"),
        ("1234567890 sha256", 1234567890, SHA256_SEED, "sha256", "91819424"),
        ("1234567890 sha512", 1234567890, SHA512_SEED, "sha512", "93441116"),
        ("2000000000 sha1", 2000000000, SHA1_SEED, "sha1", "69279037"),
        ("2000000000 sha256", 2000000000, SHA256_SEED, "sha256", "90698825"),
        ("2000000000 sha512", 2000000000, SHA512_SEED, "sha512", "38618901"),
        ("20000000000 sha1", 20000000000, SHA1_SEED, "sha1", "65353130"),
        ("20000000000 sha256", 20000000000, SHA256_SEED, "sha256", "77737706"),
        ("20000000000 sha512", 20000000000, SHA512_SEED, "sha512", "47863826"),
    ],
)
def test_rfc_6238_vectors(
    label: str, unix_time: int, seed: str, algorithm: str, expected: str
) -> None:
    at = datetime.fromtimestamp(unix_time, tz=UTC)
    assert totp.code_at(seed, at, digits=8, algorithm=algorithm) == expected


NOW = datetime(2026, 11, 23, 9, 0, 10, tzinfo=UTC)
SECRET = totp.new_secret(SeededRandom(1))


@pytest.mark.parametrize(
    ("label", "offset_steps", "accepted"),
    [
        ("two steps early", -2, False),
        ("one step early", -1, True),
        ("current step", 0, True),
        ("one step late", 1, True),
        ("two steps late", 2, False),
    ],
)
def test_codes_are_accepted_within_one_step_either_side(
    label: str, offset_steps: int, accepted: bool
) -> None:
    code = totp.code_at(SECRET, NOW + timedelta(seconds=30 * offset_steps))
    counter = totp.matching_counter(SECRET, code, NOW, last_counter=None)
    assert (counter is not None) is accepted


def test_a_code_is_accepted_once_only() -> None:
    code = totp.code_at(SECRET, NOW)
    counter = totp.matching_counter(SECRET, code, NOW, last_counter=None)
    assert counter == totp.counter_at(NOW)
    assert totp.matching_counter(SECRET, code, NOW, last_counter=counter) is None


def test_an_older_code_is_refused_after_a_newer_one_was_used() -> None:
    newer = totp.matching_counter(SECRET, totp.code_at(SECRET, NOW), NOW, last_counter=None)
    older_code = totp.code_at(SECRET, NOW - timedelta(seconds=30))
    assert totp.matching_counter(SECRET, older_code, NOW, last_counter=newer) is None


@pytest.mark.parametrize("garbage", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_are_refused(garbage: str) -> None:
    assert totp.matching_counter(SECRET, garbage, NOW, last_counter=None) is None


def test_provisioning_uri_and_qr_code_name_the_issuer() -> None:
    uri = totp.provisioning_uri(SECRET, "+8613812345678")
    assert uri.startswith("otpauth://totp/walletdesk:")
    assert "issuer=walletdesk" in uri
    assert totp.qr_svg_data_uri(uri).startswith("data:image/svg+xml")


def test_recovery_codes_are_ten_distinct_unambiguous_codes() -> None:
    codes = totp.new_recovery_codes(SeededRandom(3))
    assert len(set(codes)) == 10
    for code in codes:
        assert len(code) == 11 and code[5] == "-"
        assert not set(code) & set("01ilo")
        assert totp.normalise_recovery_code(code.upper().replace("-", " ")) == code
