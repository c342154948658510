"""Helpers for the portal tests: a database with two accounts, and `orders portal serve`
started as a real process on a free port of 127.0.0.1, spoken to over real HTTP."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ok, sqlite_template


@dataclass
class Portal:
    folder: Path
    env: dict
    base: str = ""
    port: int = 0
    tokens: dict = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    @contextmanager
    def cli_env(self):
        """Run in-process CLI commands against the portal's database."""
        with pytest.MonkeyPatch.context() as mp:
            for k, v in self.env.items():
                mp.setenv(k, v)
            yield
            from orders_cli import store

            store.dispose_all()

    def request(self, path: str, token: str | None = None, cookie: str | None = None, method: str = "GET",
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        """One raw request (the path is sent exactly as given: no normalising of ../ or %2F)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            hdrs = dict(headers or {})
            if token is not None:
                hdrs["Authorization"] = f"Bearer {token}"
            if cookie is not None:
                hdrs["Cookie"] = cookie
            conn.putrequest(method, path, skip_accept_encoding=True)
            for k, v in hdrs.items():
                conn.putheader(k, v)
            conn.endheaders()
            resp = conn.getresponse()
            body = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()} | {"set-cookie-all": resp.headers.get_all("set-cookie") or []}, body
        finally:
            conn.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def last_line(text: str) -> str:
    return text.rstrip("\n").split("\n")[-1]


def _empty_books(path: Path) -> str:
    """A migrated empty SQLite file (the CLI makes no missing database; on both passes the
    portal's own server reads a SQLite file, as it always did here)."""
    import shutil

    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sqlite_template(), path)
    return str(path)


def build(folder: Path) -> Portal:
    """Acme: SO-00001 finalized (INV-00001), SO-00002 not finalized (INV-00002), SO-00004 finalized.
    Globex: SO-00003 finalized (INV-00003). Initech: SO-00005 finalized (for revocation)."""
    env = {
        "ORDERS_DB": _empty_books(folder / "orders.db"),
        "ORDERS_CONFIG": str(folder / "config.toml"),
        "ORDERS_TODAY": "2026-11-28",
        "HOME": str(folder),
        "NO_COLOR": "1",
    }
    portal = Portal(folder, env)
    with portal.cli_env():
        ok("config", "set", "company.name", "Atelier Dupré")
        ok("config", "set", "portal.enabled", "true")
        ok("tax", "add", "VAT20", "--rate", "20")
        for name in ("Acme", "Globex", "Initech"):
            ok("account", "add", name, "--billing-street", f"1 rue {name}", "--billing-city", "Paris")
        ok("product", "add", "MUG", "--name", "Mug émaillé", "--price", "8.50", "--tax", "VAT20")
        ok("order", "add", "--subject", "Acme final order", "--account", "Acme", "--line", "MUG:2")
        ok("order", "finalize", "SO-00001", "--yes")
        ok("order", "convert", "invoice", "SO-00001")
        ok("order", "add", "--subject", "Acme draft order", "--account", "Acme", "--line", "MUG:3")
        ok("order", "convert", "invoice", "SO-00002")
        ok("order", "add", "--subject", "Globex secret order", "--account", "Globex", "--line", "MUG:7")
        ok("order", "finalize", "SO-00003", "--yes")
        ok("order", "convert", "invoice", "SO-00003")
        ok("invoice", "credit", "INV-00003", "--line", "1:2", "--reason", "two mugs broken")  # CN-00001, Globex's
        ok("invoice", "credit", "INV-00002", "--line", "1:1")  # CN-00002, of Acme's unfinalized order
        ok("order", "add", "--subject", "Acme second final", "--account", "Acme", "--line", "MUG:1")
        ok("order", "finalize", "SO-00004", "--yes")
        ok("order", "add", "--subject", "Initech order", "--account", "Initech", "--line", "MUG:1")
        ok("order", "finalize", "SO-00005", "--yes")
        for name in ("Acme", "Globex", "Initech"):
            portal.tokens[name] = last_line(ok("portal", "token", name).out)
    return portal


def start(portal: Portal, extra_args: tuple[str, ...] = ()) -> Portal:
    port = free_port()
    env = {**os.environ, **portal.env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "orders_cli", "portal", "serve", "--port", str(port), *extra_args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    portal.proc, portal.port, portal.base = proc, port, f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"portal serve exited {proc.returncode}: {proc.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    else:
        stop(portal)
        raise AssertionError("portal serve did not start listening within 30 s")
    return portal


def stop(portal: Portal) -> tuple[int | None, str]:
    proc = portal.proc
    if proc is None:
        return None, ""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
    err = proc.stderr.read() if proc.stderr else ""
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()
    return proc.returncode, err
