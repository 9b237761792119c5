import pytest

from walletdesk.errors import ValidationFailed
from walletdesk.identity.passwords import (
    Argon2Parameters,
    PasswordHasher,
    check_password_policy,
)
from walletdesk.randomness import SeededRandom


@pytest.mark.parametrize(
    ("label", "password", "code"),
    [
        ("seven characters", "a1!b2@c", "password_too_short"),
        ("common word", "password", "password_too_common"),
        ("common with digits", "password123", "password_too_common"),
        ("keyboard walk", "qwertyuiop", "password_too_common"),
        ("all digits", "12345678", "password_too_common"),
        ("birthday", "19900307", "password_too_common"),
        ("too long", "x" * 257, "password_too_long"),
    ],
)
def test_weak_or_out_of_range_passwords_are_refused(label: str, password: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_password_policy(password)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("label", "password"),
    [
        ("passphrase without digits or capitals", "plum blossom river seven"),
        ("chinese passphrase", "春眠不觉晓处处闻啼鸟"),
        (
            "128 characters",
            "a quiet harbour lantern glows while seven herons fish for silver carp "
            "beneath the old stone bridge at dawn on a cold and windy day",
        ),
        ("exactly eight, random", "k7#Qv9!z"),
    ],
)
def test_strong_passwords_need_no_composition_rules(label: str, password: str) -> None:
    check_password_policy(password)


def test_a_password_built_from_the_users_own_phone_number_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        check_password_policy("13812345678", user_inputs=["13812345678"])


def test_argon2id_hashes_verify_and_normalise_unicode() -> None:
    hasher = PasswordHasher(SeededRandom(1), Argon2Parameters(1, 1024, 1))
    stored = hasher.hash("ｐｌｕｍ blossom river 7")  # full-width letters, NFKC-normalised
    assert stored.startswith("$argon2id$")
    assert hasher.verify(stored, "plum blossom river 7")
    assert not hasher.verify(stored, "plum blossom river 8")
    assert not hasher.verify("not a hash", "anything")
    assert hasher.verify_dummy("anything") is False
