import pytest

from tests.banking.cards import CCB_CREDIT, CMB_DEBIT, ICBC_DEBIT, with_check_digit
from walletdesk.banking.bins import BIN_TABLE, CardType, lookup_bin, luhn_ok


@pytest.mark.parametrize(
    ("label", "number", "valid"),
    [
        ("the textbook Luhn example", "79927398713", True),
        ("one digit changed", "79927398710", False),
        ("a Visa test number", "4111111111111111", True),
        ("two digits swapped", "4111111111111121", False),
        ("letters", "41111111111111a1", False),
        ("full-width digits", "４１１１", False),
    ],
)
def test_the_luhn_check(label: str, number: str, valid: bool) -> None:
    assert luhn_ok(number) is valid, label


def test_the_test_cards_carry_valid_check_digits() -> None:
    assert all(luhn_ok(n) for n in (ICBC_DEBIT, CMB_DEBIT, CCB_CREDIT))


@pytest.mark.parametrize(
    ("label", "number", "bank", "card_type"),
    [
        ("ICBC 牡丹灵通卡", ICBC_DEBIT, "ICBC", CardType.DEBIT),
        ("CMB 一卡通", CMB_DEBIT, "CMB", CardType.DEBIT),
        ("CCB 龙卡信用卡", CCB_CREDIT, "CCB", CardType.CREDIT),
        ("ABC 金穗借记卡", with_check_digit("622848001234567890"), "ABC", CardType.DEBIT),
        ("BOC 长城电子借记卡", with_check_digit("621661001234567890"), "BOC", CardType.DEBIT),
        ("BOCOM 太平洋借记卡", with_check_digit("622262001234567890"), "BOCOM", CardType.DEBIT),
    ],
)
def test_the_bin_tells_the_bank_and_the_card_type(
    label: str, number: str, bank: str, card_type: CardType
) -> None:
    found = lookup_bin(number)
    assert found is not None, label
    assert (found.bank.code, found.card_type) == (bank, card_type)


def test_every_major_bank_has_debit_and_credit_bins() -> None:
    for bank in ("ICBC", "CCB", "ABC", "BOC", "BOCOM", "CMB"):
        kinds = {kind for code, kind in BIN_TABLE.values() if code == bank}
        assert kinds == {CardType.DEBIT, CardType.CREDIT}, bank


def test_an_unknown_bin_is_not_guessed() -> None:
    assert lookup_bin(with_check_digit("999999001234567")) is None
