"""Tests for the ingest stage: every format, the directory walk, and bad input."""

from __future__ import annotations

import gzip
import io
import json
import os
import random
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyweave.ingest import read_paths
from storyweave.models import Document, Rejected

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"
FRENCH = "Le président a déclaré qu’il était «très inquiet» à propos de la crise — Noël, été."

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>Daily Planet</title><link>https://planet.example/</link><language>en</language>
  <item>
    <title>Talks resume</title><link>https://planet.example/talks</link>
    <pubDate>Sun, 02 Jan 2022 14:30:00 +0100</pubDate>
    <description>&lt;p&gt;Leaders &lt;b&gt;spoke&lt;/b&gt; by phone.&lt;/p&gt;</description>
  </item>
  <item>
    <title>Markets calm</title>
    <description>Stocks barely moved on Monday.</description>
  </item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Wire Service</title><id>urn:wire</id><updated>2022-01-03T08:00:00Z</updated>
  <entry>
    <title>Minister urges restraint</title><id>urn:wire:1</id>
    <link href="https://wire.example/1"/>
    <updated>2021-12-27T09:15:00Z</updated>
    <content type="html">&lt;p&gt;The minister spoke to reporters.&lt;/p&gt;</content>
  </entry>
</feed>
"""


def write(path: Path, data: str | bytes) -> Path:
    """Write text (UTF-8) or bytes to ``path``, gzip-compressed for a ``.gz`` name."""
    raw = data.encode() if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(raw) if path.suffix == ".gz" else raw)
    return path


def read(*paths: Path | str, max_bytes: int = 20_000_000) -> list[Document | Rejected]:
    return list(read_paths(paths, max_bytes=max_bytes))


def only(items: list[Document | Rejected]) -> Document | Rejected:
    assert len(items) == 1, items
    return items[0]


def response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    content_type: str = "text/html",
    status: str = "200 OK",
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=headers
    )
    writer.write_record(record)


def warc_bytes(compress: bool) -> bytes:
    """A small WARC: warcinfo, a request, and responses of every kind ingest cares about."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=compress)
    writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "tests"}))
    writer.write_record(
        writer.create_warc_record(
            "https://a.example/1",
            "request",
            payload=io.BytesIO(b"GET /1 HTTP/1.1\r\nHost: a.example\r\n\r\n"),
        )
    )
    response(writer, "https://a.example/1", b"<html><body><p>First story.</p></body></html>")
    response(writer, "https://a.example/missing", b"<p>Not found</p>", status="404 Not Found")
    response(writer, "https://a.example/logo.png", b"\x89PNG\r\n\x1a\n", "image/png")
    response(
        writer, "https://a.example/2.txt", FRENCH.encode("cp1252"), "text/plain; charset=iso-8859-1"
    )
    response(writer, "https://a.example/bin", b"<html>\x00\x01\x02</html>")
    response(
        writer,
        "https://a.example/3",
        b"<html><body><p>" + b"Third story. " * 100 + b"</p></body></html>",
    )
    return buffer.getvalue()


# --- formats -------------------------------------------------------------------


def test_text_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Headline\n\nBody text.\n")
    assert only(read(path)) == Document(
        source=str(path), content="Headline\n\nBody text.\n", format="text"
    )


def test_source_is_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "a.txt", "Some text.")
    monkeypatch.chdir(tmp_path)
    assert only(read("a.txt")).source == "a.txt"


def test_html_uses_meta_charset(tmp_path: Path) -> None:
    html = f'<html><head><meta charset="windows-1252"></head><body><p>{FRENCH}</p></body></html>'
    doc = only(read(write(tmp_path / "a.html", html.encode("cp1252"))))
    assert isinstance(doc, Document)
    assert doc.format == "html" and FRENCH in doc.content and doc.title is None


def test_html_http_equiv_latin1_and_plain_utf8(tmp_path: Path) -> None:
    latin = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
        "</head><body><p>Café crème à Noël.</p></body></html>"
    )
    utf8 = "<html><body><p>Zażółć gęślą jaźń — Привет</p></body></html>"
    first, second = read(
        write(tmp_path / "a.htm", latin.encode("latin-1")), write(tmp_path / "b.html", utf8)
    )
    assert "Café crème à Noël." in first.content
    assert second.content == utf8


def test_jsonl(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "title": "Talks",
                "text": "Leaders spoke.",
                "url": "https://x.example/1",
                "published": "2022-01-02T10:00:00Z",
                "lang": "en",
                "source": "Daily Planet",
            }
        ),
        "{not json",
        "",
        json.dumps({"title": "No body", "url": "https://x.example/2"}),
        json.dumps({"html": "<p>Markup</p>", "published": "March 5, 2020"}),
        json.dumps(["a", "list"]),
        json.dumps({"body": "Body key.", "published": "sometime soon"}),
        "   ",
        json.dumps({"text": 123}),
    ]
    path = write(tmp_path / "items.jsonl", "\n".join(lines) + "\n")
    items = read(path)
    assert items == [
        Document(
            source="https://x.example/1",
            content="Leaders spoke.",
            format="text",
            title="Talks",
            url="https://x.example/1",
            published="2022-01-02T10:00:00+00:00",
            lang="en",
            site="Daily Planet",
        ),
        Rejected(f"{path}#2", items[1].reason),
        Rejected(f"{path}#4", "no text, body or html"),
        Document(
            source=f"{path}#5", content="<p>Markup</p>", format="html", published="2020-03-05"
        ),
        Rejected(f"{path}#6", "not a JSON object but list"),
        Document(source=f"{path}#7", content="Body key.", format="text"),
        Rejected(f"{path}#9", '"text" is not a string'),
    ]
    assert items[1].reason.startswith("malformed JSON")


def test_ndjson_gz_and_iso_date(tmp_path: Path) -> None:
    line = json.dumps({"text": "Zipped.", "published": "2021-12-27"})
    doc = only(read(write(tmp_path / "items.ndjson.gz", line)))
    assert isinstance(doc, Document)
    assert (doc.content, doc.published, doc.source) == (
        "Zipped.",
        "2021-12-27",
        f"{tmp_path / 'items.ndjson.gz'}#1",
    )


@pytest.mark.parametrize("compress", [False, True])
def test_warc(tmp_path: Path, compress: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if compress else "crawl.warc")
    path.write_bytes(warc_bytes(compress))
    first, second, rejected, third = read(path)
    assert first == Document(
        source="https://a.example/1",
        content="<html><body><p>First story.</p></body></html>",
        format="html",
        url="https://a.example/1",
    )
    assert (second.format, second.content, second.url) == (
        "text",
        FRENCH,
        "https://a.example/2.txt",
    )
    assert rejected == Rejected(f"{path}#7", "binary content (NUL bytes)")
    assert third.url == "https://a.example/3" and "Third story." in third.content


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("cut", [30, 300, 900])
def test_truncated_warc(tmp_path: Path, compress: bool, cut: int) -> None:
    data = warc_bytes(compress)
    path = tmp_path / ("cut.warc.gz" if compress else "cut.warc")
    path.write_bytes(data[:-cut])
    *items, rejected, last = read(path, write(tmp_path / "after.txt", "Still read."))
    urls = [item.url for item in items if isinstance(item, Document)]
    assert urls and urls == ["https://a.example/1", "https://a.example/2.txt"][: len(urls)]
    assert isinstance(rejected, Rejected) and rejected.source == str(path)
    assert rejected.reason.startswith("truncated WARC"), rejected.reason
    assert last.content == "Still read."


def test_rss(tmp_path: Path) -> None:
    path = write(tmp_path / "news.rss", RSS)
    first, second = read(path)
    assert first == Document(
        source="https://planet.example/talks",
        content="<p>Leaders <b>spoke</b> by phone.</p>",
        format="html",
        title="Talks resume",
        url="https://planet.example/talks",
        published="2022-01-02T13:30:00+00:00",
        lang="en",
        site="Daily Planet",
    )
    assert (second.source, second.format, second.title) == (f"{path}#2", "text", "Markets calm")
    assert second.content == "Stocks barely moved on Monday." and second.published is None


def test_atom_and_xml_sniffing(tmp_path: Path) -> None:
    atom, xml_feed, xml_other = read(
        write(tmp_path / "a.atom", ATOM),
        write(tmp_path / "b.xml", ATOM),
        write(tmp_path / "c.xml", '<?xml version="1.0"?><urlset><url>x</url></urlset>'),
    )
    assert atom == xml_feed
    assert (atom.title, atom.url, atom.published, atom.site, atom.format) == (
        "Minister urges restraint",
        "https://wire.example/1",
        "2021-12-27T09:15:00+00:00",
        "Wire Service",
        "html",
    )
    assert xml_other == Rejected(str(tmp_path / "c.xml"), xml_other.reason)
    assert xml_other.reason.startswith("unsupported XML")


def test_broken_feed_without_entries(tmp_path: Path) -> None:
    rejected = only(read(write(tmp_path / "bad.rss", "<rss><channel><title>x</ti")))
    assert isinstance(rejected, Rejected) and rejected.reason.startswith("malformed feed")


# --- discovery -----------------------------------------------------------------


def test_directory_walk_order_and_skips(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root / "b.txt", "B")
    write(root / "a" / "z.txt", "AZ")
    write(root / "a.txt", "A")
    write(root / "c.html", "<p>C</p>")
    write(root / "d.txt.gz", "D")
    write(root / "README.md", "# readme")
    write(root / "data.json", "{}")
    write(root / "logo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(root / ".hidden.txt", "hidden")
    write(root / ".git" / "x.txt", "hidden dir")
    items = read(root)
    assert all(isinstance(item, Document) for item in items)
    assert [item.content for item in items] == ["AZ", "A", "B", "<p>C</p>", "D"]
    assert items[0].source == os.path.join(str(root), "a", "z.txt")


def test_explicit_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.bin"
    warc.write_bytes(warc_bytes(compress=False))
    html, feed, jsonl, text, *from_warc, binary = read(
        write(tmp_path / "page.dat", "<!DOCTYPE html><html><body><p>Hi</p></body></html>"),
        write(tmp_path / "feed.dat", ATOM),
        write(tmp_path / "items.dat", '{"text": "From JSON."}\n'),
        write(tmp_path / "notes.md", "Plain words."),
        warc,
        write(tmp_path / "logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    )
    assert html.format == "html" and feed.url == "https://wire.example/1"
    assert jsonl.content == "From JSON." and (text.format, text.content) == ("text", "Plain words.")
    assert [item.source for item in from_warc][-1] == "https://a.example/3"
    assert binary == Rejected(str(tmp_path / "logo.png"), binary.reason)
    assert binary.reason.startswith("unsupported file type")


def test_seed_examples() -> None:
    items = read(SEEDS)
    assert len(items) == 5
    assert all(isinstance(item, Document) and item.format == "text" for item in items)
    assert [Path(item.source).name[:3] for item in items] == ["000", "001", "002", "003", "004"]


# --- decoding ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "bom"),
    [
        (FRENCH, "cp1252", b""),
        ("Müller sagte, die Straße sei gesperrt. Größere Schäden.", "latin-1", b""),
        ("Café crème, naïve façade.", "latin-1", b""),
        ("Smart quotes “hello” — and ‘bye’ … €5", "cp1252", b""),
        (FRENCH, "utf-16-le", b"\xff\xfe"),
        (FRENCH, "utf-16-be", b"\xfe\xff"),
        (FRENCH, "utf-8", b"\xef\xbb\xbf"),
    ],
)
def test_decoding(tmp_path: Path, text: str, encoding: str, bom: bytes) -> None:
    doc = only(read(write(tmp_path / "a.txt", bom + text.encode(encoding))))
    assert isinstance(doc, Document) and doc.content == text


# --- bad input -----------------------------------------------------------------

_RNG = random.Random(1)
RANDOM_HIGH_BYTES = bytes(_RNG.randrange(0x80, 0x100) for _ in range(500))


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.html", b" \n\t \r\n", "empty file"),
        ("blank.txt.gz", gzip.compress(b"   \n"), "empty file"),
        ("blank.jsonl", b"\n  \n", "empty file"),
        ("nul.txt", b"text\x00with\x00nuls", "binary content (NUL bytes)"),
        ("ctrl.txt", b"\x01\x02\x03\x04abc\x05\x06", "binary content (control characters)"),
        ("garbled.txt", RANDOM_HIGH_BYTES, "cannot decode text in any known encoding"),
        ("notgzip.txt.gz", b"plain text, not gzip", "not valid gzip"),
        ("cut.txt.gz", gzip.compress(b"x" * 5000)[:-20], "not valid gzip"),
        ("junk.warc", b"\x00\x01binary" * 10, "corrupt WARC"),
        ("nouri.warc", b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 5\r\n\r\nshort",
         "corrupt WARC: record 1 lacks required headers"),
        ("mystery.dat", b"\x00\x01\x02\x03", "unsupported file type"),
    ],
    ids=lambda value: value if isinstance(value, str) and "." in value else "",
)
def test_bad_file_is_rejected_and_reading_goes_on(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(data)
    rejected, good = read(bad, write(tmp_path / "good.txt", "Fine."))
    assert isinstance(rejected, Rejected) and rejected.source == str(bad)
    assert rejected.reason.startswith(reason), rejected.reason
    assert good == Document(source=str(tmp_path / "good.txt"), content="Fine.", format="text")


def test_missing_and_special_paths(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    missing, special, good = read(tmp_path / "nope.txt", fifo, write(tmp_path / "ok.txt", "Ok."))
    assert missing == Rejected(str(tmp_path / "nope.txt"), "no such file")
    assert special == Rejected(str(fifo), "not a regular file")
    assert good.content == "Ok."


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = write(tmp_path / "locked.txt", "secret")
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object):  # root ignores chmod, so fake it
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    rejected, good = read(locked, write(tmp_path / "ok.txt", "Ok."))
    assert rejected == Rejected(str(locked), "cannot read file: Permission denied")
    assert good.content == "Ok."


def test_size_limit(tmp_path: Path) -> None:
    big = "word " * 40
    items = read(
        write(tmp_path / "big.txt", big),
        write(tmp_path / "bomb.txt.gz", big),
        write(tmp_path / "lines.jsonl", "\n".join(json.dumps({"text": t}) for t in (big, "small"))),
        max_bytes=100,
    )
    reason = "item larger than 100 bytes"
    assert items == [
        Rejected(str(tmp_path / "big.txt"), reason),
        Rejected(str(tmp_path / "bomb.txt.gz"), reason),
        Rejected(f"{tmp_path / 'lines.jsonl'}#1", reason),
        Document(source=f"{tmp_path / 'lines.jsonl'}#2", content="small", format="text"),
    ]


def test_warc_record_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    path.write_bytes(warc_bytes(compress=False))
    items = read(path, max_bytes=200)
    assert [item.url for item in items if isinstance(item, Document)] == [
        "https://a.example/1",
        "https://a.example/2.txt",
    ]
    assert Rejected(f"{path}#8", "item larger than 200 bytes") in items


def test_truncated_jsonl_gz_keeps_complete_lines(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"text": f"Item {i} " + "x" * 50}) + "\n" for i in range(200))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(lines.encode())[:-30])
    *docs, rejected = read(path)
    assert docs and all(isinstance(doc, Document) for doc in docs)
    assert rejected == Rejected(str(path), rejected.reason)
    assert rejected.reason.startswith("not valid gzip")


def test_deeply_nested_jsonl_line_is_rejected_alone(tmp_path: Path) -> None:
    good = json.dumps({"title": "Talks", "text": "Leaders spoke."})
    path = write(tmp_path / "deep.jsonl", good + "\n" + "[" * 200_000 + "\n" + good.replace("Talks", "More") + "\n")
    items = read(path)
    assert [type(i).__name__ for i in items] == ["Document", "Rejected", "Document"]
    assert "nested" in items[1].reason
