from fastapi.testclient import TestClient

from tests.banking.cards import ICBC_DEBIT, bank, bind
from tests.banking.money import top_up, withdraw
from tests.support import ZHANG_MING, messages_to, sign_up_and_in
from walletdesk.channels.bank_simulator import Outcome
from walletdesk.runtime import Runtime


def inbox(client: TestClient, headers: dict[str, str]) -> list[str]:
    return [
        f"{n['title']}|{n['body']}"
        for n in client.get("/api/v1/me/notifications", headers=headers).json()
    ]


def test_the_user_hears_how_each_top_up_and_withdrawal_ended(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    card_id = bind(client, rt, zhang, ZHANG_MING, ICBC_DEBIT)
    last4 = ICBC_DEBIT[-4:]
    top_up(client, zhang, card_id, "200.00", "t1")
    assert f"充值成功|尾号 {last4} 的银行卡充值 ¥200.00 已到账。" in inbox(client, zhang)

    bank(rt).script(bank(rt).token_for(ICBC_DEBIT), [Outcome.CARD_FROZEN])
    top_up(client, zhang, card_id, "50.00", "t2")
    failed = [n for n in inbox(client, zhang) if n.startswith("充值失败")]
    assert failed and "这张卡已被发卡银行冻结。" in failed[0]

    bank(rt).script(bank(rt).token_for(ICBC_DEBIT), [Outcome.INSUFFICIENT_FUNDS])
    withdraw(client, zhang, card_id, "30.00", "w1")
    assert any(n.startswith("提现失败") and "资金已退回钱包" in n for n in inbox(client, zhang))

    withdraw(client, zhang, card_id, "40.00", "w2")
    assert any(n.startswith("提现成功") for n in inbox(client, zhang))
    # Money leaving for a card is also told by SMS, so a thief cannot hide it.
    assert any("已提现至尾号" in sms for sms in messages_to(rt, ZHANG_MING.phone or ""))
