"""Language identification of articles and of segments (mixed-language pages, quotes).

The first stage is py3langid's model (naive Bayes over byte n-grams, some 140 languages), run
by :class:`ByteNaiveBayes` for many texts at once with py3langid's answers, about ten times
faster than py3langid itself (:func:`detect_languages` for a batch). Its errors
are nearly all between close standard varieties (Bosnian/Croatian/Serbian,
Malay/Indonesian), so texts whose best language falls in such a group are decided again
by a second stage: py3langid's scores for the group's members plus counts of words that
the standard varieties spell or choose differently (documented textbook differences, such
as Croatian *tijekom*/*tisuća* against Bosnian *tokom*/*hiljada*, Malay *kerana*/*bahawa*
against Indonesian *karena*/*bahwa*). The group's two weights are a small logistic model,
fitted on the even article ids of the FLORES-200 dev set and checked on the odd ones.

Codes are ISO 639-1 where one exists; Cantonese and Wu, which py3langid proposes for some
standard Chinese, are reported as ``zh``. Short text, and text the identifier is unsure
about, gets ``und``.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from typing import Protocol

import numpy as np

from .compiled import compiled
from .text import split_sentences

UNDETERMINED = "und"
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_FLOOR = 1e-9  # probability floor before taking logarithms

# ISO 639 codes that name no language (CLDR would read 'und' as English).
_SPECIAL_CODES = frozenset({UNDETERMINED, "mul", "mis", "zxx"})

# py3langid labels reported under their macrolanguage (ISO 639-3 yue and wuu belong to zho).
MACROLANGUAGE = {"yue": "zh", "wuu": "zh"}


class LanguageIdentifier(Protocol):
    """Anything that maps texts to (ISO 639 code, confidence in [0, 1])."""

    def detect_many(self, texts: Sequence[str]) -> list[tuple[str, float]]: ...


@dataclass(frozen=True, slots=True)
class VariantGroup:
    """Close standard varieties told apart by word choice: a logistic model over
    ``prob_weight * log p(lang)`` (py3langid) and ``marker_weight * log1p(markers of lang)``,
    where markers are the variety's marker words and matches of its pattern (if any)."""

    markers: dict[str, frozenset[str]]
    prob_weight: float
    marker_weight: float
    patterns: dict[str, tuple[re.Pattern, ...]] = field(default_factory=dict)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.markers)

    def marker_counts(self, text: str) -> dict[str, int]:
        """How many words of ``text`` are markers of each variety."""
        lowered = text.lower()
        words = Counter(_WORD.findall(lowered))
        return {lang: sum(words[word] for word in markers.intersection(words))
                + sum(len(pattern.findall(lowered)) for pattern in self.patterns.get(lang, ()))
                for lang, markers in self.markers.items()}

    def posterior(self, probs: dict[str, float], text: str) -> dict[str, float]:
        """Probability of each variety given that ``text`` is in the group."""
        counts = self.marker_counts(text)
        scores = {lang: self.prob_weight * math.log(max(probs.get(lang, 0.0), _FLOOR))
                  + self.marker_weight * math.log1p(counts[lang])
                  for lang in self.languages}
        top = max(scores.values())
        exp = {lang: math.exp(score - top) for lang, score in scores.items()}
        total = sum(exp.values())
        return {lang: value / total for lang, value in exp.items()}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Standard Bosnian, Croatian and Serbian (Latin) differ in vocabulary (hiljada/tisuća, budžet/proračun,
# saradnja/suradnja), Croatian purisms (zrakoplov, kisik, putovnica) and agent nouns (gledatelj against
# gledalac), loanword shape (Evropa/Europa, hemija/kemija), month names, function words (Bosnian sa/mada/skoro,
# Croatian s/premda/gotovo and no for 'but'), Bosnian and Serbian "da" + present after modal
# verbs (mora da ide, Croatian mora ići) and "da li" questions, and Serbian's ekavian
# reflex of yat (vreme, mleko, dete) where Bosnian and Croatian write ije/je.
SERBO_CROATIAN = VariantGroup(
    markers={
        "bs": _words(
            "historija historije historiji historiju historijski historijska historijske historijskih "
            "hiljada hiljade hiljadu hiljadama sedmica sedmice sedmicu sedmici sedmično tokom uprkos "
            "hemija hemije hemijski hemijska hemijske hemikalije univerzitet univerziteta univerzitetu "
            "univerziteti naučnik naučnici naučnika naučni naučna naučno nauka nauke nauci porodica "
            "porodice porodici porodicu milion miliona milione procenat procenta procenata evropa evrope "
            "evropi evropu evropski evropska evropske evropskoj evropskih evropske sistem sistema sistemu "
            "sistemi pozorište pozorišta ostrvo ostrva ostrvu ostrvima saobraćaj saobraćaja saobraćaju "
            "takmičenje takmičenja takmičenju takmičar takmičari učesnik učesnici učesnika fudbal fudbala "
            "fudbalski voz voza vozom vozovi avion aviona avionom avioni aerodrom aerodroma aerodromu "
            "kafa kafe kafu hljeb hljeba ljekar ljekari ljekara tačno tačka tačke tačku uslov uslovi "
            "uslova šta ko veoma vazduh vazduha opština opštine zvaničnik zvaničnici zvaničnika "
            "izvještaj izvještaja kancelarija sekretar opozicija januar januara februar februara mart "
            "marta april aprila juni juna juli jula august augusta septembar septembra oktobar oktobra "
            "novembar novembra decembar decembra lahko sahat kahva finansijski finansijska finansijske "
            "finansijskih finansije muzika muzike muziku muzički računar kompjuter fabrika ambasada "
            "portparol dužina dužine direktno sa mada skoro van vjerovatno vjerovatnoća penzija penzije "
            "penziji penziju "
            "povreda povrede povredu povredama povrijeđen povrijeđena povrijeđenog prisustvo prisustva grupa "
            "grupe grupi grupu grupom abortus abortusa univerzum univerzuma posmatrati posmatra posmatraju "
            "posmatrač posmatrači posmatranje posmatranja vanredan vanredno vanredna vanredne štampa štampe "
            "štampi saopćio saopćila saopćenje saopštio saopštenje sprat spratu plata odbrana odbrane odbrani "
            "odbranu komandant komandanta preduzeće preduzeća privreda privrede privredni privredna budžet "
            "budžeta budžetu krivični krivičnog krivična krivično advokat advokata ambasador ambasadora "
            "fudbaler fudbaleri selektor komšija komšije komšiluk bašta bašte utisak utiska penzioner "
            "penzioneri eksperiment eksperimenta eksperimenti komisija komisije kompozitor reditelj "
            "reditelja gledalac gledaoci gledalaca slušalac slušaoci čitalac čitaoci čitalaca ugljenik "
            "ugljenika kiseonik kiseonika vodonik vodonika azot zavisi zavise zavisno zavisnost zavisnosti "
            "proteini proteina ćelija ćelije ćelijama posjetilac posjetioci posjetilaca pasoš pasoša lični "
            "lična lične ličnog lično toku saradnja saradnje saradnji saradnju sarađivati sarađuje saradnik "
            "saradnici učestvovati učestvuje učestvuju učestvovao učestvovala učestvovali učešće učešća usljed "
            "snabdijevanje snabdijevanja "
            "takođe toplota toplote toplotu toplotom tečni tečno tečna tečne tečnost tečnosti inostranstvo "
            "inostranstvu inostranstva obuhvata obuhvataju vijek vijeka vijeku vijekova ivica ivice ivicu "
            "sijalica sijalice sijalicu sudija sudije sudiji poslanik poslanici poslanika glasanje glasanja "
            "glasati glasali glasao biblioteka biblioteke biblioteci upravnik apoteka apoteke vakcina vakcine "
            "vakcinu vakcinacija vakcinacije hirurg hirurzi hirurški hirurgija haos haosa hlor hemičar "
            "manastir manastira manastiru monah monasi muzičar muzičari naročito kasarna kasarne artiljerija "
            "vazduhoplovstvo avijacija frižider tastatura pretraživač supstanca supstance jedinjenje "
            "jedinjenja opšti opšte opšteg opštem uopšte tačan tačna tačni tačnih bezbjednost bezbjednosti "
            "bezbjedan bezbjedno desilo desio desila desili dešava dešavaju dešavanja izvinjenje ubica ubice "
            "ubicu ubistvo ubistva ubistvu sveštenik sveštenika sveštenici tužilac tužioca tužilaštvo "
            "tužilaštva branilac zvanično zvanični zvanična zvaničnog hapšenje hapšenja uhapšen uhapšena "
            "uhapšeni uhapsila uhapsio vazdušni vazdušna vazdušne gasovod gasovoda štaviše shodno "
            "berza berze autoput autoputa raskrsnica raskrsnici oficir oficiri oficira municija municije "
            "paradajz krompir supa kašika viljuška tanjir pantalone italijanski italijanska italijanske "
            "italijanskog švajcarski švajcarska švajcarske španski španska španske španija španije "
            "holandija holandije holandski holandska holandske "
            "obaveza obaveze obavezu obavezama obavezno obavezan obavezna obavezni prvobitno prvobitni "
            "prvobitna prvobitnog historičar historičari uticaj uticaja uticaju utiče utiču avgust avgusta"),
        "hr": _words(
            "povijest povijesti povijesni povijesna povijesno povijesnih tisuća tisuće tisuću tisućama "
            "tjedan tjedna tjednu tjedni tjedno tijekom unatoč kemija kemije kemijski kemijska kemijske "
            "kemikalije sveučilište sveučilišta sveučilištu sveučilišni znanstvenik znanstvenici "
            "znanstvenika znanstveni znanstvena znanstveno znanost znanosti obitelj obitelji milijun "
            "milijuna milijune postotak postotka europa europe europi europu europski europska europske "
            "europskoj europskih sustav sustava sustavu sustavi kazalište kazališta otok otoka otoku "
            "otocima promet prometa prometu natjecanje natjecanja natjecanju natjecatelj natjecatelji "
            "sudionik sudionici sudionika nogomet nogometa nogometni vlak vlaka vlakom vlakovi "
            "zrakoplov zrakoplova zrakoplovom zrakoplovi zračna zračne zračnoj kava kave kavu kruh kruha "
            "liječnik liječnici liječnika točno uvjet uvjeti uvjeta tko općina općine "
            "dužnosnik dužnosnici dužnosnika izvješće izvješća ured ureda uredu tajnik oporba oporbe "
            "siječanj siječnja veljača veljače ožujak ožujka travanj travnja svibanj svibnja lipanj "
            "lipnja srpanj srpnja kolovoz kolovoza rujan rujna listopad listopada studeni studenoga "
            "prosinac prosinca financijski financijska financijske financijskih financije glazba glazbe "
            "glazbu glazbeni računalo računala računalu tvornica veleposlanstvo glasnogovornik duljina "
            "duljine izravno omogućuje no premda gotovo primjerice vjerojatno vjerojatnost vjerojatnosti mirovina "
            "mirovine mirovinu ozljeda ozljede ozljedu ozljedama ozlijeđen ozlijeđena ozlijeđenog prisutnost "
            "prisutnosti skupina skupine skupini skupinu skupinom pobačaj pobačaja promatrati promatra promatraju "
            "promatrač promatrači promatranje promatranja izvanredan izvanredno izvanredna izvanredne tisak "
            "tiska tisku priopćio priopćila priopćenje priopćenju obrana obrane obrani obranu zapovjednik "
            "zapovjednika tvrtka tvrtke tvrtki tvrtku gospodarstvo gospodarstva gospodarski gospodarska "
            "gospodarske gospodarskog proračun proračuna proračunu kazneni kaznenog kaznena kazneno "
            "odvjetnik odvjetnika veleposlanik veleposlanika nogometaš nogometaši izbornik momčad momčadi "
            "prosvjed prosvjeda prosvjedi prosvjednici prosvjednika dojam dojma umirovljenik umirovljenici "
            "pokus pokusa pokusi povjerenstvo povjerenstva skladatelj redatelj redatelja gledatelj gledatelji "
            "gledatelja slušatelj slušatelji čitatelj čitatelji čitatelja ugljik ugljika kisik kisika vodik "
            "vodika dušik bjelančevine bjelančevina posjetitelj posjetitelji posjetitelja putovnica "
            "putovnice putovnicu osobni osobna osobne osobnog uporaba uporabe uporabi uporabu tijeku "
            "nazočan nazočni nazočnost kolodvor kolodvora postrojba postrojbe suradnja suradnje suradnji suradnju "
            "surađivati surađuje suradnik suradnici sudjelovati sudjeluje sudjeluju sudjelovao sudjelovala "
            "sudjelovali sudjelovanje sudjelovanja uslijed glede iznimno iznimka iznimke iznimna tvar tvari "
            "opskrba opskrbe "
            "osobito posebice doista zasigurno trenutačno dapače štoviše nadalje sukladno spram "
            "ljekarna ljekarne cjepivo cjepiva cijepljenje cijepljenja tlak tlaka časnik časnici časnika "
            "topništvo vojarna vojarne zrakoplovstvo streljivo streljiva ravnatelj ravnatelja ravnateljica "
            "zastupnik zastupnici zastupnika glasovanje glasovanja glasovati glasovali glasovao sudac suca "
            "suci sucu tužitelj tužitelja tužiteljstvo tužiteljstva branitelj branitelji uhićen uhićena "
            "uhićeni uhićenje uhićenja uhitila uhitio ubojstvo ubojstva ubojstvu ubojica ubojice ubojicu "
            "svećenik svećenika svećenici poduzeće poduzeća burza burze autocesta autoceste autocesti "
            "raskrižje raskrižju tipkovnica tražilica tražilice plinovod plinovoda rajčica rajčice krumpir "
            "juha žlica vilica hlače talijanski talijanska talijanske talijanskog švicarski švicarska "
            "švicarske španjolski španjolska španjolske španjolskoj nizozemska nizozemske nizozemskoj "
            "nizozemski "
            "obveza obveze obvezu obvezama obvezno obvezan obvezna obvezni prvotno prvotni prvotna "
            "prvotnog povjesničar povjesničari"),
        "sr": _words(
            "vreme mleko reka reke reku dete deca dece devojka devojke pesma pesme lepo lep lepa uvek "
            "gde ovde posle pre hteo htela video videla belo beli bela mesto mesta svet sveta svetu cena "
            "cene cenu nedelja nedelje vek veka veku primer primera verovatno smer reč reči telo tela "
            "ceo cela celog deo leto zvezda hleb avgust jun jul uticaj uticaja uticaju utiče utiču"),
    },
    prob_weight=1.20, marker_weight=4.02,
    patterns={"bs": (re.compile(r"\b(?:da li|(?:treba\w*|mora\w*|može|mogu|mogao|mogla|mogli|možete|možemo|"
                                r"želi\w*|htio|htjel\w*|poče\w*|pokuša\w*|nastavi\w*|odluči\w*|uspio|"
                                r"uspjel\w*|namjerava\w*) da)\b"),
                     # loan verbs in -ovati/-isati (Croatian -irati), Greek -tija (Croatian -cija),
                     # chemical elements in -ijum (Croatian -ij); the lookbehind asks for a longer word
                     re.compile(r"(?:i(?:zova|fikova|jum)|olisa|ormisa|kratij)(?<=\w{7})")),
              "hr": (re.compile(r"kracij(?<=\w{7})"),)},
)

# Standard Malay and Indonesian differ in spelling (kerana/karena, bahawa/bahwa, -iti/-itas),
# in month names and in everyday words (boleh/bisa, syarikat/perusahaan, bandar/kota).
MALAY_INDONESIAN = VariantGroup(
    markers={
        "ms": _words(
            "kerana bahawa boleh selepas semasa syarikat bandar berbeza bahagian sebahagian perkhidmatan "
            "tentera iaitu sahaja wang kerajaan peratus bilion polis hospital filem muzik ogos mac julai "
            "jun disember jabatan cukai kenderaan pelbagai inggeris kanak apabila mempunyai "
            "ialah berkenaan perkara kes laluan mesti semula sebarang sebilangan "
            "manakala baharu antarabangsa persekutuan maklumat dikenali kilang hadapan kumpulan sukan "
            "pasukan kebanyakan kedua-dua percuma pelajar dipercayai wujud berhampiran saintifik penyelidikan "
            "penyelidik kelajuan kemboja eropah sebenar sesetengah peribadi bilik tetamu rasmi sokongan etnik "
            "tempoh tingkap dimulakan bagaimanapun pengangkutan perniagaan jenayah mahkamah peguam akhbar isteri "
            "lelaki mahu jangkitan ubat doktor cuba mencuba faham fikir berfikir kempen projek teksi beza "
            "perbezaan jumaat khamis isnin "
            "bermaksud dipanggil memanggil teruk perkataan kenyataan juruterbang jurucakap pegawai "
            "basikal sekiranya memberitahu tercedera mangsa parlimen bapa emak tandas kedai perlawanan jurulatih "
            "menjaringkan kejohanan saintis telefon televisyen bekalan elektrik eksport import "
            "kewangan askar pengganas keganasan pelancong pelancongan percutian cuti negeri perancis sepanyol "
            "jepun itali norway sweden kakitangan"),
        "id": _words(
            "karena bahwa bisa setelah perusahaan kota berbeda bagian sebagian layanan tentara yaitu "
            "saja uang pemerintah persen miliar polisi film musik agustus maret juli juni desember "
            "kantor departemen pajak kendaraan mobil berbagai inggris meskipun memiliki lainnya "
            "menemukan kasus biaya tanggal sulit internasional informasi kelompok olahraga tim pabrik "
            "depan dikenal mengatakan resmi dukungan etnis periode jendela dimulai kecepatan ilmiah penelitian "
            "peneliti eropa kamboja pribadi kamar transportasi bisnis pengadilan pengacara koran istri pria mau "
            "infeksi obat dokter coba mencoba paham pikir berpikir kampanye proyek taksi beda perbedaan jumat "
            "kamis senin "
            "bandara pesawat sepeda toko karyawan pemilu parlemen teroris terorisme turis wisatawan pariwisata "
            "liburan libur ilmuwan telepon televisi listrik ekspor impor produksi keuangan pasokan korban "
            "terluka pertandingan pelatih kejuaraan mencetak situs berarti disebut pernyataan prancis spanyol "
            "jepang italia norwegia swedia"),
    },
    prob_weight=1.67, marker_weight=3.44,
    # Malay borrows Latin -ity as -iti (universiti, aktiviti), Indonesian as -itas.
    patterns={"ms": (re.compile(r"iti\b(?<=\w{7})"),), "id": (re.compile(r"itas\b(?<=\w{8})"),)},
)

# Norwegian Bokmål (``no``) and Nynorsk differ in function words and common verbs
# (ikke/ikkje, jeg/eg, hva/kva, hvordan/korleis, bare/berre, fra/frå, noe/noko, være/vere).
NORWEGIAN = VariantGroup(
    markers={
        "no": _words(
            "ikke jeg hva hvordan hvorfor hvem hvilke hvilken bare fra mye noe noen hele være vært mens selv "
            "hun flere hver disse også hjemme mer uke skole gjøre gjør sier fikk gikk ble blitt hvor hvis "
            "hvorav uten"),
        "nn": _words(
            "ikkje eg kva korleis kvifor kven berre frå mykje noko nokon heile vere vore medan sjølv "
            "ho fleire kvar desse òg heime meir veke skule gjere fekk gjekk vart vorte kor "
            "utan dei"),
    },
    prob_weight=1.20, marker_weight=4.02,
)

VARIANT_GROUPS = (SERBO_CROATIAN, MALAY_INDONESIAN, NORWEGIAN)
_GROUP_OF = {lang: group for group in VARIANT_GROUPS for lang in group.languages}


def _has_letters(text: str, count: int) -> bool:
    """Whether ``text`` has at least ``count`` letters (stops counting there)."""
    return _letters_at_least(count).match(text) is not None


@lru_cache(maxsize=8)
def _letters_at_least(count: int) -> re.Pattern:
    return re.compile(r"(?:[\W\d_]*[^\W\d_]){%d}" % count)


def _window(text: str, start: int, chars: int) -> str:
    """About ``chars`` characters of ``text`` from ``start``, trimmed to whole words where there are spaces."""
    if start:
        space = text.find(" ", start, start + chars // 2)
        start = space + 1 if space >= 0 else start
    window = text[start:start + chars]
    cut = window.rfind(" ")
    return window[:cut] if cut > chars // 2 and start + chars < len(text) else window


_PADDED_CLASSES = 144  # py3langid's 142 languages, padded to a multiple of 16 (vector width)


def _padded(columns: np.ndarray) -> np.ndarray:
    """``columns`` with zero columns added up to :data:`_PADDED_CLASSES`."""
    return np.pad(columns, ((0, 0), (0, _PADDED_CLASSES - columns.shape[1])))


def _walk(text_bytes, starts, next_state, row_start, feature, depth, lanes):  # pragma: no cover (numba)
    """The feature counted after each byte (-1 for none), the automaton going back to the root where
    ``starts`` is 1. The bytes are cut into ``lanes`` runs walked in turn, a step of each per round,
    so that their table lookups overlap; each run starts from the root ``depth`` bytes early (those
    steps write to a spare slot)."""
    n = len(text_bytes)
    features = np.empty(n + 1, dtype=np.int32)
    run = (n + lanes - 1) // lanes
    state = np.zeros(lanes, dtype=np.int64)
    for step in range(-depth, run):
        for lane in range(lanes):
            at = lane * run + step
            if 0 <= at < n:
                state[lane] = next_state[row_start[state[lane] * (1 - starts[at])] + text_bytes[at]]
                features[at if step >= 0 else n] = feature[state[lane]]
    return features[:n]


def _feature_scores(features, ends, weights, priors, count):  # pragma: no cover (compiled by numba)
    """Sum over each text's distinct features (``features`` per byte, -1 for none; texts end at
    ``ends``) of log1p(count) * the feature's weights, plus the priors; 0 for a text without any.
    Each feature's weights are added to all its texts at once, features in order. ``count``: one
    zero per feature, left as it was found."""
    n_features = len(weights)
    distinct = np.empty(len(features), dtype=np.int32)
    entry_text = np.empty(len(features), dtype=np.int32)
    entry_feature = np.empty(len(features), dtype=np.int32)
    entry_weight = np.empty(len(features), dtype=np.float32)
    scores = np.zeros((len(ends), _PADDED_CLASSES), dtype=np.float32)
    entries = start = 0
    for text in range(len(ends)):
        found = 0
        for at in range(start, ends[text]):
            feature = features[at]
            if feature >= 0:
                if count[feature] == 0:
                    distinct[found] = feature
                    found += 1
                count[feature] += 1
        for index in range(found):
            feature = distinct[index]
            entry_text[entries], entry_feature[entries] = text, feature
            entry_weight[entries] = np.log1p(np.float32(count[feature]))
            count[feature] = 0
            entries += 1
        if found:
            scores[text] = priors
        start = ends[text]
    # The entries by feature, each text's in the order found (so each text's sum is in the same
    # order whatever the batch), as runs of one feature: run_feature[r] ends at run_end[r].
    if entries <= n_features // 8:
        order = np.argsort(entry_feature[:entries], kind="mergesort")
        by_text, by_weight, by_feature = entry_text[order], entry_weight[order], entry_feature[order]
        run_end = np.append(np.flatnonzero(by_feature[1:] != by_feature[:-1]) + 1, entries)
        run_feature = by_feature[run_end - 1].astype(np.int64)
    else:  # a counting sort, linear
        by_text = np.empty(entries, dtype=np.int32)
        by_weight = np.empty(entries, dtype=np.float32)
        slot = np.zeros(n_features + 1, dtype=np.int64)
        for entry in range(entries):
            slot[entry_feature[entry] + 1] += 1
        run_feature = np.flatnonzero(slot[1:])
        slot = np.cumsum(slot)
        run_end = slot[run_feature + 1]
        for entry in range(entries):
            at = slot[entry_feature[entry]]
            by_text[at], by_weight[at] = entry_text[entry], entry_weight[entry]
            slot[entry_feature[entry]] = at + 1
    begin = 0
    for run in range(len(run_end)):
        weight = weights[run_feature[run]]
        for at in range(begin, run_end[run]):
            row, scale = scores[by_text[at]], by_weight[at]
            for label in range(_PADDED_CLASSES):  # a constant: the loop compiles to a few vector operations
                row[label] += scale * weight[label]
        begin = run_end[run]
    return scores


class ByteNaiveBayes:
    """py3langid's model, with py3langid's answers, computed for many texts at once.

    py3langid counts byte n-gram features (1 to :attr:`depth` bytes) with an Aho-Corasick
    automaton and scores ``log1p(counts) @ weights + priors``, scaled by 1/sqrt(bytes) before a
    softmax. Here the automaton walks the joined texts in interleaved runs (compiled with numba),
    features are counted per text, and each feature's weights are added to the scores of all the
    texts that have it (weights read once per batch, in order). Walking is exact from the root
    ``depth`` bytes before any position, since an Aho-Corasick state is the longest suffix of the
    input that is a prefix of a feature.
    """

    batch = 2048  # texts scored together (their scores stay in cache)

    def __init__(self) -> None:
        from py3langid.langid import MODEL_DIR, MODEL_FILE
        from py3langid.modelio import load_model

        weights, priors, classes, nextmove, state_row, outputs = load_model(MODEL_DIR / MODEL_FILE)
        self._next_state = np.frombuffer(nextmove, dtype=f"u{nextmove.itemsize}").astype(np.int32)
        self._row_start = np.frombuffer(state_row, dtype=f"u{state_row.itemsize}").astype(np.int64) * 256
        self._feature = np.asarray(outputs, dtype=np.int32)  # -1 where a state counts no feature
        if len(classes) > _PADDED_CLASSES:
            raise ValueError(f"py3langid's model has {len(classes)} languages, more than {_PADDED_CLASSES}")
        self._weights = _padded(np.asarray(weights, dtype=np.float32))
        self._priors = _padded(np.asarray(priors, dtype=np.float32)[None, :])[0]
        self.depth = _automaton_depth(self._next_state, self._row_start)
        self.labels, self._label_of_column = _folded_labels(classes)
        self._first_columns = np.unique(self._label_of_column, return_index=True)[1]  # each label's first column
        self._other_columns = [(column, int(self._label_of_column[column])) for column in
                               sorted(set(range(len(classes))) - set(self._first_columns.tolist()))]
        self.column = {label: index for index, label in enumerate(self.labels)}
        self._scratch = threading.local()

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised probabilities, one row per text, one column per label of :attr:`labels`."""
        encoded = [_model_bytes(text) for text in texts]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        scores = np.concatenate([self._scores(encoded[start:start + self.batch])
                                 for start in range(0, len(encoded), self.batch)] or [self._scores([])])
        scores = scores[:, :len(self._label_of_column)]  # without the padding
        scores *= (1.0 / np.sqrt(np.maximum(lengths, 1))).astype(np.float32)[:, None]
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        scores /= scores.sum(axis=1, keepdims=True)
        return self._folded(scores)

    def _folded(self, probs: np.ndarray) -> np.ndarray:
        """Probabilities per label: the columns of one label added, row by row (the same sums
        whatever the number of rows)."""
        folded = probs[:, self._first_columns]
        for column, label in self._other_columns:
            folded[:, label] += probs[:, column]
        return folded

    def _scores(self, encoded: list[bytes]) -> np.ndarray:
        """py3langid's unnormalised scores (all 0 for a text without features, as py3langid)."""
        walk, feature_scores = compiled(_walk), compiled(_feature_scores)
        text_bytes = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        ends = np.cumsum(lengths)
        starts = np.zeros(len(text_bytes), dtype=np.uint8)
        starts[(ends - lengths)[lengths > 0]] = 1
        lanes = int(np.clip(len(text_bytes) // 64, 1, 16))
        features = walk(text_bytes, starts, self._next_state, self._row_start, self._feature, self.depth, lanes)
        return feature_scores(features, ends, self._weights, self._priors, self._zero_counts())

    def _zero_counts(self) -> np.ndarray:
        """This thread's counter per feature (all zero between uses; allocated once)."""
        if not hasattr(self._scratch, "counts"):
            self._scratch.counts = np.zeros(len(self._weights), dtype=np.int32)
        return self._scratch.counts


def _model_bytes(text: str) -> bytes:
    """The bytes py3langid reads for ``text`` (as its ``_encode``): all-capital text lower-cased,
    NFC (nothing to do for ASCII), UTF-8."""
    if text.isupper():
        text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text.encode("utf8", errors="surrogatepass")


def _automaton_depth(table: np.ndarray, row_start: np.ndarray) -> int:
    """The depth of the deepest state (breadth-first from the root)."""
    seen = np.zeros(len(row_start), dtype=bool)
    reached = np.zeros(len(row_start), dtype=bool)
    frontier, depth = np.array([0]), 0
    seen[0] = True
    while True:
        reached[:] = False
        reached[table[(row_start[frontier][:, None] + np.arange(256)).ravel()]] = True
        frontier = np.flatnonzero(reached & ~seen)
        if not len(frontier):
            return depth
        seen[frontier] = True
        depth += 1


def _folded_labels(classes: list[str]) -> tuple[list[str], np.ndarray]:
    """Distinct labels (script aliases such as srl->sr merged, macrolanguages folded) and each
    model column's label."""
    labels = list(dict.fromkeys(MACROLANGUAGE.get(c, c) for c in classes))
    return labels, np.array([labels.index(MACROLANGUAGE.get(c, c)) for c in classes])


@lru_cache(maxsize=1)
def byte_naive_bayes() -> ByteNaiveBayes:
    """The shared model (loaded once)."""
    return ByteNaiveBayes()


def _probability_rows(texts: Sequence[str]) -> np.ndarray:
    """The shared model's probabilities for ``texts`` (no rows for no texts)."""
    model = byte_naive_bayes()
    return model.probabilities(texts) if texts else np.zeros((0, len(model.labels)), dtype=np.float32)


def _most_probable(rows: np.ndarray) -> list[tuple[str, float]]:
    """The most probable language of each row of probabilities, and its probability."""
    labels = byte_naive_bayes().labels
    best = rows.argmax(axis=1)
    return list(zip([labels[i] for i in best.tolist()], rows[np.arange(len(rows)), best].tolist()))


class Py3LangId:
    """py3langid's model alone, with normalised probabilities; short or unsure text gets ``und``."""

    name = "py3langid"

    def __init__(self, min_letters: int = 20, min_confidence: float = 0.5):
        self.min_letters = min_letters
        self.min_confidence = min_confidence

    def probabilities(self, text: str) -> dict[str, float]:
        """Probability of every language py3langid knows, macrolanguages folded."""
        model = byte_naive_bayes()
        return dict(zip(model.labels, model.probabilities([text])[0].tolist()))

    def detect(self, text: str) -> tuple[str, float]:
        return self.detect_many([text])[0]

    def detect_many(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(language, confidence) of each text, computed together."""
        results: list[tuple[str, float]] = [(UNDETERMINED, 0.0)] * len(texts)
        telling = [i for i, text in enumerate(texts) if _has_letters(text, self.min_letters)]
        for i, (lang, confidence, named) in zip(telling, self.decide_many([texts[i] for i in telling])):
            results[i] = (lang, confidence) if named >= self.min_confidence else (UNDETERMINED, confidence)
        return results

    def decide_many(self, texts: Sequence[str]) -> list[tuple[str, float, float]]:
        """The most probable language of each text, its probability, and the probability that
        the text is in that language or a close variety of it."""
        return [(lang, prob, prob) for lang, prob in _most_probable(_probability_rows(texts))]


class VarietyAwareLangId(Py3LangId):
    """py3langid, with close standard varieties decided again by their word choice. A long text is
    first read at two short probes, at its beginning and in its middle, whose probabilities are
    multiplied (two pieces of evidence); they settle it when both probes name the same language and
    the product is ``sure`` of it, or when both name varieties of one group. Otherwise py3langid reads
    up to ``sample_chars``. A text in a group of close varieties (Bosnian/Croatian/Serbian,
    Malay/Indonesian, Bokmål/Nynorsk) gets the variety its marker words favour, counted in up to
    ``marker_chars`` (the whole of an article), with its low confidence, rather than ``und``. The
    cost is so bounded whatever the text's length."""

    name = "storyweave"
    probe_chars = 160
    long_chars = 800  # texts longer than this are probed first
    sure = 0.99
    sample_chars = 1500
    marker_chars = 20_000

    def decide_many(self, texts: Sequence[str]) -> list[tuple[str, float, float]]:
        labels = byte_naive_bayes().labels
        long = [i for i, text in enumerate(texts) if len(text) > self.long_chars]
        rows = _probability_rows([_window(texts[i], start, self.probe_chars)
                                  for i in long for start in (0, len(texts[i]) // 2)])
        first, middle = rows[0::2], rows[1::2]
        joint = first * middle
        joint /= np.maximum(joint.sum(axis=1, keepdims=True), _FLOOR)
        best, first_best, middle_best = joint.argmax(axis=1), first.argmax(axis=1), middle.argmax(axis=1)
        codes = _group_codes()
        group = codes[best]
        plain = (group < 0) & (first_best == best) & (middle_best == best) & (
            joint[np.arange(len(joint)), best] >= self.sure)
        varieties = (group >= 0) & (codes[first_best] == group) & (codes[middle_best] == group)
        decided: dict[int, tuple[str, float, float]] = {}
        for at in np.flatnonzero(plain).tolist():
            prob = float(joint[at, best[at]])
            decided[long[at]] = (labels[best[at]], prob, prob)
        for at in np.flatnonzero(varieties).tolist():
            decided[long[at]] = _variety(_GROUP_OF[labels[best[at]]], joint[at], texts[long[at]][:self.marker_chars])
        rest = [i for i in range(len(texts)) if i not in decided]
        rows = _probability_rows([_window(texts[i], 0, self.sample_chars) for i in rest])
        for i, row, (lang, prob) in zip(rest, rows, _most_probable(rows)):
            decided[i] = (_variety(_GROUP_OF[lang], row, texts[i][:self.marker_chars]) if lang in _GROUP_OF
                          else (lang, prob, prob))
        return [decided[i] for i in range(len(texts))]


@lru_cache(maxsize=1)
def _group_codes() -> np.ndarray:
    """For each label of the shared model, the index of its group in :data:`VARIANT_GROUPS`, or -1."""
    return np.array([VARIANT_GROUPS.index(_GROUP_OF[label]) if label in _GROUP_OF else -1
                     for label in byte_naive_bayes().labels])


def _variety(group: VariantGroup, probs: np.ndarray, text: str) -> tuple[str, float, float]:
    """The variety of ``text`` within ``group``, its probability (the group's probability from the
    model's ``probs`` times the variety's within the group) and the group's probability."""
    column = byte_naive_bayes().column
    members = {member: float(probs[column[member]]) for member in group.languages}
    posterior = group.posterior(members, text)
    lang = max(posterior, key=posterior.__getitem__)
    in_group = sum(members.values())
    return lang, in_group * posterior[lang], in_group


_DEFAULT = VarietyAwareLangId()


def detect_language(text: str) -> tuple[str, float]:
    """Detect the language of ``text`` with the default identifier."""
    return _DEFAULT.detect(text)


def detect_languages(texts: Sequence[str]) -> list[tuple[str, float]]:
    """Detect the language of each of ``texts`` with the default identifier (faster than one by one)."""
    return _DEFAULT.detect_many(texts)


@dataclass(frozen=True, slots=True)
class LanguageSpan:
    """``text[start:end]`` is in ``lang`` (``und`` when too short or unsure)."""

    start: int
    end: int
    lang: str
    confidence: float


# A passage between quotation marks, identified on its own (a quote in another language).
_QUOTE = re.compile(r'[“«„"]([^“”«»„"]+)[”»“"]')


def detect_segments(text: str, identifier: LanguageIdentifier = _DEFAULT) -> list[LanguageSpan]:
    """Spans of ``text`` by language. Sentences and quoted passages are identified one by one; a
    piece too short to tell joins the piece before it (the one after it when it opens a paragraph);
    neighbours in one language, or in varieties of one group (Bosnian next to Croatian), are merged,
    and a span merged from several varieties is identified again as a whole. Confidence: the mean
    of the pieces' confidences weighted by their letters (0 for a piece too short to tell)."""
    bounds = _pieces(text)
    found = identifier.detect_many([text[start:end] for start, end in bounds])
    pieces = [(start, end, lang, confidence) for (start, end), (lang, confidence) in zip(bounds, found)]
    if all(lang == UNDETERMINED for _, _, lang, _ in pieces):
        return [LanguageSpan(0, len(text), UNDETERMINED, 0.0)] if text.strip() else []
    labelled = list(zip(pieces, _filled_languages(text, pieces), strict=True))
    spans = []
    for _, run in groupby(labelled, key=lambda item: _merge_key(item[1])):
        run = list(run)
        start, end = run[0][0][0], run[-1][0][1]
        languages = {lang for _, lang in run}
        if len(languages) > 1:
            spans.append(LanguageSpan(start, end, *identifier.detect_many([text[start:end]])[0]))
            continue
        letters = [len(_LETTERS.findall(text[piece[0]:piece[1]])) for piece, _ in run]
        weighted = sum(n * piece[3] for n, (piece, _) in zip(letters, run) if piece[2] != UNDETERMINED)
        spans.append(LanguageSpan(start, end, languages.pop(), weighted / max(sum(letters), 1)))
    return spans


def _filled_languages(text: str, pieces: list[tuple[int, int, str, float]]) -> list[str]:
    """Each piece's language; an undetermined piece takes that of the piece before it, or of the
    next determined piece when it opens a paragraph (or the text)."""
    filled: list[str] = []
    for index, (start, _, lang, _) in enumerate(pieces):
        if lang != UNDETERMINED:
            filled.append(lang)
        elif filled and not text[:start].rstrip(" \t").endswith("\n"):
            filled.append(filled[-1])
        else:
            later = (p[2] for p in pieces[index + 1:] if p[2] != UNDETERMINED)
            filled.append(next(later, filled[-1] if filled else UNDETERMINED))
    return filled


def _merge_key(lang: str) -> str | tuple[str, ...]:
    """Languages merged into one span: the same language, or varieties of one group."""
    group = _GROUP_OF.get(lang)
    return group.languages if group else lang


def _pieces(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, with quoted passages cut out as pieces of their own."""
    pieces: list[tuple[int, int]] = []
    cursor = 0
    for sentence in split_sentences(text):
        start = text.find(sentence, cursor)
        end = cursor = start + len(sentence)
        for quote in _QUOTE.finditer(text, start, end):
            if quote.start(1) > start:
                pieces.append((start, quote.start(1)))
            pieces.append(quote.span(1))
            start = quote.end(1)
        if end > start:
            pieces.append((start, end))
    return pieces


def normalise_language(code: str) -> str | None:
    """'EN-us', 'en_GB', 'eng' -> 'en'; None for something that is not a known language code."""
    from babel import Locale, UnknownLocaleError

    primary = re.split(r"[-_]", code.strip())[0].lower()
    if not (2 <= len(primary) <= 3 and primary.isalpha()) or primary in _SPECIAL_CODES:
        return None
    try:
        return Locale.parse(primary).language
    except (ValueError, UnknownLocaleError):
        return None
