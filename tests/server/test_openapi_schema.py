"""The OpenAPI schema the server publishes documents the sync contract."""


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
