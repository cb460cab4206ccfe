import pytest

from storyweave.language import UNDETERMINED, Py3LangId, detect_language, normalise_language

SAMPLES = {
    "en": "The two presidents spoke by telephone on Sunday about the security demands presented by Moscow.",
    "nl": "De Russische president heeft zondag met zijn Turkse ambtgenoot gesproken over de eisen van Moskou.",
    "id": "Presiden Rusia dan timpalannya dari Turki berbicara melalui telepon pada hari Minggu tentang tuntutan.",
    "de": "Die beiden Präsidenten haben am Sonntag telefoniert und über die Forderungen aus Moskau gesprochen.",
    "ru": "Президенты России и Турции в воскресенье обсудили по телефону требования Москвы к альянсу.",
}


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_whole_paragraphs_are_identified_with_confidence(lang):
    found, confidence = detect_language(SAMPLES[lang])
    assert found == lang and confidence > 0.5  # Indonesian/Malay share most words: lower confidence


def test_short_or_unsure_text_is_undetermined_not_a_confident_guess():
    assert detect_language("ok")[0] == UNDETERMINED
    assert detect_language("12345 678")[0] == UNDETERMINED
    assert Py3LangId(min_confidence=1.01).detect(SAMPLES["en"])[0] == UNDETERMINED


def test_language_codes_are_normalised():
    assert [normalise_language(c) for c in ("EN-us", "nl_BE", "deu", "xx-9", "", "english")] == [
        "en", "nl", "de", None, None, None]
