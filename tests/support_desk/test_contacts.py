"""Contacts and channel identities: stored encrypted, found by blind index, assurance only
ever raised; visitors become contacts; a wallet user has exactly one contact."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.support import ZHANG_MING, remember, sign_up_and_in
from tests.support_desk.helpers import start_chat
from walletdesk.errors import Conflict
from walletdesk.runtime import Runtime
from walletdesk.support.contacts import find_identity, identify, identity_value, link_identity
from walletdesk.support.models import Assurance, IdentityKind

CALLER = "13611112222"
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
remember(CALLER, "+86" + CALLER)


def test_a_caller_we_do_not_know_becomes_a_visitor_found_again_by_number(rt: Runtime) -> None:
    now = rt.clock.now()
    with rt.db.uow() as uow:
        contact, identity = identify(
            rt, uow, IdentityKind.PHONE, "136 1111 2222", assurance=Assurance.ANONYMOUS, now=now
        )
        uow.commit()
    assert contact.user_id is None and identity.assurance == "anonymous"
    with rt.db.uow() as uow:
        again, same = identify(
            rt, uow, IdentityKind.PHONE, "+8613611112222", assurance=Assurance.LOGGED_IN, now=now
        )
        uow.commit()
    assert again.id == contact.id and same.id == identity.id
    assert same.assurance == "logged_in"
    with rt.db.uow(read_only=True) as uow:
        found = find_identity(rt, uow, IdentityKind.PHONE, CALLER)
        assert found is not None and identity_value(rt, found) == "+86" + CALLER
    with rt.db.engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM support_identities")).mappings().one()
    assert CALLER not in " ".join(str(v) for v in row.values())


def test_an_address_of_one_contact_cannot_be_linked_to_another(rt: Runtime) -> None:
    now = rt.clock.now()
    with rt.db.uow() as uow:
        wechat_fan, _ = identify(
            rt, uow, IdentityKind.WECHAT_OPENID, OPENID, assurance=Assurance.ANONYMOUS, now=now
        )
        caller, _ = identify(
            rt, uow, IdentityKind.PHONE, CALLER, assurance=Assurance.ANONYMOUS, now=now
        )
        with pytest.raises(Conflict):
            link_identity(
                rt,
                uow,
                caller,
                IdentityKind.WECHAT_OPENID,
                OPENID,
                assurance=Assurance.ANONYMOUS,
                now=now,
            )
        email = link_identity(
            rt,
            uow,
            wechat_fan,
            IdentityKind.EMAIL,
            "Fan@Example.com",
            assurance=Assurance.ANONYMOUS,
            now=now,
        )
        assert identity_value(rt, email) == "fan@example.com"


def test_a_wallet_user_keeps_one_contact_across_conversations(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    start_chat(client, zhang, "第一次咨询")
    start_chat(client, zhang, "第二次咨询")
    with rt.db.engine.connect() as connection:
        contacts = connection.execute(text("SELECT count(*) FROM support_contacts")).scalar()
        levels = connection.execute(text("SELECT kind, assurance FROM support_identities")).all()
        conversations = connection.execute(
            text("SELECT assurance FROM support_conversations")
        ).all()
    assert contacts == 1
    assert [tuple(level) for level in levels] == [("wallet_user", "logged_in")]
    assert {c[0] for c in conversations} == {"logged_in"}
    assert len(client.get("/api/v1/cases", headers=zhang).json()) == 2
