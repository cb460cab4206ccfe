"""Tests of the clean stage: plain-text page dumps and HTML pages.

The seed checks assert properties any cleaned article must have (no boilerplate
kept, nothing repeated, glued words repaired, subheads kept as headings), not
the content of particular seeds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storyweave.clean import clean_document
from storyweave.clean.patterns import TERMINAL, comment_author, find_dateline, match_rule, split_caption
from storyweave.clean.plaintext import key, normalise_line
from storyweave.clean.words import glue_point, repair_glued_words, split_label
from storyweave.models import Cleaned, Document

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "seeds").glob("*.txt"))
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "clean"
CAMEL_CASE_WORDS = [
    "McDonald", "iPhone", "YouTube", "PlayStation", "JavaScript", "LinkedIn", "DeepMind", "macOS", "eBay",
    "WordPress", "PayPal", "FedEx", "WhatsApp", "GoPro", "McCain", "DiCaprio", "iPad", "BlackRock",
    "SoftBank", "TikTok", "DeepSeek", "OpenAI", "GitHub", "bioNTech", "iOS", "MasterCard", "SpaceX",
]


def clean_text(content: str, **fields) -> Cleaned:
    return clean_document(Document(source="test", content=content, format="text", **fields))


def clean_file(path: Path) -> Cleaned:
    fmt = "html" if path.suffix == ".html" else "text"
    return clean_document(Document(source=str(path), content=path.read_text(encoding="utf-8"), format=fmt))


def raw_blocks(path: Path) -> list[str]:
    """The blank-line separated blocks of a page dump, whitespace-normalised."""
    blocks = re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))
    return [normalise_line(b.replace("\n", " ")) for b in blocks if b.strip()]


@pytest.fixture(scope="module", params=SEEDS, ids=lambda p: p.name[:3])
def seed(request) -> tuple[Path, Cleaned]:
    return request.param, clean_file(request.param)


# --- seeds: properties of any cleaned article --------------------------------------------------


def test_seeds_are_in_the_repo():
    assert len(SEEDS) == 5


def test_seed_keeps_no_boilerplate(seed):
    _, cleaned = seed
    for block in cleaned.blocks:
        assert match_rule(block.text) is None, block.text
        assert not block.text.upper().startswith("SEE ALSO")


def test_seed_body_is_sentences_or_headings(seed):
    _, cleaned = seed
    assert any(b.kind == "paragraph" for b in cleaned.blocks)
    for block in cleaned.blocks:
        assert block.kind == "heading" or TERMINAL.search(block.text), block.text


def test_seed_repeats_nothing(seed):
    _, cleaned = seed
    keys = [key(b.text) for b in cleaned.blocks]
    assert len(keys) == len(set(keys))
    assert key(cleaned.title) not in keys


def test_seed_has_a_title_line(seed):
    path, cleaned = seed
    assert 0 < len(cleaned.title) <= 121
    assert cleaned.title.rstrip("…") in raw_blocks(path)[0]


def test_seed_glued_words_repaired(seed):
    path, cleaned = seed
    glued = {t for t in re.findall(r"[^\W\d_]+", path.read_text(encoding="utf-8")) if glue_point(t, "en")}
    kept = " ".join(b.text for b in cleaned.blocks)
    assert not {t for t in re.findall(r"[^\W\d_]+", kept) if t in glued}
    assert not re.search(r"[a-z]{2}[.!?][A-Z][a-z]", kept)  # no sentence glued to the next


def test_seed_subheads_are_headings(seed):
    """A short unpunctuated block standing between two kept paragraphs is kept as a heading."""
    path, cleaned = seed
    blocks = [b for b in raw_blocks(path) if match_rule(b) is None]
    paragraphs = {b.text for b in cleaned.blocks if b.kind == "paragraph"}
    headings = {b.text for b in cleaned.blocks if b.kind == "heading"}
    for before, line, after in zip(blocks, blocks[1:], blocks[2:], strict=False):
        if len(line) < 60 and not TERMINAL.search(line) and {before, after} <= paragraphs:
            assert line in headings
    for i, block in enumerate(cleaned.blocks):
        if block.kind == "heading":
            assert 0 < i < len(cleaned.blocks) - 1 and cleaned.blocks[i + 1].kind == "paragraph"


def test_seed_comment_threads_removed(seed):
    path, cleaned = seed
    lines = [normalise_line(line) for line in path.read_text(encoding="utf-8").splitlines()]
    start = next((i for i, line in enumerate(lines) if comment_author(line)), None)
    if start is None:
        return
    body = cleaned.body
    assert all(line not in body for line in lines[start:] if line)
    reasons = {r.text: r.reason for r in cleaned.removed}
    assert reasons[lines[start]] == "comments"


def test_seed_captions_kept_once_not_in_body(seed):
    path, cleaned = seed
    captions = [b.text for b in cleaned.blocks if b.kind == "caption"]
    assert len(captions) == len(set(captions))
    for block in raw_blocks(path):
        if split_caption(block):
            assert len(captions) == 1 and captions[0] in block
            assert captions[0] not in cleaned.body
            assert cleaned.metadata["caption"] == captions[0]


def test_seed_metadata_found_in_text(seed):
    path, cleaned = seed
    text = path.read_text(encoding="utf-8")
    if m := re.search(r"^\s*date (\d{4}-\d{2})", text, re.M):
        assert cleaned.metadata["date"] == m.group(1)
        assert not cleaned.body.startswith("date")
    if m := re.search(r"^(?:Content retrieved from|Source link): (\S+?)\.?$", text, re.M):
        assert cleaned.metadata["source_url"] == m.group(1)
    if m := re.search(r"^Source: (\w+)$", text, re.M):
        assert cleaned.metadata["credit"] == m.group(1)
        assert m.group(0) not in cleaned.body
    for block in cleaned.blocks[:3]:
        if dateline := find_dateline(block.text):
            assert cleaned.metadata["dateline"] == dateline


# --- plain text: synthetic pages in several languages ------------------------------------------


@pytest.mark.parametrize("name, title, heading", [
    ("de_page.txt", "Stadtrat beschließt neue Straßenbahnlinie durch die Altstadt", "Kritik von Anwohnern"),
    ("fr_page.txt", "Grève des trains régionaux : le trafic fortement perturbé jusqu'à mercredi", None),
    ("es_page.txt", "La sequía obliga a restringir el riego en toda la cuenca del río", None),
])
def test_page_dumps_keep_only_the_article(name, title, heading):
    cleaned = clean_file(FIXTURES / name)
    assert cleaned.title == title
    assert [b.text for b in cleaned.blocks if b.kind == "heading"] == ([heading] if heading else [])
    paragraphs = [b.text for b in cleaned.blocks if b.kind == "paragraph"]
    assert len(paragraphs) == 4 + (heading is not None)
    assert all(TERMINAL.search(p) for p in paragraphs)
    reasons = {r.reason for r in cleaned.removed}
    assert {"byline", "see-also", "reply-form"} <= reasons
    assert cleaned.metadata["author"] in (FIXTURES / name).read_text(encoding="utf-8")


def test_german_page_removals():
    cleaned = clean_file(FIXTURES / "de_page.txt")
    reason = {r.text: r.reason for r in cleaned.removed}
    assert reason["Alle akzeptieren"] == "cookie"
    assert reason["Artikel teilen"] == "share"
    assert reason["Kommentare (3)"] == "comments"
    assert reason["Endlich passiert etwas, das hat viel zu lange gedauert."] == "comments"
    assert reason["Impressum"] == "link-list"
    assert reason["12. März 2022, 10:15 Uhr"] == "metadata"
    assert reason["© 2022 Tageblatt. Alle Rechte vorbehalten."] == "copyright"


def test_french_page_dateline_and_quotes():
    cleaned = clean_file(FIXTURES / "fr_page.txt")
    assert cleaned.metadata["dateline"] == "LYON"
    assert cleaned.blocks[0].text.startswith("LYON – ")
    assert any("« Nous demandons" in b.text for b in cleaned.blocks)


def test_spanish_related_list_removed():
    cleaned = clean_file(FIXTURES / "es_page.txt")
    related = [r.text for r in cleaned.removed if r.reason == "link-list"]
    assert "Noticias relacionadas" in related
    assert "Récord de temperaturas en febrero" in related


PARAGRAPHS = [
    "The council approved the budget on Monday after a long debate about school funding and road repairs.",
    "Opposition members said the plan did not go far enough, but they voted for it in the end.",
    "The budget will be published in full next week, together with a summary of the main changes.",
]


def test_subhead_between_paragraphs_is_heading_and_trailing_line_is_not():
    text = "\n\n".join(["Council passes budget", PARAGRAPHS[0], "What the expert says", *PARAGRAPHS[1:],
                        "Next steps"])
    cleaned = clean_text(text)
    assert [(b.kind, b.text) for b in cleaned.blocks] == [
        ("paragraph", PARAGRAPHS[0]), ("heading", "What the expert says"),
        ("paragraph", PARAGRAPHS[1]), ("paragraph", PARAGRAPHS[2]),
    ]
    assert "Next steps" in [r.text for r in cleaned.removed]


def test_comment_count_above_the_article_keeps_the_article():
    cleaned = clean_text("\n\n".join(["Council passes budget", "12 Comments", *PARAGRAPHS]))
    assert [b.text for b in cleaned.blocks] == PARAGRAPHS


def test_numbered_comment_thread_removed():
    thread = "  1. Maria says\n\n    I agree with this decision.\n\n    1. Tom says\n\n      No, it is a waste."
    cleaned = clean_text("\n\n".join(["Council passes budget", *PARAGRAPHS, thread]))
    assert [b.text for b in cleaned.blocks] == PARAGRAPHS
    assert {r.reason for r in cleaned.removed} == {"comments"}


def test_given_title_is_used_and_its_copy_dropped():
    cleaned = clean_text("\n\n".join(["Council passes budget", *PARAGRAPHS]), title="Council passes budget")
    assert cleaned.title == "Council passes budget"
    assert [b.text for b in cleaned.blocks] == PARAGRAPHS
    assert [(r.text, r.reason) for r in cleaned.removed] == [("Council passes budget", "title")]


def test_body_first_line_gives_title_and_stays():
    cleaned = clean_text("\n\n".join(PARAGRAPHS))
    assert cleaned.title == PARAGRAPHS[0]
    assert cleaned.blocks[0].text == PARAGRAPHS[0]


def test_repeated_block_glued_at_sentence_ends_is_dropped():
    glued = "".join(PARAGRAPHS[1:])
    cleaned = clean_text("\n\n".join(["Council passes budget", *PARAGRAPHS, glued]))
    assert [b.text for b in cleaned.blocks] == PARAGRAPHS
    assert cleaned.removed[-1].reason == "duplicate"


def test_wrapped_lines_are_joined():
    wrapped = "The council approved the budget on Monday after a long\ndebate about school funding and road repairs."
    cleaned = clean_text("\n\n".join(["Council passes budget", wrapped, *PARAGRAPHS[1:]]))
    assert cleaned.blocks[0].text == PARAGRAPHS[0]


@pytest.mark.parametrize("content", ["", "   \n\n  ", "Home\nNews\nSport\nWeather\n\n© 2022 Example"])
def test_text_without_article_is_rejected(content):
    with pytest.raises(ValueError):
        clean_text(content)


# --- words and patterns ------------------------------------------------------------------------


@pytest.mark.parametrize("word", CAMEL_CASE_WORDS)
def test_real_camel_case_words_stay_whole(word):
    assert repair_glued_words(f"Shares of {word} rose.", "en") == f"Shares of {word} rose."


@pytest.mark.parametrize("glued, lang, repaired", [
    ("relationshipsBetween the two", "en", "relationships Between the two"),
    ("hubunganAntara kedua negara", "id", "hubungan Antara kedua negara"),
    ("demands “unilateralTo NATO.", "en", "demands “unilateral To NATO."),
    ("uit van de NAVO.Concreet roept", "nl", "uit van de NAVO. Concreet roept"),
    ("in 2002.The council", "en", "in 2002. The council"),
    ("Sign up for ourNewsletter.", "en", "Sign up for our Newsletter."),
])
def test_glued_words_are_split(glued, lang, repaired):
    assert repair_glued_words(glued, lang) == repaired


@pytest.mark.parametrize("text", [
    "a NATO a.k.a US coup", "the U.S. and the U.K.", "grew 3.5 percent", "see https://example.org/A.Html",
    "mail Info.Desk@example.org", "e.g. the first", "Mr. Smith",
])
def test_no_space_inserted_in_abbreviations_numbers_addresses(text):
    assert repair_glued_words(text, "en") == text


def test_section_label_split_from_caption():
    assert split_label("TURKEYRussian President Vladimir Putin", "en") == ("TURKEY", "Russian President Vladimir Putin")
    assert split_label("MIDDLE EASTIsrael said", "en") == ("MIDDLE EAST", "Israel said")
    assert split_label("NATO said on Monday", "en") is None
    assert split_label("US President Joe Biden", "en") is None


@pytest.mark.parametrize("line, reason", [
    ("SEE ALSO – NATO: Turkey urges Russia to drop demands", "see-also"),
    ("Lire aussi : Les syndicats appellent à la grève", "see-also"),
    ("Lees ook: Kabinet valt over stikstof", "see-also"),
    ("Baca juga: Harga minyak naik lagi", "see-also"),
    ("Читайте также: Новые санкции", "see-also"),
    ("Source link -94", "source-link"),
    ("Content retrieved from: https://example.org/news/1.", "source-link"),
    ("Leave A Reply", "reply-form"),
    ("Alamat email Anda tidak akan dipublikasikan. Ruas yang wajib ditandai *", "reply-form"),
    ("Reageer", "reply-form"),
    ("E-posta adresiniz yayınlanmayacak.", "reply-form"),
    ("Also in Turkey", "link-list"),
    ("A+A-", "widget"),
    ("About The Author", "author-box"),
    ("Source: AFP", "credit"),
    ("File Photo: Reuters", "credit"),
    ("By Jane Smith", "byline"),
    ("Share this article", "share"),
    ("Subscribe to our newsletter", "subscribe"),
    ("This site uses cookies to improve your experience. Read our privacy policy.", "cookie"),
    ("Advertisement", "advert"),
])
def test_boilerplate_lines(line, reason):
    hit = match_rule(line)
    assert hit is not None and hit[0].reason == reason


@pytest.mark.parametrize("line", [
    "Source of the trouble was a faulty valve, engineers said on Monday after a long inspection.",
    "By the end of the week the river had risen by two metres.",
    "Door Rusland gesteunde separatisten vochten in het oosten.",
    "Read the statement in full on the ministry website, officials said.",
    "The court ruled that websites must obtain consent before they use cookies.",
])
def test_sentences_are_not_boilerplate(line):
    assert match_rule(line) is None


def test_caption_and_dateline_patterns():
    caption = "Putin and Erdogan at the Kremlin on March 5, 2020. File Photo: AFP"
    assert split_caption(caption) == ("Putin and Erdogan at the Kremlin on March 5, 2020.", "AFP")
    assert split_caption("He posted a picture of the meeting on social media.") is None
    assert find_dateline("ISTANBUL, Turkey – Russian President Vladimir Putin said") == "ISTANBUL, Turkey"
    assert find_dateline("WASHINGTON (Reuters) - The U.S. Senate passed") == "WASHINGTON"
    assert find_dateline("The U.S. Senate passed the bill") is None


def test_line_end_tests_agree_with_their_patterns():
    from storyweave.clean.patterns import TRUNCATED, terminal, truncated

    lines = ["Done.", "Done.”)", "“Done!”", "Read more...", "Read more…", "Wait …", "x[...]", "Two dots..",
             "U.S.", "No end", "", ")", "終わり。", "Really?!’»"]
    assert [terminal(line) for line in lines] == [bool(TERMINAL.search(line)) for line in lines]
    assert [truncated(line) for line in lines] == [bool(TRUNCATED.search(line)) for line in lines]


def test_page_hints_find_the_lines_worth_testing_for_comments_captions_and_any_line_rules():
    from storyweave.clean.patterns import page_hints

    lines = ["Cap960 says:", "A view of the port. Photo: AFP", "We use cookies on this site.", "Plain line",
             "İSTANBUL © 2020 Example Media", "x" * 200 + " says"]
    hints = page_hints(lines)
    assert hints.comment == {0} and hints.caption == {1, 4} and hints.rule == {2, 4}
    assert match_rule("We use cookies to improve our site, do you agree?", hinted=False) is None
    assert match_rule("We use cookies to improve our site, do you agree?")[0].reason == "cookie"


# --- HTML ----------------------------------------------------------------------------------------


def test_html_article_page():
    cleaned = clean_file(FIXTURES / "article.html")
    assert cleaned.title == "Harbour bridge to close for repairs this summer"
    assert [b.kind for b in cleaned.blocks] == ["paragraph", "paragraph", "heading", "paragraph", "paragraph",
                                                 "paragraph"]
    body = cleaned.body
    for furniture in ("Home", "Share on Facebook", "says", "Leave a Reply", "All rights reserved", "Read also"):
        assert furniture not in body
    assert cleaned.metadata == {
        "url": "https://courier.example.org/news/2022/01/04/harbour-bridge-repairs",
        "author": "Ann Example",
        "published": "2022-01-04",
        "sitename": "Coastal Courier",
    }


def test_truncated_html_still_yields_its_text():
    html = (FIXTURES / "article.html").read_text(encoding="utf-8")
    cut = html[: html.index("<h2>") + 200]
    cleaned = clean_document(Document(source="cut", content=cut, format="html"))
    assert cleaned.blocks[0].text.startswith("The harbour bridge will close")


@pytest.mark.parametrize("content", ["", "<html></html>", "<html><body><div><span></div></p></body>", "<<<>>> </ <p",
                                     "\x00\x01\x02"])
def test_html_without_article_is_rejected(content):
    with pytest.raises(ValueError, match="HTML"):
        clean_document(Document(source="bad", content=content, format="html"))


def test_html_segments_come_from_blocks_however_deep_the_extractor_nested_them():
    from lxml import etree

    from storyweave.clean.html import html_segments

    body = etree.fromstring(
        "<body><table><row><cell><head>Storm hits the coast</head><p>The storm hit on <hi>Monday</hi>.</p>"
        "<p>Roads\n   were closed.</p></cell></row></table>"
        "<div>Loose text<list><item>First item</item><item>Second item</item></list><p>After the list.</p></div>"
        "<table><row><cell>Team</cell><cell>Points</cell></row></table>"
        "<quote><p>A quoted post.</p>- Its author</quote></body>")
    segments = [(s.text, s.kind, s.bullet) for s in html_segments(body)]
    assert segments == [
        ("Storm hits the coast", "heading", False), ("The storm hit on Monday .", "paragraph", False),
        ("Roads were closed.", "paragraph", False), ("Loose text", "paragraph", False),
        ("First item", "paragraph", True), ("Second item", "paragraph", True), ("After the list.", "paragraph", False),
        ("Team Points", "paragraph", True), ("A quoted post. - Its author", "paragraph", False),
    ]


def test_html_keeps_repeated_short_list_rows_but_not_repeated_text_nor_an_about_us_tail():
    from storyweave.clean.plaintext import Segment, clean_segments

    specs = ["Easy setup for all your devices", "Charges quickly in the case"]
    about = "Acmetron is a global provider of software for hospitals, and Acmetron has its offices in many countries."
    segments = [
        Segment("Acmetron today announced two new headphones for hospitals, sold from the spring of next year."),
        Segment("First model", kind="heading"), *(Segment(t, bullet=True) for t in specs),
        Segment("Second model", kind="heading"), *(Segment(t, bullet=True) for t in specs),
        Segment(PROSE), Segment(PROSE.replace("Tuesday", "Monday")), Segment(PROSE), Segment(about),
        Segment("Acmetron is headquartered in Basel and employs around one thousand people in twelve countries."),
    ]
    cleaned = clean_segments(segments, "en", "Two new headphones", {}, marked_up=True)
    assert [b.text for b in cleaned.blocks].count(specs[0]) == 2 and cleaned.body.count(PROSE) == 1
    assert "global provider" not in cleaned.body and "headquartered" not in cleaned.body


def test_prose_in_other_scripts_and_with_a_cut_last_sentence_is_kept():
    hindi = ("आज सुबह स्थानीय समय के अनुसार लगभग दस बजे शहर में एक पुरानी इमारत ढह गई। बचाव दल मौके पर पहुंच गया है और "
             "मलबे में फंसे लोगों को निकालने का काम जारी है। अधिकारियों ने बताया कि घायलों को अस्पताल ले जाया गया।")
    cut = ("The storm reached the coast early on Tuesday. Thousands of homes lost power across the region. "
           "Officials said repairs would take at least three days and asked residents to stay")
    for text, lang in ((hindi, "hi"), (cut, "en")):
        cleaned = clean_document(Document("x", text, "text", title="Title", lang=lang))
        assert cleaned.body.startswith(text[:20])


def test_a_one_sentence_brief_titled_by_its_sentence_keeps_it():
    sentence = "The parliament election in the capital is over, officials said on Sunday evening."
    cleaned = clean_document(Document("x", sentence, "text", title=sentence))
    assert cleaned.body == sentence


# --- author boxes, CJK line wrapping, fast paths ------------------------------------------------

PROSE = ("The council met on Tuesday to discuss the new budget for the coming year, and it agreed on most "
         "of the points that had been raised by the members of the public in the weeks before the vote.")


@pytest.mark.parametrize("heading", ["About Brigit Katz", "Über Moritz Bachmann", "Sobre Carlos Nadalim"])
def test_author_box_heading_and_bio_after_the_article_go(heading):
    bio = f"{heading.split(' ', 1)[1]} is a writer who has covered science and politics for many years and lives in a city."
    doc = Document("a", "\n\n".join(["Budget Agreed", PROSE, PROSE.replace("Tuesday", "Monday"), heading, bio]), "text")
    cleaned = clean_document(doc)
    assert heading not in cleaned.body and bio not in cleaned.body
    assert any(r.reason == "author-box" and r.text == heading for r in cleaned.removed)


@pytest.mark.parametrize("subhead", ["About Face Masks", "About Climate Change"])
def test_about_subheads_whose_next_line_does_not_repeat_them_are_no_author_box(subhead):
    from storyweave.clean.plaintext import Segment, _is_author_heading

    segments = [Segment(subhead), Segment("Most of them are cheap and simple to make at home with a little cloth.")]
    assert not _is_author_heading(segments, 0)
    assert _is_author_heading([Segment("About Jane Doe"), Segment("Jane Doe writes about science.")], 0)


def test_cjk_line_ending_in_a_comma_continues():
    from storyweave.clean.plaintext import split_segments

    text = "東京都は新しい計画を発表した。\n\n市民の意見を聞いたうえで、\n来年の春から実施する予定だという。\n次の行"
    assert [s.text for s in split_segments(text)] == [
        "東京都は新しい計画を発表した。", "市民の意見を聞いたうえで、 来年の春から実施する予定だという。", "次の行"]


@pytest.mark.parametrize("text", [
    "relationshipsBetween the two", "NAVO.Concreet gaat het", "Привет.Мир тесен", "ÉtéFrançais x",
    "𝐀𝐁 mathBold", "plain text without glue", "U.S.A. and e.g. this", "ΑθήναΕλλάδα",
])
def test_glue_prefilter_agrees_with_the_full_pattern(text):
    from storyweave.clean.words import _MAYBE_GLUED, _maybe_glued

    assert _maybe_glued(text) == bool(_MAYBE_GLUED.search(text))


def test_rule_index_agrees_with_trying_every_rule():
    from storyweave.clean.patterns import RULES

    lines = ["Share this article", "12 comments", "5 min read", "Reuters", "By Jane Doe", "Facebook Twitter",
             "We use cookies to improve your experience on our site. Accept", "© 2024 Example. All rights reserved.",
             "Tous droits réservés", "Photo: AFP", "Related articles", "Published 2021-05-03", "The end of it."]
    for line in lines:
        slow = next((rule for rule in RULES if len(line) <= rule.max_len and rule.pattern.search(line)), None)
        hit = match_rule(line)
        assert (hit[0] if hit else None) is slow, line


@pytest.mark.parametrize(("line", "cut"), [
    ("설리, 무엇이 이 스물다섯 청춘의..", True), ("Read the rest of the story about the vote..", True),
    ("The vote was close ...", False), ("The vote was close.", False), ("Bluetooth...", True),
])
def test_a_line_ending_in_two_dots_is_cut_short(line, cut):
    from storyweave.clean.plaintext import ends_sentence

    assert ends_sentence(line) is not cut


# --- broken Japanese sentences, lists introduced by a sentence, "about us" blocks -------------------------


def test_japanese_sentence_broken_across_a_blank_line_is_joined():
    from storyweave.clean.plaintext import Segment, join_broken_sentences

    segments = [Segment("設定画面を開いてから、表示されたメニューの中の項目を"), Segment("「なし」に変更して保存する。"),
                Segment("メニューの"), Segment("次の段落。")]
    assert [s.text for s in join_broken_sentences(segments, "ja")] == [
        "設定画面を開いてから、表示されたメニューの中の項目を「なし」に変更して保存する。", "メニューの", "次の段落。"]
    english = [Segment("a line ending in を but in an English page, the"), Segment("next")]
    assert len(join_broken_sentences(english, "en")) == 2


def test_cjk_subhead_between_paragraphs_is_heading():
    from storyweave.clean.plaintext import _starts_heading

    assert _starts_heading("再起動して完了") and _starts_heading("Results") and _starts_heading("2019 in review")
    assert not _starts_heading("and then") and not _starts_heading("「なし」") and not _starts_heading("(note)")


def test_table_introduced_by_a_sentence_is_kept():
    rows = [f"{n} Driver Number{n} {5000 - 40 * n} {n % 3} {n % 2}" for n in range(1, 13)]
    page = "\n\n".join([
        "Home", "News", "Standings", "Contact",
        "Standings of the Series",
        "On this page you will always find the current standings of the series after the last race of the season!",
        "Final standings of the championship in the season after all of the thirty six races:",
        "\n".join(["Pos. Driver Points Wins Poles", *rows]),
        "Only the first twelve drivers take part in the play-offs for the title in the last ten races.",
        "Privacy", "Terms", "Advertise",
    ])
    body = clean_text(page).body
    assert rows[0] in body and rows[-1] in body and "Pos. Driver Points Wins Poles" in body
    assert "Privacy" not in body and "Home" not in body


def test_short_menu_label_with_a_colon_introduces_no_list():
    from storyweave.clean.plaintext import is_lead_in

    assert is_lead_in("Final standings of the championship after all of the races:", "en")
    assert not is_lead_in("Follow us:", "en") and not is_lead_in("Related articles:", "en")
    assert not is_lead_in("Final standings of the championship after all of the races.", "en")


def test_about_us_block_closing_a_press_release_goes():
    from storyweave.clean.patterns import presents_organisation

    paragraphs = [
        ("Acmetron and Northwind today announced a partnership to bring the new monitoring system to hospitals in "
         "Europe, where it will be sold from the spring of next year."),
        PROSE, PROSE.replace("Tuesday", "Monday"), PROSE.replace("Tuesday", "Friday"),
        "Acmetron is a global provider of software for hospitals, and Acmetron has its offices in many countries.",
        "Acmetron is headquartered in Basel and employs around one thousand people in twelve countries worldwide.",
    ]
    cleaned = clean_text("\n\n".join(["Acmetron And Northwind Partner", *paragraphs]))
    assert PROSE in cleaned.body and "headquartered" not in cleaned.body and "global provider" not in cleaned.body
    assert any(r.reason == "about-organisation" for r in cleaned.removed)
    assert presents_organisation("Acme Corp., a Delaware company, is a maker of tools.") == "Acme Corp"
    assert presents_organisation("Siemens Healthineers ist ein Unternehmen in Erlangen.") == "Siemens Healthineers"
    assert presents_organisation("The study is a first.") is None


def test_an_organisation_described_inside_a_news_story_stays():
    paragraphs = [
        "Acmetron said on Monday that it would close two of its factories in the north of the country next year.",
        PROSE, PROSE.replace("Tuesday", "Monday"),
        "Acmetron is a maker of tools that has struggled since the start of the year with the price of steel.",
        "Workers at the factories said they had not been told about the plans before they were made public.",
    ]
    body = clean_text("\n\n".join(["Factories To Close", *paragraphs])).body
    assert "Acmetron is a maker of tools" in body and "Workers at the factories" in body


def test_main_span_of_a_text_outweighed_by_the_lines_inside_it():
    from storyweave.clean.plaintext import main_span

    assert main_span([100.0, -200.0, 50.0], [True, False, True]) == (0, 3)
    assert main_span([-10.0, 100.0, -25.0], [False, True, False]) == (1, 2)
