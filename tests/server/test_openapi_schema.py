"""The OpenAPI schema the server publishes documents the sync contract."""

import json


async def test_the_schema_documents_every_route_and_mutation(client):
    schema = (await client.get("/schema/openapi.json")).json()
    for path in ["/api/auth/login", "/api/sync/push", "/api/sync/pull", "/api/health"]:
        assert path in schema["paths"], path
    text = str(schema)
    for name in ["issue.create", "issue.update", "issue.status", "issue.comment", "photo.attach",
                 "inspection.create", "inspection.update"]:
        assert name in text, name
    push = schema["paths"]["/api/sync/push"]["post"]
    assert {"400", "401", "409"} <= set(push["responses"])
    assert push["security"] and "bearer" in schema["components"]["securitySchemes"]


async def test_every_api_route_is_documented_with_its_answers(client):
    """A route the schema leaves out, or documents without its answers, is a contract API users cannot read."""
    schema = (await client.get("/schema/openapi.json")).json()
    undocumented, unanswered = [], []
    for route in client.app.routes:
        if not route.path.startswith("/api/"):
            continue
        for handler in getattr(route, "route_handlers", []):
            if handler.include_in_schema is False:
                continue
            for method in handler.http_methods:
                operation = schema["paths"].get(route.path_format, {}).get(method.lower())
                if operation is None or not (operation.get("summary") or operation.get("description")):
                    undocumented.append(f"{method} {route.path_format}")
                    continue
                codes = set(operation["responses"])
                if not any(code[0] in "23" for code in codes):
                    unanswered.append(f"{method} {route.path_format}: no success answer")
                if method != "GET" and not any(code[0] == "4" for code in codes):
                    unanswered.append(f"{method} {route.path_format}: no error answers")
    assert not undocumented, undocumented
    assert not unanswered, unanswered


async def test_the_push_body_names_every_mutation(client):
    from sync.mutations import MUTATION_NAMES

    schema_text = json.dumps((await client.get("/schema/openapi.json")).json())
    missing = [name for name in MUTATION_NAMES if f'"{name}"' not in schema_text]
    assert not missing, missing
