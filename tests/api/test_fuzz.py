"""Random input against every JSON endpoint: never a 5xx, always the coded error format."""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import ZHANG_MING, sign_up_and_in

STRINGS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "13812345678",
            "+86 139 0000 0000",
            "a@b.co",
            "000000",
            "x" * 2000,
            "'; DROP TABLE users; --",
            "\u202e\u0000",
            "张明",
            "lost_phone",
            "phone",
            "email",
            "11010519491231002X",
            "abcde-fghjk",
            "en",
            "zh-CN",
            "admin",
        ]
    ),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    STRINGS,
)
SEEN: set[tuple[str, int]] = set()
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def json_operations(app: FastAPI) -> list[tuple[str, str, list[str]]]:
    """(method, path, body field names) for every operation that takes a JSON body."""
    found = []
    schema = app.openapi()
    components = schema.get("components", {}).get("schemas", {})
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            ref = body["schema"].get("$ref", "").rsplit("/", 1)[-1]
            fields = list(components.get(ref, {}).get("properties", {}))
            found.append(
                (
                    method.upper(),
                    path.replace("{session_id}", "ses_x").replace("{user_id}", "usr_x"),
                    fields,
                )
            )
    return found


def check_reply(status: int, body: Any) -> None:
    assert status < 500, body
    if status >= 400:
        assert set(body["error"]) >= {"code", "message", "request_id"}
        assert "Traceback" not in str(body)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_random_bodies_never_crash_the_api(app: FastAPI, client: TestClient) -> None:
    headers = sign_up_and_in(client, ZHANG_MING)
    operations = json_operations(app)
    assert len(operations) >= 15

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def hammer(data: st.DataObject) -> None:
        for method, path, fields in operations:
            typed = st.fixed_dictionaries({name: STRINGS for name in fields})
            loose = st.fixed_dictionaries({}, optional={name: VALUES for name in fields})
            body = data.draw(st.one_of(typed, loose, VALUES), label=path)
            response = client.request(method, path, json=body, headers=headers)
            check_reply(response.status_code, response.json() if response.content else {})
            SEEN.add((path, response.status_code))

    hammer()
    assert {path for path, _ in SEEN} == {path for _, path, _ in operations}
    assert {status for _, status in SEEN} >= {422}
