"""A PostgreSQL server of the test's own, for fault tests that restart it: initdb in a temporary
directory, listening on a free port of 127.0.0.1. The shared server on 5432 must never go down
under the other people (and test runs) using it.

PostgreSQL refuses to run as root: as root the server's directory is given to the `postgres`
account and its programs run through `runuser`; as anyone else they run directly.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from config import database_url
from tests.support.servers import free_port

SERVER_ACCOUNT = "postgres"


def server_binaries() -> Path:
    """Debian's PostgreSQL programs (the newest installed major version), which are not on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(path.split("/")[4]))
    if not found:
        raise RuntimeError("no PostgreSQL server programs in /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    return Path(found[-1]).parent


def _as_server_account(command: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_ACCOUNT, "--", *command] if os.geteuid() == 0 else command


@dataclass(frozen=True)
class PrivateServer:
    directory: Path
    port: int

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def pg_ctl(self, *arguments: str, check: bool = True) -> None:
        # The server's output goes to its log file: a server writing to our pipe would keep it
        # open, and waiting for pg_ctl's output would wait for the server to end.
        log = ["--log", str(self.directory / "server.log")]
        command = [str(server_binaries() / "pg_ctl"), "--pgdata", str(self.data), *log, "--wait", *arguments]
        subprocess.run(_as_server_account(command), check=check, capture_output=True, timeout=60)  # noqa: S603

    def start(self) -> None:
        # fsync off: the data of a test is thrown away, and a restart stays a clean shutdown anyway.
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        self.pg_ctl("--options", options, "start")

    def restart(self) -> None:
        """A fast restart: open sessions are cut, their transactions rolled back, then it starts again."""
        self.pg_ctl("--mode", "fast", "restart")

    def stop(self) -> None:
        """Stop it if it runs (a failed test may have left it stopped)."""
        self.pg_ctl("--mode", "immediate", "stop", check=False)

    def create_database(self, name: str) -> str:
        engine = sa.create_engine(database_url(self.url()), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)


@pytest.fixture(scope="session")
def private_postgres():
    """A running private server (a few seconds to create); stopped and deleted at the end."""
    directory = Path(tempfile.mkdtemp(prefix="kezek-private-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(directory, SERVER_ACCOUNT, SERVER_ACCOUNT)
    server = PrivateServer(directory, free_port())
    initdb = [str(server_binaries() / "initdb"), "--pgdata", str(server.data), "--username", "postgres"]
    try:
        subprocess.run(  # noqa: S603  (our own command line)
            _as_server_account([*initdb, "--auth", "trust", "--encoding", "UTF8", "--no-sync"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
