"""Deterministic ownership edits of one flagged sentence: the fast, model-free rewrite candidates.

Most flagged sentences need a small edit, not new words. The company spoken of as someone else
becomes "we" ("they changed the billing system" -> "we changed the billing system"; "Head office
sets the rota" -> "We set the rota"); a cause pinned on "a system error" becomes "our error"; a
dodge tacked onto a fact is dropped ("The contract runs 24 months, that's just how it works" ->
"The contract runs 24 months."); a sentence that is nothing but a dodge ("Rules are rules.",
"Sorry for any inconvenience.") is dropped whole. These edits only move or remove the draft's own
words, so they cannot invent a fact, a promise or a topic, and they cost microseconds where a
model candidate costs seconds on 2 cores.

An edit is only a *candidate*: `coach.rewrite.rewriter` runs every one through the same verifier as
the model's candidates (no flag left, every fact kept, no promise added, owns the problem), and
where none passes, the model writes the sentence. Removing a dead end or "I can't" only counts
when the reply still offers a next step (`has_next_step`): deleting "please check our FAQ" from
a reply that offers nothing else would leave the customer just as stuck.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Sequence

from coach import lexicon
from coach.flags import Flag
from coach.rewrite.verify import ROUTE, extract_facts, states_refusal
from coach.taxonomy import TYPES

# Kinds, best first: an edit that keeps more of the agent's words is preferred.
KINDS = ("own_cause", "swap", "drop_clause", "drop_sentence")
MAX_CANDIDATES = 12


@dataclass(frozen=True)
class Edit:
    """One candidate replacement for a flagged sentence."""

    text: str
    kind: str
    dropped: str = ""   # the words it removes (clauses, or the whole sentence)
    owned: bool = False  # some clause was turned round to "we" (own_cause or swap), not only cut


# ---------------------------------------------------------------- clauses
# A clause ends at , ; : or a dash, or before a coordinating word; the separator stays with the
# clause before it so that removing a clause removes its joint too.
_EMOJI = "\U0001F300-\U0001FAFF\u2600-\u27BF"
# Only coordinating words cut inside a sentence: "as", "which", "who" also join comparisons
# and objects ("I'm as fed up as he is"), so they cut only after a comma.
_CLAUSE_CUT = lexicon.compile(rf"(?<=[,;:{_EMOJI}])\s+|(?<=[a-z0-9)][.!?])\s+(?=[A-Z])|\s+(?=[-\u2013\u2014]\s)|\s+(?=(?:and|but|so|though|although|"
                         r"however|because|while)\b)", re.I)
# What is left after a clause is dropped must still be a sentence: a few words, not a fragment
# that opens with a negation or a relative word ("Not something the team here did.").
MIN_WORDS = 4
_FRAGMENT = lexicon.compile(r"^(?:not|no|nor|or|than|that|which|who|different|other|either|neither)\b", re.I)
_LEAD_JOIN = lexicon.compile(r"^(?:[-\u2013\u2014]\s*|(?:and|but|so|though|although|however|because|as|"
                        r"which|who|while|also|plus|then|anyway|anyways|anyhow)\b[,]?\s*)+", re.I)
_TRAIL_JOIN = lexicon.compile(r"(?:[,;:\-\u2013\u2014]|\s+(?:and|but|so|though|although|however|because|as|"
                         r"which|who|while))+\s*$", re.I)
_END = lexicon.compile(r"[.!?\u2026]+[\"')\]]*\s*$")
# Softeners that carry the dodge's tone once the dodge itself is gone.
_SOFTENER = lexicon.compile(r"(?:,\s*)?\b(?:I'm afraid|I am afraid|unfortunately|sadly|honestly|tbh|"
                       r"to be honest|I'm sorry to say)\b,?\s*", re.I)


def clauses(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of each clause of `sentence`, covering it without gaps."""
    cuts = [0] + [m.end() for m in _CLAUSE_CUT.finditer(sentence)] + [len(sentence)]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _tidy(text: str, end_punct: str, lead: bool = True) -> str:
    """Join what is left of a sentence into a sentence again. `lead`: the sentence's first clause
    was dropped, so a joining word left at the start goes ("but it applies" -> "It applies");
    where the first clause stands it keeps its words ("as explained on call, the meal...")."""
    t = re.sub(r"\s{2,}", " ", text).strip()
    t = _TRAIL_JOIN.sub("", t).strip()
    t = _END.sub("", t).strip()
    core = _LEAD_JOIN.sub("", t).strip()   # "as per our call" is no sentence either way
    if not re.search(r"[A-Za-z]{2}", core) or _FRAGMENT.match(core):
        return ""
    if len(_SOFTENER.sub(" ", core).split()) < MIN_WORDS:
        return ""
    if lead:
        t = core
    t = t[0].upper() + t[1:]   # (after a "Hi Dana," greeting, join_greeting lowers it again)
    if re.search(rf"[{_EMOJI}]$", t):
        return t  # an emoji already ends it: "...yours yet 😬" takes no "."
    return t + (end_punct or ".")


# ---------------------------------------------------------------- ownership swaps
_PRONOUNS = [(r"\bthey're\b", "we're"), (r"\bthey've\b", "we've"), (r"\bthey'll\b", "we'll"),
             (r"\bthey'd\b", "we'd"), (r"\bthey\b", "we"), (r"\bthem\b", "us"),
             (r"\btheir\b", "our"), (r"\btheirs\b", "ours"), (r"\bthemselves\b", "ourselves")]
# The company's own departments, spoken of as a separate authority, from the lexicon's lists (the
# same the rules read). Stricter than the rules' ORG_SUBJ, because an edit rewrites the words: a
# team with its group word ("the credit team", "the Returns department"), the higher-ups, "the
# company" or "the system", one of our sites, or "the/our" + a bare team name ("the kitchen")
# (or none) only where a verb follows (`_ORG_BARE`): "the shipping line has delayed it" keeps
# its subject.
_TEAM = f"(?:{lexicon.pattern('OUR_TEAMS')}|{lexicon.pattern('TEAM_PREFIXES')})"
# A verb, by its form or by name: "-s" alone is not enough ("shipping costs are...").
_VERB = (r"(?:[a-z]+ed|is|are|was|were|has|have|had|will|would|can|could|should|must|may|might|"
         r"do|does|did|made|set|put|sent|took|gave|got|told|kept|ran|left|lost|sold|forgot|broke|"
         r"wrote|said|found|built|chose|shut|cut|paid|held|let|won't|can't|cannot|don't|"
         r"doesn't|didn't|haven't|hasn't|isn't|aren't|wasn't|weren't|'ll|'s|'re|'ve|'d|"
         r"(?:make|decide|set|handle|say|deal|want|need|take|run|own|control|look|sort|get|tell|"
         r"keep|send|approve|review|process|manage|choose|change|insist|require|swap)s?)\b")
_ORG = (rf"(?:the |our |your )?{_TEAM} (?:{lexicon.pattern('GROUP')})"
        # one to three words before the group word: "the trust & safety folks", "the restaurant
        # ops team"; never a partner's or an outside body's ("the Samsung repair team")
        rf"|(?:the |our )(?!(?:[a-z&]+ ){{0,2}}(?:{lexicon.pattern('THIRD_PARTIES')}|{lexicon.pattern('OUTSIDE_BODIES')})\b)"
        rf"(?:[a-z&]+ |(?-i:[a-z]+ (?:& )?[a-z]+ ))(?:team|teams|department|dept|office|crew|crowd|gang|desk|unit|division|folks|guys|lot|people)"
        rf"|(?:the |our )team"
        # people of ours by their trade: "the app devs pushed an update"
        rf"|(?:the |our )(?:[a-z&]+ )?(?:{lexicon.pattern('OUR_PEOPLE')})"
        rf"|(?:the |our )?(?:{lexicon.pattern('HIGHER_UPS')})"
        rf"|(?:the |our )(?:company|business|(?:[a-z]+ )?system|{lexicon.pattern('OUR_SITES')})")
# A bare name that can also be a plural noun ("the claims will reprocess", "payments are working
# again") is never a subject on its own; without "the/our" a name is one only at the start.
_BARE = "|".join(w for w in lexicon.words("OUR_TEAMS") if not w.endswith(("s", "s?")))
_ORG_BARE = rf"(?:the |our )(?:{_BARE})|(?<![\w,;:] )(?<!\w)(?:{_BARE})"
_ORG_SUBJECT = (rf"{_ORG}|(?:{_ORG_BARE})(?=\s+(?:just |only |also |now |still |then |usually |"
                rf"always |never )?{_VERB})")
# Nouns for people, teams, sites and tools the lexicon knows: a word after the subject that is one
# of these continues the noun phrase ("the engineering contractors book...") and is no verb, so
# there is no subject to swap. (The customer's things are left out: "orders", "charges" and
# "updates" are verbs too.)
_NOUNS = "|".join(lexicon.pattern(n) for n in ("GROUP", "OUR_TEAMS", "OUR_STAFF", "OUR_SITES",
                                                "OUR_TOOLS", "SHARED_PLACES", "THIRD_PARTIES",
                                                "OUTSIDE_BODIES"))
_SUBJECT = lexicon.compile(rf"(?:(?<=^)|(?<=[,;:] )|(?<=\band )|(?<=\bbut )|(?<=\bso ))(?P<org>{_ORG_SUBJECT})"
                      r"(?P<verb>\s+(?:just |only |also |now |still |then |usually |always |never )?"
                      rf"(?!(?:{_NOUNS})\b)[a-z']+)", re.I)
# A plural noun before the pronoun is its likely antecedent, and not the company: any plural
# after a determiner, or anyone the lexicon puts outside the company or on the customer's side.
_PLURAL_NOUN = lexicon.compile(r"\b(?:the|your|those|these|some|all|both)\s+(?:[a-z-]+\s+)?[a-z]{3,}s\b"
                          r"|\b(?:" + "|".join(lexicon.pattern(n) for n in (
                              "THIRD_PARTIES", "OUTSIDE_BODIES", "CUSTOMER_SIDE", "SHARED_PLACES"))
                          + r")\b", re.I)
_OUR = {"their": "our", "theirs": "ours", "themselves": "ourselves"}
_BY_ORG = lexicon.compile(rf"\bby (?:{_ORG}|(?:{_ORG_BARE})(?=\s*(?:[,.;:!?)]|$)))\b", re.I)
_IRREGULAR = {"is": "are", "was": "were", "has": "have", "does": "do", "doesn't": "don't",
              "isn't": "aren't", "wasn't": "weren't", "hasn't": "haven't", "'s": "'re"}
_OWN_CAUSE = [
    (lexicon.compile(r"\b(?P<lead>due to|because of|owing to|caused by|the result of|a result of|down to)\s+"
                     r"(?:a|an|the|some)\s+(?:(?:system|"
                r"technical|IT|software|computer|admin|administrative|processing|clerical|booking|"
                r"billing)\s+)?(?:error|glitch|issue|fault|problem|bug|mix-up|oversight)\b", re.I),
     lambda m: m.group("lead").lower() + " our error"),
    (lexicon.compile(r"\bmistakes were made\b", re.I), lambda m: "we made mistakes"),
    (lexicon.compile(r"\b(?:a|an) (?:mistake|error) (?:was|has been) made\b", re.I), lambda m: "we made a mistake"),
    (lexicon.compile(r"\b(?:an|the) error occurred\b", re.I), lambda m: "we made an error"),
    # the same with the error's kind named: "a system error occurred", "a technical glitch happened"
    (lexicon.compile(r"\b(?:a|an|the) (?:system|technical|IT|software|computer|processing|billing|booking) "
                     r"(?:error|glitch|fault|bug|issue|problem) (?:occurred|happened|took place)\b", re.I),
     lambda m: "we made an error"),
]


def _plural(verb: str) -> str:
    """The form a verb takes after "we": "makes" -> "make", "has" -> "have"."""
    low = verb.lower()
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    if low.endswith("ies") and len(low) > 4:
        return verb[:-3] + "y"
    if re.search(r"(?:ss|sh|ch|x|zz|o)es$", low):
        return verb[:-2]
    if low.endswith("s") and not low.endswith("ss") and len(low) > 3:
        return verb[:-1]
    return verb


def _match_case(src: str, new: str) -> str:
    return new[0].upper() + new[1:] if src[:1].isupper() else new


def swap_pronouns(clause: str, before: str = "") -> str | None:
    """they/them/their -> we/us/our; None when the clause already says "we"/"us" (then "they"
    is someone else: "they don't let us see it" must not become "we don't let us see it")."""
    if re.search(r"\b(?:we|us|our|we're|we've|we'll|I|me|my)\b", clause, re.I):
        return None
    first = re.search(r"\b(?:they|them|their)", clause, re.I)
    if first is None or _PLURAL_NOUN.search(before + " " + clause[:first.start()]):
        return None  # "the contractors book their own slots": "their" is the contractors'
    out = clause
    for pat, rep in _PRONOUNS:
        out = re.sub(pat, lambda m, rep=rep: _match_case(m.group(0), rep), out, flags=re.I)
    return out if out != clause else None


# A team by its group word or the/our, or a team's name written as a name ("contact
# Reservations", "Fraud are the only ones who can").
# Someone outside the company (the lexicon's partners and outside bodies): what they handle is
# theirs, so neither "they" -> "we" nor a hand-off to "our team" may claim it.
OUTSIDE = lexicon.compile(rf"\b(?:{lexicon.pattern('THIRD_PARTIES')}|{lexicon.pattern('OUTSIDE_BODIES')})\b",
                     re.I)
_NO_NAME = frozenset(lexicon.words("NO_TEAM_NAME"))
_PEOPLE = f"(?:{lexicon.pattern('OUR_PEOPLE')})"
_TEAM_NAMED = lexicon.compile(rf"\b(?:{_ORG}|{_ORG_BARE}|(?=(?-i:[A-Z]))(?:{lexicon.pattern('OUR_TEAMS')}))\b", re.I)
_LEAD_DET = lexicon.compile(r"^(?:the|our|your|my)\s+", re.I)


def team_named(*texts: str) -> str | None:
    """The first of our teams a text names (from the lexicon), as "our <team>": "Fraud are the
    only ones who can" -> "our fraud team", "get in touch with our wastewater department" ->
    "our wastewater department". None when no text names one (or only the customer's: "your
    IT team")."""
    for text in texts:
        for m in _TEAM_NAMED.finditer(text):
            phrase = m.group(0)
            owner = text[:m.start()].lower().split()[-1:]
            if phrase.lower().startswith("your ") or owner in (["your"], ["their"], ["his"], ["her"]):
                continue   # someone else's team
            words = _LEAD_DET.sub("", phrase).split()
            if not words or words[0].lower() in _NO_NAME:
                continue   # "the relevant team" names no team: the type's own words do better
            head = words[-1].lower()
            low = [w if w.isupper() and len(w) <= 4 else w.lower() for w in words]
            if head in lexicon.words("HIGHER_UPS") or " ".join(low).lower() in lexicon.words("HIGHER_UPS"):
                return None   # "management": a hand-off upwards names no team that acts
            if not re.fullmatch(lexicon.pattern("GROUP"), head, re.I) and \
                    not re.fullmatch(_PEOPLE, head, re.I):
                low.append("team")   # "our engineers" are people already, "our billing" is not
            return "our " + " ".join(low)
    return None


# After the subject: "Billing told me" is no "we told me", and "The network lot say they're on it"
# is no "We say they're on it" (a later "they" may be someone else: "the depot loaded their van
# and they left" still becomes "we loaded our van and they left").
_US = lexicon.compile(r"\b(?:us|me)\b|\b(?:say|says|said|reckon|reckons|think|thinks|claim|claims)\s+"
                 r"(?:that\s+)?(?:they|they're|they've|they'll|they'd)\b", re.I)


# Our team as the one reporting what it will do: "<team> say(s)/said (that) they ..."
_REPORTED = lexicon.compile(
    rf"(?:(?<=^)|(?<=^\s)|(?<=[,;:] )|(?<=\band )|(?<=\bbut )|(?<=\bso ))(?P<org>{_ORG})\s+"
    r"(?P<said>say|says|said|reckon|reckons|told me|told us|have said|have told me|tell me)\s+"
    r"(?:that\s+)?(?P<pro>they're|they've|they'll|they'd|they are|they will|they would|they were|"
    r"they have|they had)\b", re.I)
# Reported in the past, said now: "said they'd try" -> "we'll try", "said they were on it" -> "we're".
_REPORTED_NOW = {"they'd": "they'll", "they would": "they will", "they were": "they're",
                 "they had": "they've"}


_OPENER = lexicon.compile(r"^\s*(?:yes|yeah|yep|ok|okay|so|well|look|right|sadly|unfortunately|honestly|"
                     r"basically|apparently)\b,?\s+", re.I)


def swap_org(clause: str) -> str | None:
    """A department as subject -> "we", with the verb made plural; "by management" -> "by us".
    A filler that opens the clause stays before it ("yes the app devs pushed" -> "yes we
    pushed")."""
    lead = _OPENER.match(clause)
    if lead:
        rest = swap_org(clause[lead.end():])
        return clause[:lead.end()] + rest if rest is not None else None
    out = _BY_ORG.sub("by us", clause)

    def sub(m: re.Match) -> str:
        verb = m.group("verb")
        words = verb.split()
        words[-1] = _plural(words[-1])
        lead = verb[:len(verb) - len(verb.lstrip())]
        return _match_case(m.group("org"), "we") + lead + " ".join(words)

    rep = _REPORTED.search(out)
    if rep:
        # What our team said it is doing is what we are doing: "The network lot say they're on
        # it" -> "We're on it", "the tours desk said they'd try to move you" -> "we'll try to
        # move you". (Swapping the subject alone gave "we say we're on it".)
        pro = rep.group("pro").lower()
        said = rep.group("said").lower()
        if said in ("said", "told me", "told us"):
            pro = _REPORTED_NOW.get(pro, pro)
        new = "we" + pro[4:]
        if said in ("reckon", "reckons") and pro in ("they'll", "they will", "they'd", "they would"):
            # A guess stays a guess: "the crew reckon they'll flush the main tomorrow" is not
            # "we'll flush the main tomorrow" (graded D: a firm promise the draft never made).
            new = "we should"
        return out[:rep.start()] + _match_case(rep.group("org"), new) + out[rep.end():]
    m = _SUBJECT.search(out)
    if m and _US.search(m.group("verb") + out[m.end():]):
        m = None   # "the network side don't give us dates": "we don't give us" contradicts itself
    if m:
        # The department's own things are ours too: "service dept set their own calendar" ->
        # "We set our own calendar" (only after the subject, and only possessives: a later
        # "they"/"them" may be someone else).
        k = len(_SUBJECT.sub(sub, out[:m.end()]))
        out = _SUBJECT.sub(sub, out)
        out = out[:k] + re.sub(r"\b(their|theirs|themselves)\b",
                               lambda t: _match_case(t.group(1), _OUR[t.group(1).lower()]),
                               out[k:], flags=re.I)
    return out if out != clause else None


# "Price matching got scrapped by management in January" -> "We scrapped price matching in
# January": the passive that names a department as the doer, turned round so "we" do it.
_PASSIVE_BY = lexicon.compile(
    rf"^(?P<lead>\s*)(?P<obj>[A-Za-z][\w'-]*(?:\s+[\w'£$€%#.,-]*[\w%]){{0,3}})\s+"
    rf"(?P<aux>got|was|were|has been|have been|had been)\s+(?P<verb>[a-z]+)"
    rf"(?P<adv>\s+[a-z]+ly)?\s+by\s+(?:{_ORG})\b", re.I)
_NOT_OBJECT = lexicon.compile(r"^(?:it|this|that|there|which|who|what|and|but|so|i|we|you|he|she|they)$", re.I)


def own_passive(clause: str) -> str | None:
    """A passive done "by <department>" made active with "we" as the doer."""
    m = _PASSIVE_BY.match(clause)
    if m is None:
        return None
    obj = m.group("obj")
    first = obj.split()[0]
    if _NOT_OBJECT.match(first) or len(obj.split()) > 4:
        return None
    # A name or brand keeps its capital ("Tom's order", "Netflix"); a common noun starting the
    # sentence loses it ("Price matching" -> "price matching").
    if first[:1].isupper() and not first.endswith(("'s", "’s")) and not first.isupper() \
            and len(obj.split()) > 1:
        obj = first[0].lower() + obj[1:]
    have = {"has been": "have ", "have been": "have ", "had been": "had "}.get(m.group("aux").lower(), "")
    we = _match_case(clause.lstrip(), "we")
    return f"{m.group('lead')}{we} {have}{m.group('verb')} {obj}{m.group('adv') or ''}{clause[m.end():]}"


# A practice said as "policy": "It is our policy not to give reasons for this" -> "We don't give
# reasons for this". The decision stays, said by us, without the wall word.
_AS_POLICY = lexicon.compile(
    r"^(?P<lead>\s*(?:(?:but|and|so|however|unfortunately|sadly|i'm afraid),?\s+)*)"
    r"(?:it(?:'s| is| has always been)|our policy is|the policy is|company policy is)\s+"
    r"(?:(?:our|the company's|company|the bank's|bank|store|hotel|airline|standard|a strict|strict)\s+)*"
    r"(?:policy\s+)?(?P<neg>not\s+|never\s+)?to\s+(?P<verb>[a-z]+)\b(?P<rest>[^.!?]*?)(?P<end>[.!?]*\s*)$", re.I)


def _our_practice(verb: str, rest: str, end: str | None, negated: bool = True) -> str:
    """"we don't <verb><rest><end>": a limit or a policy said as what we do."""
    neg = "don't " if negated else ""
    return f"we {neg}{verb.lower()}{rest}{end or ''}"


def own_policy(clause: str) -> str | None:
    """"It is our policy not to give reasons" -> "We don't give reasons"; "our policy is to
    refund to the original card" -> "We refund to the original card". None otherwise."""
    m = _AS_POLICY.match(clause)
    if not m or not re.search(r"\bpolicy\b", clause, re.I):
        return None
    verb = m.group("verb").lower()
    if verb in ("be", "have", "get"):
        return None   # "it is our policy to be fair": no act to own
    said = _our_practice(verb, m.group("rest"), m.group("end"), negated=bool(m.group("neg")))
    lead = m.group("lead")
    return lead + (said if lead.strip() else said[0].upper() + said[1:])


# "I can't do anything about the £45 charge", "there's nothing I can do about the AUD 350
# damage charge": a limit of the agent's that is really the company's answer on a charge or fee.
_HELPLESS_ABOUT = lexicon.compile(
    r"^(?P<lead>.*?(?:,\s*|\s+(?:but|so|and)\s+)|\s*(?:but|so|and)\s+|\s*)(?:(?:unfortunately|sadly|honestly|sorry),?\s+)*"
    r"(?:(?:I|we)\s+(?:really\s+|honestly\s+|just\s+)?(?:can't|cannot|can not|am unable to|'m unable to|"
    r"am not able to|'m not able to)\s+do\s+(?:anything|much)|there's\s+(?:honestly\s+|really\s+|just\s+)?"
    r"(?:nothing|zero|not much)(?:\s+(?:more|else|further))?\s+(?:that\s+)?(?:I|we)\s+can\s+do)\s+"
    r"(?:about|on|with)\s+(?P<obj>(?:the|your|this|that)\s+(?:(?:[^,.;!?]|(?<=\d)\.(?=\d))*?\s)?(?P<head>charges?|fees?|rates?|"
    r"prices?|surcharges?|penalty|penalties|excess|deposit|balance|bill|invoice|interest))\b"
    r"(?P<rest>(?:[^,.;!?]|(?<=\d)\.(?=\d))*?)(?P<tail>(?:\s+(?:on my end|from my end|from here|from my side|on my side|"
    r"I'm afraid|im afraid|sorry|unfortunately|tbh|lol))*)(?P<end>[.!?]*\s*)$", re.I)


def own_decision(clause: str) -> str | None:
    """"I can't do anything about the $6.99 delivery fee on order DB-5521" -> "The $6.99 delivery
    fee on order DB-5521 stands": the charge is the company's decision, said as one. The reason
    and the alternative are the policy gap's to ask for (the fallback adds it where the reply
    lacks them); the template in its place put the charge into a placeholder (graded D)."""
    m = _HELPLESS_ABOUT.match(clause)
    if not m or len(m.group("rest").split()) > 12:
        return None
    lead = m.group("lead")
    rest, why = m.group("rest"), ""
    cut = re.search(r"\s(?=(?:since|because|as|given that|when|while)\s)", rest, re.I)
    if cut:   # "...charge from 19 June [since you weren't home]": the reason follows the verb
        rest, why = rest[:cut.start()], "," + rest[cut.start():]
    obj = (m.group("obj") + rest).strip()
    verb = "stand" if m.group("head").lower().endswith(("s", "ies")) and \
        not m.group("head").lower().endswith(("ss", "excess")) else "stands"
    said = f"{obj} {verb}{why}"
    if not lead.strip():
        said = said[0].upper() + said[1:]
    return f"{lead}{said}{m.group('end') or ''}"


# "there's no way for me to change payment dates while the account is in arrears" -> "We don't
# change payment dates while the account is in arrears": a limit with its condition is the
# company's practice, said as ours (the writers' references do so: "We don't change payment
# dates while an account is in arrears"). Without a condition ("I can't reverse the charge")
# it is a capability, not a practice, and stays the hand-off's or the template's.
_LIMIT_ON_ME = lexicon.compile(
    r"^(?P<lead>\s*)(?:(?:but|and|so)\s+)?(?:(?:I'm afraid|unfortunately|sadly|honestly),?\s+)?"
    r"(?:there(?:'s| is) no way for (?:me|us) to|(?:(?:I|we)(?:'m| am|'re| are)?\s+|(?<=and |but | so ))"
    r"(?:really\s+|just\s+)?(?:can't|cannot|can not|unable to|not able to|have no way to|not allowed to|"
    r"not permitted to)(?:\s+really)?)\s+"
    r"(?!help\b|assist\b|do\b|see\b|find\b|say\b|tell\b|get\b|go\b|make\b|promise\b|guarantee\b)"
    r"(?P<verb>[a-z]+)\b(?P<rest>[^.!?]*?\b(?:while|whilst|once|after|before|until|unless|without|"
    r"(?:over|via|on|by) (?:the )?(?:phone|chat|email|e-mail|twitter|social media|facebook|instagram|"
    r"dms?|text|sms|whatsapp|live chat|messenger)|on (?:a|an|the) )\b[^.!?]*?)"
    r"(?P<end>[.!?]?)\s*$", re.I)


# The same limit with the act as its subject: "Changing the delivery address once it's in a
# locker is beyond what I'm allowed to do" (dev2; the writer's reference: "Once a parcel is in a
# locker, its delivery address can no longer be changed").
_ACT_IS_BEYOND_ME = lexicon.compile(
    r"^(?P<lead>\s*)(?P<ger>[A-Za-z]+ing)\b(?P<rest>[^.!?]*?)\s+is\s+(?:simply\s+|just\s+|really\s+|"
    r"honestly\s+|unfortunately\s+)?(?:beyond what (?:I'm|I am) (?:allowed|able|permitted) to do|"
    r"not something (?:I'm|I am|I can|I) (?:able to do|allowed to do|permitted to do|do|can do)|"
    r"(?:out of|not in) my hands|above my pay grade|not up to me|not my call|beyond me)"
    r"(?P<tail>\s+(?:from|over|via|on|in) (?:the |this )?(?:chat|phone|email|e-mail|here))?"
    r"(?:,?\s+(?:sorry|I'm afraid|unfortunately))?(?P<end>[.!?]?)\s*$")
# ... where a condition says when the limit holds (else it is a capability, not a practice)
_WHEN_LIMIT = lexicon.compile(
    r"\b(?:while|whilst|once|after|before|until|unless|without)\b|\b(?:over|via|on|by|from|in) "
    r"(?:the |this )?(?:phone|chat|email|e-mail|here|twitter|social media|dms?|text|live chat|messenger)\b")
# The acts a limit names, by their -ing form: "Changing" -> "change", "Cancelling" -> "cancel".
_BASE_VERBS = ("change", "move", "make", "take", "close", "use", "issue", "refund", "open", "reopen",
               "cancel", "unlock", "reset", "extend", "transfer", "switch", "swap", "reverse",
               "waive", "remove", "add", "update", "upgrade", "downgrade", "book", "rebook",
               "reschedule", "release", "reactivate", "replace", "return", "exchange", "send",
               "ship", "split", "merge", "edit", "give", "approve", "increase", "lower", "reduce",
               "adjust", "backdate", "redirect", "hold", "pause", "freeze", "renew", "reinstate",
               "amend", "override", "speed", "grant", "accept", "allow", "offer")


def _base_of(gerund: str) -> str | None:
    """The base form of a known verb's -ing form, else None (no guessing at English spelling)."""
    g = gerund.lower()
    for v in _BASE_VERBS:
        if g in (v + "ing", v[:-1] + "ing" if v.endswith("e") else "", v + v[-1] + "ing"):
            return v
    return None


def own_limit(clause: str) -> str | None:
    """A limit on the agent, with the condition that sets it, said as the company's practice:
    "I wish I could help, [but there's no way for me to change payment dates while the account
    is £310 in arrears]" -> "We don't change payment dates while the account is £310 in
    arrears"; "Changing the delivery address once it's in a locker is beyond what I'm allowed to
    do" -> "We don't change the delivery address once it's in a locker". The decision stays,
    and nobody is helpless."""
    m = _LIMIT_ON_ME.match(clause)
    if m:
        return m.group("lead") + _our_practice(m.group("verb"), m.group("rest"), m.group("end"))
    m = _ACT_IS_BEYOND_ME.match(clause)
    if m and (verb := _base_of(m.group("ger"))) and \
            _WHEN_LIMIT.search(m.group("rest") + (m.group("tail") or "")):
        said = _our_practice(verb, m.group("rest") + (m.group("tail") or ""), m.group("end") or ".")
        return m.group("lead") + said[0].upper() + said[1:]
    return None


# The customer's hand in the cause: "the label [you printed] was the wrong one", "the readings
# [you gave us since last winter] were too low", "the passport copy [you sent] was not clear".
_BY_YOU = lexicon.compile(
    r"\b(?P<det>the|your)\s+(?P<noun>(?:[\w-]+\s+){0,3}?[\w-]+)\s+you(?:'d| had)?\s+(?:sent|entered|gave|"
    r"provided|printed|typed|used|picked|chose|selected|uploaded|put in|put down|submitted|filled in|"
    r"booked|ordered|supplied)(?:\s+us)?(?=\s+(?:was|were|is|are|had been|has been|since|in|on|"
    r"through|with|for)\b)", re.I)


def neutral_cause(clause: str) -> str | None:
    """The cause said as what it was, not as the customer's doing: "because the label you
    printed was the wrong one" -> "because the label was the wrong one". Readers graded D both
    the blame kept and the cause cut ("Drops why the boots bounced (the wrong label)", dev);
    the cause stays, and nobody is pointed at."""
    out = _YOUR_END.sub("", clause)
    out = _BY_YOU.sub(lambda m: ("The " if m.group("det")[0].isupper() else "the ") + m.group("noun"),
                      out)
    return out if out != clause else None


# Where it went wrong, said as the customer's side: "the payment you made online on 2 January
# must have gone wrong [on your end]" (dev2). What went wrong stays.
_YOUR_END = lexicon.compile(r"(?<=\bwrong)\s+(?:on|at|from) your (?:end|side)\b", re.I)


# "somehow" says that it happened by itself: without it the sentence states what happened.
_SOMEHOW = lexicon.compile(r"\b(?:somehow|mysteriously)\s+(?=[a-z])", re.I)


def own_cause(clause: str) -> str | None:
    """"due to a system error" -> "due to our error"; "mistakes were made" -> "we made mistakes";
    "your bills somehow ended up going to your old address" -> "...ended up going to..."."""
    out = clause
    for pat, rep in _OWN_CAUSE:
        out = pat.sub(lambda m, rep=rep: _match_case(m.group(0), rep(m)), out)
    out = _SOMEHOW.sub("", out)
    return out if out != clause else None


# What the agent looked for and did not find, said as the finding: "i can't see any record of
# the FREEDEL promo on your account" -> "There's no record of the FREEDEL promo on your account".
# "I can't see" reads as a limit on the agent; the finding is what the customer needs, and the
# next step after it (the fallback's gap) is what turns the dead end round.
_NOT_FOUND = lexicon.compile(
    r"^(?P<lead>(?:(?:ok|okay|so|hmm|sorry|unfortunately|i'm afraid|im afraid|sadly)[\s,]+)*)"
    r"(?:i|we)\s*(?P<neg>can't|cant|cannot|can not|couldn't|couldnt|could not|am unable to|'m unable to|"
    r"am not able to|'m not able to|'m not|am not|are not|aren't|'re not)\s+"
    r"(?:(?:seem to|see to|be able to)\s+)?(?:see|find|locate|spot|seeing|finding)\s+"
    r"(?:any|an?)\s+(?P<rest>\S.*)$", re.I)


def own_finding(clause: str) -> str | None:
    """"i can't see any record of X" -> "There's no record of X"; "we couldn't find an order
    under that name" -> "There was no order under that name". None for anything else."""
    m = _NOT_FOUND.match(clause.strip())
    if not m:
        return None
    past = m.group("neg").lower().startswith("could")
    rest = m.group("rest")
    head = "There was no " if past else "There's no "
    lead = m.group("lead").strip(" ,")
    return (f"{lead.capitalize()}, {head.lower()}" if lead else head) + rest


# A wait with no time, said as a promise the reply can keep once the agent gives the time:
# "they'll get back to you with the new rate whenever they get to it" -> "... with the new rate
# by [when]". Dropping the clause lost what the customer will get ("the new rate", graded D).
_COMMITTED = lexicon.compile(
    r"\b(?:'ll|will|shall|should)\s+(?:\w+\s+){0,2}?(?:get back|reply|respond|revert|contact|update|"
    r"send|email|e-mail|call|ring|be in touch|get in touch|be in contact|reach out|let you know|sort|"
    r"process|confirm|review|look)\b"
    r"|\byou(?:'ll| will) (?:hear back|hear from|receive|get)\b", re.I)
_VAGUE_TIME = lexicon.compile(
    r",?\s+(?:whenever|when) (?:they|someone|we|the team) (?:get|gets|can|have|has) (?:a (?:chance|moment)|"
    r"round to it|around to it|to it|time)\b|,?\s+in due course\b|,?\s+at some (?:point|stage)\b|"
    r",?\s+eventually\b|,?\s+when(?:ever)? (?:it's|it is|they're|they are) (?:ready|done|sorted|processed)\b",
    re.I)
WHEN_GAP = " by [when]"


# What a promised wait carries: an action on the matter ("they'll send it out"), or what the
# customer will hear ("get back to you with the new rate"). A bare "we'll be in touch" carries
# nothing, and the owned hand-off in its place was graded A.
_CARRIES = lexicon.compile(
    r"\b(?:'ll|will|shall|should)\s+(?:\w+\s+){0,2}?(?:send|email|e-mail|sort|process|confirm|review|"
    r"issue|refund|replace|fix|ship|post|deliver)\b"
    r"|\b(?:get back|reply|respond|revert|be in touch|contact you|update you|let you know|hear back|"
    r"hear from \w+)\s+(?:to you\s+)?(?:with|about|on|regarding)\s+\w+", re.I)


def wait_carries(clause: str) -> bool:
    """Whether a promised wait in `clause` says what will come (see _CARRIES)."""
    return wait_with_time(clause) is not None and bool(_CARRIES.search(clause))


def wait_with_time(clause: str) -> str | None:
    """The clause with its vague time ("whenever they get to it", "in due course") asking for
    the time instead; None where it promises nothing or names no vague time."""
    if not _COMMITTED.search(clause) or not _VAGUE_TIME.search(clause):
        return None
    return _VAGUE_TIME.sub(WHEN_GAP, clause, count=1)


# ---------------------------------------------------------------- next step
_NEXT_STEP = lexicon.compile(
    r"\b(?:I|we)(?:'ll| will| am going to|'m going to| are going to|'re going to|'ve| have| just)\s+"
    r"(?:now |already |also |personally |gone ahead and |just )*(?!(?:to|been|had|no|not|never)\b)"
    # the lexicon's agent actions (coach/lexicon.yaml ACT_VERB), and the verbs of a reply's
    # own follow-up
    rf"(?:{lexicon.pattern('ACT_VERB')}|rebooked|reissued|reissue|made|asked|ask|sort|look|"
    r"follow|get|keep|make|let|come|review|talk|speak|walk|help|post|be\b|personally)\b"
    r"|\blet me\b|\bhere's what I\b|\bwhat I can do\b"
    # an offer ("If you want I can book you Monday Oct 7", "If you send us a reading I can log
    # it today"), and in a call note what the agent said they would do ("told him I'd put it to
    # my team lead and call him back by 5pm")
    rf"|\b(?:I|we)\s+can\s+(?:also\s+|now\s+|still\s+|then\s+)?(?:{lexicon.pattern('ACT_VERB')})\b"
    rf"|\bI'd\s+(?:(?:{lexicon.pattern('ACT_VERB')})|put it to)\b", re.I)


# An action already taken, in the passive too: "a credit note has been raised", "the duplicate
# has been reversed today". The customer has an outcome; a reply that says so needs no other step.
# ("it should have been included" is what did not happen.)
_DONE = lexicon.compile(rf"(?<!should )(?<!would )(?<!could )(?<!might )(?<!must )(?<!may )"
                   rf"\b(?:has|have|had)\s+(?:now\s+|just\s+|already\s+)?been\s+(?:{lexicon.pattern('ACT_VERB')})\b"
                   rf"|\b(?:I|we)(?:'ve| have)\s+(?:now\s+|just\s+|already\s+)?(?:{lexicon.pattern('ACT_VERB')})\b",
                   re.I)


# An outcome reported in plain past or passive ("your replacement shipped today via FedEx", "a
# replacement was dispatched on 9 May", "your refund went out on 2/6"), or one now scheduled ("your
# engineer visit is now Thursday 14 March", "it's now booked on SW 346"): the customer knows where
# they stand and what happens next. (Graded on dev: a "Next, I'll [...]" added after "your visit is
# now Thursday 14 March, 8am-1pm" was marked needless.)
# The past forms also match background ("since it was upgraded on 1 August"), so they count
# for owning the outcome (verify.owns_problem), and only the scheduled ones as a next step.
_ACT = lexicon.pattern("ACT_VERB")
_OUTCOME = lexicon.compile(
    rf"\b(?:was|were|is|are)\s+(?:now\s+|already\s+|just\s+)?(?:{_ACT}|delivered|paid)\b"
    rf"|\b(?:{_ACT}|went out|delivered|paid)\s+(?:\w+\s+){{0,3}}?(?:today|this morning|"
    rf"yesterday|on \d|on (?:mon|tues|wednes|thurs|fri|satur|sun)day)", re.I)
_SCHEDULED = lexicon.compile(
    r"\b(?:is|are|'s|'re)\s+now\s+(?:on\s+|for\s+|set for\s+|due\s+)?(?:(?:mon|tues|wednes|thurs|"
    r"fri|satur|sun)day|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|"
    r"dec)|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d)"
    r"|\b(?:is|are|'s|'re)\s+now\s+(?:re)?(?:booked|scheduled|confirmed|arranged)\s+(?:on|for|in)\b"
    # what will happen, and when: "It will be delivered to locker point Vathorst Centrum
    # tomorrow" (a dropped "They don't tell us why..." beside it was refused for want of an owner)
    rf"|\b(?:will|'ll)\s+be\s+(?:{_ACT}|delivered|paid|ready|back|available)\b[^.!?]{{0,60}}?{lexicon.pattern('WHEN')}",
    re.I)


def reports_outcome(text: str) -> bool:
    """True when the text reports an outcome done or now scheduled (see _OUTCOME), by anyone."""
    return bool(_OUTCOME.search(text) or _SCHEDULED.search(text))


# Something the customer can do themselves, here and now ("you can send them a new offer from
# the listing page", "you can still change the date in the app"); a redirect to someone else
# ("you can contact the courier", "you can try our phone team") is the dead end itself.
_OPTION = lexicon.compile(r"\byou can (?:still |also |always |now |easily )?(?!(?:contact|call|ring|e-?mail|phone|"
                     r"reach|get in touch|speak|talk|write|message|chat|visit|check|try|go|ask|wait|"
                     r"find|look|refer|raise|complain|follow)\b)(?!not\b|'t\b)[a-z]+", re.I)


def offers_option(text: str) -> bool:
    """True when the text tells the customer what they can do themselves (see _OPTION)."""
    return bool(_OPTION.search(text))


_SEND_TO = lexicon.compile(r"\b(?:contact(?:ing)?|call(?:ing)?(?! cent(?:re|er))|ring|phone|e-?mail|message|reach out to|"
                           r"get(?:ting)? in touch with|go(?:ing)? back to|speak(?:ing)? (?:to|with)|"
                           r"talk(?:ing)? to|write to|report (?:it|this|that) to|go(?:es)? through|"
                           r"take (?:it|this|that) up with|raise (?:it|this|that) with)\b", re.I)
# A name after such a verb ("contact Breville", "go through Samsung"): capitalised as written.
_SENT_TO_NAME = re.compile(r"\b(?i:contact(?:ing)?|call|ring|e-?mail|message|through)\s+(?:the\s+)?"
                           r"(?!I\b|I'|Our\b|The\b|Your\b)[A-Z][\w&'-]+")


def gives_route(text: str, context: str = "") -> bool:
    """Whether `text` sends the customer somewhere they can act: a line, a page, the app, an
    address or number (the lexicon's ROUTE), or, with a verb that sends ("you'll need to contact
    them"), a company outside ours that `text` or `context` names (Samsung, the old supplier).
    Readers graded D every rewrite that swapped such a route for "I'll pass this to the team
    who handles it" (test rounds: 21 of 23), and every template that dropped one (dev)."""
    if ROUTE.search(text):
        return True
    if not _SEND_TO.search(text):
        return False
    for t in (text, context):
        if OUTSIDE.search(t) or any(not _TEAM_NAMED.fullmatch(m.group(0).split()[-1])
                                    for m in _SENT_TO_NAME.finditer(t)):
            return True
    return False


# The push in a route ("you'll need to contact them directly", "kindly write to"): readers graded
# a route kept in those words D, as a wall; in "you can" words the same route was a next step (C).
_PUSH = [(lexicon.compile(r"\byou(?:'ll| will|'d| would)?\s+(?:just\s+|really\s+)?(?:(?:need|have|want)\s+to|"
                          r"(?:be best|be better off)(?:\s+to)?)\s+(?=[a-z])", re.I), "you can "),
         (lexicon.compile(r"\byou (?:must|should)\s+(?=[a-z])", re.I), "you can "),
         (lexicon.compile(r"(?:(?<=^)|(?<=[,;:] ))(?:please|kindly|pls)\s+(?=[a-z])", re.I), "you can "),
         (lexicon.compile(r"\s+(?:directly|yourself|for (?:more|further) (?:information|info|details))"
                          r"(?=[\s.,;!?]|$)", re.I), "")]


def soften_route(text: str) -> str:
    """`text` with the push taken out of its route: "kindly contact the resort directly on
    +960..." -> "you can contact the resort on +960...". The route and its facts stay."""
    out = text
    for rx, rep in _PUSH:
        out = rx.sub(rep, out)
    if out and out[0].islower() and text[:1].isupper():
        out = out[0].upper() + out[1:]
    return out


def has_next_step(text: str) -> bool:
    """True when the agent commits to an action they take ("I'll", "I've raised", "let me") or
    offers one ("I can book you Monday"), the reply reports one taken ("a credit note has been
    raised") or an outcome now set ("your visit is now Thursday 14 March"), or it tells the
    customer what they can do themselves ("You can get a new code yourself in the app"): a
    hand-off added after that was graded needless, and wrong where the draft had given the way
    on (dev2)."""
    return bool(_NEXT_STEP.search(text) or _DONE.search(text) or _SCHEDULED.search(text)
                or _OPTION.search(text))


def reports_action(text: str) -> bool:
    """True when the text reports an action taken for the customer: dropping it loses the news."""
    return bool(_DONE.search(text))


def reported_actions(text: str) -> list[str]:
    """The verbs of the actions the text reports done ("has been raised" -> "raised")."""
    return [m.group(0).split()[-1].lower() for m in _DONE.finditer(text)]


# ---------------------------------------------------------------- acknowledgements
# What a disowning aside runs down, by name: "the £9.99 a day roaming charge is a total rip off",
# "these rises are a cheek", "the new verification step is a pain".
_RUN_DOWN = lexicon.compile(
    r"(?P<thing>\b(?:the|this|these|that|those|our|your)\s+(?:(?!(?:is|are|was|were|seems?|feels?)\b)"
    r"(?:[^\s,.;:!?]|(?<=\d)[.,](?=\d))+\s+){0,10}?(?:(?!(?:is|are|was|were|seems?|feels?)\b)"
    r"(?:[^\s,.;:!?]|(?<=\d)[.,](?=\d))+))\s+"
    r"(?:is|are|was|were|seems?|feels?|'s)\s+(?:(?:a bit of|a bit|kind of|kinda|pretty|totally|a total|so|really|"
    r"just|quite|a real|an absolute|absolutely|honestly|a|an)\s+)*"
    rf"(?:{lexicon.pattern('BADWORD')}|a pain|a cheek|pants|annoying|rip[- ]?off|ripoff|rort|much)\b", re.I)


# ... or as what the agent finds it: "personally I find the 249 kr fee for switching home club a
# bit silly too".
_FOUND_BAD = lexicon.compile(
    r"\b(?:find|found|think|thought|consider|reckon)\s+(?P<thing>(?:the|this|these|that|those|our|your)\s+"
    r"(?:(?:[^\s,.;:!?]|(?<=\d)[.,](?=\d))+\s+){0,8}?)(?:(?:a bit of|a bit|kind of|kinda|pretty|totally|a total|"
    r"so|really|just|quite|a real|an absolute|absolutely|honestly|a|an)\s+)*"
    rf"(?:{lexicon.pattern('BADWORD')}|a pain|a cheek|annoying|rip[- ]?off|ripoff|rort|much)\b", re.I)


def acknowledge(sentence: str, facts: Sequence[str], types: Sequence[str],
                name_it: bool = False) -> str | None:
    """The acknowledgement that stands in for a sentence that is only a disowning aside (the
    types' `acknowledgement`, coach/types/), or one naming the thing the aside ran down, when
    every fact of the sentence is in that name ("I understand the frustration with the £9.99 a
    day roaming charge."). With `name_it` (the next sentence points back at the thing: "It will
    be charged with your next payment"), the naming one where the aside names a thing (where it
    names none, "it" is about something said before it). None when a type has no
    acknowledgement, or facts would be lost."""
    specs = [TYPES[t].rewrite for t in types if t in TYPES]
    if not specs or any(s.acknowledgement is None for s in specs):
        return None
    m = _RUN_DOWN.search(sentence) or _FOUND_BAD.search(sentence)
    if not facts and not (name_it and m):
        return specs[0].acknowledgement
    if m and specs[0].acknowledge_thing and all(f in m.group("thing") for f in facts):
        thing = m.group("thing").strip()
        thing = thing[0].lower() + thing[1:] if thing[:1].isupper() else thing
        return specs[0].acknowledge_thing.format(thing=thing)
    return None


# ---------------------------------------------------------------- candidates
def _flagged_clause_ids(spans: list[tuple[int, int]], flags: Sequence[Flag], offset: int) -> list[int]:
    """Clauses a flag mostly covers (half or more of it), or that hold a whole flag: a clause
    the flag only grazes keeps its words."""
    ids = []
    for f in flags:
        a, b = f.start - offset, f.end - offset
        for i, (s, e) in enumerate(spans):
            overlap = min(b, e) - max(a, s)
            if overlap > 0 and (overlap * 2 >= e - s or (s <= a and b <= e)) and i not in ids:
                ids.append(i)
    return sorted(ids)


# The agent's answer as a refusal of something in particular ("there's no way for me to change
# payment dates", "we can't reissue it"); "I can't help" refuses nothing in particular.
_REFUSES = lexicon.compile(r"\b(?:can't|cannot|can not|unable to|not able to|not allowed to|won't be able to|"
                           r"no way (?:for (?:me|us) )?to)\s+(?:\w+ly\s+)?(?!help\b|do\b|assist\b)[a-z]+", re.I)


_NONE_GIVEN = lexicon.compile(r"\bno\s+(?:[a-z]+\s+){0,2}?(?:is|are|will be|can be)\s+(?:given|offered|paid|provided|"
                              r"issued|refunded|made|available|allowed|accepted|possible)\b", re.I)


def _refuses(text: str) -> bool:
    """Whether `text` gives the company's answer as a refusal: a decision or "we can't <do it>"
    (states_refusal), "there's no way for me to change it", "no compensation is given"."""
    return bool(states_refusal(text) or _REFUSES.search(text) or _NONE_GIVEN.search(text))


def points_back(text: str) -> bool:
    """Whether `text` opens by pointing back at what came before ("That's why...", "Hence...")."""
    return bool(_CONSEQUENCE.match(text.lstrip()))


def _holds_a_flag(s: int, e: int, flags: Sequence[Flag], offset: int) -> bool:
    """Whether the clause at (s, e) holds some flag (nine tenths of its characters or more): a
    flag that runs on into the next clause is about the two together."""
    return any(10 * (min(f.end - offset, e) - max(f.start - offset, s)) >= 9 * (f.end - f.start)
               for f in flags)


# A clause that opens with a preposition modifies the clause after it ("- between the portal
# and the phone line, it's a shambles"): once that one is dropped it dangles.
_PREP_OPEN = lexicon.compile(r"^[-\u2013\u2014\s]*(?:between|with|from|about|for|after|before|during|"
                        r"since|at|on|in|by|of|to|despite|regarding)\b", re.I)


# A clause that is only a filler word opens the clause after it and goes when that one goes.
_FILLER = lexicon.compile(r"^\s*(?:ok|okay|so|yeah|yes|look|well|right|ugh|hmm|um|ah|oh|hey|lol)\b[\s,.!]*$", re.I)


# A word that only leans on the clause before it ("[I'm on your side,] really, but ...").
_AFTER_FILLER = lexicon.compile(r"^\s*(?:really|honestly|seriously|truly|genuinely|though|tho|to be fair|tbh|lol)\W*$", re.I)


# A clause that is only a joining word left by the cut before it ("that's on them | though").
_JOINT_ONLY = lexicon.compile(r"^\s*(?:though|tho|however|anyway|either|too|as well|lol|tbh)\W*$", re.I)


# A clause that is only a wall's tag ("end of", "full stop", "it's policy") closes the clause
# before it and goes when that one goes: "I've looked at this again, [but we don't do refunds
# for part months,] end of" kept the tag alone (graded D).
_WALL_TAG = lexicon.compile(r"^\s*(?:end of|full stop|period|simple as that|that's that|that's it|"
                       r"and that's (?:that|it|final)|no exceptions|rules are rules|it's (?:the )?policy|"
                       r"(?:company|our) (?:rule|policy)|per (?:our )?policy)\W*$", re.I)


# A clause that goes on with the subject of the clause before it: once that one is dropped, the
# "and" hangs on whatever is left ("As I said, [I'm just on the night desk] and can't really sort").
_NO_SUBJECT = lexicon.compile(r"^\s*(?:and|but|or)\s+(?:just\s+|really\s+|also\s+|still\s+)?(?:can't|cannot|can|"
                         r"could|couldn't|will|won't|would|wouldn't|have|has|had|haven't|hasn't|is|"
                         r"isn't|are|aren't|was|wasn't|were|weren't|do|don't|does|doesn't|did|"
                         r"didn't|need|needs|reckon|reckons|say|says|think|thinks|hope|hopes|"
                         r"expect|expects|believe|believes|guess|[a-z]+ed)\b", re.I)


# A clause that opens on a pronoun for something named before it.
_POINTS_BACK = lexicon.compile(r"^\s*(?:it|it's|its|they|they're|they've|they'll|them|this|these|those|"
                               r"he|she|that one)\b", re.I)
_RELATIVE = lexicon.compile(r"^\s*(?:which|who|whom|whose)\b", re.I)
# "but" before what we did about it ("but I've refunded the full $31.75").
_BUT_WE_ACT = lexicon.compile(r"^\s*but\s+(?:I|we)(?:'ve| have|'ll| will|'m| am|'re| are)\s", re.I)


# A clause that points back at the one before it ("that's why...", "hence...").
_CONSEQUENCE = lexicon.compile(r"^\s*(?:(?:and |so )?(?:that's|thats|that is|this is|which is|that was|this was) why|hence|"
                               r"thus|therefore|as a result|because of (?:this|that))\b", re.I)
# A clause that ends on a word needing more after it: a verb of being, a preposition, an article.
_OPEN_END = lexicon.compile(r"\b(?:is|are|was|were|be|been|being|to|of|the|a|an|by|for|with|from|at|on|in|"
                            r"and|or|but|our|your|their|its|my)\s*$", re.I)


_SUBJECT_NP = lexicon.compile(r"^\s*(?:(?:ok|okay|so|hmm|looks like|it looks like|seems like)[\s,]+)?"
                              r"(?P<np>(?:the|that|this|your|those|these)\s+(?:[a-z][\w-]*\s+){0,2}?[a-z][\w-]*)"
                              r"\s+(?:must|might|may|was|were|is|are|has|have|had|got|did|didn't|wasn't|"
                              r"weren't|isn't|aren't|can't|won't|should|would|could)\b", re.I)
_IT = {"it": "{np}", "it's": "{np} is", "its": "{np}'s"}


def _named_again(cut: str, kept: str) -> str | None:
    """`kept` with its opening "it" named as the cut clause's subject ("that coupon"), or None
    where the cut clause opens on no thing it could be."""
    m = _SUBJECT_NP.match(cut)
    p = re.match(r"(\s*)(it's|its|it)\b", kept, re.I)
    if not m or not p:
        return None
    np = re.sub(r"^(?:that|this|those|these)\b", "the", m.group("np"), flags=re.I)   # "that ..." opens a fragment
    return p.group(1) + _IT[p.group(2).lower()].format(np=np) + kept[p.end():]


def _dangling(body: str, spans: list[tuple[int, int]], parts: list[str]) -> bool:
    """True when a dropped clause leaves a kept one dangling. Also carries a dropped clause's
    ";" or ":" onto the kept clause before it, so no comma splice is left ("..., the £40 was
    returned" stays "...; the £40 was returned")."""
    dropped = [not p.strip() for p in parts]
    for i, was in enumerate(dropped):
        if not was:
            continue
        nxt = next((j for j in range(i + 1, len(parts)) if not dropped[j]), None)
        prev = next((j for j in range(i - 1, -1, -1) if not dropped[j]), None)
        if nxt is not None and _CONSEQUENCE.match(parts[nxt]):
            # "[looks like you typed the wrong apt number, so the driver couldn't find you.]
            # that's why order 7789 was returned", "got delayed [because the copy you sent was
            # not clear], hence we had to ask again": the "why" has lost what it points back to
            # (graded D)
            return True
        if prev == i - 1 and _OPEN_END.search(parts[prev]):
            # "The catch-up bill of £512.66 is [because the readings you gave were too low]":
            # the kept clause ends on a word that needed the dropped one
            return True
        if nxt == i + 1 and _RELATIVE.match(parts[nxt]):
            # "[The morning shift didn't bother to prep it,] which I know isn't good enough"
            # leaves "I know isn't good enough": the relative clause loses what it is about
            return True
        if nxt == i + 1 and prev is not None and _FRAGMENT.match(parts[nxt].lstrip(" ,;:")):
            # "The claims team look after meal voucher reimbursements [and they've asked for the
            # original receipts], not photos, posted to...": the kept clause answered the cut one
            return True
        if prev is None and nxt is not None and _POINTS_BACK.match(parts[nxt]):
            # "[that coupon must have been entered wrong at checkout,] it only works on
            # full-price items": "it" was the coupon, named only in the cut clause. Named
            # again where the cut clause opened on it ("That coupon only works on..."), else
            # the drop leaves the pronoun pointing at nothing.
            named = _named_again(body[spans[i][0]:spans[i][1]], parts[nxt])
            if named is None:
                return True
            parts[nxt] = named
        if nxt is not None and _NO_SUBJECT.match(parts[nxt]):
            # kept after a kept clause or first: "[The network lot say they're on it] and
            # reckon it'll be back by 5pm" leaves "Reckon it'll be back by 5pm" (graded D)
            return True
        orig = body[spans[i][0]:spans[i][1]].rstrip()
        prev = next((j for j in range(i - 1, -1, -1) if not dropped[j]), None)
        if prev is None:
            continue
        if _PREP_OPEN.match(parts[prev]) or (prev > 0 and _PREP_OPEN.match(parts[prev - 1] or "")
                                              and parts[prev].lstrip().lower().startswith("and ")):
            return True
        if orig[-1:] in ";:" and i + 1 < len(parts) and parts[prev].rstrip().endswith(","):
            parts[prev] = parts[prev].rstrip()[:-1] + orig[-1] + " "
        elif orig[-1:] in ",;:" and nxt is not None and parts[prev].rstrip()[-1:] not in ",;:" \
                and all(dropped[i:nxt]):
            # "moved it from the 12th [and they never tell us why,] sorry mate": the dropped
            # clause took the joint with it, so the kept clauses would run together.
            parts[prev] = parts[prev].rstrip() + orig[-1] + " "
    return False


_FIRST_PLURAL = lexicon.compile(r"\b(?:we|us|our|ours|we're|we've|we'll|we'd)\b", re.I)
_THIRD = lexicon.compile(r"\b(?:they|them|their|theirs|themselves|they're|they've|they'll|they'd)\b", re.I)


# A sided aside about a thing, then the thing's rule: "ngl the new $2.99 service fee annoys me
# too 😅 but it applies to every order now", "tbh i think the 15% restocking fee is kind of a
# ripoff too, but it does apply since the box was opened".
_ASIDE_THEN_RULE = lexicon.compile(
    r"^(?:(?:ok|okay|so|look|yeah|honestly|tbh|ngl|lol|i (?:totally |completely )?(?:get|understand) (?:it|that)|"
    r"and)[\s,]+)*(?:(?:tbh|honestly|ngl|personally|to be honest|between us)[\s,]+)?"
    r"(?:i (?:really |also |kind of )?(?:think|feel|reckon|agree)(?: that)?\s+)?"
    rf"(?P<np>(?:the|this|that|our|your)\s+(?:[^,.;!?]|(?<=\d)\.(?=\d)){{2,60}}?)\s+"
    r"(?:is|are|was|were|seems?|feels?|looks?|annoys(?: me)?|bugs me|drives me)\b[^.;!?]*?"
    rf"(?:,\s*|\s+)(?:[{_EMOJI}]\s*)?but\s+(?:it|they|that|this)\s+(?P<rest>[^!?]+?)(?P<end>[.!?]*)\s*$", re.I)


def own_aside(sentence: str) -> str | None:
    """The rule of a sentence that opens by siding against it, with the thing it is about as its
    subject: "ngl the new $2.99 service fee annoys me too 😅 but it applies to every order now"
    -> "The new $2.99 service fee applies to every order now." Cutting only the aside lost the
    fee's amount with it, and the template in its place lost the rule (dev)."""
    m = _ASIDE_THEN_RULE.match(sentence.strip())
    if not m:
        return None
    np = m.group("np").strip()
    out = f"{np[0].upper()}{np[1:]} {m.group('rest').strip()}{m.group('end') or '.'}"
    return out


# Between our team as a subject and a later "they", someone else who could be "they".
# (The customer's side lists its people before its things: "the rooms" in between are no one.)
_CUSTOMER_PEOPLE = list(itertools.takewhile(lambda w: not w.startswith("parcel"),
                                            lexicon.words("CUSTOMER_SIDE")))
_SOMEONE_ELSE = lexicon.compile(r"\b(?:" + "|".join([lexicon.pattern(n) for n in (
    "THIRD_PARTIES", "OUTSIDE_BODIES", "OTHER_PEOPLE")] + _CUSTOMER_PEOPLE) + r")\b", re.I)
# "they" as the done-to, not the doer ("they were shipped", "they've been sent"), or as what is
# said about them ("they're a law unto themselves lol": a jibe, not an act to own).
_THEY_DONE_TO = lexicon.compile(r"\bthey(?:'re| are| were|'ve been| have been| had been| got)\s+"
                                r"(?:\w+ly\s+)?\w+(?:ed|en|t)\b|\bthey(?:'re| are| were)\s+(?:a|an|the|so|"
                                r"too|very|really|just|such|always|never|like|useless|hopeless|"
                                r"slow|rubbish)\b|\bthemselves\b", re.I)


def _led_by_our_team(body: str, spans: list[tuple[int, int]], flagged: list[int], i: int,
                     context: str) -> tuple[int, str, str] | None:
    """Where an earlier clause of the sentence has our team as its subject and flagged clause
    `i` goes on about it as "they" ("The events office have put a hold on 12
    rooms at AUD 210 per night, [but they want the rooming list by 1 October or they'll
    release the rooms]"), the pair owned together: (that clause's index, it with "we", clause
    `i` with "we"). Swapped one at a time, the "they" stayed (the rooms in between read as
    what "they" might mean) and only a template was left (dev). None where someone else (a
    partner, the customer's people) is named in between, the "they" is done to ("they were
    shipped"), or the reply says "they" elsewhere."""
    cl = body[spans[i][0]:spans[i][1]]
    if not _THIRD.search(cl) or _THEY_DONE_TO.search(cl) or _FIRST_PLURAL.search(body):
        return None
    rest = " ".join(body[a:b] for k, (a, b) in enumerate(spans) if k not in flagged) + " " + context
    if _THIRD.search(rest) or OUTSIDE.search(rest) or \
            any(_THEY_DONE_TO.search(body[a:b]) for k, (a, b) in enumerate(spans) if k in flagged):
        return None
    for j in range(i - 1, -1, -1):
        a, b = spans[j]
        subject = swap_org(body[a:b])
        if subject is None:
            continue
        between = body[a:spans[i][0]]
        m = _SUBJECT.search(between)
        if m is None or _SOMEONE_ELSE.search(between[m.end():]):
            return None
        swapped = swap_pronouns(cl)
        return (j, subject, swapped) if swapped is not None else None
    return None


# The company the agent writes for, by name: "Greetings from SkyWing Airlines", "Thank you for
# choosing Ocean Compass Travel", a sign-off line "SkyWing Airlines Customer Care". Its
# "Airlines" or "Travel" is us, not a partner who could be "they".
_NAME = r"(?-i:[A-Z])[\w&'-]*(?: (?-i:[A-Z])[\w&'-]*){0,3}"
_OUR_NAME = lexicon.compile(
    rf"\b(?:greetings from|good (?:day|morning|afternoon|evening) from|welcome to|here at|on behalf of|"
    rf"(?:the )?team at|thanks? (?:you )?for (?:contacting|choosing|calling|flying with|staying with|"
    rf"shopping with|booking with|travelling with|traveling with|banking with))\s+(?:the\s+)?{_NAME}|"
    rf"(?m:^{_NAME} (?:customer (?:care|service|services|support)|support|guest services|team)[ \t]*$)",
    re.I)


def without_our_name(text: str) -> str:
    """`text` without the places it names the agent's own company (see _OUR_NAME)."""
    return _OUR_NAME.sub(" ", text)


# Sympathy that opens a refusal and says nothing of its own (the lexicon's WISH_LEAD).
WISH_LEAD = lexicon.compile(lexicon.pattern("WISH_LEAD"), re.I)


def candidates(sentence: str, flags: Sequence[Flag], offset: int = 0,
               context: str = "") -> list[Edit]:
    """Edits of `sentence` (which starts at `offset` in the draft) that may fix its `flags`,
    best kind first. The greeting, if any, is the caller's to keep. `context`: the rest of the
    draft. "they" is only swapped for "we" where nothing else in the sentence or the draft still
    says "they"/"them": half a swap ("we guard those records... I've forwarded it to them")
    reads worse than none."""
    body = sentence.rstrip()
    m = _END.search(body)
    end_punct = m.group(0).strip() if m else "."
    end_punct = end_punct if end_punct in (".", "!", "?") else end_punct[:1] or "."
    spans = clauses(body)
    flagged = _flagged_clause_ids(spans, flags, offset)
    if not flagged:
        flagged = list(range(len(spans)))
    # Per flagged clause: its options (rewritten versions, then dropping it).
    options: list[list[tuple[str, str]]] = []
    # The other clauses as they read once their departments are "we" ("The warehouse lot run
    # their own schedule" -> "We run our own schedule"): their "their" no longer stands in the
    # way of swapping a later "they haven't picked yours yet".
    org_swaps = [swap_org(body[s:e]) if i in flagged else None for i, (s, e) in enumerate(spans)]
    owned = [o if o is not None else body[s:e] for o, (s, e) in zip(org_swaps, spans)]
    # An option that changes other clauses too: its subject swapped, or the clauses it absorbed.
    also: dict[tuple[int, str], list[tuple[int, str]]] = {}
    walled = any(f.type == "policy_wall" for f in flags)
    for i in flagged:
        s, e = spans[i]
        cl = body[s:e]
        opts: list[tuple[str, str]] = []
        others = " ".join(owned[:i] + owned[i + 1:]) + " " + without_our_name(context)
        led = _led_by_our_team(body, spans, flagged, i, context)
        if led is not None:
            j, subject_swapped, swapped = led
            opts.append((swapped, "swap"))
            also[(i, swapped)] = [(j, subject_swapped)]
        # A limit with its condition in the next clauses ("...no way for me to change payment
        # dates | while the account is £310 in arrears"): the clauses read as one.
        if i + 1 < len(spans) and not walled:
            whole = own_limit(body[s:])
            if whole is not None and own_limit(cl) is None:
                opts.append((whole, "own_cause"))
                also[(i, whole)] = [(k, "") for k in range(i + 1, len(spans))]
        for kind, fn in (("own_cause", own_cause), ("own_cause", own_decision), ("own_cause", neutral_cause),
                         ("own_cause", own_limit), ("own_cause", own_finding),
                         ("own_cause", own_policy),
                         ("swap", own_passive), ("swap", swap_org),
                         ("swap", swap_pronouns)):
            if fn is own_limit and walled:
                continue   # a wall's rule keeps its words and gets the reason gap (fallback)
            if fn is swap_pronouns and (_THIRD.search(others) or
                                        _FIRST_PLURAL.search(body[:s] + " " + body[e:]) or
                                        OUTSIDE.search(others)):
                # "they set their own rules and don't loop us in": they are not us; nor are
                # they after a seller, an insurer or a courier is named ("message them yourself")
                continue
            new = (org_swaps[i] if fn is swap_org else
                   fn(cl, " ".join(owned[:i])) if fn is swap_pronouns else fn(cl))
            if new is not None:
                opts.append((new, kind))
                if fn is own_limit and i > 0 and WISH_LEAD.match(body[spans[i - 1][0]:spans[i - 1][1]]):
                    # "[I'd love to] but I'm not allowed to issue refunds over Twitter": the wish
                    # goes with the limit it softened ("I'd love to we don't..." read as broken)
                    also[(i, new)] = [(i - 1, "")]
        for new, kind in list(opts):
            s2 = _SOFTENER.sub(" ", new).strip()
            if s2 != new:
                opts.append((s2, kind))
            timed = wait_with_time(new)
            if timed is not None and (timed, kind) not in opts:
                opts.append((timed, kind))   # "we'll send it out [when it's ready]" -> "by [when]"
                if (i, new) in also:
                    also[(i, timed)] = also[(i, new)]   # its subject swapped with it
        timed = wait_with_time(cl)
        if timed is not None:
            opts.append((timed, "swap"))   # after the swapped ones: "we'll ... by [when]" first
        opts.append(("", "drop_clause"))
        if len(flagged) > 1 and extract_facts(cl) and not _holds_a_flag(s, e, flags, offset):
            # One flag over two clauses ("[but screen issues go through Samsung] [so you'll need
            # to contact them]"): the clause that holds a fact may stay while the other goes;
            # dropping both lost "Samsung", so only the template was left (dev, rwA-068). Not a
            # clause that holds most of a flag itself: "[but there's zero I can do about the
            # £45 charge]" kept is the dodge kept. The verifier still has to pass what stays.
            opts.append((cl, "keep"))
        options.append(opts)
    out: list[Edit] = []
    seen: set[str] = set()
    for combo in itertools.islice(itertools.product(*options), 64):
        parts = [body[s:e] for s, e in spans]
        kinds = []
        kept = any(kind == "keep" for _new, kind in combo)
        for i, (new, kind) in zip(flagged, combo):
            parts[i] = new
            if kind != "keep":
                kinds.append(kind)
        for i, (new, _kind) in zip(flagged, combo):
            for j, text in also.get((i, new), ()):
                parts[j] = text   # (after every clause's own option: it speaks for those too)
        if not kinds:
            continue   # every clause kept: no edit
        for i in range(1, len(parts)):
            if not parts[i - 1].strip() and i - 1 in flagged and _CONSEQUENCE.match(parts[i]) \
                    and not extract_facts(parts[i]) and not _refuses(parts[i]):
                # "[because the label you printed was the wrong one,] thats why it bounced":
                # the consequence of a cut reason goes with it
                parts[i] = ""
        for i in range(1, len(parts)):
            if not parts[i - 1].strip() and i - 1 in flagged and _BUT_WE_ACT.match(parts[i]):
                # "the restaurant packed it wrong, [so not our mistake,] but i've refunded it":
                # once the denial is cut, "but" still answers it; the fix follows from the fault
                parts[i] = re.sub(r"^(\s*)but\b", r"\1so", parts[i], flags=re.I)
        if _dangling(body, spans, parts):
            continue
        for i in range(len(parts) - 1):
            if _FILLER.match(parts[i]) and not parts[i + 1].strip():
                parts[i] = ""   # "ok so i totally get it, ...": the "ok" goes with what it opened
        for i in range(1, len(parts)):
            if _AFTER_FILLER.match(parts[i]) and not any(p.strip() for p in parts[:i]):
                parts[i] = ""   # "[I'm on your side on this one,] really, but...": with it
        for i in range(1, len(parts)):
            if _JOINT_ONLY.match(parts[i]) and not parts[i - 1].strip():
                parts[i] = ""   # "[that's on them] though.": the "though" went with its clause
            if _WALL_TAG.match(parts[i]) and not parts[i - 1].strip():
                parts[i] = ""   # "[we don't do refunds for part months,] end of": the tag goes too
        for i in range(1, len(parts)):
            prev = next((p for p in reversed(parts[:i]) if p.strip()), "")
            if parts[i].strip() and not parts[i - 1].strip() and prev.rstrip()[-1:] in (";", ":"):
                # "...services; [that's the rule] and it isn't ..." -> "...services; it isn't ..."
                parts[i] = _LEAD_JOIN.sub("", parts[i].lstrip())
        text = _tidy(" ".join(p for p in parts if p.strip()), end_punct, lead=not parts[0].strip())
        kind = max(kinds, key=KINDS.index)
        if not text:
            continue
        if kept and _refuses(body) and not _refuses(text):
            # "[there's no way for me to change payment dates] [while the account is £310 in
            # arrears]" kept as "The account is £310 in arrears.", "The management people have
            # decided that, [and no compensation is given for closures]": the answer is gone
            continue
        key = text.lower()
        if key in seen or key == _tidy(body, end_punct, lead=False).lower():
            continue
        seen.add(key)
        gone = " ".join(body[s:e] for i, (s, e) in enumerate(spans) if not parts[i].strip())
        out.append(Edit(text, kind, gone, any(k in ("own_cause", "swap") for k in kinds)))
    aside = own_aside(body)
    if aside and aside.lower() not in seen:
        out.append(Edit(aside, "drop_clause", body[:body.lower().find(" but ")], False))
    out.sort(key=lambda e: KINDS.index(e.kind))
    out = out[:MAX_CANDIDATES - 1]
    out.append(Edit("", "drop_sentence", body))
    return out


# A limit on what the agent can see or do, whatever the flag's type: "they don't let us see it
# on chat" (flagged as they_language) tells the customer something they then have to work around.
_LIMIT = lexicon.compile(r"\b(?:don'?t|do not|won'?t|will not|doesn'?t|does not|never)\s+(?:let|allow|give|"
                    r"show|tell)\s+(?:us|me)\b|\b(?:I|we)\s+(?:can'?t|cannot|can not|couldn'?t|"
                    r"have no|don'?t have)\b", re.I)


def needs_next_step(types: Sequence[str], dropped: str = "") -> bool:
    """Units whose cure is an offer of help, or an edit that removes a limit on what the agent
    can do: what is left must still commit to a next step, or the customer is just as stuck
    and now not even told why."""
    return any(TYPES[t].rewrite.needs_next_step for t in types if t in TYPES) \
        or bool(_LIMIT.search(dropped))
