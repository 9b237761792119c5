"""Bank cards for the tests: real BINs with valid check digits, and binding through the API."""

from fastapi.testclient import TestClient

from tests.support import Person, last_code, remember
from walletdesk.channels.bank_simulator import BankSimulator
from walletdesk.runtime import Runtime


def with_check_digit(partial: str) -> str:
    """Append the Luhn check digit to `partial`."""
    total = 0
    for position, char in enumerate(reversed(partial)):
        digit = int(char)
        if position % 2 == 0:  # these become the odd positions once the check digit is added
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return partial + str((10 - total % 10) % 10)


ICBC_DEBIT = with_check_digit("622202100112345678")  # 19 digits, 工商银行 牡丹灵通卡
CMB_DEBIT = with_check_digit("622588012345678")  # 16 digits, 招商银行 一卡通
CCB_CREDIT = with_check_digit("622166201234567")  # 16 digits, 建设银行 龙卡信用卡
remember(ICBC_DEBIT, CMB_DEBIT, CCB_CREDIT)


def bank(rt: Runtime) -> BankSimulator:
    assert isinstance(rt.bank, BankSimulator)
    return rt.bank


def bind(
    client: TestClient, rt: Runtime, headers: dict[str, str], person: Person, number: str
) -> str:
    """Bind and verify a card with the code the bank texted; returns the card id."""
    started = client.post(
        "/api/v1/cards",
        headers=headers,
        json={"card_number": number, "holder_name": person.display_name, "phone": person.phone},
    )
    assert started.status_code == 201, started.text
    card_id = str(started.json()["id"])
    assert person.phone is not None
    code = last_code(rt, person.phone)
    verified = client.post(f"/api/v1/cards/{card_id}/verify", headers=headers, json={"code": code})
    assert verified.status_code == 200, verified.text
    return card_id
