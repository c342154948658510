"""Attached documents and activities (SPEC.md §5, issue 7): byte-identical round trips with
size, type and SHA-256; activities of every type on `activity list` and `order show`;
both allowed on finalized orders; every refusal changes nothing."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
from conftest import db_content, ok, refused, run, sql


@pytest.fixture
def orders():
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme")
    ok("product", "add", "MUG", "--name", "Mug", "--price", "8.50", "--tax", "VAT20")
    ok("order", "add", "--subject", "Open one", "--account", "Acme", "--line", "MUG:2")
    ok("order", "add", "--subject", "Final one", "--account", "Acme", "--line", "MUG:1")
    ok("order", "finalize", "SO-00002", "--yes")
    return True


def refused_unchanged(*args: str, code: int = 1) -> str:
    before = db_content()
    r = refused(*args, code=code)
    assert db_content() == before
    return r.err


# ---------------------------------------------------------------- documents


def test_attach_get_round_trip_is_byte_identical(orders, tmp_path):
    data = bytes(range(256)) * 40 + b"\x00\xff\r\n\x1a" + os.urandom(5000)  # every byte value, not UTF-8
    src = tmp_path / "Bon de commande signé.pdf"
    src.write_bytes(data)
    doc = ok("doc", "attach", "SO-00001", src, "--json").json()
    assert doc == {
        "id": 1, "order": "SO-00001", "filename": "Bon de commande signé.pdf", "content_type": "application/pdf",
        "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "created_at": doc["created_at"],
    }
    assert doc["created_at"].endswith("+00:00")
    out = tmp_path / "out" / "copy.bin"
    r = ok("doc", "get", "1", "-o", out)
    assert out.read_bytes() == data
    assert str(out) in r.err and r.out == ""
    # into a folder: the stored name
    folder = tmp_path / "folder"
    folder.mkdir()
    ok("doc", "get", "1", "-o", folder)
    assert (folder / "Bon de commande signé.pdf").read_bytes() == data
    assert ok("doc", "show", "1", "--json").json() == doc


def test_get_to_stdout_from_a_real_process(orders, tmp_path):
    data = os.urandom(70_000)
    src = tmp_path / "blob.bin"
    src.write_bytes(data)
    ok("doc", "attach", "SO-00001", src)
    raw = subprocess.run([sys.executable, "-m", "orders_cli", "doc", "get", "1", "-o", "-"], capture_output=True, timeout=60)
    assert raw.returncode == 0 and raw.stdout == data


def test_empty_file_and_explicit_name_and_type(orders, tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    doc = ok("doc", "attach", "1", empty, "--name", "notes.txt", "--type", "text/plain; charset=utf-8", "--json").json()
    assert (doc["filename"], doc["content_type"], doc["size"]) == ("notes.txt", "text/plain; charset=utf-8", 0)
    assert doc["sha256"] == hashlib.sha256(b"").hexdigest()
    ok("doc", "get", doc["id"], "-o", tmp_path / "back")
    assert (tmp_path / "back").read_bytes() == b""
    unknown = tmp_path / "data.weird-ext"
    unknown.write_bytes(b"x")
    assert ok("doc", "attach", "1", unknown, "--json").json()["content_type"] == "application/octet-stream"


def test_attaching_to_a_finalized_order_is_allowed(orders, tmp_path):
    src = tmp_path / "signed.png"
    src.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    doc = ok("doc", "attach", "SO-00002", src, "--json").json()
    assert doc["content_type"] == "image/png"
    shown = ok("order", "show", "SO-00002", "--json").json()
    assert shown["finalized"] is True
    assert shown["related"]["documents"] == [
        {"id": doc["id"], "filename": "signed.png", "content_type": "image/png", "size": doc["size"], "sha256": doc["sha256"]}
    ]
    human = ok("order", "show", "SO-00002").out
    assert "Documents" in human and "signed.png" in human
    ok("doc", "remove", doc["id"])
    assert ok("order", "show", "SO-00002", "--json").json()["related"]["documents"] == []


def test_list_formats(orders, tmp_path):
    for name in ("a.txt", "b.csv"):
        (tmp_path / name).write_text(name)
        ok("doc", "attach", "SO-00001", tmp_path / name)
    listed = ok("doc", "list", "SO-00001", "--json").json()
    assert [d["filename"] for d in listed] == ["a.txt", "b.csv"]
    assert [d["content_type"] for d in listed] == ["text/plain", "text/csv"]
    assert "data" not in listed[0]
    assert [d["filename"] for d in ok("doc", "list", "SO-00001", "--jsonl").jsonl()] == ["a.txt", "b.csv"]
    csv_out = ok("doc", "list", "SO-00001", "--csv").out.splitlines()
    assert csv_out[0] == "id,order,filename,content_type,size,sha256,created_at"
    assert len(csv_out) == 3
    assert ok("doc", "list", "SO-00002", "--json").json() == []
    r = ok("doc", "list", "SO-00002")
    assert "no documents" in r.err
    assert "a.txt" in ok("doc", "list", "SO-00001").out


def test_missing_unreadable_and_bad_files_are_clear_refusals(orders, tmp_path):
    err = refused_unchanged("doc", "attach", "SO-00001", tmp_path / "missing.pdf")
    assert "cannot read" in err and "missing.pdf" in err and "No such file" in err
    err = refused_unchanged("doc", "attach", "SO-00001", tmp_path)
    assert "directory" in err
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"x")
    secret.chmod(0)
    try:
        if os.access(secret, os.R_OK):  # root reads anything: use a file that cannot be read at all
            err = refused_unchanged("doc", "attach", "SO-00001", "/proc/self/mem")
        else:
            err = refused_unchanged("doc", "attach", "SO-00001", secret)
        assert "cannot read" in err
    finally:
        secret.chmod(0o600)
    err = refused_unchanged("doc", "attach", "SO-00001", "/dev/zero")  # endless: never read whole
    assert "not a regular file" in err
    huge = tmp_path / "huge.bin"
    with open(huge, "wb") as fh:
        fh.truncate(100 * 1024 * 1024 + 1)  # sparse: costs no disk
    assert "100 MiB" in refused_unchanged("doc", "attach", "SO-00001", huge)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "not a regular file" in refused_unchanged("doc", "attach", "SO-00001", fifo)
    ok_file = tmp_path / "ok.txt"
    ok_file.write_text("x")
    refused_unchanged("doc", "attach", "SO-00099", ok_file)
    refused_unchanged("doc", "attach", "SO-00001", ok_file, "--name", "../evil.txt")
    refused_unchanged("doc", "attach", "SO-00001", ok_file, "--name", "")
    refused_unchanged("doc", "attach", "SO-00001", ok_file, "--type", "not a type")
    refused_unchanged("doc", "attach", "SO-00001", code=2)


def test_unknown_documents_are_refused(orders, tmp_path):
    for ref in ("1", "abc", "9" * 40, "1.5", "../1"):
        err = refused_unchanged("doc", "get", ref, "-o", tmp_path / "x")
        assert "no document" in err
        refused_unchanged("doc", "remove", ref)
        refused_unchanged("doc", "show", ref)
    assert not (tmp_path / "x").exists()
    refused_unchanged("doc", "list", "SO-00042")


def test_a_damaged_document_is_refused_not_handed_out(orders, tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(b"original")
    ok("doc", "attach", "1", src)
    sql("UPDATE document SET data = ? WHERE id = 1", b"tampered")
    err = refused_unchanged("doc", "get", "1", "-o", tmp_path / "out.txt")
    assert "checksum" in err
    assert not (tmp_path / "out.txt").exists()


def test_remove_changes_nothing_else(orders, tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(b"a")
    ok("doc", "attach", "SO-00002", src)
    ok("doc", "attach", "SO-00002", src)
    before = db_content()
    info = ok("doc", "remove", "1", "--json").json()
    assert info["filename"] == "a.txt" and info["order"] == "SO-00002"
    after = db_content()
    assert len(after["document"]) == 1
    assert {k: v for k, v in after.items() if k != "document"} == {k: v for k, v in before.items() if k != "document"}
    refused_unchanged("doc", "remove", "1")


# ---------------------------------------------------------------- activities


def test_add_list_done(orders):
    a = ok("activity", "add", "SO-00001", "--type", "call", "--subject", "Call Jane about delivery",
           "--due", "2026-12-01", "--note", "She prefers mornings", "--json").json()
    assert a == {"id": 1, "order": "SO-00001", "invoice": None, "type": "call", "subject": "Call Jane about delivery",
                 "due": "2026-12-01", "note": "She prefers mornings", "done": False, "overdue": False, "created_at": a["created_at"]}
    b = ok("activity", "add", "SO-00001", "--type", "meeting", "--subject", "Kick-off", "--due", "2026-11-01", "--json").json()
    assert b["overdue"] is True  # today is 2026-11-28 in tests
    ok("activity", "add", "SO-00001", "--type", "TASK", "--subject", "Send samples")
    listed = ok("activity", "list", "SO-00001", "--json").json()
    assert [(x["id"], x["type"], x["done"]) for x in listed] == [(1, "call", False), (2, "meeting", False), (3, "task", False)]
    done = ok("activity", "done", "2", "--json").json()
    assert done["done"] is True and done["overdue"] is False
    before = db_content()
    assert ok("activity", "done", "2", "--json").json()["done"] is True  # twice: nothing changes
    assert db_content() == before
    assert [x["id"] for x in ok("activity", "list", "SO-00001", "--open", "--json").json()] == [1, 3]
    ok("activity", "done", "2", "--undo")
    assert [x["id"] for x in ok("activity", "list", "1", "--open", "--json").json()] == [1, 2, 3]
    assert ok("activity", "list", "SO-00002", "--json").json() == []
    csv_head = ok("activity", "list", "SO-00001", "--csv").out.splitlines()[0]
    assert csv_head == "id,order,invoice,type,subject,due,done,overdue,note,created_at"
    human = ok("activity", "list", "SO-00001").out
    assert "Call Jane about delivery" in human and "meeting" in human


def test_activities_on_a_finalized_order_and_in_order_show(orders):
    ok("activity", "add", "SO-00002", "--type", "task", "--subject", "Archive the signed copy")
    shown = ok("order", "show", "SO-00002", "--json").json()
    assert shown["related"]["activities"] == [
        {"id": 1, "type": "task", "subject": "Archive the signed copy", "due": None, "done": False, "invoice": None, "note": None}
    ]
    human = ok("order", "show", "SO-00002").out
    assert "Activities" in human and "Archive the signed copy" in human


def test_mails_logged_by_other_code_show_up_whatever_their_type(orders):
    """The mail code writes activity rows of type "email" (on the order, or on one of its invoices)."""
    ok("order", "convert", "invoice", "SO-00002")
    sql("INSERT INTO activity (order_id, invoice_id, type, subject, done, created_at) "
        "VALUES (2, NULL, 'email', 'Order SO-00002 sent to buy@acme.test', ?, '2026-11-28 10:00:00')", True)
    sql("INSERT INTO activity (order_id, invoice_id, type, subject, done, created_at) "
        "VALUES (NULL, 1, 'email', 'Invoice INV-00001 sent to buy@acme.test', ?, '2026-11-28 11:00:00')", True)
    listed = ok("activity", "list", "SO-00002", "--json").json()
    assert [(x["type"], x["order"], x["invoice"]) for x in listed] == [("email", "SO-00002", None), ("email", "SO-00002", "INV-00001")]
    assert listed[0]["created_at"] == "2026-11-28T10:00:00+00:00"
    rel = ok("order", "show", "SO-00002", "--json").json()["related"]["activities"]
    assert [(x["type"], x["invoice"]) for x in rel] == [("email", None), ("email", "INV-00001")]
    human = ok("order", "show", "SO-00002").out
    assert "email" in human and "INV-00001" in human
    assert ok("activity", "list", "SO-00001", "--json").json() == []
    # an e-mail cannot be typed in by hand
    err = refused_unchanged("activity", "add", "SO-00002", "--type", "email", "--subject", "x")
    assert "call, meeting, task" in err


@pytest.mark.parametrize("args", [
    ["--type", "lunch", "--subject", "x"],
    ["--type", "call", "--subject", "  "],
    ["--type", "call", "--subject", "x", "--due", "2026-02-30"],
    ["--type", "call", "--subject", "x", "--due", "tomorrow"],
    ["--type", "call", "--subject", "bad\x07bell"],
    ["--type", "call", "--subject", "x" * 501],
])
def test_bad_activities_are_refused(orders, args):
    refused_unchanged("activity", "add", "SO-00001", *args)


def test_unknown_orders_and_activities_are_refused(orders):
    refused_unchanged("activity", "add", "SO-00042", "--type", "call", "--subject", "x")
    refused_unchanged("activity", "list", "SO-00042")
    for ref in ("1", "x", "99999999999999999999999"):
        err = refused_unchanged("activity", "done", ref)
        assert "no activity" in err
    refused_unchanged("activity", "add", "SO-00001", "--subject", "x", code=2)
    r = run("activity", "add", "SO-00001", "--type", "call", "--subject", "x", "--json", "--due", "nope")
    assert r.code == 1 and '"invalid"' in r.err
