"""Many PDFs at once (``invoice pdf --all``): drawn by a pool of worker processes, one per CPU.

``with rendered(kind, docs, settings, ...) as pdfs`` yields each document's PDF bytes in the order of
``docs``, whatever the number of workers: the caller writes the files and reports them one
by one as before. Each PDF is a pure function of its document and the settings (the fonts'
subsets are cut per glyph set, pdf_fonts.py; a Factur-X file's dates are the document's own),
so a file has the same bytes made alone, in a batch, serially or by a worker
(tests/test_pdf_fonts.py compares them).

The workers are forked (on Linux) once the documents are read and the fonts parsed, so they
inherit both and nothing is pickled on the way in; only the bytes come back. Small batches,
a single CPU, or a platform without ``fork`` draw in this process.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator, Optional, Sequence

BATCH_FONTS = 32  # from this many documents on, the fonts are cut to the usual scripts first (pdf_fonts.prepare_batch)
MIN_PER_WORKER = 8  # below this many documents a worker costs more (fork, font subsets) than it saves
_BATCH: Optional[tuple] = None  # (kind, docs, settings, plain, xmls): what the forked workers inherit


def cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def workers_for(count: int) -> int:
    """How many worker processes for ``count`` documents: one per CPU, none for a small batch."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return 0
    n = min(cpus(), count // MIN_PER_WORKER)
    return n if n >= 2 else 0


def _render(i: int) -> bytes:
    from orders_cli.adapters import invoice_file, pdf

    kind, docs, settings, plain, xmls = _BATCH
    if xmls is not None:
        return pdf.render(kind, docs[i], settings, facturx_xml=xmls[i])
    return invoice_file.render(kind, docs[i], settings, plain)


@contextmanager
def rendered(kind: str, docs: Sequence[dict], settings, plain: bool = False, xmls: Optional[Sequence[bytes]] = None,
             jobs: Optional[int] = None) -> Iterator[Iterator[bytes]]:
    """``with rendered(...) as pdfs``: the PDF of each document, in order. ``xmls``: each invoice's
    Factur-X XML, already made (and checked) by the caller; ``jobs``: worker processes (None:
    ``workers_for(len(docs))``; 0 or 1: none). The workers are forked on entering, before the
    caller starts anything else (a progress bar's thread), and stopped on leaving."""
    global _BATCH
    jobs = workers_for(len(docs)) if jobs is None else jobs
    _BATCH = (kind, docs, settings, plain, xmls)
    try:
        from orders_cli.adapters import pdf_fonts

        if len(docs) >= BATCH_FONTS:
            pdf_fonts.prepare_batch()  # cut to the usual scripts once here (and inherited by every worker)
        if jobs < 2 or len(docs) < 2:
            yield (_render(i) for i in range(len(docs)))
            return
        import multiprocessing

        pdf_fonts.warm()  # parsed once here, inherited by every worker
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield pool.imap(_render, range(len(docs)), chunksize=_chunk(len(docs), jobs))
    finally:
        _BATCH = None


def render_many(kind: str, docs: Sequence[dict], settings, plain: bool = False, xmls: Optional[Sequence[bytes]] = None,
                jobs: Optional[int] = None) -> list[bytes]:
    """Every document's PDF, in order (``rendered``, all at once)."""
    with rendered(kind, docs, settings, plain, xmls, jobs) as pdfs:
        return list(pdfs)


def _chunk(count: int, jobs: int) -> int:
    return max(1, min(16, count // (jobs * 8)))

