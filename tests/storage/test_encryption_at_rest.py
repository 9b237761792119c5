import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.support import LI_NA, enable_totp, remember, sign_up_and_in
from walletdesk.fieldcrypt import FieldCipher, UndecryptableField
from walletdesk.randomness import SeededRandom
from walletdesk.runtime import Runtime
from walletdesk.settings import Secrets


def raw_user_row(rt: Runtime) -> dict[str, object]:
    with rt.db.engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM users")).mappings().one()
    return dict(row)


def test_the_raw_columns_of_encrypted_fields_are_not_the_plaintext(
    client: TestClient, rt: Runtime
) -> None:
    headers = sign_up_and_in(client, LI_NA)
    secret, _ = enable_totp(client, rt, headers)
    remember("310101199001011234")
    client.post(
        "/api/v1/me/real-name",
        headers=headers,
        json={"real_name": "李晓娜", "id_number": "310101199001011234"},
    )
    row = raw_user_row(rt)
    everything = " ".join(str(value) for value in row.values())
    assert row["kyc_tier"] == 1
    for plaintext in (
        "13987654321",
        "+8613987654321",
        "li.na@example.com",
        secret,
        "310101199001011234",
        "李晓娜",
    ):
        assert plaintext not in everything
    assert str(row["phone_enc"]).startswith("k1:")
    assert str(row["totp_secret_enc"]).startswith("k1:")
    assert len(str(row["phone_index"])) == 64  # a blind index, not the number


def test_the_simulated_sms_log_and_the_outbox_hold_no_plaintext_codes(
    client: TestClient, rt: Runtime
) -> None:
    sign_up_and_in(client, LI_NA)
    client.post("/api/v1/auth/password-reset/request", json={"login": LI_NA.login})
    with rt.db.engine.connect() as connection:
        stored = " ".join(
            str(value)
            for table in ("outbox", "simulated_messages", "one_time_codes")
            for row in connection.execute(text(f"SELECT * FROM {table}"))  # noqa: S608
            for value in row
        )
    from tests.support import last_code

    code = last_code(rt, LI_NA.phone or "")
    assert code not in stored
    assert "13987654321" not in stored


def cipher(keys: dict[str, bytes], active: str) -> FieldCipher:
    secrets = Secrets(
        secret_key=b"s" * 32, field_keys=keys, active_field_key_id=active, blind_index_key=b"b" * 32
    )
    return FieldCipher(secrets, SeededRandom(5))


def test_keys_rotate_old_values_still_decrypt_and_new_ones_use_the_new_key() -> None:
    old = cipher({"k1": b"1" * 32}, "k1")
    stored = old.encrypt("+8613812345678", "user.phone")
    rotated = cipher({"k1": b"1" * 32, "k2": b"2" * 32}, "k2")
    assert rotated.decrypt(stored, "user.phone") == "+8613812345678"
    assert rotated.encrypt("+8613812345678", "user.phone").startswith("k2:")
    assert rotated.blind_index("x", "p") == old.blind_index("x", "p")  # look-ups survive


def test_a_ciphertext_moved_to_another_column_or_altered_does_not_decrypt() -> None:
    box = cipher({"k1": b"1" * 32}, "k1")
    stored = box.encrypt("+8613812345678", "user.phone")
    remember("+8613812345678")
    with pytest.raises(UndecryptableField):
        box.decrypt(stored, "user.email")
    tampered = stored[:-4] + ("AAAA" if not stored.endswith("AAAA") else "BBBB")
    with pytest.raises(UndecryptableField):
        box.decrypt(tampered, "user.phone")
    with pytest.raises(UndecryptableField):
        box.decrypt("k9:" + stored[3:], "user.phone")
