"""The shared Redis index, against a real redis-server started on 127.0.0.1 for these tests.

Without `redis-server` on PATH these tests skip; `bash scripts/test.sh` installs it from the Debian packages.
"""

from __future__ import annotations

import multiprocessing
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dedup import Config, ConfigError, Document
from dedup.deduper import Deduper, DuplicateIdError
from dedup.index import IndexUnavailableError

pytest.importorskip("redis", reason="the redis client is missing: pip install 'dedup[redis]'")

SKIP_HINT = (
    "redis-server is not on PATH: install it (apt-get install redis-server) or run `bash scripts/test.sh`, "
    "which installs it from the Debian packages"
)
START_TIMEOUT = 10.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip(SKIP_HINT)
    workdir = tmp_path_factory.mktemp("redis")
    port = _free_port()
    args = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    log = (workdir / "redis.log").open("wb")
    proc = subprocess.Popen([*args, "--dir", str(workdir)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {(workdir / 'redis.log').read_text()[-2000:]}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


_names = iter(range(10**6))


def fresh(url: str, config: Config | None = None) -> Deduper:
    return Deduper.redis(url, config, name=f"test{next(_names)}-{time.monotonic_ns()}")


STORY = [
    "The city council approved a new budget on Monday after weeks of debate among its members.",
    "Spending on public transport will rise by a tenth, while road repairs receive less money.",
    "The mayor said the plan balanced the needs of commuters and residents of outer districts.",
]
FOOTER = "Copyright Example Media Group, all content is protected under the laws of the land."


def page(i: int) -> str:
    return (
        f"Story {i}: the plan that the council discussed at length on Monday evening number {i} was approved.\n\n"
        f"Residents said they had waited {i + 2} years for the decision on plan {i} and the money behind it.\n\n"
        f"{FOOTER}"
    )


def test_redis_gives_the_same_verdicts_as_memory(redis_url: str) -> None:
    config = Config().with_options(min_docs=3)
    docs = [Document(f"p{i}", page(i), url=f"https://news.example/{i}") for i in range(6)]
    docs += [
        Document("dup", "\n\n".join(STORY), url="https://a.example/1"),
        Document("dup2", "\n\n".join([*STORY[:2], STORY[2].replace("mayor", "major")]), url="https://b.example/2"),
        Document("copy", page(4), url="https://news.example/copy"),
    ]
    memory = Deduper(config)
    shared = fresh(redis_url, config)
    for doc in docs:
        assert shared.add_document(doc) == memory.add_document(doc)
    assert len(shared) == len(docs) and "dup2" in shared and "nope" not in shared
    assert shared.check("again", page(5), url="https://news.example/x").duplicate_of == "p5"
    assert len(shared) == len(docs)
    with pytest.raises(DuplicateIdError):
        shared.add("p1", "anything")
    shared.close()


def test_a_second_process_sees_the_index_and_its_parameters(redis_url: str) -> None:
    config = Config().with_options(min_docs=4)
    first = fresh(redis_url, config)
    name = first.index.name  # type: ignore[attr-defined]
    first.add("a", "\n\n".join(STORY))
    with pytest.raises(ConfigError, match=r"repeats.min_docs \(index: 4, given: 3\)"):
        Deduper.redis(redis_url, Config(), name=name)
    second = Deduper.redis(redis_url, name=name)  # no config: the index's own
    assert second.config.repeats.min_docs == 4
    assert second.add("b", "\n\n".join(STORY)).duplicate_of == "a"


def test_unreachable_redis_fails_at_once_with_a_clear_message() -> None:
    port = _free_port()  # nothing listens there
    start = time.monotonic()
    with pytest.raises(IndexUnavailableError, match="cannot reach Redis"):
        Deduper.redis(f"redis://127.0.0.1:{port}/0")
    assert time.monotonic() - start < 10
    with pytest.raises(ConfigError, match="not a Redis URL"):
        Deduper.redis("http://127.0.0.1/")


def _worker(url: str, name: str, worker: int, pages: list[str], start: float, out: multiprocessing.Queue) -> None:
    deduper = Deduper.redis(url, name=name)
    while time.time() < start:  # every process begins at the same moment
        time.sleep(0.001)
    verdicts = []
    for i, text in enumerate(pages):
        # One source per process: the race is on the same page, not on a site's boilerplate.
        r = deduper.add(f"w{worker}-{i}", text, url=f"https://w{worker}.example/{i}")
        verdicts.append((i, r.kept, r.duplicate_of))
    try:
        deduper.add("same-id", pages[0])
        verdicts.append((-1, True, None))
    except DuplicateIdError:
        verdicts.append((-1, False, None))
    out.put((worker, verdicts))
    deduper.close()


def test_concurrent_processes_cannot_both_be_told_a_page_is_new(redis_url: str) -> None:
    workers = 4
    pages = [page(i) for i in range(25)]
    name = f"race-{time.monotonic_ns()}"
    Deduper.redis(redis_url, Config(), name=name).close()
    ctx = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue = ctx.Queue()
    start = time.time() + 1.5
    procs = [ctx.Process(target=_worker, args=(redis_url, name, w, pages, start, queue)) for w in range(workers)]
    for p in procs:
        p.start()
    results = dict(queue.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    for i in range(len(pages)):
        verdicts = [next(v for v in results[w] if v[0] == i) for w in range(workers)]
        winners = [w for w, v in enumerate(verdicts) if v[1]]
        assert len(winners) == 1, (i, verdicts)
        assert all(v[2] == f"w{winners[0]}-{i}" for w, v in enumerate(verdicts) if w != winners[0])
    same_id = [next(v for v in results[w] if v[0] == -1)[1] for w in range(workers)]
    assert sum(same_id) == 1
    assert len(Deduper.redis(redis_url, name=name)) == workers * len(pages) + 1


def test_missing_redis_client_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import builtins

    from dedup.formats.records import MissingExtraError

    real = builtins.__import__

    def no_redis(name: str, *args: object, **kwargs: object) -> object:
        if name == "redis":
            raise ImportError("no redis")
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_redis)
    with pytest.raises(MissingExtraError, match=r"pip install 'dedup\[redis\]'"):
        Deduper.redis("redis://127.0.0.1:1/0")
