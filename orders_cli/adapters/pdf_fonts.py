"""The DejaVu fonts of every PDF (pdf.py, statement_pdf.py): parsed once per process, subset
once per glyph set.

fpdf2 embeds a font as a subset it makes with fontTools when it writes the file
(``fpdf.output.OutputProducer._add_fonts``): it parses the font's tables (cmap, post, hmtx,
loca of 6,253 glyphs) and keeps the glyphs the document used. Done on the whole font that is
~45 ms a font, twice a document (regular and bold): most of a PDF's time (issue 19).

Two steps make it cheap and keep the bytes:

- ``add_fonts(pdf)``: each document gets a light copy of a per-process template (the parsed
  metrics are shared; the fontTools object is opened lazily from cached bytes, from which the
  tables fpdf2 drops from every subset anyway, and hinting, were removed once).
- ``presubset(pdf)``, just before ``pdf.output()``: each font's fontTools object is replaced by
  the subset of exactly the glyphs the document used (glyph names kept, made once per process
  for each glyph set and cached), so fpdf2's own subsetting walks ~100 glyphs instead of 6,253.
  Subsetting a font to a glyph set and then its subset to the same set gives the same bytes as
  subsetting once (fontTools keeps the retained glyphs in their order and recompiles them the
  same way; the second font is read without recomputing bounding boxes, already exact), so a
  document's PDF is the same whether it is made alone, in a batch, in a worker process or not:
  tests/test_pdf_fonts.py holds the two paths to the same bytes.

Start-up rule: fpdf2 and fontTools are imported inside the functions, never at module top.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # orders_cli/ (fonts/)
FONT_DIR = PACKAGE_DIR / "fonts"
FONT_FAMILY = "dejavu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

# Tables fpdf2 drops from every embedded subset anyway (plus kerning and hinting, which a
# PDF viewer does not need from a subset). Removing them once per process, before each
# document's subsetting, spares fontTools walking the big layout tables every time:
# the glyph order, metrics and outlines are untouched, so the parsed template stays valid.
_LEAN_DROP = ("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "kern", "fpgm", "prep", "cvt ", "gasp", "LTSH", "VDMX")
# what fpdf2 2.8 adds to fontTools' default drop list (fpdf/output.py, _add_fonts)
_FPDF_DROP = ("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC", "EBDT", "EBLC", "EBSC",
              "SVG ", "CPAL", "COLR")

_FONT_CACHE: dict[str, tuple[Any, bytes]] = {}  # style -> (parsed fpdf2 template, lean font bytes)
_SUBSETS: "OrderedDict[tuple[str, frozenset[str]], bytes]" = OrderedDict()  # (style, glyph names) -> subset bytes
SUBSET_CACHE_SIZE = 512  # glyph sets kept per process (~15 KiB each): a batch rarely uses more
PRESUBSET = True  # False: fpdf2 subsets the whole font, as before (tests compare the two)


def add_fonts(pdf) -> None:
    """Register the DejaVu fonts on ``pdf``, parsing each TTF only once per process.

    fpdf2 subsets a font's fontTools object in place when it writes the file, so each
    document gets its own light copy: the parsed metrics (cmap, widths, glyph ids,
    descriptor) are shared, the fontTools object is re-opened lazily from cached bytes
    and the subset map is fresh. If fpdf2's internals ever differ, fall back to add_font.
    """
    for style, filename in FONT_FILES.items():
        path = FONT_DIR / filename
        try:
            pdf.fonts[FONT_FAMILY + style] = _font_copy(pdf, style, path)
        except Exception:  # pragma: no cover - depends on fpdf2's internals
            pdf.fonts.pop(FONT_FAMILY + style, None)
            pdf.add_font(FONT_FAMILY, style, str(path))


def _lean_font_bytes(path: Path) -> bytes:
    from io import BytesIO

    from fontTools import ttLib

    font = ttLib.TTFont(str(path), recalcTimestamp=False)
    for tag in _LEAN_DROP:
        if tag in font:
            del font[tag]
    out = BytesIO()
    font.save(out)
    return out.getvalue()


def _template(style: str, path: Path) -> tuple[Any, bytes]:
    """The parsed fpdf2 font and the lean font bytes of ``style``, made once per process."""
    if style not in _FONT_CACHE:
        from fpdf import FPDF
        from fpdf.fonts import TTFFont

        template = TTFFont(FPDF(), path, FONT_FAMILY + style, style)
        _FONT_CACHE[style] = (template, _lean_font_bytes(path))
    return _FONT_CACHE[style]


def warm() -> None:
    """Parse both fonts now (before worker processes are forked, so that they inherit them)."""
    for style, filename in FONT_FILES.items():
        _template(style, FONT_DIR / filename)


def _font_copy(pdf, style: str, path: Path):
    from io import BytesIO

    from fontTools import ttLib
    from fpdf.fonts import SubsetMap, TTFFont

    template, data = _template(style, path)
    font = object.__new__(TTFFont)
    for name in TTFFont.__slots__:
        if hasattr(template, name):
            setattr(font, name, getattr(template, name))
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(BytesIO(data), recalcTimestamp=False, lazy=True)
    font._hbfont = None
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    font.subset = SubsetMap(font)
    return font


_PRODUCER = None


def output(pdf) -> bytes:
    """``bytes(pdf.output())``, each DejaVu font cut to the document's glyphs first (presubset)."""
    global _PRODUCER
    if _PRODUCER is None:
        from fpdf.output import OutputProducer

        class PresubsetProducer(OutputProducer):
            """fpdf2's producer, run once the document is complete (last footer drawn, page
            count substituted: every glyph picked), just before it embeds the fonts."""

            def bufferize(self):
                presubset(self.fpdf)
                return super().bufferize()

        _PRODUCER = PresubsetProducer
    return bytes(pdf.output(output_producer_class=_PRODUCER))


def presubset(pdf) -> None:
    """Hand fpdf2 each DejaVu font of a complete document already cut to the glyphs it uses (see
    the module's docstring); fpdf2's subsetting then finds nothing to drop."""
    if not PRESUBSET:
        return
    from io import BytesIO

    from fontTools import ttLib

    for style in FONT_FILES:
        font = pdf.fonts.get(FONT_FAMILY + style)
        if style not in _FONT_CACHE or getattr(font, "cw", None) is not _FONT_CACHE[style][0].cw:
            continue  # not one of our copies (add_font's fallback): fpdf2 subsets it whole
        names = frozenset(font.subset.get_all_glyph_names())
        data = subset_bytes(style, names)
        font.ttfont.close()
        font.ttfont = ttLib.TTFont(BytesIO(data), recalcTimestamp=False, recalcBBoxes=False, lazy=True)


def subset_bytes(style: str, names: frozenset[str]) -> bytes:
    """The lean font of ``style`` subset to ``names`` with fpdf2's options, glyph names kept;
    cached per process (least recently used dropped past SUBSET_CACHE_SIZE)."""
    key = (style, names)
    data = _SUBSETS.get(key)
    if data is not None:
        _SUBSETS.move_to_end(key)
        return data
    base = _SCRIPT_FONTS.get(style)
    source = base[0] if base is not None and names <= base[1] else _FONT_CACHE[style][1]
    data = _subset(source, names)
    _SUBSETS[key] = data
    while len(_SUBSETS) > SUBSET_CACHE_SIZE:
        _SUBSETS.popitem(last=False)
    return data


def _subset(source: bytes, names) -> bytes:
    from io import BytesIO

    from fontTools import subset as ftsubset
    from fontTools import ttLib

    font = ttLib.TTFont(BytesIO(source), recalcTimestamp=False, lazy=True)
    options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=True)
    options.drop_tables += list(_FPDF_DROP)
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(glyphs=sorted(names))
    subsetter.subset(font)
    out = BytesIO()
    font.save(out)
    font.close()
    return out.getvalue()


# ---------------------------------------------------------------- batches: the scripts a customer writes in, cut once


# Latin (with its extensions and IPA), Greek, Cyrillic; Latin and Greek extended; punctuation,
# currency signs and letterlike symbols (No., TM): ~1,400 of the 6,253 glyphs
SCRIPTS = ((0x0000, 0x052F), (0x1E00, 0x1FFF), (0x2000, 0x20CF), (0x2100, 0x214F))
_SCRIPT_FONTS: dict[str, tuple[bytes, frozenset[str]]] = {}  # style -> (that subset, its glyph names)


def prepare_batch() -> None:
    """Before many documents (pdf_pool.py, before its workers are forked): cut each font once to
    SCRIPTS, so that a glyph set seen for the first time is subset from ~1,400 glyphs instead
    of 6,253 (a third of the time). A document using a glyph outside them is subset from the
    whole font as before. Either way the same bytes: that subset keeps, for every glyph it
    holds, every code point the whole font maps to it (all its glyphs are asked for by name,
    the accents and parts of composed glyphs included), so cutting a document's glyph set
    from it or from the whole font gives the same font (tests/test_pdf_fonts.py)."""
    warm()
    from io import BytesIO

    from fontTools import ttLib

    for style in FONT_FILES:
        if style in _SCRIPT_FONTS:
            continue
        data = _FONT_CACHE[style][1]
        cmap = ttLib.TTFont(BytesIO(data), lazy=True).getBestCmap()
        wanted = {name for cp, name in cmap.items() if any(lo <= cp <= hi for lo, hi in SCRIPTS)}
        closure = ttLib.TTFont(BytesIO(_subset(data, wanted)), lazy=True).getGlyphOrder()  # with the parts of composed glyphs
        _SCRIPT_FONTS[style] = (_subset(data, closure), frozenset(closure))
