"""Real servers for the tests that need processes of their own: a Redis they can stop and
start again, and the project served by gunicorn with deploy/gunicorn.conf.py.

    with redis_server() as redis:     # redis.url, redis.stop(), redis.start()
        ...
    with project_server(env) as url:  # gunicorn on a free loopback port
        ...

Both bind 127.0.0.1 on a port picked free, keep their files in a temporary directory and
are stopped when the block ends, also when it fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _wait(ready: Callable[[], bool], what: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class RedisServer:
    """A redis-server of this test's own, on one port for its whole life."""

    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def _answers(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is missing: `make services-deps` installs it")
        log = self.workdir / "redis.log"
        command = [binary, "--bind", HOST, "--port", str(self.port), "--save", "", "--appendonly", "no"]
        with log.open("ab") as out:
            self.process = subprocess.Popen(command, cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT)
        _wait(self._answers, "redis-server", self.process, log)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    with tempfile.TemporaryDirectory(prefix="relaydash-redis-") as tmp:
        server = RedisServer(Path(tmp))
        server.start()
        try:
            yield server
        finally:
            server.stop()


@dataclass(frozen=True)
class ProjectServer:
    url: str
    log: Path

    def log_lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()


@contextmanager
def project_server(env: Mapping[str, str], *, port: int | None = None) -> Iterator[ProjectServer]:
    """relaydash.settings served by gunicorn with the repository's config file.

    `env` is the server's whole environment on top of PATH and HOME (the caller says
    everything the server runs with). One worker with a few threads; a control socket
    of its own, so several servers can run side by side.
    """
    port = port or free_port()
    url = f"http://{HOST}:{port}"
    with tempfile.TemporaryDirectory(prefix="relaydash-gunicorn-") as tmp:
        workdir = Path(tmp)
        log = workdir / "server.log"
        server_env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", tmp),
            "GUNICORN_BIND": f"{HOST}:{port}",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "4",
            "GUNICORN_CONTROL_SOCKET": str(workdir / "gunicorn.ctl"),
            **env,
        }
        command = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG)]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=server_env, stdout=out, stderr=subprocess.STDOUT
            )
        try:

            def answers() -> bool:
                try:
                    return requests.get(f"{url}/healthz", timeout=2).status_code == 200
                except requests.RequestException:
                    return False

            _wait(answers, "gunicorn", process, log)
            yield ProjectServer(url=url, log=log)
        finally:
            _stop(process)
