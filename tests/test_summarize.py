"""Event summaries: sources, citations, single-source marks, conflicts, language; end to end on the seeds."""

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyweave import Pipeline
from storyweave.cli import main
from storyweave.embed import HashingEncoder
from storyweave.entities import extract_mentions
from storyweave.models import Article, Mention, TimeExpression
from storyweave.summarize import (ExtractiveSummarizer, _Sentence, anchor_overlap, identities, independent_sources,
                                  is_summary_sentence, numbers_in, tellings, with_names)

SEEDS = Path(__file__).parent.parent / "examples" / "seeds"
ENCODER = HashingEncoder()

# Facts as sentences; an article tells some of them (same wording across sources: the hashing
# encoder compares words, which is all these tests need of it).
FACTS = {
    "quake": "A strong earthquake struck the northern coast of the island early on Tuesday morning.",
    "toll": "Rescue teams said that 12 people were killed when several buildings collapsed in the port.",
    "toll_ages": "Rescue teams said that people aged 15 were killed when several buildings collapsed in the port.",
    "toll_other": "Rescue teams said that 15 people were killed when several buildings collapsed in the port.",
    "aid": "The government promised emergency aid and sent soldiers to help clear the blocked roads.",
    "school": "Schools in the region will remain closed until engineers have inspected every classroom.",
    "mayor": "Mayor Ana Silva thanked the volunteers who worked through the night in the old town.",
    "tsunami": "A tsunami warning was issued for the whole coast and lifted two hours later.",
    "bridge": "The old railway bridge over the river was closed after cracks appeared in its pillars.",
    "power": "Electricity was restored to most homes by the evening, the grid operator announced.",
    "floods": "Last week the same coast was hit by floods that drove hundreds of families from their homes.",
    "call": "President Joe Biden spoke by telephone with Volodymyr Zelensky about the security talks on Sunday.",
    "call_other": "President Joe Biden spoke by telephone with Vladimir Putin about the security talks on Sunday.",
    "treaty": "The two governments signed the border treaty in the capital yesterday after long talks.",
    "treaty_other": "The two governments signed the border treaty in the capital today after long talks.",
    "quake_chile": "The Red Cross said the earthquake destroyed dozens of fishing boats in Chile on Tuesday morning.",
    "quake_peru": "The Red Cross said the earthquake destroyed dozens of fishing boats in Peru on Tuesday morning.",
    "fire_city": "The Red Cross said the fire destroyed dozens of film studios in Los Angeles on Tuesday morning.",
    "fire_state": "The Red Cross said the fire destroyed dozens of film studios in California on Tuesday morning.",
    "coach": "Real Madrid said that coach Jones was dismissed after the heavy defeat on Saturday night.",
    "coach_other": "Real Madrid said that coach Smith was dismissed after the heavy defeat on Saturday night.",
}


def _article(article_id, facts, lang="en", site=None, translation_of=None, mentions=()):
    sentences = [f"Title of {article_id}", *(FACTS[f] for f in facts)]
    return Article(id=article_id, source=f"{article_id}.txt", title=sentences[0], body=" ".join(sentences[1:]),
                   lang=lang, site=site, sentences=sentences, translation_of=translation_of, mentions=list(mentions))


def _named_article(article_id, facts):
    """An English article of ``facts`` with the mentions the entity stage finds in them."""
    article = _article(article_id, facts)
    article.mentions = extract_mentions(article.sentences, "en")
    return article


def _summarize(articles, **options):
    return _summarize_with(ExtractiveSummarizer(**options), articles)


def _summarize_with(summarizer, articles):
    rows = summarizer.candidates(articles)
    vectors = {a.id: ENCODER.encode([a.sentences[i] for i in rows[a.id]]) for a in articles if rows[a.id]}
    return summarizer.summarize("ev-1", articles, vectors)


def _statement(summary, fact):
    return next(s for s in summary.sentences if s.text == FACTS[fact])


def test_translations_reprints_and_one_site_are_one_source():
    articles = [_article("a", ["quake"]), _article("b", ["quake"], translation_of="a"),
                _article("c", ["quake"], site="news.example"), _article("d", ["aid"], site="news.example"),
                _article("e", ["quake"])]
    sources = independent_sources(articles)
    assert sources["a"] == sources["b"] and sources["c"] == sources["d"]
    assert len({sources["a"], sources["c"], sources["e"]}) == 3


def test_a_fact_told_by_several_sources_cites_them_all_and_counts_independent_ones():
    articles = [_article("a", ["quake", "aid", "school"]), _article("b", ["quake", "aid", "mayor"]),
                _article("c", ["quake", "tsunami"]), _article("c-copy", ["quake", "tsunami"], translation_of="c")]
    summary = _summarize(articles)
    quake = _statement(summary, "quake")
    assert set(quake.citations) == {"a", "b", "c", "c-copy"}
    assert quake.independent_sources == 3 and not quake.single_source
    assert summary.cited["c-copy"].source == "c-copy.txt" and set(summary.cited) >= set(quake.citations)
    assert _statement(summary, "aid").independent_sources == 2
    assert summary.sources == 3


def test_what_only_one_source_tells_is_marked_and_a_new_name_is_preferred():
    mayor = Mention("Ana Silva", "ana silva", "person", 3)
    articles = [_article("a", ["quake", "aid", "school"]), _article("b", ["quake", "aid", "tsunami", "mayor"],
                                                                     mentions=[mayor])]
    summary = _summarize(articles)
    alone = [s for s in summary.sentences if s.single_source]
    assert {s.article_id for s in alone} == {"a", "b"}
    assert _statement(summary, "mayor").citations == ["b"]  # the sentence naming someone no one else names


def test_each_source_keeps_room_for_what_it_alone_tells():
    shared = ["quake", "toll", "aid", "school", "tsunami"]
    articles = [_article(name, [*shared, own]) for name, own in (("a", "mayor"), ("b", "bridge"), ("c", "power"))]
    summary = _summarize(articles, size=5, most=7)
    assert len(summary.sentences) == 7
    assert {s.article_id for s in summary.sentences if s.single_source} == {"a", "b", "c"}
    assert sum(s.independent_sources == 3 for s in summary.sentences) == 4


def test_a_source_own_fact_is_the_event_rather_than_background_looking_back():
    background = TimeExpression("Last week", 3, relative_days=(-13, -1))
    articles = [_article("a", ["quake", "aid", "floods", "bridge"]), _article("b", ["quake", "aid"])]
    articles[0].times = [background]
    summary = _summarize(articles, size=3, most=3)
    assert [s.text for s in summary.sentences if s.single_source] == [FACTS["bridge"]]


def _person(name, sentence):
    return Mention(name, name.lower(), "person", sentence)


def test_sentences_naming_different_people_do_not_tell_one_fact():
    biden, zelensky, putin = (_person(n, 2) for n in ("Joe Biden", "Volodymyr Zelensky", "Vladimir Putin"))
    told = [_article("a", ["quake", "call"], mentions=[biden, zelensky]),
            _article("b", ["quake", "call_other"], mentions=[biden, putin])]
    summary = _summarize(told)
    assert _statement(summary, "call").citations == ["a"] and _statement(summary, "call_other").citations == ["b"]
    # naming one person more is no contradiction: the sentence still tells the other's fact
    told[1] = _article("b", ["quake", "call_other"], mentions=[biden])
    [call] = [s for s in _summarize(told).sentences if ("a", 2) in s.evidence]
    assert set(call.citations) == {"a", "b"}


def test_spellings_of_one_name_share_an_identity_and_look_alikes_do_not():
    keys = {"vladimir putin", "vladimir poutine", "vladimir poetin", "caucasus", "kaukasus", "ankara", "antara",
            "country:RU", "country:UA", "joe biden", "hunter biden"}
    identity = identities(keys)
    assert identity["vladimir putin"] == identity["vladimir poutine"] == identity["vladimir poetin"]
    assert identity["caucasus"] == identity["kaukasus"]
    assert len({identity[k] for k in ("ankara", "antara", "country:RU", "country:UA")}) == 4
    assert identity["joe biden"] != identity["hunter biden"]


def test_rare_names_and_numbers_shared_across_languages_are_evidence_and_common_ones_are_not():
    texts = [("en", "Talks also covered Syria, Libya and the Caucasus, and 12 prisoners.", ["country:SY", "country:LY",
                                                                                          "caucasus"]),
             ("nl", "Zij bespraken ook Syrië, Libië en de Kaukasus, en 12 gevangenen.", ["country:SY", "country:LY",
                                                                                         "kaukasus"]),
             ("en", "NATO met again.", ["nato"]), ("nl", "De NAVO kwam weer samen.", ["nato"]),
             ("en", "The Syria file was reopened by NATO.", ["country:SY", "nato"])]
    texts += [(lang, f"NATO statement number {n}.", ["nato"]) for n, lang in enumerate(["en", "nl", "en", "nl"])]
    sentences = []
    for n, (lang, text, keys) in enumerate(texts):
        article = Article(id=str(n), source=str(n), title="", body=text, lang=lang, sentences=["", text],
                          mentions=[Mention(k, k, "place", 1) for k in keys])
        sentences.append(_Sentence(article, 1, n))
    with_names(sentences)
    overlap = anchor_overlap(sentences)
    assert overlap[0, 1] == overlap[1, 0] > 5 * overlap[1, 4] > 0  # three rare names and a number, or one name
    assert overlap[2, 3] == 0.0  # what most sentences name says nothing
    assert overlap[0, 4] == 0.0  # one language: the encoder compares the words themselves


def test_a_translation_tells_the_facts_its_original_is_linked_to():
    articles = [_article("a", ["quake"]), _article("a-nl", ["quake"], lang="nl", translation_of="a"),
                _article("c", ["quake"], lang="de")]
    sentences = [_Sentence(a, 1, source) for a, source in zip(articles, (0, 0, 1))]
    facts = tellings(sentences, [{1}, {0, 2}, {1}])
    assert facts == [{1, 2}, {0, 2}, {0, 1}]


@pytest.mark.parametrize("told, other, slot, values", [
    ("toll", "toll_other", "number", ("12 people", "15 people")),
    ("quake_chile", "quake_peru", "place", ("Chile", "Peru")),
    ("coach", "coach_other", "name", ("Jones", "Smith")),
])
def test_one_fact_told_with_different_values_of_a_slot_is_a_conflict_with_both_sides(told, other, slot, values):
    """``values``: what article a says, what article b says."""
    articles = [_named_article("a", ["aid", told]), _named_article("b", ["aid", other])]
    [conflict] = _summarize(articles).conflicts
    assert conflict.slot == slot
    assert {(v.value, tuple(v.citations)) for v in conflict.values} == set(zip(values, (("a",), ("b",))))


def test_numbers_of_different_things_are_no_conflict():
    articles = [_article("a", ["quake", "toll"]), _article("b", ["quake", "toll_ages"])]
    assert _summarize(articles).conflicts == []


def test_different_dates_for_one_fact_are_a_conflict():
    articles = [_article("a", ["quake", "treaty"]), _article("b", ["quake", "treaty_other"])]
    for article, (phrase, day) in zip(articles, (("yesterday", 3), ("today", 4))):
        article.times = [TimeExpression(phrase, 2, value=date(2024, 3, day), relative_days=(day - 4, day - 4))]
    [conflict] = _summarize(articles).conflicts
    assert conflict.slot == "date"
    assert {(v.value, tuple(v.citations)) for v in conflict.values} == {("2024-03-03", ("a",)), ("2024-03-04", ("b",))}


def test_a_place_and_the_region_around_it_are_no_conflict():
    articles = [_named_article("a", ["aid", "fire_city"]), _named_article("b", ["aid", "fire_state"])]
    summary = _summarize(articles)
    assert summary.conflicts == [] and any(s.independent_sources == 2 for s in summary.sentences)


def test_a_single_article_event_still_gets_a_few_sentences():
    summary = _summarize([_article("a", ["quake", "toll", "aid", "school"])], size=3)
    assert len(summary.sentences) == 3 and all(s.single_source for s in summary.sentences)


def test_summary_sentences_are_statements_and_numbers_ignore_grouping_and_years():
    assert is_summary_sentence(FACTS["quake"], "en")
    assert not is_summary_sentence("Read more", "en") and not is_summary_sentence("Who knew what was coming?", "en")
    assert numbers_in("In 2021, 1,200 people and 3.5 tonnes; 1.200 mensen") == {"1200", "3.5"}


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("summary") / "seeds.db"
    with Pipeline(db) as pipeline:
        pipeline.run([SEEDS])
        return db, pipeline.overview()


def test_seed_event_summary_cites_independent_sources_across_languages(seeds_db):
    db, overview = seeds_db
    files = {a["id"]: Path(a["source"]).name[:3] for a in overview["articles"]}
    big = max(overview["events"], key=lambda e: len(e["articles"]))
    with Pipeline(db) as pipeline:
        summary = pipeline.summary(big["id"])
        assert pipeline.summary(big["id"]) == summary  # vectors now read back from the store
    assert 3 <= len(summary.sentences) <= 7 and summary.sources == 3  # 000 and 001 are one source
    lead = max(summary.sentences, key=lambda s: s.independent_sources)
    assert lead.independent_sources == 3 and {files[a] for a in lead.citations} >= {"003", "004"}
    assert any(s.single_source for s in summary.sentences)
    assert all(s.lang == "en" or s.independent_sources == 1 for s in summary.sentences)
    # told across languages by names the encoder does not align (Syrië, Libië, Kaukasus in 004)
    [places] = [s for s in summary.sentences if "Libya" in s.text]
    assert places.independent_sources == 2 and "004" in {files[a] for a in places.citations}
    # 004 alone tells of another call, with other people than the call 000 tells of
    [call] = [s for s in summary.sentences if "Zelensky" in s.text]
    assert call.single_source and {files[a] for a in call.citations} == {"004"}


def test_summary_command_and_run_json(seeds_db):
    db, overview = seeds_db
    story = overview["stories"][0]["id"]
    result = CliRunner().invoke(main, ["summary", story, "--db", str(db), "--markdown"])
    assert result.exit_code == 0 and result.output.startswith("## STORY") and "sources" in result.output
    result = CliRunner().invoke(main, ["summary", "ev-none", "--db", str(db)])
    assert result.exit_code == 2 and "no event or story" in result.output
    result = CliRunner().invoke(main, ["run", str(SEEDS), "--db", str(db), "--json"])
    events = json.loads(result.stdout)["events"]
    assert all({"lang", "sentences", "conflicts"} <= set(e["summary"]) for e in events)
    assert all(set(s["citations"]) <= set(e["articles"]) for e in events for s in e["summary"]["sentences"])


def test_eval_summaries_scores_against_held_out_leads_and_judges_citations(tmp_path):
    from storyweave.bench.summaries import rouge_n, supports

    assert rouge_n("the cat sat", "the cat sat", 2) == 1.0 and rouge_n("a b", "c d", 1) == 0.0
    rows = [{"id": f"{event}-{n}", "event": event, "lang": "en", "title": FACTS[facts[0]],
             "text": " ".join(FACTS[f] for f in facts)}
            for event, variants in {"quake": (["quake", "toll", "aid"], ["quake", "aid", "school"],
                                              ["quake", "toll", "tsunami"]),
                                    "mayor": (["mayor", "aid", "school"], ["mayor", "school"], ["mayor", "aid"])}.items()
            for n, facts in enumerate(variants)]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = CliRunner().invoke(main, ["eval", "summaries", "--gold", str(gold), "--encoder", "hashing"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout.strip().splitlines()[-1])
    assert scores["citations_judged"] > 0 and scores["citation_precision"] == 1.0  # identical sentences cited
    assert 0 < scores["rouge1"] <= 1 and 0 <= scores["baseline_rouge2"] <= 1
    a = Article(id="a", source="a", title="", body="", lang="en", sentences=["", FACTS["quake"]])
    b = Article(id="b", source="b", title="", body="", lang="en", sentences=["", FACTS["school"]])
    assert supports((a, 1), (a, 1)) and not supports((a, 1), (b, 1))


def _endpoint(answer):
    """A local OpenAI-compatible chat endpoint answering ``answer``, and the prompts it received."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    prompts = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            prompts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            body = json.dumps({"choices": [{"message": {"content": answer}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, prompts


@pytest.mark.parametrize("answer, kept", [("Twelve died in a quake. [1][2]\nAid came. [3]", True),
                                          ("A quake. [1]\nSomething else. [9]", False),
                                          ("A quake. [1]\n[2]", False)])
def test_a_language_model_rewrite_is_kept_only_with_valid_citations(answer, kept):
    from storyweave.summarize import LLMSummarizer

    server, prompts = _endpoint(answer)
    articles = [_article("a", ["quake", "toll", "aid"]), _article("b", ["quake", "toll", "school"])]
    rows = ExtractiveSummarizer().candidates(articles)
    vectors = {a.id: ENCODER.encode([a.sentences[i] for i in rows[a.id]]) for a in articles}
    extractive = ExtractiveSummarizer().summarize("ev-1", articles, vectors)
    summary = LLMSummarizer(f"http://127.0.0.1:{server.server_port}/v1", "any").summarize("ev-1", articles, vectors)
    server.shutdown()
    assert prompts and prompts[0]["model"] == "any" and FACTS["quake"] in prompts[0]["messages"][0]["content"]
    if kept:
        assert summary.method == "llm" and summary.sentences[0].text == "Twelve died in a quake."
        assert set(summary.sentences[0].citations) == set(extractive.sentences[0].citations) | set(
            extractive.sentences[1].citations)
    else:
        assert summary.method == "extractive" and summary.sentences == extractive.sentences and summary.note


@pytest.mark.parametrize("answer, translated", [("[1] A strong earthquake hit the coast.", True),
                                                ("I cannot help with that.", False)])
def test_statements_in_other_languages_are_translated_when_a_translator_is_given(answer, translated):
    from storyweave.summarize import ChatTranslator, TranslatingSummarizer

    server, prompts = _endpoint(answer)
    articles = [_article("a", ["quake", "aid"], lang="nl"), _article("b", ["quake", "school"], lang="nl")]
    translator = ChatTranslator(f"http://127.0.0.1:{server.server_port}/v1", "any")
    summary = _summarize_with(TranslatingSummarizer(translator), articles)
    server.shutdown()
    first = summary.sentences[0]
    assert "'en'" in prompts[0]["messages"][0]["content"] and f"(nl) {FACTS['quake']}" in prompts[0]["messages"][0]["content"]
    if translated:
        assert (first.text, first.lang, first.translated_from, first.original) == (
            "A strong earthquake hit the coast.", "en", "nl", FACTS["quake"])
        assert set(first.citations) == {"a", "b"}
    else:
        assert (first.text, first.lang, first.translated_from) == (FACTS["quake"], "nl", None)


def test_a_failing_translator_leaves_the_statements_in_their_language_with_a_note():
    from storyweave.summarize import ChatTranslator, TranslatingSummarizer

    articles = [_article("a", ["quake", "aid"], lang="nl"), _article("b", ["quake", "school"], lang="nl")]
    summary = _summarize_with(TranslatingSummarizer(ChatTranslator("http://127.0.0.1:9/v1", "any", timeout=2)),
                              articles)
    assert summary.sentences[0].lang == "nl" and summary.note.startswith("translator not used")
