"""Multilingual boilerplate phrases of news pages, compiled into line rules.

Languages covered: English, French, German, Spanish, Italian, Portuguese, Dutch,
Indonesian/Malay, Turkish and Russian. A :class:`Rule` matches a whole line (a
segment); named groups of its pattern are metadata facts (``source_url``,
``credit``, ``photo_credit``, ``author``, ``date``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Literal

from storyweave.text import SENTENCE_END

Extent = Literal["line", "list", "tail", "rest"]

# A sentence ends in . ! ? … (or the CJK forms), possibly followed by closing quotes or brackets.
TERMINAL = re.compile(rf"""[{SENTENCE_END}]['"”’»)\]]*$""")
# A teaser cut short: "... Bluetooth...", "[…]", or any line ending in exactly two dots ("... 노르웨..")
# (an ellipsis after a space is a pause, not a cut).
TRUNCATED = re.compile(r"""(?:(?<=\w)(?:\.\.\.|…)|(?<!\.)\.\.|\[(?:…|\.\.\.)\])['"”’»)\]]*$""")
# A line quoted from end to end ("“Their immune system behaves ...”").
QUOTED = re.compile(r"""^["“„«‘‚'].*["”“»’']$""")
_CLOSERS = "'\"”’»)]"  # closing quotes and brackets that may follow a sentence end
TRUNCATION_CHARS = 6  # a truncation mark and the character before it are at most this long ("x[...]")


def terminal(text: str) -> bool:
    """Whether ``text`` ends in sentence punctuation (as :data:`TERMINAL` finds, looking at its end alone)."""
    stripped = text.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END


def truncated(text: str) -> bool:
    """Whether ``text`` ends as a teaser cut short (as :data:`TRUNCATED` finds, looking at its end alone)."""
    end = len(text.rstrip(_CLOSERS))
    return TRUNCATED.search(text, max(0, end - TRUNCATION_CHARS - 1)) is not None


# List bullets as scrapers and text converters write them ("o" only before an uppercase letter).
BULLET = re.compile(r"^(?:[*+•·▪►‣◦–-]|o(?=\s+[A-Z]))(?:\s+|$)")
NUMBERED = re.compile(r"^\d{1,3}[.)]\s+")


@dataclass(frozen=True, slots=True)
class Rule:
    """A kind of boilerplate line.

    ``extent`` says what else goes with a matching line: nothing (``line``), the
    headline list that follows it (``list``), everything after it (``rest``), or
    everything after it when that is less text than the article before it (``tail``).
    """

    reason: str
    pattern: re.Pattern[str]
    extent: Extent = "line"
    max_len: int = 200


def _alternatives(phrases: str) -> str:
    """A regex alternation of ``|``-separated phrases; spaces match any whitespace."""
    items = sorted({p.strip() for p in phrases.split("|") if p.strip()}, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in items)


_FIRST_WORD = re.compile(r"^\W*(\w+)")
# The first words of the phrases a line pattern starts with: a line starting with another word cannot match.
_STARTS: dict[re.Pattern[str], frozenset[str]] = {}


def _first_word(text: str) -> str:
    m = _FIRST_WORD.match(text)
    return m.group(1).lower() if m else ""


def _line(phrases: str, tail: str = r"\W*$") -> re.Pattern[str]:
    """A line that starts with one of ``phrases`` (after punctuation) and goes on as ``tail``."""
    pattern = re.compile(rf"^\W*(?:{_alternatives(phrases)})(?!\w){tail}", re.IGNORECASE)
    _STARTS[pattern] = frozenset(_first_word(p) for p in phrases.split("|") if p.strip())
    return pattern


def _anywhere(phrases: str) -> re.Pattern[str]:
    """A line that contains one of ``phrases`` as whole words."""
    return _containing(re.compile(rf"(?<!\w)(?:{_alternatives(phrases)})(?!\w)", re.IGNORECASE), phrases)


# Quick tests of rules whose patterns are slow to try on every line:
# a line matching the pattern contains (lower-cased) one of its hint words ...
_HINT_WORDS: dict[re.Pattern[str], tuple[str, ...]] = {}
# ... and its first word starts with a digit (patterns "^\W*\d+...").
_DIGIT_START = frozenset({"<digit>"})


def _hint_words(phrases: str) -> tuple[str, ...]:
    """The longest word of each of ``phrases``, lower-cased: one of them is in any line a phrase matches."""
    return tuple(sorted({max(p.split(), key=len).lower() for p in phrases.split("|") if p.strip()}))


def _hint(words: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern finding any of ``words`` in lower-cased text (only those that contain no other of them)."""
    shortest = sorted(w for w in set(words) if not any(other != w and other in w for other in words))
    return re.compile("|".join(map(re.escape, shortest)))


def _starting(pattern: re.Pattern[str], phrases: str | None = None) -> re.Pattern[str]:
    """``pattern`` (which matches a line only when it starts with one of ``phrases`` as a whole word,
    or, with no phrases, with a number), registered with those first words."""
    _STARTS[pattern] = (frozenset(_first_word(p) for p in phrases.split("|") if p.strip()) if phrases
                        else _DIGIT_START)
    return pattern


def _containing(pattern: re.Pattern[str], phrases: str) -> re.Pattern[str]:
    """``pattern`` (which matches only a line containing one of ``phrases``), registered with their hint words."""
    _HINT_WORDS[pattern] = _hint_words(phrases)
    return pattern


REPLY_FORM = (
    "leave a reply|leave a comment|leave your comment|post a comment|add a comment|add comment|cancel reply"
    "|your email address will not be published|your e-mail address will not be published"
    "|required fields are marked|you must be logged in to post a comment|post comment"
    "|laisser un commentaire|laisser une réponse|ajouter un commentaire"
    "|votre adresse e-mail ne sera pas publiée|votre adresse email ne sera pas publiée"
    "|votre adresse de messagerie ne sera pas publiée|les champs obligatoires sont indiqués"
    "|schreibe einen kommentar|hinterlasse einen kommentar|kommentar verfassen|antwort hinterlassen"
    "|deine e-mail-adresse wird nicht veröffentlicht|ihre e-mail-adresse wird nicht veröffentlicht"
    "|erforderliche felder sind mit"
    "|deja una respuesta|deja un comentario|dejar un comentario|deja tu comentario"
    "|tu dirección de correo electrónico no será publicada|tu correo electrónico no será publicado"
    "|los campos obligatorios están marcados"
    "|lascia un commento|lascia una risposta|il tuo indirizzo email non sarà pubblicato"
    "|i campi obbligatori sono contrassegnati"
    "|deixe um comentário|deixe uma resposta|deixe seu comentário|deixe o seu comentário"
    "|o seu endereço de e-mail não será publicado|seu endereço de e-mail não será publicado"
    "|seu endereço de email não será publicado|campos obrigatórios são marcados"
    "|reageer|laat een reactie achter|geef een reactie|plaats een reactie"
    "|je e-mailadres wordt niet gepubliceerd|uw e-mailadres wordt niet gepubliceerd|vereiste velden zijn gemarkeerd"
    "|tinggalkan balasan|tinggalkan komentar|tinggalkan balasan batalkan balasan"
    "|alamat email anda tidak akan dipublikasikan|alamat e-mel anda tidak akan disiarkan|ruas yang wajib ditandai"
    "|bir yanıt yazın|yanıt bırakın|yorum yap|yorum bırakın|e-posta adresiniz yayınlanmayacak"
    "|e-posta hesabınız yayımlanmayacak"
    "|добавить комментарий|оставить комментарий|оставьте комментарий|ваш адрес email не будет опубликован"
    "|ваш e-mail не будет опубликован|обязательные поля помечены"
)
COMMENT_HEADERS = (
    "comment|comments|responses|replies|reactions|join the discussion|show comments|view comments"
    "|commentaire|commentaires|réactions|kommentar|kommentare|leserkommentare|comentario|comentarios"
    "|commento|commenti|comentário|comentários|reacties|reactie|komentar|komentari|yorum|yorumlar"
    "|комментарий|комментарии|комментариев|обсуждение"
)
REPLY_BUTTONS = (
    "reply|report|like|répondre|signaler|antworten|melden|responder|responder a|rispondi|segnala"
    "|beantwoorden|balas|laporkan|yanıtla|cevapla|şikayet et|ответить|пожаловаться"
)
# Verbs that follow a commenter's name on the line opening a comment ("Cap960 says").
COMMENT_VERBS = (
    "says|said|wrote|dit|a dit|a écrit|sagt|schreibt|meint|dice|dijo|escribió|scrive|ha scritto|diz|disse"
    "|escreveu|zegt|schreef|berkata|menulis|mengatakan|diyor|yazdı|dedi|пишет|говорит|написал|написала"
)
SEE_ALSO = (
    "see also|read also|also read|read more|read next|related|lire aussi|à lire aussi|a lire aussi|voir aussi"
    "|lire également|à lire également|à voir aussi|lesen sie auch|lesen sie mehr|auch interessant|siehe auch"
    "|mehr zum thema|lee también|lea también|leer también|ver también|te puede interesar|leggi anche"
    "|vedi anche|leggi di più|leia também|leia mais|veja também|saiba mais|lees ook|lees meer|zie ook"
    "|baca juga|baca selengkapnya|lihat juga|simak juga|ayrıca bakınız|ayrıca okuyun|ilginizi çekebilir"
    "|читайте также|смотрите также|по теме"
)
# Headers of lists of other stories: "Also in <Section>", "More from <Site>".
SECTION_LIST = (
    "also in|more in|more from|more on|more about|latest in|plus dans|aussi dans|également dans|mehr aus"
    "|mehr von|más en|más noticias de|altro in|altri articoli di|mais em|meer in"
    "|lainnya di|berita lainnya dari|ещё в|еще в|больше в|другие новости"
)
LIST_HEADERS = (
    "related articles|related stories|related news|related posts|related content|related coverage"
    "|you may also like|you might also like|you may be interested in|recommended|recommended for you"
    "|most read|most popular|most viewed|most shared|trending|trending now|latest news|latest stories"
    "|top stories|more stories|more news|editor's picks|editors' picks|don't miss|popular|popular posts"
    "|recent posts|up next|more|sur le même sujet|les plus lus|articles similaires|dernières actualités"
    "|à la une|das könnte sie auch interessieren|meistgelesen|weitere artikel|ähnliche artikel|top-themen"
    "|noticias relacionadas|lo más leído|más leídas|artículos relacionados|últimas noticias|articoli correlati"
    "|potrebbe interessarti|i più letti|ultime notizie|notizie correlate|notícias relacionadas|mais lidas"
    "|artigos relacionados|últimas notícias|gerelateerde artikelen|meest gelezen|laatste nieuws|ook interessant"
    "|meer nieuws|berita terkait|artikel terkait|terpopuler|berita lainnya|berita terbaru|ilgili haberler"
    "|benzer haberler|en çok okunanlar|son dakika|diğer haberler|похожие новости|популярное"
    "|последние новости|самое читаемое|новости по теме"
)
SOURCE_LINK = (
    "source link|lien source|lien vers la source|quelllink|link zur quelle|enlace fuente|enlace a la fuente"
    "|link alla fonte|link da fonte|link fonte|bronlink|link naar bron|tautan sumber|link sumber"
    "|kaynak bağlantısı|kaynak linki|ссылка на источник"
)
SOURCE_LABELS = (
    "content retrieved from|retrieved from|source link|source|sources|read more at|read the full article at"
    "|read the original article|originally published at|originally published on|originally published in"
    "|first published at|first published on|via|source de l'article|article original|lire la suite sur"
    "|quelle|originalartikel|fuente|artículo original|fonte|articolo originale|bron|origineel artikel"
    "|sumber|artikel asli|kaynak|orijinal haber|источник|оригинал статьи"
)
CREDIT_LABELS = (
    "source|sources|quelle|quellen|fuente|fuentes|fonte|fontes|bron|bronnen|sumber|kaynak|источник|источники"
    "|credit|credits|crédit|crédits|crédito|créditos|credito|crediti"
)
PHOTO_LABELS = (
    "photo|photos|file photo|archive photo|photo credit|photo credits|picture|image|images|photograph"
    "|crédit photo|crédits photo|photo d'archive|foto|fotos|foto d'archivio|bild|bilder|bildquelle|foto's"
    "|fotoğraf|фото|gambar|ilustrasi|imagen|imagem|immagine"
)
WIRE_AGENCIES = (
    "afp|reuters|ap|associated press|dpa|anp|belga|efe|ansa|lusa|agência brasil|antara|bernama|anadolu"
    "|aa|dha|iha|tass|ria novosti|interfax|xinhua|upi|bloomberg|sapa|apa|sda|pap|ctk|kyodo|yonhap"
)
BYLINE_LABELS = (
    "by|written by|words by|story by|par|texte|von|text|por|escrito por|di|a cura di|door|tekst|oleh|penulis"
    "|reporter|wartawan|yazan|yazar|haber|автор|текст"
)
CREDIT_LINES = "reporting by|additional reporting by|writing by|editing by|compiled by|with reporting by"
FONT_WIDGETS = (
    "font size|text size|print|print this page|print this article|print article|email this article"
    "|listen to this article|listen|reading time|zoom|schriftgröße|drucken|vorlesen|artikel anhören"
    "|taille du texte|taille de police|imprimer|écouter|écouter l'article|tamaño de letra|tamaño del texto"
    "|imprimir|escuchar|dimensione testo|stampa|ascolta|tamanho da fonte|tamanho do texto|ouvir"
    "|lettergrootte|afdrukken|voorlezen|ukuran huruf|ukuran teks|cetak|dengarkan|yazı boyutu|yazdır|dinle"
    "|размер шрифта|печать|распечатать|слушать"
)
SHARE = (
    "share|share this|share this article|share this story|share on|share via|tweet|pin|pin it|email|e-mail"
    "|mail|facebook|twitter|x|linkedin|whatsapp|telegram|reddit|pinterest|messenger|flipboard|tumblr|vk"
    "|copy link|copy url|get short url|partager|partager sur|partager cet article|teilen|artikel teilen"
    "|teilen auf|compartir|compartir en|condividi|condividi su|compartilhar|partilhar|delen|deel dit artikel"
    "|bagikan|bagikan artikel|paylaş|paylaşın|поделиться|google+|print|comments|comment"
)
FOLLOW = (
    "follow us|follow us on|follow on|join us on|like us on facebook|suivez-nous|suivez-nous sur"
    "|folgen sie uns|folge uns|síguenos|siguenos en|seguici|seguici su|siga-nos|volg ons|volg ons op"
    "|ikuti kami|ikuti kami di|bizi takip edin|takip et|подписывайтесь на нас|мы в соцсетях"
)
SUBSCRIBE = (
    "subscribe|subscribe now|subscribe to|sign up|sign in|log in|login|register|newsletter|get the newsletter"
    "|join our newsletter|abonnez-vous|s'abonner|inscrivez-vous|se connecter|abonnieren|jetzt abonnieren"
    "|anmelden|registrieren|suscríbete|suscribirse|regístrate|iniciar sesión|iscriviti|abbonati|accedi"
    "|assine|assine já|inscreva-se|cadastre-se|abonneer|abonneer nu|schrijf je in|aanmelden|inloggen"
    "|berlangganan|langganan|abone ol|üye ol|giriş yap|подписаться|подпишитесь|войти|регистрация"
)
COOKIE_WORDS = "cookie|cookies|çerez|çerezler|куки|файлы cookie"
CONSENT_WORDS = (
    "use|uses|using|accept|consent|policy|privacy|settings|agree|preferences|utilise|utilisons|accepter"
    "|politique|verwendet|verwenden|akzeptieren|einverstanden|datenschutz|usamos|utilizamos|utiliza|aceptar"
    "|política|usiamo|utilizziamo|utilizza|accetta|accetto|usa|aceitar|gebruikt|gebruiken|accepteren|akkoord"
    "|menggunakan|setuju|kebijakan|kullanıyoruz|kullanılmaktadır|kabul|politikası|использует|используем"
    "|принять|политик"
)
# Banners speak to the reader about the site ("we", "your", "this website").
READER_WORDS = (
    "we|our|us|you|your|this site|this website|nous|notre|nos|vous|votre|vos|ce site|wir|unsere|unserer|sie"
    "|ihre|ihr|du|diese website|nosotros|nuestro|nuestra|usted|tu|su|este sitio|noi|nostro|nostra|tuo|vostro"
    "|questo sito|nós|nosso|nossa|você|seu|sua|este site|wij|onze|ons|u|uw|je|jouw|deze website|kami|anda"
    "|situs ini|biz|sitemiz|siz|sizin|мы|наш|наши|вы|ваш|этот сайт"
)
CONSENT_BUTTONS = (
    "accept|accept all|accept cookies|accept & close|accept and close|i accept|i agree|agree|got it"
    "|alle akzeptieren|akzeptieren|tout accepter|accepter|j'accepte|aceptar|aceptar todo|accetta|accetto"
    "|accetta tutto|aceitar|aceito|accepteren|akkoord|alles accepteren|setuju|terima|kabul et|tamam|принять"
    "|согласен"
)
ADVERT = (
    "advertisement|advertising|ad|ads|sponsored|sponsored content|paid content|story continues below"
    "|article continues below|continue reading below|scroll to continue|scroll to continue with content"
    "|publicité|anzeige|werbung|publicidad|pubblicità|publicidade|advertentie|iklan|reklam|реклама"
)
RIGHTS = (
    "all rights reserved|tous droits réservés|alle rechte vorbehalten|todos los derechos reservados"
    "|tutti i diritti riservati|todos os direitos reservados|alle rechten voorbehouden|hak cipta dilindungi"
    "|tüm hakları saklıdır|все права защищены"
)
AUTHOR_BOX = (
    "about the author|about author|author bio|about the writer|über den autor|über die autorin|zum autor"
    "|à propos de l'auteur|a propos de l'auteur|sobre el autor|acerca del autor|sobre la autora"
    "|sull'autore|informazioni sull'autore|sobre o autor|sobre a autora|over de auteur|over de schrijver"
    "|tentang penulis|profil penulis|yazar hakkında|об авторе|автор статьи"
)
TAGS = (
    "tags|tagged|tagged with|topics|filed under|categories|schlagwörter|themen|mots-clés|étiquettes|sujets"
    "|etiquetas|temas|argomenti|tag|marcadores|assuntos|onderwerpen|trefwoorden|topik|kata kunci|etiketler"
    "|konular|теги|метки|темы"
)
DATE_LABELS = (
    "date|published|updated|posted|last updated|published on|posted on|updated on|publié|publié le"
    "|mis à jour|mis à jour le|datum|veröffentlicht|veröffentlicht am|aktualisiert|aktualisiert am|fecha"
    "|publicado|publicado el|actualizado|data|pubblicato|pubblicato il|aggiornato|atualizado|em"
    "|gepubliceerd|gepubliceerd op|bijgewerkt|laatst bijgewerkt|tanggal|diterbitkan|diperbarui|dipublikasikan"
    "|tarih|yayınlanma|yayınlanma tarihi|güncelleme|güncellenme|дата|опубликовано|обновлено"
)
MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
    "|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
    "|januar|februar|märz|juni|juli|oktober|dezember|jänner"
    "|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
    "|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre"
    "|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro"
    "|januari|februari|maart|mei|augustus|maret|agustus|desember"
    "|ocak|şubat|mart|nisan|mayıs|haziran|temmuz|ağustos|eylül|ekim|kasım|aralık"
    "|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
    "|январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь"
)
WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun"
    "|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    "|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag"
    "|lunes|martes|miércoles|jueves|viernes|sábado|domingo"
    "|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica"
    "|segunda-feira|terça-feira|quarta-feira|quinta-feira|sexta-feira"
    "|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag"
    "|senin|selasa|rabu|kamis|jumat|sabtu|minggu"
    "|pazartesi|salı|çarşamba|perşembe|cuma|cumartesi|pazar"
    "|понедельник|вторник|среда|четверг|пятница|суббота|воскресенье"
)

_ISO_DATE = r"(?:19|20)\d\d-[01]\d(?:-[0-3]\d)?"
_URL_TAIL = r"\s*:?\s*(?P<source_url>(?:https?://|www\.)\S+?)[\W_]*$"
_CREDIT_TAIL = r"\s*:\s*(?P<credit>[^:]{1,60}?)\W*$"
_NAME = r"[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’.-]*"
_PARTICLE = r"(?:de|da|del|della|di|du|dos|van|von|der|den|ter|bin|binti|al|el|la|le)"
_PERSON = rf"{_NAME}(?:\s+(?:{_PARTICLE}\s+)?{_NAME}){{0,3}}"
_CONJUNCTION = r"(?:and|&|und|et|y|e|en|dan|ve|и)"

RULES: tuple[Rule, ...] = (
    Rule("reply-form", _line(REPLY_FORM, r".*$"), "rest"),
    Rule("comments", _line(COMMENT_HEADERS, r"\W*(?:\(\d+\))?\W*$"), "tail", 40),
    Rule("comments", _starting(re.compile(
        r"^\W*\d+\s+(?:comments?|responses?|replies|thoughts|reactions?|commentaires?|kommentare?|comentarios?"
        r"|commenti|comentários|reacties|komentar|yorum|коммент\w*)\b.{0,80}$", re.IGNORECASE)), "tail"),
    Rule("comments", _line(REPLY_BUTTONS), max_len=30),
    Rule("metadata", _starting(re.compile(rf"^\W*(?:{_alternatives(DATE_LABELS)})\s*:?\s*(?P<date>{_ISO_DATE})\W*$",
                                          re.IGNORECASE), DATE_LABELS)),
    Rule("source-link", _line(SOURCE_LABELS, _URL_TAIL), max_len=300),
    Rule("source-link", _line(SOURCE_LINK, r"\W*\w{0,6}\W*$")),
    Rule("source-link", _starting(re.compile(r"^\W*(?:https?://|www\.)\S+\W*$", re.IGNORECASE), "http|https|www"),
         max_len=300),
    Rule("see-also", _line(SEE_ALSO, r"\W*$"), "list"),
    Rule("see-also", _line(SEE_ALSO, r"\s*[:\-–—|»>]+\s*\S.*$"), max_len=300),
    Rule("link-list", _line(SECTION_LIST, r"\s+\S[^.!?]{0,40}$"), "list", 60),
    Rule("link-list", _line(LIST_HEADERS), "list", 60),
    Rule("credit", _line(CREDIT_LINES, r".*$"), max_len=300),
    Rule("credit", _line(CREDIT_LABELS, _CREDIT_TAIL), max_len=80),
    Rule("credit", _line(PHOTO_LABELS, r"\s*:\s*(?P<photo_credit>[^:]{1,60}?)\W*$"), max_len=80),
    Rule("credit", _starting(re.compile(rf"^\W*(?P<credit>(?:{_alternatives(WIRE_AGENCIES)})(?:\s*/\s*\w+)*)\W*$",
                                        re.IGNORECASE), WIRE_AGENCIES), max_len=40),
    Rule("byline", _starting(re.compile(
        rf"^\W*(?i:{_alternatives(BYLINE_LABELS)})\s*:?\s+(?P<author>{_PERSON}(?:\s+{_CONJUNCTION}\s+{_PERSON})?)"
        r"\s*(?:$|[|,•·–—/-].{0,60}$)"), BYLINE_LABELS), max_len=120),
    Rule("author-box", _line(AUTHOR_BOX), "tail", 60),
    Rule("widget", _starting(re.compile(r"^(?:[Aa]\s*[+\-−–]?\s*){2,3}$"), "a|aa|aaa")),
    Rule("widget", _line(FONT_WIDGETS), max_len=40),
    Rule("widget", _starting(re.compile(r"^\W*\d+\s*(?:min|minute|minutes|mins?)\.?\s+(?:read|lesezeit|de lecture"
                                        r"|lectura|di lettura|de leitura|leestijd|baca|okuma)\W*$", re.IGNORECASE))),
    Rule("share", _starting(re.compile(rf"^\W*(?:(?:{_alternatives(SHARE)})(?!\w)\W*)+$", re.IGNORECASE), SHARE),
         max_len=120),
    Rule("share", _line(FOLLOW, r".*$"), max_len=120),
    Rule("subscribe", _line(SUBSCRIBE, r".*$"), max_len=160),
    Rule("cookie", _containing(re.compile("^" + "".join(rf"(?=.*(?<!\w)(?:{_alternatives(words)})(?!\w))"
                                                      for words in (COOKIE_WORDS, CONSENT_WORDS, READER_WORDS)),
                                        re.IGNORECASE), COOKIE_WORDS), max_len=800),
    Rule("cookie", _line(CONSENT_BUTTONS), max_len=30),
    Rule("advert", _line(ADVERT), max_len=60),
    Rule("copyright", _containing(re.compile(r"^\W*(?:©|\(c\)|copyright\b)", re.IGNORECASE), "©|(c)|copyright"),
         max_len=300),
    Rule("copyright", _anywhere(RIGHTS), max_len=300),
    Rule("tags", _line(TAGS, r"\s*:.*$"), max_len=300),
    Rule("tags", _line(TAGS), "list", 30),
)


_RULES_WITH_STARTS = [(rule, _STARTS.get(rule.pattern)) for rule in RULES]
_LONGEST = max(rule.max_len for rule in RULES)


_HINTS = {pattern: _hint(words) for pattern, words in _HINT_WORDS.items()}
_ENTRIES = [(rule, rule.pattern, rule.max_len, _HINTS.get(rule.pattern)) for rule in RULES]
_BY_FIRST_WORD: dict[str, list[int]] = {}  # first word -> the rules that need it
for _i, (_rule, _starts) in enumerate(_RULES_WITH_STARTS):
    for _word in _starts or ():
        _BY_FIRST_WORD.setdefault(_word, []).append(_i)
_ANY_START = [i for i, (_, starts) in enumerate(_RULES_WITH_STARTS) if starts is None]
_DIGIT_RULES = [i for i, (_, starts) in enumerate(_RULES_WITH_STARTS) if starts is _DIGIT_START]
_OTHER_LINES = tuple(_ENTRIES[i] for i in _ANY_START)
_OTHER_LONGEST = max(max_len for _, _, max_len, _ in _OTHER_LINES)
# Every rule for lines starting with any word has hint words: a line with none of them matches none of those.
_OTHER_HINT = _hint(tuple(sorted({w for i in _ANY_START for w in _HINT_WORDS[RULES[i].pattern]})))


@lru_cache(maxsize=4096)
def rules_for_word(first: str, number: bool) -> tuple[tuple[Rule, re.Pattern[str], int, re.Pattern[str] | None], ...]:
    """The rules a line starting with the word ``first`` (a ``number`` or not) can match (memoised)."""
    indices = set(_ANY_START) | set(_BY_FIRST_WORD.get(first, ())) | set(_DIGIT_RULES if number else ())
    return tuple(_ENTRIES[i] for i in sorted(indices))


def _rules_for(first: str) -> tuple[tuple[Rule, re.Pattern[str], int, re.Pattern[str] | None], ...]:
    """The rules, in order, that a line whose first word is ``first`` can match
    (with their pattern, longest line and hint pattern)."""
    number = first[:1].isdigit()
    if not number and first not in _BY_FIRST_WORD:
        return _OTHER_LINES
    return rules_for_word(first, number)


def match_rule(text: str, hinted: bool = True) -> tuple[Rule, dict[str, str]] | None:
    """The first rule that ``text`` (one line) matches, with the facts it names.

    ``hinted`` False says the line holds none of the hint words of the rules for lines
    starting with any word (:attr:`PageHints.rule`).
    """
    if len(text) > _LONGEST:
        return None
    lower = text.lower()
    size = len(text)
    rules = _rules_for(_first_word(text))
    if rules is _OTHER_LINES and not (hinted and _OTHER_HINT.search(lower)):
        return None
    for rule, pattern, max_len, hints in rules:
        if size > max_len or hints and not hints.search(lower):
            continue
        if m := pattern.search(text):
            return rule, {k: v.strip() for k, v in m.groupdict().items() if v and v.strip()}
    return None


COMMENT_HEADER_CHARS = 100  # a line opening a comment is at most this long
CAPTION_CHARS = 400  # a photo caption is at most this long
_COMMENT_HEADER = re.compile(
    rf"^(?:\d{{1,3}}[.)]\s*)?(?P<name>\S+(?:\s+\S+){{0,3}}?)\s+(?:{_alternatives(COMMENT_VERBS)})\s*:?"
    r"(?:\s+\S.{0,40}\d.{0,20})?$",
    re.IGNORECASE,
)


# Headings of an author box that name the author: "About Jane Doe", "Über Max Muster", "Sobre Ana Silva".
ABOUT_PERSON = (
    "about|über|sobre|à propos de|a propos de|acerca de|over|tentang|informazioni su|hakkında|об"
)
_ABOUT_HEADING = re.compile(
    rf"^\W*(?i:{_alternatives(ABOUT_PERSON)})\s+(?P<name>{_NAME}(?:\s+(?:{_PARTICLE}\s+)?{_NAME}){{1,2}})\W*$"
)


def about_person(text: str) -> str | None:
    """The name in an author box heading ("About Jane Doe" -> "Jane Doe"), if ``text`` is one."""
    m = _ABOUT_HEADING.match(text) if len(text) <= 60 else None
    return m.group("name") if m else None


_COMMENT_VERB_HINT = _hint(_hint_words(COMMENT_VERBS))


def comment_author(text: str) -> str | None:
    """The name on a line that opens a reader comment ("Cap960 says", "2. Ole says:"), if it is one."""
    if len(text) > COMMENT_HEADER_CHARS or not _COMMENT_VERB_HINT.search(text.lower()):
        return None
    m = _COMMENT_HEADER.match(text)
    return m.group("name") if m else None


_DATE_PREFIX = re.compile(rf"^\s*(?:{_alternatives(DATE_LABELS)})\s*:?\s*(?P<date>{_ISO_DATE})(?!\d)\s*",
                          re.IGNORECASE)


def split_date_prefix(text: str) -> tuple[str | None, str]:
    """Split a leading "date 2022-01" (any covered language) off a line: (date or None, rest)."""
    m = _DATE_PREFIX.match(text) if "-" in text else None  # (an ISO date has a hyphen)
    return (m.group("date"), text[m.end():]) if m else (None, text)


_CALENDAR = f"{_alternatives(MONTHS)}|{_alternatives(WEEKDAYS)}"
_MONTH = re.compile(rf"(?<!\w)(?:{_alternatives(MONTHS)})\.?(?!\w)", re.IGNORECASE)
_CALENDAR_WORD = re.compile(rf"(?<!\w)(?:{_CALENDAR})\.?(?!\w)", re.IGNORECASE)
_CLOCK = re.compile(r"(?<!\d)\d{1,2}[:.h]\d{2}(?!\d)")
_NUMERIC_DATE = re.compile(rf"(?<!\d)\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}}(?!\d)|{_CLOCK.pattern}")
_DATE_START = re.compile(rf"^\W*(?:\d|(?:{_CALENDAR}|{_alternatives(DATE_LABELS)})(?!\w))",
                         re.IGNORECASE)
_LETTER_WORD = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")
_SENTENCE_END = re.compile(rf"[^\W\d_]{{3}}[{SENTENCE_END}]['\"”’»)]*$")


def is_date_line(text: str) -> bool:
    """A short line that only states a date or time ("Nov 18, 2019 at 9:24 pm ET", "Published 2 May 2021").

    Besides calendar words it has at most three words, or six next to a clock time.
    """
    if (len(text) > 80 or not _DIGIT.search(text) or not _DATE_START.match(text)
            or terminal(text) and _SENTENCE_END.search(text)):
        return False
    if not (_NUMERIC_DATE.search(text) or _MONTH.search(text)):  # (it has a digit)
        return False
    return len(_LETTER_WORD.findall(_CALENDAR_WORD.sub(" ", text))) <= (6 if _CLOCK.search(text) else 3)


_DATELINE = re.compile(
    r"^(?P<dateline>[A-ZÀ-ÖØ-ÞА-ЯЁ][A-ZÀ-ÖØ-ÞА-ЯЁ'’.\- ]{2,30}(?:,\s*[^\W\d_][\w'’.\- ]{1,30}?)?)"
    r"\s*(?:\([^()]{1,30}\)\s*)?[–—-]+\s+\S"
)


def find_dateline(text: str) -> str | None:
    """The dateline opening a news paragraph ("ISTANBUL, Turkey – ..." -> "ISTANBUL, Turkey")."""
    m = _DATELINE.match(text)
    return m.group("dateline").strip() if m else None


_CAPTION_CREDITS = (
    # "... File Photo: AFP", "... (Photo by Jane Doe/Agency)", "... © Reuters"
    re.compile(
        rf"^(?P<caption>.{{20,}}?)[\s,;|/–—-]*\(?\s*(?:(?=(?-i:[A-ZÀ-ÖØ-ÞА-ЯЁ]))(?:{_alternatives(PHOTO_LABELS)})"
        rf"\s*(?::|by|de|von|di|door|oleh)|©|\(c\))\s*(?P<photo_credit>[^:()\[\]]{{1,60}}?)\s*\)?$",
        re.IGNORECASE,
    ),
    # "... [File: Reuters]"
    re.compile(rf"^(?P<caption>.{{20,}}?)\s*\[(?:{_alternatives(PHOTO_LABELS)}|file)\s*:\s*(?P<photo_credit>[^\]]{{1,60}})\]$",
               re.IGNORECASE),
)


# A caption with its credit names a photo label (or "file"), "©" or "(c)".
_CAPTION_HINT = _hint((*_hint_words(PHOTO_LABELS), "file", "©", "(c)"))


@dataclass(frozen=True, slots=True)
class PageHints:
    """The lines of a page holding a hint word of the comment-header, photo-caption and any-line rule
    tests (found in one pass over the page): the other lines cannot pass those tests."""

    comment: frozenset[int]
    caption: frozenset[int]
    rule: frozenset[int]


def page_hints(lines: list[str]) -> PageHints:
    """Which of ``lines`` hold the hint words of :func:`comment_author`, :func:`split_caption` and the
    rules for lines starting with any word (:func:`match_rule`)."""
    lowered = [line.lower() for line in lines]

    def holding(hint: re.Pattern[str], longest: int) -> frozenset[int]:
        texts = [low if len(line) <= longest else "" for line, low in zip(lines, lowered, strict=True)]
        starts = list(accumulate((len(text) + 1 for text in texts[:-1]), initial=0))
        return frozenset(bisect_right(starts, m.start()) - 1 for m in hint.finditer("\n".join(texts)))

    return PageHints(holding(_COMMENT_VERB_HINT, COMMENT_HEADER_CHARS), holding(_CAPTION_HINT, CAPTION_CHARS),
                     holding(_OTHER_HINT, _OTHER_LONGEST))


def split_caption(text: str) -> tuple[str, str] | None:
    """A photo caption ending in its credit ("... File Photo: AFP") -> (caption, credit)."""
    if not _CAPTION_HINT.search(text.lower()):
        return None
    for pattern in _CAPTION_CREDITS:
        if m := pattern.match(text):
            return m.group("caption").rstrip(" ,;|/–—-"), m.group("photo_credit").strip()
    return None


# A paragraph presenting an organisation ("Acme Corp. is a leading ...", "Acme ist ein ...", "Acme est une ..."):
# the name, optionally an aside in commas or brackets, a copula and an indefinite article.
ORGANISATION_COPULAS = (
    "is a|is an|is the|are a|is one of|est un|est une|est l'un|ist ein|ist eine|ist der|ist die|ist das|"
    "es un|es una|es el|es la|è un|è una|è il|è la|é um|é uma|é o|é a|is een|is de|is het|jest|är ett|är en|"
    "er et|er en|on|adalah|bir"
)
_ORGANISATION = re.compile(
    rf"^(?P<name>{_NAME}(?:\s+(?:{_PARTICLE}\s+|&\s+)?{_NAME}){{0,3}})(?:,[^,]{{1,60}},|\s+\([^)]{{1,60}}\))?"
    rf"\s+(?:{_alternatives(ORGANISATION_COPULAS)})\s"
)


def presents_organisation(text: str) -> str | None:
    """The name that opens a paragraph presenting an organisation ("Acme Corp. is a global ..." -> "Acme Corp."),
    if ``text`` is one."""
    m = _ORGANISATION.match(text)
    return m.group("name").rstrip(".,") if m else None
