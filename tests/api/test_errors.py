import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, register


def test_errors_are_coded_and_translated_by_accept_language(client: TestClient) -> None:
    body = {"phone": "12345", "password": "plum blossom river 7", "display_name": "张明"}
    zh = client.post("/api/v1/auth/register", json=body).json()["error"]
    en = client.post(
        "/api/v1/auth/register", json=body, headers={"Accept-Language": "en-GB,en;q=0.9"}
    ).json()["error"]
    assert zh["code"] == en["code"] == "invalid_phone"
    assert zh["message"] == "请输入有效的中国大陆手机号，例如 138 1234 5678。"
    assert en["message"] == "Enter a valid mainland China mobile number, for example 138 1234 5678."
    assert zh["field"] == "phone"
    assert zh["request_id"].startswith("req_")


def test_malformed_json_is_a_coded_422(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_a_missing_field_names_the_field(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/login", json={"login": "13812345678"}, headers={"Accept-Language": "en"}
    )
    error = response.json()["error"]
    assert response.status_code == 422 and error["field"] == "password"
    assert error["message"] == "Some of the information you entered is not valid."


def test_unknown_api_paths_are_coded_404s(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_unexpected_failure_reaches_the_client_without_a_stack_trace(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from walletdesk.identity import registration

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database exploded at /secret/path line 42")

    monkeypatch.setattr(registration, "register", explode)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        response = client.post(
            "/api/v1/auth/register",
            json={"phone": "13812345678", "password": "plum blossom river 7", "display_name": "x"},
        )
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert "exploded" not in response.text and "Traceback" not in response.text
    assert response.headers["X-Request-ID"] == error["request_id"]


def test_a_client_request_id_is_echoed_back(client: TestClient) -> None:
    register(client, ZHANG_MING)
    response = client.get("/healthz", headers={"X-Request-ID": "trace-123"})
    assert response.headers["X-Request-ID"] == "trace-123"
    assert response.json() == {"status": "ok", "database": "ok"}


def test_security_headers_are_set(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_api_reference_is_served_without_outside_assets(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "/api/v1/auth/login" in page.text and "two_factor_required" in page.text
    assert "<script" not in page.text and "cdn" not in page.text.lower()
    document = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/me/sessions/{session_id}" in document["paths"]
