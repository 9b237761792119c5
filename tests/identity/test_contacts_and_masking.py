import pytest

from walletdesk.errors import ValidationFailed
from walletdesk.identity.contacts import normalise_email, normalise_phone, parse_login
from walletdesk.identity.masking import mask_email, mask_id_number, mask_name, mask_phone
from walletdesk.identity.models import ContactKind


@pytest.mark.parametrize(
    ("label", "typed"),
    [
        ("plain", "13812345678"),
        ("spaced", "138 1234 5678"),
        ("dashed", "138-1234-5678"),
        ("plus 86", "+86 138 1234 5678"),
        ("0086", "008613812345678"),
    ],
)
def test_mainland_mobile_numbers_are_normalised_to_e164(label: str, typed: str) -> None:
    assert normalise_phone(typed) == "+8613812345678"


@pytest.mark.parametrize(
    ("label", "typed"),
    [
        ("too short", "1381234567"),
        ("landline", "010 6552 9988"),
        ("hong kong", "+852 6123 4567"),
        ("us", "+1 415 555 0100"),
        ("letters", "138abcd5678"),
    ],
)
def test_other_numbers_are_refused_with_a_clear_code(label: str, typed: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalise_phone(typed)
    assert caught.value.code == "invalid_phone"
    assert caught.value.field == "phone"


def test_emails_are_validated_and_lower_cased() -> None:
    assert normalise_email("  Li.Na@Example.COM ") == "li.na@example.com"
    with pytest.raises(ValidationFailed):
        normalise_email("li.na@")


def test_the_login_box_accepts_a_phone_or_an_email() -> None:
    assert parse_login("138 1234 5678") == (ContactKind.PHONE, "+8613812345678")
    assert parse_login("Tom@Example.org") == (ContactKind.EMAIL, "tom@example.org")


def test_masks_show_only_what_a_stranger_may_see() -> None:
    assert mask_phone("+8613812341234") == "138****1234"
    assert mask_email("zhang.wei@example.com") == "z***@example.com"
    assert mask_id_number("110101199003074578") == "1101**********4578"
    assert mask_name("张明") == "*明"
    assert mask_name("欧阳娜娜") == "**娜"


def test_owners_see_their_number_grouped_for_reading() -> None:
    from walletdesk.identity.masking import format_phone

    assert format_phone("+8613812345678") == "+86 138 1234 5678"
