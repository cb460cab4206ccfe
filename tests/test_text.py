from storyweave.text import content_hash, fold, split_sentences


def test_sentences_respect_abbreviations_and_quotes():
    text = "Mr. Erdogan met the U.S. envoy. “We agree,” he said. Talks resume on Jan. 12 in Geneva."
    assert split_sentences(text) == [
        "Mr. Erdogan met the U.S. envoy.",
        "“We agree,” he said.",
        "Talks resume on Jan. 12 in Geneva.",
    ]


def test_sentences_split_lines_and_keep_unpunctuated_heads():
    assert split_sentences("Multiple tensions\nThe two met. Then left.") == ["Multiple tensions", "The two met.", "Then left."]


def test_fold_and_hash_are_stable_across_spacing():
    assert fold("Oekraïne  Poetin") == "oekraine poetin"
    assert content_hash("a  b\n") == content_hash("a b")
    assert content_hash("a b") != content_hash("a c")


def test_sentence_ends_of_other_scripts():
    assert len(split_sentences("आज बारिश हुई। कल धूप होगी।")) == 2
    assert split_sentences("今天下雨了。明天会晴。") == ["今天下雨了。", "明天会晴。"]
