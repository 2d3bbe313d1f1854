"""Commands started beside `hotline run` use its embedded Redis, so their jobs reach its worker."""

from gateway import RedisConnection
from tests.redis_server import PrivateRedis
from workers.redis_connection import announce_running, connect, find_running


def test_command_joins_the_redis_of_a_running_hotline(tmp_path):
    running = PrivateRedis().start()
    try:
        announce_running(tmp_path / "redis", running.url)
        connection = RedisConnection(None, tmp_path / "redis")
        connection.get().rpush("rq:queue:default", "job-from-a-command")

        assert connection.url == running.url
        assert connection.embedded is None
        assert connect(running.url).lrange("rq:queue:default", 0, -1) == [b"job-from-a-command"]
    finally:
        running.stop()


def test_file_left_by_a_killed_run_is_ignored(tmp_path):
    stopped = PrivateRedis().start()
    announce_running(tmp_path / "redis", stopped.url)
    stopped.stop()

    assert find_running(tmp_path / "redis") is None
