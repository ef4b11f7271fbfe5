"""The checks every rewrite candidate must pass before anyone sees it.

A 1.5B model writes fluent text that often keeps the blame in other words, drops an order
number, or invents a refund. So nothing it writes is trusted: each candidate is checked for
  - flags left: the shared Coach pipeline finds no problem in it;
  - facts kept: every order/ticket number, amount, date, time, name, e-mail, URL and phone number
    of the draft appears verbatim;
  - promises added: no refund, credit, compensation, upgrade, free item, waiver, date or deadline
    (and the like) that the draft did not already make, and no result of a check it never
    reported ("I've checked and found that...", "it has already been resolved");
  - ownership: it speaks as "we"/"I" with an action, and keeps no blame, "not our problem",
    "I can't" or "out of my hands" in any wording;
  - length: not much longer than the draft needs.
These checks are deliberately strict and are never loosened to make more candidates pass; a
conservative fallback exists for when none does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterator, Sequence

from coach import lexicon
from coach.errors import ModelUnavailableError
from coach.text import NORMALISE, DraftView, sentence_bounds

# The detectors' typography table (coach.text), plus the non-breaking hyphen, which a model
# writes as "-" inside order numbers ("#A\u20115512"). The extra entry lives here, not in
# coach.text, because changing that table would change what the detectors match.
_NORM = {**NORMALISE, ord("\u2011"): "-"}


def norm(s: str) -> str:
    """Quote/dash/space-normalised text for comparisons (verbatim up to typography)."""
    return re.sub(r"\s+", " ", s.translate(_NORM)).strip()


# ---------------------------------------------------------------- facts
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DAY = (r"(?:Mon(?:day)?|Tue(?:s(?:day)?)?|Wed(?:nesday)?|Thu(?:rs(?:day)?)?|Fri(?:day)?|"
        r"Sat(?:urday)?|Sun(?:day)?)")
FACT_PATTERNS: dict[str, re.Pattern[str]] = {
    "email": lexicon.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    # A social reply's @handle names who it answers: dropping it was graded a lost name.
    # Handles may hold dots ("@mei.styles", Instagram-style); a domain after "@" is an e-mail's.
    "handle": lexicon.compile(r"(?<![\w.@])@\w{2,}(?:\.\w+)*\b(?<!\.com)(?<!\.net)(?<!\.org)(?<!\.co)"
                         r"(?<!\.io)(?!\.\w)"),
    "url": lexicon.compile(r"\b(?:https?://|www\.)[^\s<>\"')]+[^\s<>\"').,;:!?]"
                      r"|\b[a-z0-9-]+\.(?:com|co\.uk|org|net|io|app|gov\.uk|help)(?:/[^\s,;]*[\w/])?\b",
                      re.I),
    "phone": lexicon.compile(r"(?<![\w#-])(?:\+\d{1,3}[ -]?)?(?:\(?0\d{2,4}\)?[ -]?)\d{3,4}[ -]?\d{3,4}\b"),
    # An ISO currency code before the number ("AUD 1,190", "INR 2,45,000") is one fact, whole:
    # read as a proper noun it was cut at the comma ("AUD 1") and put into a placeholder so.
    # The currency after the number counts too, with a space between thousands ("6 500 kr",
    # "69 NOK", "₦25,000"): read as a proper noun, "69 NOK" kept only "NOK", and "249 kr" nothing,
    # so a rewrite that dropped the fee passed its checks (dev2).
    "amount": lexicon.compile(r"(?:(?:[£$€¥₹₦₱₩₺₽₴₫₪฿]|\b(?-i:AUD|USD|EUR|GBP|INR|NZD|CAD|SGD|AED|HKD|JPY|CHF|ZAR|"
                         r"SEK|NOK|DKK|PLN|MYR|PHP|THB|IDR|NGN|KES|GHS|BRL|MXN|Rs\.?)\s)\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:/\s?\w+|k|m|bn))?"
                         r"|\b\d[\d,]*(?:\.\d+)?%"
                         r"|\b\d{1,3}(?:[ \u00a0]\d{3})+(?:[.,]\d+)?\s?(?-i:kr|NOK|SEK|DKK|CHF|ZAR|PLN|NGN|KES|EUR|USD|GBP)\b"
                         r"|\b\d[\d,]*(?:\.\d+)?\s?(?:GB|MB|TB|kg|g|mg|km|cm|mm|ml|cl|litres?|liters?|inch(?:es)?|ft|lbs?|oz|miles|kWh|kW|mAh|Mbps|Gbps|mph|EUR|USD|GBP|AUD|INR|NZD|CAD|SGD|AED|SEK|NOK|DKK|CHF|ZAR|PLN|NGN|KES|kr|gems|credits|points|RP|XP|titles|items)\b)",
                         re.I),
    "place": lexicon.compile(r"\b\d+[A-Z]?\s+(?:[A-Z][\w'-]+\s+){1,3}(?:Road|Rd|Close|Lane|Street|St|Mews|Way|Avenue|Ave|Drive|Park|Court|Place|Square|Crescent|Gardens|Terrace|Grove|Hill)\b(?:,\s+[A-Z][\w]+)?"
                        r"|\b(?:room|locker|gate|flat|unit|seat|row|platform|bay|desk|size|quiz|season|level|version|treadmill|table|pitch|court|lane|door|week|term|semester|stage|phase|tier|step|section|chapter|module|episode)\s+#?(?-i:[A-Z0-9])[\w.-]*\b"
                        # "round" is also a preposition ("outages round Leeds"): only "round 3".
                        r"|\bround\s+\d+\b"
                        r"|\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b|\b\d+(?:st|nd|rd|th)\b|\b\d+-[a-z]+\b"
                        r"|\b\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm)?\s?-\s?\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm)\b|\b\d+(?:\.\d+){1,3}\b", re.I),
    "date": lexicon.compile(rf"\b(?:{_DAY}\.?,?\s+)?\d{{1,2}}(?:st|nd|rd|th)?(?:\s*(?:-|and|&)\s*\d{{1,2}}(?:st|nd|rd|th)?)?"
                       rf"(?:\s+of)?\s+{_MONTH}\b\.?(?:\s+\d{{4}})?"
                       rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?"
                       rf"|\b\d{{1,2}}/\d{{4}}\b|\b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
                       rf"|\b{_DAY}\b(?:\s+\d{{1,2}}(?:st|nd|rd|th)?\b)?"),
    "time": lexicon.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)\b|\b\d{1,2}:\d{2}\b"
                       r"|\b\d+(?:\s?-\s?\d+)?\s+(?:working |business )?(?:minutes?|mins?|hours?|hrs?|"
                       r"days?|weeks?|months?|years?)\b"),
    "reference": lexicon.compile(r"(?<![\w/])#?(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z]|[\d-]{4,})[A-Z0-9]+(?:-[A-Z0-9]+)*\b"
                            r"|#\d+\b"),
    "name": lexicon.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Chef)\.?\s+[^\W\d_][\w'-]+"
                       r"|\b(?:Hi|Hey|Dear|Hello|Morning|Afternoon|Evening),?\s+"
                       r"(?!(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\b)(?P<greet>[^\W\d_][\w'-]+)"
                       # a dash sign-off: "... update you here. -Bea", "— Sam"
                       r"|(?:(?<=\s[-\u2013\u2014])|(?<=\s[-\u2013\u2014]\s)|(?<=^[-\u2013\u2014]))[A-Z][a-z]{2,}\b(?=[.!]?\s*(?:$|\n|[A-Z]))"),
    # Proper nouns mid-sentence (places, companies, products, people) and acronyms anywhere.
    "proper": lexicon.compile(r"(?<=[a-z0-9,;:)] )(?:[A-Z\u00C0-\u024F][\w'\u00C0-\u024F-]*)(?:\s+(?:[A-Z\u00C0-\u024F][\w'-]*|\d+(?:\w|\.(?=\w))*))*"
                         r"|\b[A-Z]{2,}[0-9]*\b"),
}
# The text before a word that follows a greeting ("Dear Mr Obi, Something went wrong"): that word
# starts the sentence, so its capital says nothing about it being a proper noun.
_AFTER_GREETING = lexicon.compile(r"(?:^|[.!?\n]\s*)(?:hi|hey|hello|dear|morning|afternoon|evening|"
                             r"good (?:morning|afternoon|evening))\b[^.!?\n,]{0,40},\s*$", re.I)
_NOT_NAMES = {"I", "We", "You", "There", "Team", "All", "Everyone", "Again", "So", "For", "Thank",
              "Our", "Sir", "Madam", "Customer", "Passenger", "Player", "Guest", "Member", "Thanks",
              "Kind", "Best", "Regards", "OK", "FAQ", "FAQs", "ETA", "PM", "AM", "UTC", "TBH", "ASAP",
              "I'm", "I've", "I'll", "I'd", "Unfortunately", "Please", "Sorry", "Yes", "No", "Hi", "Hello"}


# Phone numbers and web addresses are read by libraries first; the patterns above stay as the
# fallback for what those do not know (measured in bench/bench_libs.py on the dev drafts).
#  - phonenumbers (Google's libphonenumber): a number it holds VALID in one of PHONE_REGIONS is a
#    fact, whole: "1300 738 000" (an Australian line), "98450 11223" (an Indian mobile), which
#    the pattern keeps only in pieces ("1300"). The pattern still catches the numbers no plan
#    holds as valid, such as the Ofcom drama range ("07700 900431") that examples use.
#  - urlextract (the IANA list of top-level domains): every host with a real TLD, subdomains
#    included ("claims.harbourmutual.co.uk/upload", where the pattern kept only
#    "harbourmutual.co.uk/upload"; "help.novaquest.gg/appeal", which it missed).
PHONE_REGIONS = ("GB", "IE", "US", "AU", "IN")
# Cheap gates that keep each library to the texts it could find something in (most have neither):
# no valid number in PHONE_REGIONS has fewer than 6 digits (Australia's "13 22 11"), and
# urlextract only finds a host followed by ".tld" (TLDs have 2+ letters), an IPv4 address or a
# scheme.
_PHONEISH = lexicon.compile(r"\d(?:\D{0,3}\d){5}")
_DOMAINISH = lexicon.compile(r"[^\W_]\.[^\W\d_]{2}|://|\d\.\d+\.\d+\.\d")
_URL_TAIL = ".,;:!?'\""


@lru_cache(maxsize=1)
def _url_extractor():
    from urlextract import URLExtract

    return URLExtract(extract_email=False)


def _library_phones(src: str) -> list[tuple[int, int]]:
    if not _PHONEISH.search(src):
        return []
    import phonenumbers

    spans = {(m.start, m.end) for region in PHONE_REGIONS
             for m in phonenumbers.PhoneNumberMatcher(src, region,
                                                      leniency=phonenumbers.Leniency.VALID)}
    return sorted(spans, key=lambda s: (s[0], s[0] - s[1]))    # longest first where they start


def _library_urls(src: str) -> list[tuple[int, int]]:
    if not _DOMAINISH.search(src):
        return []
    out = []
    for _url, (a, b) in _url_extractor().find_urls(src, get_indices=True):
        # sentence punctuation after the address, or a bracket closing around it, is not part of it
        while b > a and (src[b - 1] in _URL_TAIL or (src[b - 1] == ")" and "(" not in src[a:b])):
            b -= 1
        url = src[a:b]
        host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url, flags=re.I).split("/")[0].split(":")[0]
        tld = host.rsplit(".", 1)[-1]
        # "Sorted.Now we can": a missing space between sentences, not the .now domain
        if "/" not in url and tld[:1].isupper() and not tld.isupper():
            continue
        if b > a:
            out.append((a, b))
    return out


def _fact_spans(kind: str, src: str) -> Iterator[tuple[int, int]]:
    """Candidate spans of one kind in the normalised text, the libraries' before the pattern's
    (where they overlap, the first one wins in extract_facts)."""
    if kind == "phone":
        yield from _library_phones(src)
    elif kind == "url":
        yield from _library_urls(src)
    for m in FACT_PATTERNS[kind].finditer(src):
        yield m.span("greet") if kind == "name" and m.group("greet") else m.span()


@dataclass(frozen=True)
class Fact:
    kind: str
    text: str


def extract_facts(text: str) -> list[Fact]:
    """Facts a rewrite must keep verbatim, in order of appearance, de-duplicated.

    Names are the forms of address and sign-offs (`Hi Dana`, `Mrs Chen`, `Kind regards, Hannah`);
    other capitalised words are not treated as names, to avoid demanding every product noun.
    """
    src = text.translate(_NORM)
    found: list[tuple[int, Fact]] = []
    taken: list[tuple[int, int]] = []
    for kind in ("email", "url", "handle", "phone", "amount", "place", "date", "time", "reference", "name", "proper"):
        for a, b in _fact_spans(kind, src):
            s = text[a:b].strip()
            # "£15," or "3 March." end a clause: the punctuation is not part of the fact, and a
            # rewrite that moves the fact mid-sentence must not be told it dropped it.
            while s and s[-1] in ",.;:" and not (kind == "url" and s.endswith("/")):
                s, b = s[:-1].rstrip(), b - 1
            if not s or any(a < e and s0 < b for s0, e in taken):
                continue
            if kind in ("name", "proper") and (s[0].islower() or s.translate(_NORM) in _NOT_NAMES
                                               or s.translate(_NORM).split()[0] in _NOT_NAMES):
                continue
            if kind == "proper" and _AFTER_GREETING.search(src[max(0, a - 60):a]):
                continue
            if kind == "reference" and not s.startswith("#") and len(s) < 3:
                continue
            taken.append((a, b))
            found.append((a, Fact(kind, s)))
    # Sign-off names: a last line or last word after "regards," / "thanks," / "cheers,".
    for m in re.finditer(r"(?:regards|thanks|cheers|best|sincerely),?\s*\n?\s*([A-Z][\w'-]+)\s*\.?$",
                         src, re.I):
        a, b = m.span(1)
        if not any(a < e and s0 < b for s0, e in taken):
            found.append((a, Fact("name", text[a:b])))
    seen: set[str] = set()
    out = []
    for _a, f in sorted(found, key=lambda x: x[0]):
        if f.text not in seen:
            seen.add(f.text)
            out.append(f)
    return out


def facts_missing(draft: str, candidate: str, facts: list[Fact] | None = None) -> list[str]:
    """Facts of the draft that the candidate does not contain verbatim (up to typography).
    A capitalised noun ("Terms of Service", "Support") is kept in any case: "our terms of
    service" names the same thing, while a number, name or date must match exactly."""
    c = norm(candidate)
    cl = c.lower()
    return [f.text for f in (facts if facts is not None else extract_facts(draft))
            if norm(f.text) not in c and not (f.kind == "proper" and norm(f.text).lower() in cl)]


# ---------------------------------------------------------------- promises
# Each entry: a name and a pattern for an offer or commitment. A candidate "adds" a promise when
# the pattern matches in it but not in the draft.
_OUTCOME_VERB = (r"(?:arrang|book|schedul|issu|lift|unfreez|unlock|reduc|lower|freez|restor|reinstat|grant|"
                 r"offer|redeliver|deliver|waiv|remov|revers|backdat|increas|releas|unban|refund|replac|"
                 r"fix|cancel|switch|compensat|take care of)\w*")
PROMISES: dict[str, str] = {
    "refund": r"\brefund\w*|\breimburs\w*|\bmoney back\b|\bpay (?:you )?back\b|\bchargeback",
    "credit": r"\bcredit(?:s|ed|ing)?\b|\badjust\w*|\bprice[- ]match\w*|\bmatch (?:the|that|their) price|\bvoucher|\bcoupon|\bpromo code|\bdiscount|\bgoodwill"
              r"|\bgesture\b|\bpoints?\b|\bbonus\b",
    "compensation": r"\bcompensat\w*|\bpayout\b|\bpay(?:ment)? for (?:your|the)\b|\bcover (?:the|your) cost",
    "upgrade": r"\bupgrad\w*",
    "free": r"(?<!feel )\bfree\b|\bcomplimentary\b|\bno (?:extra )?charge\b|\bat no cost\b|\bon us\b",
    "waiver": r"\bwaiv\w*|\bwrite off\b|\bcancel (?:the|your) (?:fee|fine|charge)|\bexceptions?\b|\bextension\b|\bextend\w*",
    "replacement": r"\breplac\w*|\bexchange\b|\bnew (?:one|card|sim|fob|item|device|phone|unit)\b|\bre-?send\w*|\breship\w*",
    "guarantee": r"\bguarant\w*|\bpromise\w*|\bensure (?:it|this) (?:won't|never)\b|\bwill never happen\b",
    "priority": r"\bpriorit\w*|\bfast[- ]track\w*|\bexpress\b|\bexpedit\w*|\burgent(?:ly)?\b|\bnext[- ]day\b|\bsame[- ]day\b",
    "visit": r"\b(?:engineer|technician|courier|locksmith|plumber|electrician|inspector)\b|\bvisit\b|\bsend (?:someone|somebody|a person)\b"
             r"|\bcollect(?:ion|ed)?\b|\bpick ?up\b",
    "callback": r"\bcall(?:ing)? (?:you )?back\b|\bcallback\b|\bcall you\b|\bring you\b|\bphone you\b",
    "approval": r"\bapprov\w*|\boverturn\w*|\breinstat\w*|\bunban\w*|\blift (?:the|your) (?:ban|block|suspension)",
    "escalation": r"\bescalat\w*|\binvestigat\w*|\bappeal\w*|\bcomplaint\b|\breview (?:your|the) (?:case|claim|decision)",
    # A new outcome the agent commits to ("I'll arrange a redelivery", "we've lifted the ban",
    # "I can book you a courtesy car"): checking, asking and passing on stay allowed.
    # ... also as a second verb of the same sentence ("we'll have a look and take care of it").
    "outcome": rf"\b(?:i|we)(?:'ll| will|'ve| have| can| could|'m going to| am going to|'re going to|"
               rf" are going to)\s+(?:(?:\w+\s+)?|[^.!?;]{{0,40}}?\band\s+(?:\w+\s+)?){_OUTCOME_VERB}"
               r"|\bworking on (?:a |the |an? )?(?:solution|fix|resolution|workaround)\b"
               r"|\bredeliver\w*|\bpayment plan\b|\bgift card\b|\b(?:courtesy|hire|loan) car\b",
    "deadline": r"\btoday\b|\btonight\b|\btomorrow\b|\bthis (?:morning|afternoon|evening|week|weekend)\b"
                r"|\bnext (?:week|month|business day|working day)\b"
                # "within" only before a span of time: "within the same region" is no deadline.
                r"|\bwithin\s+(?:the\s+(?:next\s+)?|an?\s+|a (?:few|couple of)\s+|\d+\s*|(?:one|two|three|four|five|six|seven|ten|fourteen|twenty|thirty|several)\s+)?"
                r"(?:working\s+|business\s+|calendar\s+)?(?:hours?|days?|weeks?|months?|minutes?|mins?|hrs?|h|\d)\b"
                r"|\bby (?:the )?(?:end of|eod|cob|close of|noon|midday|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
                r"|\b(?:in|after) (?:\d+|a few|a couple of|one|two|three|an?) (?:minutes?|hours?|days?|weeks?)\b"
                r"|\b\d+\s*(?:-\s*\d+\s*)?(?:working |business )?(?:hours?|days?|weeks?)\b|\basap\b|\bimmediately\b"
                r"|\bright away\b|\bstraight away\b|\bfirst thing\b|\bshortly\b|(?<!as )\bsoon\b",
}
_PROMISE_RE = {k: lexicon.compile(v, re.I) for k, v in PROMISES.items()}


_NEGATED = lexicon.compile(r"\b(?:not|no|never|unable|cannot|without|nor)\b|n't\b", re.I)


_CONTRAST = lexicon.compile(r"[,;]\s+(?=(?:but|however|though|although|yet)\b)|;\s+", re.I)
# Where a negation's reach ends inside a contrast chunk: a comma, colon, dash or emoji.
_CLAUSE_JOINT = lexicon.compile(r"[,:]\s+|\s+[-\u2013\u2014]\s+|(?<=[\U0001F300-\U0001FAFF\u2600-\u27BF])\s+")
# A piece that goes on with the one before it, so it shares its negation: a list's next item
# ("we can't offer refunds, exchanges or credit") or a short aside ("we can't, sadly, refund it").
_CONTINUES = lexicon.compile(r"^(?:or|nor|and|either|as well as|let alone)\b", re.I)
# What a clause of its own has and a list's next item lacks: a subject or a finite verb.
_CLAUSE_WORD = lexicon.compile(r"\b(?:I|we|you|it|they|he|she|there|this|that|is|are|was|were|will|would|"
                               r"can|could|has|have|had|do|does|did|may|might|must|should)\b|"
                               r"\w'(?:s|re|ll|ve|d|m)\b|n't\b", re.I)


def _affirmative_pieces(chunk: str) -> list[str]:
    """The pieces of a contrast chunk that no negation reaches. A negation reaches to the end of
    its own clause and into the pieces that continue it (`_CONTINUES`, three words or fewer, or
    no subject or verb of their own: "we can't offer refunds, exchanges or credit"),
    not across to the next clause: "your new SIM was sent on the 2nd but the courier's lost it,
    that's on them not us" sends the SIM, and "Since it wasn't faulty, we'll offer store credit"
    offers the credit. Read as one negated sentence, both lost what they said, so an edit that
    only cut the denial was charged with adding them (dev, rwA-049)."""
    out, negated = [], False
    for piece in _CLAUSE_JOINT.split(chunk):
        if not piece.strip():
            continue
        goes_on = bool(out or negated) and (_CONTINUES.match(piece.strip()) or len(piece.split()) <= 3
                                             or not _CLAUSE_WORD.search(piece))
        negated = bool(_NEGATED.search(piece)) or (goes_on and negated)
        if not negated:
            out.append(piece)
    return out


def promises_in(text: str, affirmative_only: bool = False) -> dict[str, list[str]]:
    """Promise wordings found in `text`; with `affirmative_only`, only from the clauses that do
    not negate them ("we can't offer a refund" is a refusal, not a refund)."""
    t = text.translate(_NORM)
    chunks = [t]
    if affirmative_only:
        # per clause, not per sentence: "..., so not our mistake, but i've refunded the $31.75"
        # still refunds it (the whole sentence read as negated lost the refund)
        chunks = [p for a, b in sentence_bounds(t) for c in _CONTRAST.split(t[a:b]) if c
                  for p in _affirmative_pieces(c)]
    out: dict[str, list[str]] = {}
    for chunk in chunks:
        for k, rx in _PROMISE_RE.items():
            hits = [m.group(0).lower() for m in rx.finditer(chunk)
                    if not (affirmative_only and _withdrawn(chunk, m))]
            if hits:
                out.setdefault(k, []).extend(hits)
    return out


# A benefit named as ended is no offer: "price matching got scrapped", "we no longer offer
# vouchers". Only the words right next to it count, so "we scrapped the fee and issued a
# credit" still offers the credit.
_WITHDRAWN_AFTER = lexicon.compile(r"^ (?:\w+ ){0,2}?(?:got |was |were |has been |have been |is |are )?"
                              r"(?:scrapped|discontinued|abolished|axed|phased out|withdrawn|"
                              r"ended(?! up)|retired|dropped|stopped)\b", re.I)
_WITHDRAWN_BEFORE = lexicon.compile(r"\b(?:no longer (?:\w+ )?|stopped (?:\w+ing )?|scrapped (?:the |our )?|"
                               r"discontinued (?:the |our )?|ended (?:the |our )?|axed (?:the |our )?)"
                               r"(?:\w+ ){0,1}$", re.I)


def _withdrawn(chunk: str, m: re.Match) -> bool:
    """Whether the promise wording `m` in `chunk` names a benefit that was ended."""
    return bool(_WITHDRAWN_AFTER.search(chunk[m.end():m.end() + 60])
                or _WITHDRAWN_BEFORE.search(chunk[max(0, m.start() - 60):m.start()]))


_REFUSED = lexicon.compile(r"\b(?:can't|cannot|can not|couldn't|could not|won't|not able to|unable to|"
                      r"not allowed to|wouldn't be able to|don't|do not)\s+(?:\w+ly\s+)?(\w+)", re.I)
# A gap that asks the agent what they offer ("What I can do to help is [what you will do to help
# with it]", "Here's what I can do: [...]", "what I can do is [the best alternative]"): the
# agent's to fill, not a capability claimed.
ASKS_OFFER = lexicon.compile(r"\bwhat I can do\b[^.!?\[]{0,20}\[", re.I)
_CAN_DO = lexicon.compile(r"\b(I|we)(?:'ll| will| can| could|'ve| have| am able to| are able to)\s+"
                     r"(?:now\s+|also\s+|certainly\s+)?(\w+)", re.I)


# The result of a check the draft never reported: "I've checked and found that the fee doesn't
# apply", "your complaint has already been resolved", "it's not an error". Matched in negated
# sentences too (unlike the offers above), since "not an error" is itself the invented finding.
_FINDING = lexicon.compile(
    r"\b(?:found|discovered|confirmed|determined|established|verified)\s+(?:out\s+)?(?:that|the (?:issue|problem|cause|error|fault))\b"
    r"|\b(?:has|have|had) (?:already |now |since )?been (?:resolved|fixed|sorted|processed|approved|completed|corrected|cleared|refunded)\b"
    r"|\b(?:is|was|it's|that's)\s+not (?:an? )?(?:error|mistake)\b|\bnot applicable\b", re.I)
_ADMISSION = lexicon.compile(r"\bwe(?:'ve| have)? made (?:a |an |some )?(?:mistakes?|errors?)\b|\bour (?:mistake|error|fault)\b", re.I)
_WENT_WRONG = lexicon.compile(r"\b(?:mistakes?|errors?|wrong|fault\w*|glitch\w*|bug\w*|lost|los[et]|broke\w*|missed|"
                         r"forgot\w*|fail\w*|double[- ]?\w*|twice|incorrect\w*|delay\w*|late|oversight|"
                         r"mix-?up|dropped the ball|mess\w*|outage|damag\w*|missing|overcharg\w*|"
                         r"duplicate\w*|cancell?ed|issue|problem|shambles|crash\w*|down)\b", re.I)


def _outcome_stem(hit: str) -> str:
    """What licenses an outcome hit when the draft contains it: a phrasal verb whole ("take care
    of"), else the first five letters of the verb or last word ("refund" -> "refun")."""
    verb = re.search(_OUTCOME_VERB + r"$", hit)
    word = verb.group(0) if verb else hit.split()[-1]
    return word if " " in word else word[:5]


# "I've <verb>ed", "we <verb>ed": an action the reply says the agent or the company has already
# taken. Its verb's stem must be in the draft: "I've reported it to IT", "we found the fault" or
# "I have informed the branch" about a draft that did none of these is an invented fact (graded D
# on dev, round r2: 5 of the model's 30 D rewrites claimed one, against 1 of its 9 A/B, and 2
# of 19 writers' references). A step still to come ("I'll check why with the depot") is the
# process the agent owns, not a claim.
_ACTION = lexicon.compile(r"\b(?:I|we)(?P<aux>'ve| have)?\s+(?:(?:now|also|already|just|personally|"
                     r"gone ahead and|went ahead and|then)\s+)*(?P<verb>[a-z]+)", re.I)
_PAST = frozenset("sent found told made gave took spoke rang wrote got put set paid left kept "
                  "brought caught chose drove fed heard held knew lent lost meant met ran sold "
                  "shut sought stood taught thought understood won".split())


@lru_cache(maxsize=1)
def _stance_verbs() -> frozenset[str]:
    from coach import lexicon  # noqa: PLC0415

    return frozenset(lexicon.words("STANCE_VERB"))


@lru_cache(maxsize=1)
def _handoffs() -> tuple[str, ...]:
    from coach.taxonomy import TYPES  # noqa: PLC0415

    return tuple(TYPES[t].rewrite.handoff.split("{")[0] for t in TYPES if TYPES[t].rewrite.handoff)


def actions_added(draft: str, candidate: str) -> list[str]:
    """Actions the candidate says were taken ("we've reported", "I informed") whose verb the
    draft never uses. The owned hand-off of the problem types (coach/types/,
    "I'll pass this to ... now") is the rewrite's own sanctioned next step and does not count;
    nor do [placeholders], which the agent fills in."""
    low = norm(draft).lower()
    cand = norm(candidate)
    for h in _handoffs():
        cand = cand.replace(h, " ")
    out = []
    for m in _ACTION.finditer(PLACEHOLDER_RE.sub(" \x00 ", cand)):  # "I've [...]" is the agent's to fill
        verb = m.group("verb").lower()
        if verb in _stance_verbs() or verb in _NOT_VERB or verb.startswith(("sorr", "apolog")):
            continue
        if not (verb.endswith("ed") or verb in _PAST):
            continue   # "I'll check", "I'm looking": a step to come, or no verb in the past
        stem = verb[:5] if len(verb) > 5 else verb.rstrip("e")
        if not re.search(r"\b" + re.escape(stem), low):
            out.append(f"{NEW_ACTION}{m.group(0).lower()}")
    return out


# A step the agent commits to: "I'll contact them", "we will notify the team", "let me find out".
_COMMIT = lexicon.compile(r"\b(?:(?:I|we)(?:'ll|\s+will|\s+shall|'m going to|\s+am going to|'re going to|"
                     r"\s+are going to|\s+can(?!'t|not))|let me)\s+(?:now\s+|also\s+|personally\s+|then\s+|"
                     r"just\s+|gladly\s+|happily\s+|directly\s+|still\s+|always\s+)*(?P<verb>[a-z]+)"
                     # the step under way: "I'm passing your application to..."
                     r"|\b(?:I|we)(?:'m|\s+am|'re|\s+are)\s+(?:now\s+|also\s+|just\s+)*(?P<ing>[a-z]{3,}ing)\b",
                     re.I)
# Steps that commit to nothing new: being there, needing the customer's details, coming back
# (with the stems an "-ing" form leaves: "having" -> "hav", "hoping" -> "hop").
_NO_COMMIT = frozenset("be need have update keep let reply respond come answer "
                       "understand see imagine appreciate hope afraid sorry happy glad "
                       "experienc hav hop go".split())
# The customer as the one who acts: "you'll need to contact them", "you can send them an offer".
_CUSTOMER_DOES = lexicon.compile(r"\byou(?:'ll|'d|\s+will|\s+would|\s+can|\s+could|\s+may|\s+might|"
                            r"\s+should|\s+must|'re|\s+are)?(?:\s+(?:need|have|want|be able|just|"
                            r"also|still|always|directly|like))*(?:\s+to)?\s+$|\b(?:please|kindly|pls)\s+$"
                            # an imperative opening a sentence: "check our returns FAQ at ..."
                            r"|(?:^|[.!?]\s+|\n\s*)$", re.I)


def commitments_added(draft: str, candidate: str) -> list[str]:
    """Steps the candidate has the agent commit to ("I'll contact them to resolve it", "I'll send
    them a new offer") that the draft never had the company take: a verb the draft never uses,
    or one it gives the customer to do ("you need to contact the franchise office"). Readers
    graded each such rewrite D for promising work nobody agreed to. The types' owned hand-off
    ("I'll pass this to ... now and update you here") and the fallback's own [gaps] are the
    rewrite's sanctioned next steps and do not count; nor does a step the draft had someone
    else of ours take ("they'll text you a date" -> "we'll text you a date")."""
    low = norm(draft).lower()
    cand = norm(candidate)
    for h in _handoffs():
        cand = cand.replace(h, " ")
    out = []
    for m in _COMMIT.finditer(PLACEHOLDER_RE.sub(" \x00 ", cand)):
        verb = (m.group("verb") or m.group("ing")).lower()
        if m.group("ing"):
            verb = verb[:-3]   # "passing" -> "pass", "sending" -> "send"
            if len(verb) > 3 and verb[-1] == verb[-2] and verb[-1] not in "sl":
                verb = verb[:-1]   # "putting" -> "put"
        if verb in _NO_COMMIT or verb in _NOT_VERB or verb in _stance_verbs():
            continue
        if verb in ("pass", "forward", "refer") and _HANDOFF_TEAM.match(
                cand, m.start("verb") if m.group("verb") else m.start("ing")):
            continue   # the owned hand-off in other words; its team is checked on its own
        stem = verb[:5] if len(verb) > 5 else verb.rstrip("e")
        uses = [u.start() for u in re.finditer(r"\b" + re.escape(stem), low)]
        if not uses or all(_CUSTOMER_DOES.search(low[max(0, i - 40):i]) for i in uses):
            phrase = f"{NEW_ACTION}{m.group(0).lower()}"
            if phrase not in out:
                out.append(phrase)
    return out


NEW_ACTION = "new action: "
# What follows "we have" / "I am" when no verb does ("we have this rule", "I am in billing").
_NOT_VERB = frozenset("this that these those it its the a an no any some your our my their to "
                      "in on at for with of by from because and but or so as if than all both "
                      "very too more less there here what which who".split())
PLACEHOLDER_RE = lexicon.compile(r"\[[^\]]*\]")


def promises_added(draft: str, candidate: str) -> list[str]:
    """Offers or commitments in the candidate that the draft did not make.

    A kind of promise counts as added when the candidate uses a wording of it the draft does not
    contain (so a draft that mentions "refund" allows "refund", but not "compensation"). Dates and
    times in the candidate that are not among the draft's facts count as a new deadline; an
    admission of a mistake the draft never reports, or the result of a check it never made, as a
    new (possibly false) fact.
    """
    c = promises_in(candidate, affirmative_only=True)
    licensed = " ".join(h for hits in promises_in(draft, affirmative_only=True).values()
                        for h in hits)
    draft_low = norm(draft).lower()
    added = []
    for k, hits in c.items():
        for h in hits:
            if k == "outcome" and _outcome_stem(h) in draft_low:
                continue  # the draft already speaks of this action ("a refund" -> "I'll refund")
            if h not in licensed and h not in added:
                added.append(h)
    # "I can't override it" -> "I can override it": the model dropped the negation and
    # invented a capability (or an action) the draft refused.
    refused = {m.group(1).lower() for m in _REFUSED.finditer(draft.translate(_NORM))}
    cand = candidate.translate(_NORM)
    gaps = [(g.start(), g.end()) for g in ASKS_OFFER.finditer(cand)]
    for m in _CAN_DO.finditer(cand):
        if any(a <= m.start() < b for a, b in gaps):
            continue   # "What I can do to help is [...]": a gap for the agent, not a claim
        if m.group(2).lower() in refused and m.group(0).lower() not in added:
            added.append(m.group(0).lower())
    # "We made a mistake" about a draft that reports no mistake is a new (false) fact.
    admitted = _ADMISSION.search(candidate)
    if admitted and not _WENT_WRONG.search(draft):
        added.append(admitted.group(0).lower())
    for m in _FINDING.finditer(candidate.translate(_NORM)):
        if m.group(0).lower() not in draft_low and m.group(0).lower() not in added:
            added.append(m.group(0).lower())
    for a in actions_added(draft, candidate) + commitments_added(draft, candidate):
        if a not in added:
            added.append(a)
    dfacts = {norm(f.text).lower() for f in extract_facts(draft)}
    for f in extract_facts(candidate):
        if f.kind in ("date", "time", "amount") and norm(f.text).lower() not in dfacts \
                and norm(f.text).lower() not in draft_low and f.text.lower() not in added:
            added.append(f.text.lower())
        elif f.kind in ("name", "handle", "email", "phone", "url") and \
                norm(f.text).lower() not in dfacts and norm(f.text).lower() not in draft_low:
            # "...update you here. -Bea": a sign-off copied from an example is someone else's
            added.append(f"new name or contact: {f.text}")
    for r in reasons_added(draft, candidate):
        if r not in added:
            added.append(r)
    for m in _HANDOFF_TEAM.finditer(candidate.translate(_NORM)):
        team = m.group("team").lower()
        if team.split()[0] not in _no_team_name() and not re.search(r"\b" + re.escape(team.split()[-1][:5]), draft_low):
            # "so I'll pass this to our IT team" about a hotel's night desk: a team the draft never
            # named is someone the model made up
            added.append(f"new name or contact: our {team} team")
    handoff = _HANDOFF.search(candidate)
    if handoff and states_decision(draft) and not _HANDOFF.search(draft):
        # "our policy does not allow it to be waived, so I'll pass this to our finance team":
        # a hand-off after the company's answer promises a review of what was decided
        added.append("hand-off after a decision: " + handoff.group(0).lower())
    if handoff and not _HANDOFF.search(draft):
        cand_low = norm(candidate).lower()
        lost = [m.group(0) for m in ROUTE.finditer(norm(draft)) if m.group(0).lower() not in cand_low]
        if lost:
            # "Please use the app." -> "I'll pass this to our app team": the customer's own way
            # through is gone, and a hand-off stands in for it (readers graded these D)
            added.append(f"hand-off in place of the draft's route: {lost[0].lower()}")
    return added


@lru_cache(maxsize=1)
def _no_team_name() -> frozenset[str]:
    """Words that name no team in particular ("the relevant team"), from the lexicon."""
    from coach import lexicon  # noqa: PLC0415

    return frozenset(lexicon.words("NO_TEAM_NAME"))


_HANDOFF_TEAM = lexicon.compile(r"\b(?:pass|passing|forward|forwarding|send|sending|refer|referring)\s+"
                           r"(?:this|it|your(?:\s+[\w-]+){1,4}?)\s+(?:on\s+)?to\s+(?:our|the)\s+"
                           r"(?P<team>[\w&-]+(?:\s+[\w&-]+)?)\s+(?:team|department|desk)\b", re.I)
# Where the draft sends the customer (the lexicon's ROUTE: a line, a page, the app, an address).
ROUTE = lexicon.compile(lexicon.pattern("ROUTE"), re.I)
_HANDOFF = lexicon.compile(r"\b(?:I'll|I will|I'm going to|let me|we'll|we will)\s+(?:now\s+)?(?:pass|escalate|"
                      r"forward|refer|send|raise|flag)\s+(?:this|it|your (?:request|case|query|complaint))"
                      r"\s+(?:on\s+)?(?:to|with|up)\b", re.I)


@lru_cache(maxsize=1)
def _reason_cue() -> re.Pattern:
    """The lexicon's reason words (REASON), without the bare ", as", which joins any clause."""
    from coach import lexicon  # noqa: PLC0415

    return lexicon.compile(r"(?:" + lexicon.pattern("REASON") + r")\s+(?P<rest>(?:[\w'-]+\s+){0,2}[\w'-]+)",
                      re.I)


def reasons_added(draft: str, candidate: str) -> list[str]:
    """Reasons the candidate gives that the draft never gave ("...not accepted as per our rules
    because we want to ensure the safety of our customers"): a reason is a fact about the
    company, and a model that supplies one invents it. A reason counts as the draft's when the
    words after its cue ("because", "so that", "to protect") appear in the draft; the agent's
    [the reason] placeholder is theirs to fill."""
    cand = PLACEHOLDER_RE.sub(" \x00 ", candidate.translate(_NORM))
    dlow = " ".join(re.findall(r"[\w'-]+", norm(draft).lower()))
    dwords = set(dlow.split())
    out = []
    for m in _reason_cue().finditer(cand):
        if m.group(0).lstrip().startswith(","):
            continue
        words = re.findall(r"[\w'-]+", m.group("rest").lower())
        rest = " ".join(words)
        if rest and rest not in dlow and not _same_words(words, dwords):
            out.append(f"new reason: {m.group(0).strip().lower()}")
    return out


# Who does it changes in an ownership edit ("the payments team holds" -> "we hold"), not what.
_WHO = frozenset("we us our ours i me my they them their theirs the a an team".split())


def _same_words(words: list[str], dwords: set[str]) -> bool:
    """Whether every word but the doer's is one the draft uses (by its first four letters:
    "hold" for "holds"): the draft's own reason, said as ours."""
    content = [w for w in words if w not in _WHO]
    return bool(content) and all(any(d.startswith(w[:4]) for d in dwords) for w in content)


# ---------------------------------------------------------------- ownership
# Blame, helplessness and distance in any wording are the strict rule pack's business
# (coach/detectors/rules/packs/strict/dodges.yaml): the verifier asks the rule engine, as it asks
# the detectors for flags, and keeps no dodge list of its own. OWN is the positive side: the text
# speaks for the company or the agent with a verb.
OWN = lexicon.compile("|".join([
    r"\b(?:I|we)\s+(?:really\s+|just\s+|simply\s+)?(?:can't|cannot|can not|couldn't|could not|am unable|'m unable|are unable|'re unable|am not able|'m not able|are not able|'re not able|have no (?:way|power|control|say|authority)|(?:wouldn't|would not|won't|will not) be able to)\b",
    r"\b(?:they|he|she|it|the \w+(?: team)?)\s+(?:can't|cannot|won't|couldn't)\b",
    r"\bunable to\b|\bnot able to\b|\bno way (?:for (?:me|us) )?to\b|\bno way of\b|\bnothing (?:more )?(?:I|we) can\b|\bnot much (?:I|we) can\b",
    r"\bnot (?:our|my) (?:fault|problem|issue|responsibility|call|decision|department|doing|area)\b",
    r"\b(?:isn't|is not|wasn't|was not|aren't|are not) (?:our|my) (?:fault|problem|issue|responsibility|call|decision|doing)\b",
    r"\b(?:their|his|her|the \w+'s|your) (?:fault|mistake|error|problem|responsibility|call|decision)\b",
    r"\bout of (?:my|our) (?:hands|control)\b|\bbeyond (?:my|our) control\b|\b(?:up to|down to) (?:them|the \w+ team)\b",
    r"\b(?:they|them|the \w+ (?:team|department|people))\s+(?:decide|decided|handle|handled|make|made|caused|messed)\b",
    # The cause handed to someone else: "was down to the payment processor we use".
    r"\b(?:was|were|is|are|'s|came|comes|come) (?:\w+ )?down to (?!(?:us|me|our|my)\b|the (?:last|wire|final)\b)(?:the|a|an|their|your|how)\b",
    r"\bnothing to do with (?:us|me)\b|\b(?:wasn't|was not|not) (?:us|me)\b|\bblame\b",
    r"\bnot (?:something|anything) (?:I|we|support|the \w+(?: here)?|\w+ team) (?:did|caused|do|touched|control|decide)\b",
    r"\b(?:on|at|from) (?:their|the \w+'s) (?:end|side)\b|\bnot (?:by|from|with|on) (?:us|me)\b",
    # "it's IT's problem", "that's the courier's fault": blame by possessive, any owner
    r"\b(?!(?-i:[Ii]t|[Tt]hat|[Ww]hat|[Tt]here|[Hh]ere|[Ww]ho|[Tt]his|[Hh]e|[Ss]he)'s\b)\w+'s (?:fault|problem|responsibility|call|decision)\b",
    # Siding with the customer against the company: "I'd have moaned too", "a bad move by
    # leadership", "the unfair criteria", "I just process what I'm given".
    r"\bI(?:'d| would) (?:have |be |also )?\w+ (?:too|as well)\b",
    r"\b(?:a |such a )?(?:bad|terrible|awful|stupid|dumb|silly) (?:move|call|decision|idea)\b",
    r"\b(?:the|our|these|this|those) (?:unfair|ridiculous|stupid|dumb|silly|pointless) \w+",
    r"\bI(?:'m| am)? (?:just|only) (?:process|follow|pass(?:ing)? on|do what|work here|the messenger)\b",
    r"\b(?:I|we) (?:don't|do not|dont) have (?:a |any )?(?:line|access|say|control|visibility)\b",
    r"\bI(?:'m| am) (?:honestly |really |literally )?(?:just|only) (?:the|a|an) (?:\w+ )?(?:person|one|agent|receptionist|temp|messenger|admin)\b",
    r"\bfor any inconvenience\b|\bany inconvenience\b|\bwe apologi[sz]e for the inconvenience\b",
    r"\bpolicy (?:is|says|states|doesn't|does not)\b[^.!?]{0,40}$",
]), re.I | re.M)
OWN = lexicon.compile(
    r"\b(?:I|we)(?:'ve| have|'ll| will|'m| am|'re| are|'d| would)?\s+(?:just |now |already |also |personally |gone ahead and |going to |happy to |able to |can )*"
    r"(?!(?:can't|cannot|don't|won't|not)\b)[a-z]+\b|\blet me\b|\bhere's what\b|\bwe made\b|\bour (?:mistake|error|fault)\b",
    re.I)


def owns_problem(candidate: str) -> bool:
    """True when the text carries no dodge and speaks for the company: an action of the agent's
    ("I've moved it", "let me"), an action reported done ("the fee has been refunded"), or the
    company's decision stated as its own ("the AUD 65 change fee applies", "it can't be
    refunded"). A recap that drops "between you and me, the fee is a bit rough" and keeps
    "your flight has been moved ... the change fee applies" owns the outcome (read on dev: the
    drop was refused for want of an "I" and the sentence became a template, graded C or D)."""
    from coach.rewrite.edits import reports_action, reports_outcome  # noqa: PLC0415

    view = DraftView(candidate)  # the customer's quoted words are not the agent's dodge
    if _strict_matches(view):
        return False
    return bool(OWN.search(view.masked) or reports_action(view.masked) or reports_outcome(view.masked)
                or states_decision(view.masked) or _OUR_PRACTICE.search(view.masked))


# What we do and don't do, said as ours: "We don't open a locker again from this chat" (an owned
# limit, coach.rewrite.edits.own_limit). Not what we don't know, have or see: that is the limit.
_OUR_PRACTICE = lexicon.compile(r"\bwe (?:don't|do not|never) (?!(?:know|have|see|get|deal|handle|"
                                r"cover|do|think|understand|control|decide|make)\b)[a-z]{3,}\b", re.I)


def disowning_phrases(candidate: str) -> list[str]:
    """The quotes of every strict-pack match, in text order (one per span)."""
    seen: dict[tuple[int, int], str] = {}
    for f in _strict_matches(DraftView(candidate)):
        seen.setdefault((f.start, f.end), f.quote)
    return [q for _, q in sorted(seen.items())]


def _strict_matches(view: DraftView) -> list:
    from coach.detectors.rules.engine import strict_rules  # noqa: PLC0415 (one import cycle less)

    return [f for rule in strict_rules() for f in rule.matches(view)]


# ---------------------------------------------------------------- format / length
_ARTEFACT = lexicon.compile(r"<\|im_(?:start|end)\|>|\bsystem prompt\b|\bas an ai\b|\blanguage model\b|"
                       r"\brewrite[sd]?:|\bdraft:|\bflagged\b|\bownership\b|```|\{\s*\"|\[[^\]]{2,60}\]",
                       re.I)


def _ngrams(text: str, n: int = 5) -> set[tuple[str, ...]]:
    w = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def _prompt_ngrams() -> set[tuple[str, ...]]:
    global _PROMPT_NGRAMS
    if _PROMPT_NGRAMS is None:
        from coach.lm.prompts import PROMPTS_DIR

        grams: set[tuple[str, ...]] = set()
        for p in PROMPTS_DIR.glob("*.v*.txt"):
            raw = re.sub(r"\$\w+", " ", p.read_text(encoding="utf-8"))
            # Quoted phrases are wording the prompt asks for ("we made a mistake", "here's what I
            # can do"); a rewrite using them is doing its job, not leaking the instructions.
            raw = re.sub(r'"[^"\n]{1,80}"', " | ", raw)
            grams |= _ngrams(raw)
        _PROMPT_NGRAMS = grams
    return _PROMPT_NGRAMS


_PROMPT_NGRAMS: set[tuple[str, ...]] | None = None
_LEAK = lexicon.compile(r"\b(?:you are an? (?:helpful )?(?:assistant|ai)|my instructions|previous instructions|"
                   r"system prompt|as instructed)\b", re.I)


def prompt_leak(draft: str, candidate: str) -> bool:
    """Does the candidate repeat the instructions (a draft asking to print the prompt)? The
    words of a [placeholder] are the fallback's own (the prompt quotes the same templates), and
    a placeholder is a problem of its own kind."""
    if _LEAK.search(candidate) and not _LEAK.search(draft):
        return True
    return bool((_ngrams(PLACEHOLDER_RE.sub(" \x00 ", candidate)) & _prompt_ngrams()) - _ngrams(draft))


# Function words a light edit may bring in ("we", "our", "the"): not new content.
_FUNCTION_WORDS = frozenset(
    "i we you the a an and to of in on for is are was were it its this that our ours us my me be "
    "been will would with at by as so but not or if all any".split())
# How many content words the model may add that the draft never used: on 40 graded model
# rewrites (dev, dev2, test), 9 of the 19 adding at most 2 were A or B, and 1 of the 21 adding 3
# or more ("I'll pass this to our Southern Cross team", "but we can still do it", "We need to
# get them fixed quickly", "I'd look into it now": new steps, promises and contradictions).
MAX_NEW_WORDS = 2


def new_words(draft: str, sentence: str) -> list[str]:
    """The content words of `sentence` that `draft` never uses (the model's additions)."""
    have = set(_WORDS.findall(draft.lower()))
    return list(dict.fromkeys(w for w in _WORDS.findall(sentence.lower())
                              if w not in have and w not in _FUNCTION_WORDS))


def copied_from(candidate: str, examples: Sequence[str], draft: str, n: int = 5) -> bool:
    """Does the candidate reuse a run of `n` words from an example it was shown that the draft
    does not have? A 1.5B model pastes example content ("the server rollback on 12 October")
    into unrelated replies; such a candidate is about someone else's problem."""
    grams = _ngrams(candidate, n) - _ngrams(draft, n)
    return any(grams & _ngrams(e, n) for e in examples)


def without_copied(candidate: str, examples: Sequence[str], draft: str) -> str:
    """The candidate without its sentences that reuse an example's words (see `copied_from`).
    The model mostly pastes an example's closing next step ("I'll take you through unlocking it
    now; are you in the app?") after a sentence of its own; what is left still has to pass
    every check on its own."""
    return " ".join(candidate[a:b].strip() for a, b in sentence_bounds(candidate)
                    if not copied_from(candidate[a:b], examples, draft)).strip()


# A lower-case word, then a word that only opens a sentence, with no stop between: a join the
# model dropped ("...your perspective Your new instalments are..."). Not a handle's or an
# address's tail ("@mei.styles Your refund...").
_RUN_ON = lexicon.compile(r"(?<![@./\w-])[a-z]{2,} (?:Your|We|We're|We've|We'll|Our|It's|Please|Thanks|Thank|Sorry|"
                     r"Unfortunately)\b|\b\d+(?:st|nd|rd|th) I(?:'ve|'ll) (?:now |just |also )?[a-z]+ed\b")


def format_problems(draft: str, candidate: str, max_ratio: float = 1.6, slack_words: int = 25) -> list[str]:
    """Empty, artefacts of the prompt (tags, JSON, placeholders, the instructions themselves), two
    sentences run together where the draft had none, or much longer than the draft."""
    probs = []
    if not candidate.strip():
        return ["empty"]
    if prompt_leak(draft, candidate):
        probs.append("repeats the instructions")
    if _ARTEFACT.search(candidate) and not _ARTEFACT.search(draft):
        probs.append("prompt artefact or placeholder")
    for m in _RUN_ON.finditer(candidate):
        if m.group(0) not in draft:
            # "I appreciate your perspective Your new instalments...": two sentences run together
            probs.append(f"run-on: {m.group(0)}")
            break
    dw, cw = len(draft.split()), len(candidate.split())
    if cw > max_ratio * dw + slack_words:
        probs.append(f"too long ({cw} words for a {dw}-word draft)")
    return probs


_SENT = lexicon.compile(r"[^.!?\n]+[.!?]*")
_WORDS = lexicon.compile(r"[a-z0-9']+")


def duplicated(text: str) -> list[str]:
    """Sentences of three words or more said twice (word for word, case and punctuation aside):
    a template sentence next to the same sentence in the draft reads as a broken reply."""
    seen: dict[str, int] = {}
    for m in _SENT.finditer(text):
        s = " ".join(_WORDS.findall(m.group().lower()))
        if len(s.split()) >= 3:
            seen[s] = seen.get(s, 0) + 1
    return [s for s, n in seen.items() if n > 1]


_DECIDE = (r"(?:allow|permit|approv|accept|refund|waiv|return|exchang|cancel|extend|backdat|reissu|"
           r"honou?r|revers|remov|lift|reduc|match(?!\w*\s+(?:what|our|ours|any|the (?:one|details|records?|reading|name|address)))|offer|replac|transfer|reinstat|grant|authori[sz]|"
           r"process|change|move|switch|compensat|credit|discount|enter into|give (?:a )?reasons?)")
_DECISION = lexicon.compile(
    rf"(?:\bnot|\bnever|n't|\bcannot|\bunable to|\bno longer)\s+(?:\w+ly\s+)?(?:be\s+|been\s+)?"
    rf"(?:able to\s+)?{_DECIDE}\w*"
    r"|\b(?:non-?refundable|not (?:refundable|eligible|possible|transferable|available)|ineligible|"
    r"isn't (?:refundable|eligible|possible)|aren't (?:refundable|eligible))\b"
    r"|\b(?:declined|denied|refused|rejected|turned down)\b"
    # "we don't do refunds for part months", "we don't give rebates for discolouration"
    r"|(?:\bnot|\bnever|n't|\bno longer)\s+(?:do|give|offer|issue|make|provide|pay)\s+"
    r"(?:(?!(?:them|him|her|us|you|me|it)\b)[\w-]+\s+){0,2}?"
    r"(?:refunds?|exchanges?|returns?|compensation|discounts?|rebates?|credits?|waivers?|"
    r"price (?:match(?:es|ing)?|adjustments?)|adjustments?)\b"
    # a charge or a decision that stands: "the AUD 25 admin fee still applies", "the £25 charge
    # stands", "the decision is final"
    r"|\b(?:still|will still|continues? to|does|do)\s+(?:apply|applies|stand|stands)\b"
    r"|\b(?:charges?|fees?|decision|surcharge|penalty|rules?)\b(?:[^.!?;\n]|(?<=\d)\.(?=\d)){0,90}?\s(?:still\s+)?(?:stands|will stand|"
    r"is final|remains? in place|applies|apply|will apply)\b|\b(?:decision|answer) is final\b"
    # a benefit refused in the passive: "no compensation is given for facility closures"
    r"|\bno\s+(?:[a-z]+\s+){0,2}?(?:refunds?|compensation|credits?|discounts?|rebates?|exceptions?|"
    r"waivers?|extensions?|exchanges?|returns?)\s+(?:is|are|will be|can be|gets?)\s+"
    r"(?:given|offered|paid|provided|made|issued|granted|allowed|accepted)\b", re.I)


def states_decision(text: str) -> bool:
    """Whether the text refuses something (a refund, a waiver, an approval): its decision."""
    return bool(_DECISION.search(text))

# A refusal in any words, wider than a decision: the company's own limit, any verb ("we can't
# take a reading for a closed account in chat", "it can't be reactivated"), but not a lookup that
# failed or a hedge ("we can't find it", "we can't guarantee"). Many such sentences are the
# agent's helplessness ("we can't really do anything about them"), which a rewrite may turn into
# an offer, so a rewrite is never required to keep one (decision_lost reads _DECISION only); the
# fallback keeps one as the agent wrote it, with the reason gap, rather than lose it to a
# template (on dev these lost their sentence: "[what you can do for them]").
_REFUSAL = lexicon.compile(
    r"\bwe\s+(?:can't|cannot|can not|are unable to|aren't able to|are not able to)\s+"
    r"(?!(?:find|see|locate|access|reach|get|tell|say|help|do|guarantee|promise|confirm|check|"
    r"wait|thank|apologi[sz]e|believe|imagine|know|understand|work out|figure)\b)[a-z]+"
    r"|\b(?:can't|cannot|can not|won't|will not)\s+be\s+(?!(?:seen|helped|found|located|reached|"
    r"accessed|guaranteed|confirmed|checked|traced|verified|sure)\b)(?:[a-z]+(?:ed|en)|done|made|"
    r"given|taken|undone|paid|kept|held|sold|sent)\b", re.I)


def states_refusal(text: str) -> bool:
    """Whether the text refuses something: a decision (states_decision), or "we can't <do it>",
    "it can't be <done>" (see _REFUSAL)."""
    return bool(_DECISION.search(text) or _REFUSAL.search(text))


def decision_lost(draft: str, candidate: str) -> bool:
    """Whether the draft refuses something (a refund, a waiver, an approval: its decision) and
    the candidate no longer does. Dropping "our policy does not allow charges to be waived"
    leaves a reply that reads as if the charge might still go; turning a refused overdraft into
    "I'm sending your request to our team" changes the answer. Both were graded D."""
    return bool(_DECISION.search(draft)) and not _DECISION.search(candidate)


def actions_lost(draft: str, candidate: str) -> list[str]:
    """Actions the draft reports done ("A credit note for £48 has been raised") that the candidate
    no longer mentions: the customer loses the news. A model once turned it into "I will update
    you on this credit note" (read on dev)."""
    from coach.rewrite.edits import reported_actions  # noqa: PLC0415

    low = norm(candidate).lower()
    return [v for v in dict.fromkeys(reported_actions(norm(draft)))
            if not re.search(r"\b" + re.escape(v[:max(4, len(v) - 2)]), low)]


GAP_PROBLEMS = ("prompt artefact or placeholder", "too long")


# ---------------------------------------------------------------- all checks
@dataclass
class Checks:
    flags_left: list[dict] = field(default_factory=list)
    facts_missing: list[str] = field(default_factory=list)
    promises_added: list[str] = field(default_factory=list)
    owns_problem: bool = False
    problems: list[str] = field(default_factory=list)   # format / length / dodges, for debugging

    @property
    def passed(self) -> bool:
        return (not self.flags_left and not self.facts_missing and not self.promises_added
                and self.owns_problem and not self.problems)

    @property
    def passed_with_gaps(self) -> bool:
        """Passed, for a reply the agent completes: [placeholders] and the length they add are
        expected (the fallback), every other check holds."""
        return (not self.flags_left and not self.facts_missing and not self.promises_added
                and not [p for p in self.problems if not p.startswith(GAP_PROBLEMS)])

    @property
    def passed_as_example(self) -> bool:
        """Passed, for a bank pair (one sentence out of a writer's story, prompts/): an action
        its fix takes ("I've rebooked you") belongs to that story, which the writer knew, so a
        new action alone does not keep the pair out. Every other check holds. The retriever
        still shows the model pairs without one first (coach.rewrite.retrieve)."""
        return replace(self, promises_added=[p for p in self.promises_added
                                             if not p.startswith(NEW_ACTION)]).passed

    def to_dict(self) -> dict:
        return {"flags_left": self.flags_left, "facts_missing": self.facts_missing,
                "promises_added": self.promises_added, "owns_problem": self.owns_problem}


def _quote_key(text: str) -> str:
    return re.sub(r"\s+", " ", norm(text)).strip().casefold()


def judged_flags(draft: str, candidate: str, coach) -> list:
    """The candidate's flags that count against it. `coach` finds eagerly (the rewrite's own
    pipeline, coach.rewrite.rewriter.eager_coach): a dodge the draft had must not survive in
    any words it kept. Words the candidate writes anew are judged by the plain pipeline the
    eager one was made from (`coach.plain`): the eager rules, uncorroborated, flagged 16 % of
    the writers' reference rewrites on eval/rewrite/dev.jsonl, which readers grade 90 % A
    ("we won't be able to extend this hire", "the charge ... stands"), against 6.7 % for the
    plain pipeline, and so turned owned decisions into templates."""
    flags = coach.check(candidate) if candidate.strip() else []
    plain = getattr(coach, "plain", None)
    if not flags or plain is None or plain is coach:
        return flags
    said = _quote_key(draft)
    new = [f for f in flags if _quote_key(f.quote) not in said]
    # Kept words the same eager pipeline did not flag in the draft, flagged now by a learned
    # detector: the tagger reads a sentence in its neighbours' light, and once a dodge beside it
    # is fixed it can flag the sentence that was clean ("the charge will remain as the
    # cancellation was made within 48 hours" became a policy wall, for the plain pipeline too,
    # once the aside after it was gone; dev). The draft's own reading of those words stands.
    # A rule's flag still counts: its window changed for real (a cut "I'll call you at 5"
    # leaves the "please wait" before it a dead end).
    was = [_quote_key(g.quote) for g in _draft_flags(coach, draft)]
    shifted = [f for f in flags if f not in new and getattr(f, "source", "") in _READS_NEIGHBOURS
               and not any(_shares_run(_quote_key(f.quote), w) for w in was)]
    flags = [f for f in flags if f not in shifted]
    if not new:
        return flags
    confirmed = plain.check(candidate)
    return [f for f in flags if f not in new
            or any(g.start < f.end and f.start < g.end for g in confirmed)]


# The detectors (by Flag.source) whose reading of a sentence depends on the sentences around it:
# the learned tagger and embedding head, and the LM judge. A rule's window is explicit.
_READS_NEIGHBOURS = frozenset({"tagger", "embedding", "lm"})
# The last drafts' own flags, with the pipeline that found them: every candidate of a rewrite
# asks again for the same draft. In memory only, a few drafts long.
_DRAFT_FLAGS: dict[str, tuple[object, list]] = {}
_DRAFT_FLAGS_KEPT = 16


def note_draft_flags(coach, draft: str, flags: list) -> None:
    """Keep the flags `coach` found in `draft`, for the checks of its candidates: `rewrite()` has
    them already, so the verifier need not check the draft again."""
    if len(_DRAFT_FLAGS) >= _DRAFT_FLAGS_KEPT:
        _DRAFT_FLAGS.clear()
    _DRAFT_FLAGS[draft] = (coach, flags)


def _draft_flags(coach, draft: str) -> list:
    """`coach.check(draft)`, once per draft and pipeline."""
    hit = _DRAFT_FLAGS.get(draft)
    if hit is not None and hit[0] is coach:
        return hit[1]
    flags = coach.check(draft)
    note_draft_flags(coach, draft, flags)
    return flags


def _shares_run(a: str, b: str, n: int = 3) -> bool:
    """Whether two quotes (as _quote_key keys) share a run of `n` words, or one holds the other."""
    if a in b or b in a:
        return True
    wa, wb = a.split(), b.split()
    grams = {tuple(wb[i:i + n]) for i in range(len(wb) - n + 1)}
    return any(tuple(wa[i:i + n]) in grams for i in range(len(wa) - n + 1))


def verify(draft: str, candidate: str, coach, facts: list[Fact] | None = None) -> Checks:
    """Run every check of a candidate against its draft with the shared Coach pipeline (its
    flags as `judged_flags` counts them)."""
    flags = judged_flags(draft, candidate, coach)
    probs = format_problems(draft, candidate)
    probs += [f"dodge: {p}" for p in disowning_phrases(candidate)]
    said_twice = set(duplicated(draft))
    probs += [f"repeated: {d}" for d in duplicated(candidate) if d not in said_twice]
    if decision_lost(draft, candidate):
        probs.append("the draft's refusal is gone")
    probs += [f"the draft's action is gone: {v}" for v in actions_lost(draft, candidate)]
    return Checks(
        flags_left=[{"type": f.type, "quote": f.quote} for f in flags],
        facts_missing=facts_missing(draft, candidate, facts),
        promises_added=promises_added(draft, candidate),
        owns_problem=owns_problem(candidate) or _only_stock_apologies_cut(draft, candidate, coach),
        problems=probs)


_OPENING = lexicon.compile(r"^(?:@\w[\w.]*[,:]?\s+)+|^(?:hi|hey|hello|dear)\b[^,.!?\n]{0,40}[,!]\s*", re.I)


def _only_stock_apologies_cut(draft: str, candidate: str, coach) -> bool:
    """Whether the candidate is the draft with only its stock apologies taken out ("[So sorry
    for the inconvenience!] The store credit of $45.00 ... is under Wallet"): what is left is
    the agent's own answer, which owned nothing less before the apology went. Dropping the
    apology was refused for want of an "I" in the answer, and a template took its place
    ("I'm sorry [the specific thing that went wrong]", dev)."""
    def sents(text: str) -> list[str]:
        view = DraftView(text)
        out = [text[a:b].strip() for a, b in (view.sentences or [(0, len(text))])]
        # "@priyanka.sells Sorry for any inconvenience." / "Hi Jo, sorry...": the handle or
        # greeting opens whichever sentence comes first
        return [y for y in (_OPENING.sub("", x) for x in out) if y]
    kept = sents(candidate)
    if not kept:
        return False
    had = sents(draft)
    key = {norm(x).lower() for x in had}
    if any(norm(x).lower() not in key for x in kept):
        return False
    left = {norm(x).lower() for x in kept}
    cut = [x for x in had if norm(x).lower() not in left]
    if norm(had[-1]).lower() not in left or len(" ".join(kept).split()) < 10:
        # "Your parcel #A-5512 arrived broken. [We apologise for any inconvenience caused.]": the
        # apology was all the reply said about it; with it gone the problem stands bare
        return False
    return bool(cut) and all(any(f.type == "scripted_apology" for f in coach.check(x)) and
                             not extract_facts(x) for x in cut)


# ---------------------------------------------------------------- topic drift
MIN_TOPIC_SIM = 0.45   # cosine of MiniLM vectors; below it the "rewrite" talks about something else
# Fallback measure when the embedding model is not installed: the share of the rewrite's content
# words found in the original (`word_overlap`). It is a different scale from the cosine: on the
# 180 pairs of prompts/rewrite_bank.jsonl, 0.45 passes only 17% of the real rewrites, while 0.15
# passes 94% of them and 1.5% of 895 mismatched pairs (a draft vs another row's rewrite).
MIN_WORD_OVERLAP = 0.15
_STOP = set("the a an and or but so to of in on for with at by from is are was were be been it this "
            "that these those you your we our us i me my they them their he she his her as if "
            "not no can will would could should have has had do does did just there here what".split())


def topic_similarity(a: str, b: str) -> float:
    """Cosine of the sentence vectors of `a` and `b` (compare with MIN_TOPIC_SIM).

    Raises ModelUnavailableError when the embedding model is not installed; `on_topic` then
    falls back to `word_overlap`. Any other error is a real error and is not hidden."""
    from coach.embedder.model import get_embedder

    v = get_embedder().encode([a, b])
    return float(v[0] @ v[1])


def word_overlap(a: str, b: str) -> float:
    """Share of `b`'s content words that occur in `a` (compare with MIN_WORD_OVERLAP)."""
    wa = {w for w in re.findall(r"[a-z']{3,}", a.lower())} - _STOP
    wb = {w for w in re.findall(r"[a-z']{3,}", b.lower())} - _STOP
    return len(wa & wb) / (len(wb) or 1)


def on_topic(a: str, b: str) -> bool:
    """Is `b` about the same thing as `a`? Catches a model pasting an example's content.
    Sentence vectors when the embedding model is installed, word overlap (with its own
    threshold) when it is not."""
    try:
        return topic_similarity(a, b) >= MIN_TOPIC_SIM
    except ModelUnavailableError:
        return word_overlap(a, b) >= MIN_WORD_OVERLAP
