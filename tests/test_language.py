import json
import re

import numpy as np
import pytest
from click.testing import CliRunner

from storyweave.bench import langid as bench_langid
from storyweave.bench.langid import BenchDataError, Sample, as_articles, comparable, load_samples, score
from storyweave.cli import main
from storyweave.language import (MACROLANGUAGE, MALAY_INDONESIAN, SERBO_CROATIAN, UNDETERMINED, Py3LangId,
                                 VarietyAwareLangId, _model_bytes, byte_naive_bayes, detect_language,
                                 detect_languages, detect_segments, normalise_language)

SAMPLES = {
    "en": "The two presidents spoke by telephone on Sunday about the security demands presented by Moscow.",
    "nl": "De Russische president heeft zondag met zijn Turkse ambtgenoot gesproken over de eisen van Moskou.",
    "id": "Presiden Rusia dan timpalannya dari Turki berbicara melalui telepon pada hari Minggu tentang tuntutan.",
    "de": "Die beiden Präsidenten haben am Sonntag telefoniert und über die Forderungen aus Moskau gesprochen.",
    "ru": "Президенты России и Турции в воскресенье обсудили по телефону требования Москвы к альянсу.",
}

# Close standard varieties, each written with its own textbook vocabulary and spelling.
VARIETIES = {
    "hr": "Znanstvenici s hrvatskog sveučilišta objavili su tijekom tjedna da je tisuću obitelji ostalo "
          "bez struje, no vlak za Europu ipak je krenuo na vrijeme.",
    "bs": "Naučnici sa univerziteta objavili su tokom sedmice da je hiljadu porodica ostalo bez struje, "
          "ali je voz za Evropu ipak krenuo na vrijeme.",
    "ms": "Kerajaan berkata bahawa syarikat itu boleh membuka semula kilang selepas polis menyiasat kes "
          "tersebut di bandar itu.",
    "id": "Pemerintah mengatakan bahwa perusahaan itu bisa membuka kembali pabrik setelah polisi menyelidiki "
          "kasus tersebut di kota itu.",
    "no": "Regjeringen sier at de ikke vet hvordan skolen skal bli bygget, og hva det vil koste, men at "
          "det er mye som må gjøres fra neste uke.",
    "nn": "Regjeringa seier at dei ikkje veit korleis skulen skal byggjast, og kva det vil koste, men at "
          "det er mykje som må gjerast frå neste veke.",
}


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_whole_paragraphs_are_identified_with_confidence(lang):
    found, confidence = detect_language(SAMPLES[lang])
    assert found == lang and confidence > 0.5  # Indonesian/Malay share most words: lower confidence


@pytest.mark.parametrize("lang", sorted(VARIETIES))
def test_close_varieties_are_told_apart_by_their_words(lang):
    found, confidence = detect_language(VARIETIES[lang])
    assert found == lang and confidence > 0.9


def test_a_long_text_is_identified_by_probes_when_they_agree_and_by_its_words_in_a_variety_group():
    assert detect_language(SAMPLES["en"] * 10)[0] == "en"
    assert detect_language(SAMPLES["en"] + " " + SAMPLES["de"] * 10)[0] == "de"  # not the first lines alone
    neutral = "Vlada je u ponedjeljak održala sastanak o planovima za sljedeću godinu. " * 20
    croatian = "Znanstvenici sveučilišta objavili su tijekom tjedna da je tisuću obitelji bez struje."
    bosnian = "Naučnici univerziteta objavili su tokom sedmice da je hiljadu porodica bez struje."
    assert detect_language(neutral + croatian)[0] == "hr"  # markers are counted beyond what py3langid reads
    assert detect_language(neutral + bosnian)[0] == "bs"


def test_variety_markers_outweigh_an_undecided_first_stage():
    malay = MALAY_INDONESIAN.posterior({"ms": 0.5, "id": 0.5}, "kerana bahawa universiti")
    undecided = MALAY_INDONESIAN.posterior({"ms": 0.5, "id": 0.5}, "itu dan yang")
    assert malay["ms"] > 0.99 and undecided == pytest.approx({"ms": 0.5, "id": 0.5})


def _py3langid_rows(texts):
    """py3langid's own probabilities (its automaton walked in Python), in the batched model's label order."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    model = byte_naive_bayes()
    rows = np.zeros((len(texts), len(model.labels)))
    for row, text in zip(rows, texts):
        for lang, prob in identifier.rank(text):
            row[model.column[MACROLANGUAGE.get(lang, lang)]] += prob
    return rows


# Short and long, upper case (py3langid lowers it), decomposed accents (NFC), no letters, empty.
ODD_TEXTS = ["", "!!", "12345 678", "ok", "THE PRESIDENTS SPOKE ON SUNDAY", "Cafe\u0301 au lait, s'il vous plai\u0302t",
             " ".join(SAMPLES.values()) * 4]


@pytest.mark.parametrize("batch_size", [1, 3, 1000])
def test_batched_model_gives_py3langids_answers_in_any_batch(batch_size, monkeypatch):
    texts = [*SAMPLES.values(), *VARIETIES.values(), *ODD_TEXTS]
    texts += [a + " " + b for a in SAMPLES.values() for b in VARIETIES.values()] * 8  # enough for the counting sort
    monkeypatch.setattr(byte_naive_bayes(), "batch", batch_size)
    expected = _py3langid_rows(texts)
    found = byte_naive_bayes().probabilities(texts)
    assert found.shape == expected.shape
    assert np.abs(found - expected).max() < 1e-4
    assert (found.argmax(axis=1) == expected.argmax(axis=1)).all()


def test_one_text_alone_gets_the_same_answer_as_in_a_batch():
    texts = [*SAMPLES.values(), *VARIETIES.values(), *ODD_TEXTS]
    assert detect_languages(texts) == [detect_language(text) for text in texts]
    assert detect_languages([]) == []


def test_first_stage_alone_knows_no_varieties_but_the_same_languages():
    assert Py3LangId().detect(SAMPLES["en"])[0] == VarietyAwareLangId().detect(SAMPLES["en"])[0] == "en"


def test_chinese_in_either_script_is_zh_not_cantonese_or_wu():
    probs = Py3LangId().probabilities("我們今天在學校裡學習了很多關於歷史和文化的知識，老師說明天還要繼續。")
    assert "yue" not in probs and "wuu" not in probs
    assert detect_language("我们今天在学校里学习了很多关于历史和文化的知识，老师说明天还要继续。")[0] == "zh"


def test_a_text_surely_in_a_variety_group_keeps_its_likeliest_variety_with_a_low_confidence():
    neutral = "Vlada je u ponedjeljak održala sastanak o planovima za sljedeću godinu i novim cestama."
    lang, confidence = VarietyAwareLangId(min_confidence=0.6).detect(neutral)
    assert lang in SERBO_CROATIAN.languages and confidence < 0.6  # Bosnian or Croatian, unsure which
    assert Py3LangId(min_confidence=0.6).detect(neutral)[0] == UNDETERMINED  # knows no variety groups


def test_short_or_unsure_text_is_undetermined_not_a_confident_guess():
    assert detect_language("ok")[0] == UNDETERMINED
    assert detect_language("12345 678")[0] == UNDETERMINED
    assert Py3LangId(min_confidence=1.01).detect(SAMPLES["en"])[0] == UNDETERMINED


def test_language_codes_are_normalised():
    assert [normalise_language(c) for c in ("EN-us", "nl_BE", "deu", "xx-9", "", "english", "und")] == [
        "en", "nl", "de", None, None, None, None]


def test_a_mixed_language_page_is_split_into_spans_per_language():
    text = SAMPLES["en"] + " " + SAMPLES["de"] + "\n" + SAMPLES["nl"]
    spans = detect_segments(text)
    assert [s.lang for s in spans] == ["en", "de", "nl"]
    assert text[spans[1].start:spans[1].end] == SAMPLES["de"]
    assert all(s.confidence > 0.5 for s in spans)


def test_a_quote_in_another_language_is_its_own_span():
    quote = "Nous ne céderons jamais devant les menaces de ceux qui veulent diviser notre pays"
    text = f"The minister told the crowd in Paris on Sunday evening: “{quote},” and then left the stage quickly."
    spans = detect_segments(text)
    assert [s.lang for s in spans] == ["en", "fr", "en"]
    assert text[spans[1].start:spans[1].end] == quote + ","


def test_a_short_piece_opening_a_paragraph_joins_the_paragraph():
    text = SAMPLES["en"] + "\nJa. " + SAMPLES["de"]
    spans = detect_segments(text)
    assert [(s.lang, s.start) for s in spans] == [("en", 0), ("de", text.index("Ja."))]


def test_neighbouring_varieties_of_one_language_are_one_span_decided_as_a_whole():
    bosnian_alone = "Naučnici su o tome dugo govorili na sastanku u gradu."
    assert detect_language(bosnian_alone)[0] == "bs"
    spans = detect_segments(VARIETIES["hr"] + " " + bosnian_alone)
    assert [s.lang for s in spans] == ["hr"]


def test_text_too_short_for_any_language_is_one_undetermined_span():
    assert [(s.lang, s.confidence) for s in detect_segments("Ok. Yes.")] == [(UNDETERMINED, 0.0)]
    assert detect_segments("  ") == []


# --- storyweave bench langid ---------------------------------------------------------------------


@pytest.fixture
def langid_data(tmp_path):
    rows = [{"id": f"{lang}-1", "lang": lang, "text": text} for lang, text in {**SAMPLES, **VARIETIES}.items()]
    rows += [{"id": "nb-1", "lang": "nb", "text": "Regjeringen sier at skolene skal holde åpent hele sommeren i år."},
             {"id": "zh-1", "lang": "zh-Hant", "text": "我們今天在學校裡學習了很多關於歷史和文化的知識，老師說明天還要繼續。"}]
    path = tmp_path / "langid.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    return path


def test_benchmark_codes_are_compared_as_iso_639_1_with_bokmal_as_no_and_every_chinese_as_zh():
    assert [comparable(code) for code in ("nb", "no", "zh-Hant", "yue", "eng", "und")] == [
        "no", "no", "zh", "zh", "en", "und"]


def test_benchmark_scores_count_und_as_wrong_and_confident_only_above_the_threshold():
    samples = [Sample("a", "en", ""), Sample("b", "de", ""), Sample("c", "fr", "")]
    s = score(samples, [("en", 0.99), ("nl", 0.6), (UNDETERMINED, 0.1)])
    assert (s.accuracy, s.confident_accuracy, s.confident_share, s.undetermined_share) == (1 / 3, 1.0, 1 / 3, 1 / 3)


def test_bench_articles_join_texts_of_one_language_in_order_and_drop_short_remainders():
    samples = [Sample("1", "en", "a" * 6), Sample("2", "fr", "b" * 9), Sample("3", "en", "c" * 3),
               Sample("4", "fr", "d"), Sample("5", "en", "e" * 12)]
    assert as_articles(samples, 10) == [Sample("1+3", "en", "aaaaaa ccc"), Sample("2+4", "fr", "bbbbbbbbb d"),
                                        Sample("5", "en", "e" * 12)]


def test_bench_data_must_be_id_lang_text_lines(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "no language"}\n', encoding="utf-8")
    with pytest.raises(BenchDataError):
        load_samples(bad)


def test_bench_langid_prints_a_table_then_storyweave_figures(langid_data, monkeypatch):
    def missing():
        raise ImportError("not here")

    monkeypatch.setattr(bench_langid, "METHODS", {"py3langid": bench_langid.METHODS["py3langid"],
                                                  "absent": missing,
                                                  "storyweave": bench_langid.METHODS["storyweave"]})
    result = CliRunner().invoke(main, ["bench", "langid", "--data", str(langid_data)])
    assert result.exit_code == 0, result.output
    assert re.search(r"absent\s+not installed", result.output)
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["accuracy"] == 1.0 and figures["texts_per_s"] > 0


@pytest.mark.parametrize("text", ["Plain ASCII text.", "ÉTÉ À PARIS", "e\u0301te\u0301 décomposé", "ΑΘΗΝΑ", "東京", "\ud800 lone"])
def test_the_model_reads_the_bytes_py3langid_reads(text):
    from py3langid.langid import LanguageIdentifier

    assert _model_bytes(text) == LanguageIdentifier._encode(text)
