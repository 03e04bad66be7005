"""Redis for the shared-limit tests: the machine's Redis under a key prefix of the test's own (skipped with a reason
when it does not answer), or a redis-server of the test's own that it can stop and start again."""

from __future__ import annotations

import shutil
import uuid

import pytest

from tests.redis_support import PREFIX, REDIS_URL, OwnRedis, delete_prefix, redis_answers


@pytest.fixture
def redis_url() -> str:
    if not redis_answers():
        pytest.skip(f"Redis does not answer at {REDIS_URL} (set TEST_REDIS_URL): shared-limit tests need one")
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url):
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"{PREFIX}{uuid.uuid4().hex[:12]}:"
    yield prefix
    delete_prefix(redis_url, prefix)


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: the Redis outage test starts and stops one of its own")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()
