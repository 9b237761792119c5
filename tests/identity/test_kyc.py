from datetime import date

import pytest

from walletdesk.errors import ValidationFailed
from walletdesk.identity.kyc import check_real_name, check_resident_id

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("label", "number"),
    [
        ("beijing, digit check", "11010519491231002X"),
        ("lower-case x", "11010519491231002x"),
        ("with spaces", "110105 19491231 002X"),
        ("shanghai", "310101199001011234"),
    ],
)
def test_well_formed_resident_ids_are_accepted(label: str, number: str) -> None:
    assert check_resident_id(number, today=TODAY) == number.replace(" ", "").upper()


@pytest.mark.parametrize(
    ("label", "number"),
    [
        ("wrong check digit", "110105194912310021"),
        ("seventeen characters", "11010519491231002"),
        ("letters inside", "1101051949123100AX"),
        ("no such date", "110105194902300027"),
        ("born in the future", "110105202701010012"),
        ("province code 0", "010105194912310020"),
    ],
)
def test_malformed_resident_ids_are_refused(label: str, number: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_resident_id(number, today=TODAY)
    assert caught.value.code == "invalid_id_number"


def test_real_names_are_trimmed_and_must_not_contain_digits() -> None:
    assert check_real_name("  欧阳  娜娜 ") == "欧阳 娜娜"
    with pytest.raises(ValidationFailed):
        check_real_name("张3")
