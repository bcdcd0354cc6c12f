"""What each platform allows in a post, and how it counts a post's length.

Lengths are what the platform's own composer shows, not ``len()``:

* **X** weighs characters (X developer docs, "Counting characters", twitter-text config v3):
  the text is NFC-normalised; code points in U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and
  U+2032-U+2037 (Latin, Greek, Cyrillic, Hebrew, Arabic, ... and common punctuation) weigh 1,
  every other code point (CJK, emoji...) weighs 2; every URL counts as 23 whatever its length
  (t.co wrapping); an emoji counts as 2 however many code points it takes (ZWJ sequences,
  skin tones, flags, keycaps). The limit is 280.
* **Bluesky** counts graphemes (300 per post; Bluesky's docs and the AT Protocol lexicon
  ``app.bsky.feed.post``: maxGraphemes 300).
* **Mastodon** counts characters, but every URL as 23 (Mastodon docs, "Publishing posts").
* The others count characters: code points of the NFC-normalised text.

X and Mastodon also count a link to one of the organisation's own domains
(``organisation.domains``, passed as ``own_domains``) as 23, even when its top-level domain is
newer than the list the counter knows (``.example`` in the documentation, a brand TLD): the
platform does know the domains the organisation posts links to, so a counter that read
``acme.example/spring`` as 19 letters would report a post as too long when it is not.

This module is pure standard library plus :mod:`policylint._text.entities`, so it is cheap to
import; it does not use twitter-text-parser (which takes about 250 ms to import).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

from policylint._model.posts import normalise_platform
from policylint._model.struct import NamedTuple

__all__ = [
    "LIMITS",
    "PlatformLimits",
    "grapheme_count",
    "length_for",
    "limits_for",
    "weighted_length_x",
]


class PlatformLimits(NamedTuple):
    """Published limits of one platform. ``None`` means no documented limit."""

    #: Longest post (caption, description) the platform accepts, in its own counting.
    max_length: int | None
    #: Most hashtags a post may carry.
    max_hashtags: int | None = None
    #: Characters shown before the post is folded behind "... more" in the feed.
    fold: int | None = None


LIMITS: dict[str, PlatformLimits] = {
    # X developer docs, "Counting characters": 280 weighted characters.
    "x": PlatformLimits(max_length=280),
    # LinkedIn Help, "Character limits": posts up to 3,000 characters; the feed shows about
    # the first 140 characters (on mobile) before "...see more".
    "linkedin": PlatformLimits(max_length=3000, fold=140),
    # Instagram Help Center: captions up to 2,200 characters and 30 hashtags; the feed shows
    # about 125 characters before "... more". (Instagram has tested lower hashtag caps: a
    # policy can tighten this with its own rule.)
    "instagram": PlatformLimits(max_length=2200, max_hashtags=30, fold=125),
    # Facebook: 63,206 characters per post; about 125 characters show before "See more" in
    # the mobile feed.
    "facebook": PlatformLimits(max_length=63206, fold=125),
    # TikTok Help Center gives 2,200 characters for captions; 4,000 is also quoted since
    # TikTok raised it for some accounts in 2023. 2,200 is the limit every account has.
    # TikTok folds captions by lines and screen width, not at a documented character count.
    "tiktok": PlatformLimits(max_length=2200),
    # Threads: 500 characters, and one topic tag per post.
    "threads": PlatformLimits(max_length=500, max_hashtags=1),
    # Bluesky: 300 graphemes (app.bsky.feed.post lexicon).
    "bluesky": PlatformLimits(max_length=300),
    # Mastodon: 500 characters by default (each server may change it).
    "mastodon": PlatformLimits(max_length=500),
    # YouTube Help: descriptions up to 5,000 characters; with more than 60 hashtags YouTube
    # ignores all of them. About the first 100-150 characters show above "...more".
    "youtube": PlatformLimits(max_length=5000, max_hashtags=60),
    # Pinterest: pin descriptions up to 500 characters.
    "pinterest": PlatformLimits(max_length=500),
}


def limits_for(platform: str | None) -> PlatformLimits | None:
    """The limits of ``platform`` (aliases such as ``"twitter"`` accepted), or ``None``."""
    name = normalise_platform(platform)
    return None if name is None else LIMITS.get(name)


def length_for(text: str, platform: str | None, own_domains: tuple[str, ...] = ()) -> int:
    """Length of ``text`` as ``platform`` counts it against its ``max_length``.

    X: weighted length; Bluesky: graphemes; Mastodon: characters with URLs as 23; anything
    else (and no platform): code points of the NFC-normalised text. Links to ``own_domains``
    (the organisation's, any subdomain) count as links on X and Mastodon whatever their TLD.
    """
    name = normalise_platform(platform)
    if name == "x":
        return weighted_length_x(text, own_domains)
    if name == "bluesky":
        return grapheme_count(text)
    if name == "mastodon":
        return _mastodon_length(text, own_domains)
    return len(unicodedata.normalize("NFC", text))


# X ---------------------------------------------------------------------------------------------
_SpanFinder = Callable[[str], list[tuple[int, int]]]
_X_URL_LENGTH = 23
# X recognises a bare domain under every delegated TLD, so "lose.You" counts as a 23-character
# link there. These are the TLDs of the IANA root zone database (as of 2019, the list
# twitter-text ships, with four retired country codes) that policylint._text.entities.KNOWN_TLDS
# leaves out.
_X_MORE_TLDS = (
    "an bl tp um aaa aarp abarth abb abbott abbvie abc able abogado abudhabi accenture accountant "
    "accountants aco active actor adac ads adult aeg aetna afamilycompany afl africa agakhan aig "
    "aigo airbus airforce airtel akdn alfaromeo alibaba alipay allfinanz allstate ally alsace "
    "alstom americanexpress americanfamily amex amfam amica amsterdam analytics android anquan "
    "anz aol apartments apple aquarelle arab aramco archi army art arte asda associates athleta "
    "attorney auction audi audible auspost author autos avianca aws axa azure baby baidu banamex "
    "bananarepublic band bar barcelona barclaycard barclays barefoot bargains baseball basketball "
    "bauhaus bayern bbc bbt bbva bcg bcn beats beauty bentley berlin best bestbuy bet bharti "
    "bible bid bing bingo black blackfriday blanco blockbuster bloomberg blue bms bmw bnl "
    "bnpparibas boats boehringer bofa bom bond boo booking boots bosch bostik boston bot box "
    "bradesco bridgestone broadway broker brother brussels budapest bugatti builders buy bzh cab "
    "cal call calvinklein cam cancerresearch canon capetown capitalone car caravan cards career "
    "cartier case caseih cash casino catering catholic cba cbn cbre cbs ceb ceo cern cfa cfd "
    "chanel channel charity chase cheap chintai chloe christmas chrome chrysler cipriani circle "
    "cisco citadel citi citic cityeats claims cleaning clinique clothing clubmed cologne comcast "
    "commbank compare comsec condos construction contractors cooking cookingchannel cool corsica "
    "country coupon courses cpa creditcard creditunion crown crs cruise cruises csc cuisinella "
    "cyou dabur dad date datsun day dclk dds deal dealer deals degree dell deloitte delta "
    "democrat dentist desi dhl diamonds diet direct discount discover dish diy dnp docs doctor "
    "dodge dog doha doosan dot drive dtv dubai duck dunlop duns dupont durban dvag dvr eat edeka "
    "emerck engineer epost epson ericsson erni esq esurance etisalat eurovision everbank exposed "
    "express extraspace fage fail fairwinds faith fan fans farmers fast fedex feedback ferrari "
    "ferrero fiat fidelity fido final fire firestone firmdale fish fishing fit flickr flights "
    "flir florist flsmidth fly foodnetwork ford forex forsale forum fox free fresenius frl "
    "frogans frontdoor frontier ftr fujitsu fujixerox fun futbol fyi gallo gallup game games gap "
    "gay gbiz gdn gea gent genting george ggee gift gives giving glade glass gle globo gmail gmo "
    "gmx godaddy gold goldpoint goo goodhands goodyear goog google gop got grainger gratis green "
    "gripe grocery guardian gucci guge guitars hair hamburg hangout haus hbo hdfc hdfcbank "
    "healthcare help helsinki here hermes hgtv hisamitsu hitachi hiv hkt homedepot homegoods "
    "homesense honda honeywell horse hot hoteles hotels hotmail house how hsbc htc hughes hyatt "
    "hyundai ibm icbc ice ieee ifm iinet ikano imamat imdb immo immobilien infiniti ing ink "
    "insurance intel intuit ipiranga iselect ismaili ist istanbul itau itv iveco iwc jaguar java "
    "jcb jcp jeep jewelry jio jlc jll jmp jnj joburg jot joy jpmorgan jprs juegos juniper kddi "
    "kerryhotels kerrylogistics kerryproperties kfh kia kim kinder kindle kitchen koeln komatsu "
    "kosher kpmg kpn krd kred kuokgroup kyoto lacaixa ladbrokes lamborghini lamer lancaster "
    "lancia lancome land landrover lanxess lasalle lat latino latrobe lds lease leclerc lefrak "
    "lego lexus liaison lidl life lifeinsurance lifestyle lighting like lilly limo lincoln linde "
    "link lipsy live living lixil llp loans locker locus loft lol lotte lotto love lpl "
    "lplfinancial ltda lundbeck lupin luxe macys madrid maif maison makeup man mango map markets "
    "marriott marshalls maserati mattel mba mcd mcdonalds mckinsey med meet melbourne memorial "
    "men menu meo merckmsd metlife microsoft mini mint mit mitsubishi mlb mls mma mobily moe moi "
    "mom monash monster montblanc mopar mormon mortgage moscow moto motorcycles mov movistar msd "
    "mtn mtpc mtr mutual mutuelle nab nadex nagoya nationwide natura navy nba nec netbank netflix "
    "neustar new newholland next nextdirect nfl nhk nico nike nikon nissan nissay nokia "
    "northwesternmutual norton now nowruz nowtv nra nrw ntt obi observer off office okinawa "
    "olayan olayangroup oldnavy ollo omega one ong onion onl onyourside open oracle orange "
    "organic orientexpress origins osaka otsuka ott ovh page pamperedchef panasonic panerai pars "
    "parts party passagens pay pccw pet pfizer pharmacy phd philips phone physio piaget pictet "
    "pictures pid pin ping pink pioneer place play playstation plumbing plus pnc pohl poker "
    "politie porn pramerica praxi press prime prod prof progressive promo protection pru "
    "prudential pwc qpon quest qvc racing raid read realestate realtor red redstone redumbrella "
    "rehab reise reisen reit reliance ren rent republican rest rexroth rich richardli ricoh "
    "rightathome ril rio rip rmit rocher rocks rodeo rogers room rsvp rugby ruhr run rwe ryukyu "
    "saarland safe safety sakura sale samsclub samsung sandvik sandvikcoromant sanofi sap sapo "
    "sarl sas save saxo sbi sbs sca scb schaeffler schmidt scholarships schule schwarz scjohnson "
    "scor search seat secure security seek select sener ses seven sew sex sfr shangrila sharp "
    "shaw shell shia shiksha shoes shouji show showtime shriram silk sina singles skin sky skype "
    "sling smart smile sncf softbank sohu song sony soy spiegel spot spreadbetting srl srt stada "
    "staples star starhub statebank statefarm statoil stc stcgroup stockholm storage stream study "
    "style sucks supplies supply surf surgery suzuki swatch swiftcover sydney symantec tab taipei "
    "talk taobao target tatamotors tatar tattoo tci tdk team telecity telefonica temasek teva thd "
    "theatre tiaa tienda tiffany tips tires tirol tjmaxx tjx tkmaxx tmall today top toray toshiba "
    "total town toyota trade trading travelchannel travelers travelersinsurance trust trv tube "
    "tui tunes tushu tvs ubank ubs uconnect unicom uol ups vana vanguard verisign "
    "vermögensberater vermögensberatung versicherung vet viajes vig viking villas vin virgin visa "
    "vista vistaprint viva vivo vlaanderen vodka volkswagen volvo vote voting voto vuelos walmart "
    "walter wang wanggou warman watch watches weather weatherchannel weber wed weibo weir whoswho "
    "wien williamhill win windows wine winners wme wolterskluwer woodside work works world wow "
    "wtc xbox xerox xfinity xihuan xin xperia yachts yahoo yamaxun yandex yodobashi yokohama you "
    "youtube yun zappos zara zero zip zippo zone zuerich католик ком москва קום ابوظبي اتصالات "
    "ارامكو العليان بازار بيتك شبكة عرب كاثوليك كوم موبايلي موقع همراه कॉम नेट संगठन คอม クラウド "
    "グーグル ストア セール ファッション ポイント 世界 中信 企业 佛山 信息 健康 八卦 公益 商城 "
    "商店 商标 嘉里 嘉里大酒店 大众汽车 大拿 天主教 娱乐 家電 工行 广东 微博 慈善 我爱你 手机 "
    "手表 招聘 政务 政府 新闻 时尚 書籍 机构 淡马锡 游戏 点看 珠宝 移动 组织机构 网店 网站 联通 "
    "诺基亚 谷歌 购物 通販 集团 電訊盈科 飞利浦 食品 餐厅 香格里拉 닷넷 닷컴 삼성"
)


@cache
def _x_tlds() -> frozenset[str]:
    from policylint._text.entities import KNOWN_TLDS

    return KNOWN_TLDS | frozenset(_X_MORE_TLDS.split())


def _x_links(text: str) -> list[tuple[int, int]]:
    from policylint._text.entities import link_spans

    return link_spans(text, _x_tlds(), any_tld_after_scheme=False, sentence_guard=False)


# Own domains ----------------------------------------------------------------------------------
_SCHEME_RE = re.compile(r"(?i)^[a-z][a-z0-9+.\-]*://")


def _host_of(link: str) -> str:
    """The host of a link or domain as written (scheme, port, path and query dropped)."""
    rest = _SCHEME_RE.sub("", link.strip())
    return re.split(r"[/:?#]", rest, maxsplit=1)[0].lower().rstrip(".")


@cache
def _own_domain_tlds(own_domains: tuple[str, ...]) -> frozenset[str]:
    return frozenset(host.rsplit(".", 1)[-1] for host in map(_host_of, own_domains) if host)


def _with_own_domains(find: _SpanFinder, own_domains: tuple[str, ...]) -> _SpanFinder:
    """``find``, plus the links to ``own_domains`` (or their subdomains) it does not know."""
    if not own_domains:
        return find
    hosts = tuple(host for host in map(_host_of, own_domains) if host)

    def is_own(link: str) -> bool:
        host = _host_of(link)
        return any(host == own or host.endswith("." + own) for own in hosts)

    def links(text: str) -> list[tuple[int, int]]:
        from policylint._text.entities import link_spans

        found = find(text)
        own = [
            (start, end)
            for start, end in link_spans(text, _own_domain_tlds(own_domains), sentence_guard=False)
            if is_own(text[start:end])
            and not any(start < known_end and known_start < end for known_start, known_end in found)
        ]
        return sorted(found + own) if own else found

    return links


_X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


@cache
def _x_heavy() -> re.Pattern[str]:
    """A character outside the light ranges (weight 2)."""
    light = "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _X_LIGHT_RANGES)
    return re.compile(f"[^{light}]")


def _x_weights(text: str) -> int:
    """The summed weights of ``text``'s characters: one each, plus one per heavy character
    (a regex count, not a Python loop over every character)."""
    return len(text) + len(_x_heavy().findall(text))


def _x_weight(ch: str) -> int:
    cp = ord(ch)
    # The ranges are few and sorted; most text is in the first one.
    for low, high in _X_LIGHT_RANGES:
        if cp < low:
            return 2
        if cp <= high:
            return 1
    return 2


def weighted_length_x(text: str, own_domains: tuple[str, ...] = ()) -> int:
    """X's weighted length of ``text`` (twitter-text config v3, see the module docstring),
    links to ``own_domains`` counted as links whatever their TLD."""
    from policylint._text.entities import emoji_spans

    find_links = _with_own_domains(_x_links, own_domains)
    # X's composer sends line ends as "\n", whatever the source file had.
    normalized = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
    if normalized.isascii():
        # Fast path: every ASCII character weighs 1 and ASCII holds no emoji but keycaps,
        # which need U+20E3.
        links = find_links(normalized)
        return len(normalized) + sum(_X_URL_LENGTH - (end - start) for start, end in links)
    total = 0
    pos = 0
    for start, end, weight in _weighted_spans(normalized, find_links, emoji_spans):
        total += _x_weights(normalized[pos:start]) + weight
        pos = end
    return total + _x_weights(normalized[pos:])


def _weighted_spans(
    text: str,
    link_spans: _SpanFinder,
    emoji_spans: _SpanFinder,
) -> list[tuple[int, int, int]]:
    """Links (23 each) and emoji outside links (2 each), in text order."""
    links = link_spans(text)
    spans = [(start, end, _X_URL_LENGTH) for start, end in links]
    for start, end in emoji_spans(text):
        if not any(ls <= start < le for ls, le, _ in spans[: len(links)]):
            spans.append((start, end, 2))
    spans.sort()
    return spans


# Bluesky ---------------------------------------------------------------------------------------
def grapheme_count(text: str) -> int:
    """User-perceived characters of ``text`` (an approximation of Unicode grapheme clusters).

    An emoji sequence is one grapheme; combining marks, variation selectors and joiners
    attach to the character before them; CR LF is one. Hangul jamo sequences and Indic
    conjuncts are counted per code point, slightly over-counting those scripts.
    """
    from policylint._text.entities import emoji_spans

    normalized = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
    count = 0
    pos = 0
    for start, end in emoji_spans(normalized):
        count += _count_clusters(normalized[pos:start]) + 1
        pos = end
    return count + _count_clusters(normalized[pos:])


def _count_clusters(text: str) -> int:
    count = 0
    for ch in text:
        if ch in "\u200c\u200d" or "\ufe00" <= ch <= "\ufe0f":
            continue
        if unicodedata.category(ch) in ("Mn", "Mc", "Me") and count:
            continue
        count += 1
    return count


# Mastodon --------------------------------------------------------------------------------------
def _mastodon_length(text: str, own_domains: tuple[str, ...] = ()) -> int:
    from policylint._text.entities import link_spans

    normalized = unicodedata.normalize("NFC", text)
    links = _with_own_domains(link_spans, own_domains)(normalized)
    return len(normalized) + sum(_X_URL_LENGTH - (end - start) for start, end in links)
