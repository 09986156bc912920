"""pytest-xdist support for the unit + integration layer (loaded by the root conftest).

- A Redis db per worker: before a worker process starts, so before its settings import, every
  Redis URL in the environment names its db + the worker's index (db 14 -> gw0 14, gw1 15).
  Whatever a worker queues, purges, caches or broadcasts (Celery pings) stays in its db.
- `xdist_group` honoured with `--dist loadgroup`. xdist 3.8 marks a group by appending
  `@group` to the worker's nodeids through `item._nodeid`, which pytest 9.2 no longer reads
  (its node ids are structured): the groups are silently dropped and grouped tests spread
  over the workers (pytest-dev/pytest-xdist#1386). Here each worker writes the groups it
  collected to a file the controller names, and the controller's scheduler reads them: the
  same loadgroup semantics without touching node ids. Should a later xdist put `@group` in
  the ids again, the scheduler falls back to xdist's own parsing of it.
- pytest-django's order kept on every worker: it runs the plain `db` tests first, then the
  transactional ones (whose flush empties every table, the rows data migrations made
  included), then those without a database. xdist's loadgroup sends the biggest groups first
  (`loadscope_reorder`), so a worker that ran the realservices group (transactional) first
  went on with `db` tests on emptied tables (the legal pages' migration rows gone). Here a
  group is split by that order (`realservices#0`, `realservices#1`, ...) and the work queue
  keeps collection order, so no worker gets a `db` test after a transactional one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

# Settings read these at import: on an xdist worker each Redis URL names db + worker index.
REDIS_URL_VARIABLES = (
    "REDIS_URL",
    "CHANNELS_REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
)
GROUPS_FILE = "xdist_groups_file"  # key in workerinput


def redis_url_for_worker(url: str, index: int) -> str:
    """redis://host:port/N -> redis://host:port/N+index (db 0 when the URL names none)."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    db = int(path) if path else 0
    return urlunsplit(parts._replace(path=f"/{db + index}"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    """Controller side, before the workers start: each worker's environment (execnet's
    `env:` of its spec) gets its own Redis URLs."""
    import redis

    for index, spec in enumerate(specs):
        # What the controller had, for tests/test_xdist_isolation.py to check the mapping.
        spec.env["TEST_CONTROLLER_REDIS_URL"] = os.environ.get("REDIS_URL", "")
        for name in REDIS_URL_VARIABLES:
            url = os.environ.get(name, "")
            if not url.startswith(("redis://", "rediss://")):
                continue
            spec.env[name] = worker_url = redis_url_for_worker(url, index)
            try:
                redis.Redis.from_url(worker_url, socket_connect_timeout=2).ping()
            except redis.ResponseError as error:  # "DB index is out of range"
                raise pytest.UsageError(
                    f"xdist worker {index} would use {worker_url} ({name} + worker index): "
                    f"{error}. Use fewer workers (TEST_WORKERS) or a lower db in {name}."
                ) from error
            except redis.RedisError:
                pass  # Redis down: the tests that need it report it themselves


# --- xdist_group without node id mutation -----------------------------------------------------

_groups_dir_key = pytest.StashKey[Path]()


def django_order(item: pytest.Item) -> int:
    """pytest-django's place for the item (its pytest_collection_modifyitems): 0 plain `db`,
    1 transactional, 2 no database."""
    from django.test import TestCase, TransactionTestCase
    from pytest_django.plugin import validate_django_db

    cls = getattr(item, "cls", None)
    if cls and issubclass(cls, TransactionTestCase):
        return 0 if issubclass(cls, TestCase) else 1
    marker = item.get_closest_marker("django_db")
    transaction, reset_sequences = validate_django_db(marker)[:2] if marker else (False, False)
    fixtures = getattr(item, "fixturenames", [])
    if transaction or reset_sequences or {"transactional_db", "live_server"} & set(fixtures):
        return 1
    return 0 if marker or "db" in fixtures else 2


def scope_of(item: pytest.Item) -> str | None:
    """The item's work unit: its xdist_group names, sorted, joined by `_` (as xdist names a
    group), and its pytest-django order; None outside any group."""
    names = {
        str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
        for mark in item.iter_markers("xdist_group")
    }
    return f"{'_'.join(sorted(names))}#{django_order(item)}" if names else None


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """Controller side: tell each worker where to write the groups it collects."""
    config = node.config
    if config.getoption("dist", "no") != "loadgroup":
        return
    if _groups_dir_key not in config.stash:
        config.stash[_groups_dir_key] = Path(tempfile.mkdtemp(prefix="pytest-xdist-groups-"))
    node.workerinput[GROUPS_FILE] = str(config.stash[_groups_dir_key] / f"{node.gateway.id}.json")


@pytest.hookimpl(trylast=True)  # after the conftests added their xdist_group marks
def pytest_collection_modifyitems(config, items):
    """Worker side, before it reports its collection: write {nodeid: scope}."""
    path = getattr(config, "workerinput", {}).get(GROUPS_FILE)
    if not path:
        return
    groups = {item.nodeid: scope for item in items if (scope := scope_of(item))}
    Path(path).write_text(json.dumps(groups))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist", "no") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    # Work units in collection order, not the biggest first: see pytest-django's order above.
    config.option.loadscopereorder = False

    class FileGroupScheduling(LoadGroupScheduling):
        """xdist's loadgroup, the groups read from the workers' files."""

        _groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self._groups is None:  # every worker has reported its collection by now
                self._groups = {}
                for path in config.stash[_groups_dir_key].glob("*.json"):
                    self._groups.update(json.loads(path.read_text()))
            return self._groups.get(nodeid) or super()._split_scope(nodeid)

    return FileGroupScheduling(config, log)


# The grouped tests this process has run (tests/test_xdist_isolation.py checks that a group ran
# on one worker).
GROUPED_RUN_HERE: list[str] = []


def pytest_runtest_setup(item):
    if item.get_closest_marker("xdist_group"):
        GROUPED_RUN_HERE.append(item.nodeid)


def pytest_unconfigure(config):
    if _groups_dir_key in config.stash:
        shutil.rmtree(config.stash[_groups_dir_key], ignore_errors=True)
