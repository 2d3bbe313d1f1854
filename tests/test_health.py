"""GET /healthz reports the database and Redis."""

from gateway import create_app


def test_healthz_ok_when_services_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}, "sms_gateways": {}}


def test_healthz_503_when_redis_is_down(env, redis):
    app = create_app(dict(env, REDIS_URL="redis://127.0.0.1:1/0"))

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "redis": "failed"}
