"""Writing the knowledge base: drafts stay invisible until published, a new version replaces the
published one only when it is published, unpublishing hides it again, every change is audited,
and readers' "was this helpful?" reaches the editors."""

from fastapi.testclient import TestClient

from tests.support_desk.helpers import Staff, staff_member
from walletdesk.audit.services import recent_entries
from walletdesk.runtime import Runtime

ARTICLE = {
    "slug": "red-packets",
    "category": "transfers",
    "audience": "public",
    "title_zh": "红包怎么领取",
    "title_en": "How to open a red packet",
    "body_zh": "好友发来的红包会在 24 小时内等您领取，领取后立即进入钱包余额。",
    "body_en": "A red packet from a friend waits 24 hours for you and goes to your balance.",
    "keywords_zh": "红包 压岁钱",
    "keywords_en": "red packet, hongbao",
}


def public_slugs(client: TestClient, q: str, locale: str = "zh-CN") -> list[str]:
    response = client.get("/api/v1/help/articles", params={"q": q, "locale": locale})
    assert response.status_code == 200, response.text
    return [hit["slug"] for hit in response.json()]


def post(client: TestClient, editor: Staff, path: str, body: dict | None = None) -> dict:
    response = client.post(f"/api/v1/staff/kb{path}", headers=editor.headers, json=body)
    assert response.status_code in (200, 201), response.text
    found: dict = response.json()
    return found


def test_a_draft_is_invisible_until_published_and_a_new_version_waits_for_its_own_publish(
    client: TestClient, rt: Runtime
) -> None:
    sun = staff_member(client, rt, "Sun", "supervisor")
    created = post(client, sun, "/articles", ARTICLE)
    article_id = created["id"]
    assert (created["latest_version"], created["published_version"]) == (1, None)
    assert public_slugs(client, "红包") == []
    assert client.get("/api/v1/help/articles/red-packets").status_code == 404

    post(client, sun, f"/articles/{article_id}/publish")
    assert public_slugs(client, "红包") == ["red-packets"]
    assert public_slugs(client, "red packets", "en") == ["red-packets"]

    post(
        client,
        sun,
        f"/articles/{article_id}/versions",
        ARTICLE | {"title_zh": "领取红包", "note": "改标题"},
    )
    shown = client.get("/api/v1/help/articles/red-packets", params={"locale": "zh-CN"}).json()
    assert (shown["title"], shown["version"]) == ("红包怎么领取", 1), "the draft waits"

    detail = post(client, sun, f"/articles/{article_id}/publish")
    assert (detail["latest_version"], detail["published_version"]) == (2, 2)
    assert [v["version"] for v in detail["versions"]] == [2, 1]
    shown = client.get("/api/v1/help/articles/red-packets", params={"locale": "zh-CN"}).json()
    assert shown["title"] == "领取红包"

    post(client, sun, f"/articles/{article_id}/unpublish")
    assert public_slugs(client, "红包") == []
    assert client.get(f"/api/v1/help/articles/{article_id}").status_code == 404

    actions = [e.action for e in recent_entries(rt.db, subject_id=article_id, limit=10)]
    assert sorted(actions) == sorted(
        ["kb.article_created", "kb.published", "kb.version_added", "kb.published", "kb.unpublished"]
    )


def test_an_article_made_internal_leaves_the_public_help_centre(
    client: TestClient, rt: Runtime
) -> None:
    sun = staff_member(client, rt, "Sun", "supervisor")
    article_id = post(client, sun, "/articles", ARTICLE)["id"]
    post(client, sun, f"/articles/{article_id}/publish")
    post(client, sun, f"/articles/{article_id}/versions", ARTICLE | {"audience": "internal"})
    post(client, sun, f"/articles/{article_id}/publish")
    assert public_slugs(client, "红包") == []
    assert client.get("/api/v1/help/articles/red-packets").status_code == 404


def test_agents_cannot_edit_and_bad_articles_are_refused(client: TestClient, rt: Runtime) -> None:
    wang = staff_member(client, rt, "Wang", "agent")
    sun = staff_member(client, rt, "Sun", "supervisor")
    refused = client.post("/api/v1/staff/kb/articles", headers=wang.headers, json=ARTICLE)
    assert refused.status_code == 403
    for change, code in (
        ({"slug": "Red Packets"}, "invalid_slug"),
        ({"category": "gossip"}, "unknown_kb_category"),
        ({"body_en": "   "}, "invalid_article"),
    ):
        response = client.post(
            "/api/v1/staff/kb/articles", headers=sun.headers, json=ARTICLE | change
        )
        assert response.status_code == 422 and response.json()["error"]["code"] == code
    post(client, sun, "/articles", ARTICLE)
    taken = client.post("/api/v1/staff/kb/articles", headers=sun.headers, json=ARTICLE)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "slug_taken"


def test_readers_say_whether_an_article_helped_and_editors_see_it(
    client: TestClient, rt: Runtime
) -> None:
    sun = staff_member(client, rt, "Sun", "supervisor")
    article_id = post(client, sun, "/articles", ARTICLE)["id"]
    draft_feedback = client.post(
        "/api/v1/help/articles/red-packets/feedback", json={"helpful": True}
    )
    assert draft_feedback.status_code == 404, "no feedback on a draft"
    post(client, sun, f"/articles/{article_id}/publish")
    for body in (
        {"helpful": True},
        {"helpful": True, "comment": "很清楚"},
        {"helpful": False, "comment": "没说红包过期后钱去哪了", "locale": "zh-CN"},
    ):
        response = client.post("/api/v1/help/articles/red-packets/feedback", json=body)
        assert response.status_code == 201, response.text
    detail = client.get(f"/api/v1/staff/kb/articles/{article_id}", headers=sun.headers).json()
    assert (detail["helpful"], detail["not_helpful"]) == (2, 1)
    assert [c["comment"] for c in detail["recent_comments"]] == [
        "没说红包过期后钱去哪了",
        "很清楚",
    ]
