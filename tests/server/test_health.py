async def test_health_names_the_database(client, settings):
    answer = await client.get("/api/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": settings.database_kind}
