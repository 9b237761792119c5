"""A readable API reference rendered on the server from the OpenAPI document.

No scripts and nothing fetched from elsewhere, so it works offline; the machine-readable
contract stays at /api/v1/openapi.json.
"""

from __future__ import annotations

from html import escape
from typing import Any

_STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:1rem;"
    "color:#1d2733}h2{margin-top:2rem;border-bottom:1px solid #d7dde4}"
    ".op{border:1px solid #d7dde4;border-radius:8px;padding:.6rem .9rem;margin:.6rem 0}"
    ".m{display:inline-block;min-width:4.2rem;font-weight:700}.GET{color:#1565c0}"
    ".POST{color:#2e7d32}.PATCH{color:#8d6e00}.DELETE{color:#c62828}"
    "code{background:#f2f4f7;padding:0 .25rem;border-radius:4px}"
    "table{border-collapse:collapse;margin:.3rem 0}td{padding:.1rem .6rem .1rem 0;"
    "vertical-align:top}.muted{color:#5b6775}"
)


def _schema_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref")
    if ref:
        return str(ref).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_schema_name(schema.get('items', {}))}"
    return str(schema.get("type", "object"))


def _fields(schema: dict[str, Any], components: dict[str, Any]) -> str:
    resolved = components.get(_schema_name(schema), schema)
    properties: dict[str, Any] = resolved.get("properties", {})
    if not properties:
        return ""
    required = set(resolved.get("required", []))
    rows = []
    for name, spec in properties.items():
        kind = spec.get("type") or " | ".join(
            str(option.get("type", _schema_name(option))) for option in spec.get("anyOf", [])
        )
        note = spec.get("description", "")
        flag = "" if name in required else " <span class='muted'>(optional)</span>"
        rows.append(
            f"<tr><td><code>{escape(name)}</code>{flag}</td><td>{escape(str(kind))}</td>"
            f"<td class='muted'>{escape(str(note))}</td></tr>"
        )
    return "<table>" + "".join(rows) + "</table>"


def render_reference(document: dict[str, Any]) -> str:
    components: dict[str, Any] = document.get("components", {}).get("schemas", {})
    by_tag: dict[str, list[str]] = {}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            tag = (operation.get("tags") or ["other"])[0]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            ok = next(iter(operation.get("responses", {})), "")
            success = operation.get("responses", {}).get(ok, {})
            reply = success.get("content", {}).get("application/json", {}).get("schema")
            parts = [
                f"<div class='op'><span class='m {method.upper()}'>{method.upper()}</span>"
                f"<code>{escape(path)}</code> <span class='muted'>{escape(ok)}</span>",
                f"<div>{escape(operation.get('summary', ''))}</div>",
            ]
            if operation.get("description"):
                parts.append(f"<div class='muted'>{escape(operation['description'])}</div>")
            if body:
                parts.append("<div>Body:</div>" + _fields(body["schema"], components))
            if reply:
                parts.append(f"<div>Reply: <code>{escape(_schema_name(reply))}</code></div>")
                parts.append(_fields(reply, components))
            by_tag.setdefault(tag, []).append("".join(parts) + "</div>")
    sections = "".join(
        f"<h2>{escape(tag)}</h2>{''.join(operations)}" for tag, operations in by_tag.items()
    )
    info = document.get("info", {})
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{escape(info.get('title', 'API'))} API</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(info.get('title', ''))} API {escape(info.get('version', ''))}</h1>"
        "<p>Bearer tokens from <code>POST /api/v1/auth/login</code>; errors are "
        '<code>{"error": {"code", "message", "request_id"}}</code> in the language of '
        "<code>Accept-Language</code>. Machine-readable: "
        "<a href='/api/v1/openapi.json'>/api/v1/openapi.json</a>.</p>"
        f"{sections}</body></html>"
    )
