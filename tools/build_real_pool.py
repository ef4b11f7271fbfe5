"""Build the candidate pool of real agent messages for the real-message evaluation set.

Input: public copies of the Kaggle "Customer Support on Twitter" data (TWCS, a CSV with columns
tweet_id, author_id, inbound, created_at, text, response_tweet_id, in_response_to_tweet_id; full or
sampled) and/or IBM's TweetSumm (JSONL files holding TWCS tweet ids + sentence offsets, and dialog
texts rebuilt from them as `<dialog_id>.story` files, in a folder or a .zip). See eval/real/SOURCE.md.

Output: eval/real/pool.jsonl (one company reply per line, unlabelled), eval/real/pool_stats.json and
eval/real/reserved_sha256.txt (sha256 of the normalised text / template of every reserved message
whose text the sources hold, so tests can check the pool without the source data).

    python tools/build_real_pool.py --src ~/.cache/reply-coach/real-src

Standard library only. Same inputs -> byte-identical outputs.
"""
from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import html
import io
import json
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_RESERVED = REPO.parent / "shared" / "reserved-real-ids.txt"
DEFAULT_OUT_DIR = REPO / "eval" / "real"
DEFAULT_SRC = Path("~/.cache/reply-coach/real-src").expanduser()
# File names the rebuild recipe in eval/real/SOURCE.md writes into the --src folder.
SRC_TWCS = ("twcs_head.csv",)
SRC_TWEETSUMM_JSONL = tuple(f"final_{s}_tweetsum.jsonl" for s in ("train", "valid", "test"))
SRC_TWEETSUMM_DIALOGS = "raw_dialogues.zip"

SEED = "reply-coach-real-pool-v1"
SPLITS = ("real-dev", "real-test")
MIN_WORDS = 4
MAX_TEMPLATE_COPIES = 3

csv.field_size_limit(10**8)

# --------------------------------------------------------------------------------------------
# Normalisation (shared with tests/test_real_pool.py)
# --------------------------------------------------------------------------------------------
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_MENTION = re.compile(r"(?<![\w@])[@＠]\w+")
_CARET_SIGN = re.compile(r"\^\s?[A-Za-z][A-Za-z0-9]{0,5}\b")  # ^AB, ^ JK, ^HSB (anywhere)
_TAIL_SIGN = re.compile(  # -KC, - Becky, –Name, ~Jo, *TS, /AB at the very end
    r"(?:\s*(?:[-–—~*/]\s?[A-Z][A-Za-z.]{0,15}|[~*]\s?[a-z]{1,4}))\s*$"
)
_TAIL_NAME = re.compile(r"(?<=[.!?])\s+[A-Z][a-z]{1,15}\.?\s*$")  # "... Have a great day! Corey"
_WS = re.compile(r"\s+")
_EDGE_PUNCT = " \t\n.,:;-–—|"


def _strip_handles(text: str) -> str:
    """Text with URLs, @mentions and agent sign-offs removed (case kept)."""
    s = html.unescape(text or "")
    s = _URL.sub(" ", s)
    s = _MENTION.sub(" ", s)
    s = _CARET_SIGN.sub(" ", s)
    prev = None
    while prev != s:
        prev = s
        s = _TAIL_SIGN.sub("", s)
        s = _TAIL_NAME.sub("", s)
    return _WS.sub(" ", s).strip(_EDGE_PUNCT + " ")


def normalise(text: str) -> str:
    """Lowercased, whitespace collapsed, @mentions, URLs and sign-offs (^AB, -Name) stripped."""
    return _WS.sub(" ", _strip_handles(text).lower()).strip()


_NAME_TOKEN = re.compile(r"^[\"'(\[]*[A-Z][a-z]+[\"')\],.!?;:]*$")


def template_key(text: str) -> str:
    """Near-duplicate key: the normalised text without numbers, names (capitalised words that do
    not start a sentence), @handles and punctuation."""
    out, start = [], True
    for tok in _strip_handles(text).split():
        if not (not start and _NAME_TOKEN.match(tok)):
            out.append(tok)
        start = tok.rstrip("\"')]").endswith((".", "!", "?"))
    s = re.sub(r"\d+", " ", " ".join(out).lower())
    return " ".join(re.findall(r"[^\W\d_]+", s))


def word_count(norm: str) -> int:
    return sum(1 for t in norm.split() if re.search(r"\w", t))


_EN = set("the a an to you your we us our i is are be for of and or in on it this that with can please "
          "have has will let know me my not do does if at as so hi hello thanks thank sorry help here "
          "there what how when which any more about from just".split())
_FOREIGN = set("por favor gracias hola para que los las tus una nos esto muy hemos te tu mensajes directos "
               "usted puedes vous votre pour les des une est avec nous dans sur merci bonjour obrigado você "
               "danke bitte wir ihr nicht und das ist".split())


def looks_non_english(norm: str) -> bool:
    """Rough guess: at least two Spanish/French/Portuguese/German function words, more than English
    ones. (TWCS is mostly English; a few brands answer in Spanish or French.)"""
    toks = re.findall(r"[^\W\d_]+", norm)
    foreign = sum(t in _FOREIGN for t in toks)
    return foreign >= 2 and foreign > sum(t in _EN for t in toks)


def sha(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def _h(*parts: str) -> int:
    return int(sha("\x1f".join((SEED,) + parts))[:16], 16)


def assign_splits(items) -> dict:
    """{id: real-dev (~60 %) | real-test} for [(id, text, thread)].

    Messages that share a near-duplicate template or a conversation thread are grouped
    (transitively); a group goes to the split given by a hash of its smallest template, so
    near-duplicates and turns of one conversation never straddle the split. A message with no
    such partner is split by the hash of its own template."""
    parent: dict = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    tmpl = {}
    for i, text, thread in items:
        tmpl[i] = template_key(text)
        for other in ("t:" + tmpl[i], "c:" + thread if thread else None):
            if other:
                a, b = find("i:" + i), find(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    key = {}
    for i in tmpl:
        r = find("i:" + i)
        key[r] = min(key.get(r, tmpl[i]), tmpl[i])
    return {i: SPLITS[0] if _h("split", key[find("i:" + i)]) % 100 < 60 else SPLITS[1] for i in tmpl}


# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------
@dataclass
class Tweet:
    tweet_id: str
    text: str
    author: str  # company handle for agent tweets, customer id otherwise ("" if unknown)
    inbound: bool
    in_reply_to: str = ""
    exact: bool = True  # text copied as is (TWCS row) vs rebuilt from TweetSumm sentence spans
    sources: set = field(default_factory=set)
    tweetsumm_ref: str = ""  # tweetsumm:<dialog_id>#<turn>


def _id(v: str) -> str:
    v = (v or "").strip()
    if not v:
        return ""
    try:
        return str(int(float(v))) if "." in v or "e" in v.lower() else str(int(v))
    except ValueError:
        return ""


_CR = "\ue000"  # stand-in for a bare carriage return while parsing


def load_twcs(paths, tweets: dict, stats: dict) -> None:
    for p in paths:
        n = bad = 0
        # some copies leave a bare '\r' inside an unquoted text field: keep it as a character
        with open(p, encoding="utf-8", newline="") as f:
            data = re.sub(r"\r(?!\n)", _CR, f.read())
        for row in csv.DictReader(io.StringIO(data, newline="")):
            row = {k: (v.replace(_CR, "\r") if isinstance(v, str) else v) for k, v in row.items()}
            tid = _id(row.get("tweet_id"))
            inbound = str(row.get("inbound", "")).strip().lower()
            if not tid or inbound not in ("true", "false") or row.get("text") is None:
                bad += 1
                continue
            n += 1
            t = tweets.get(tid)
            if t is None or not t.exact:
                old = t
                t = tweets[tid] = Tweet(tid, row["text"], row.get("author_id") or "",
                                        inbound == "true",
                                        _id(row.get("in_response_to_tweet_id")))
                if old is not None:
                    t.sources |= old.sources
                    t.tweetsumm_ref = old.tweetsumm_ref
            t.sources.add("twcs")
        stats.setdefault("twcs_rows", {})[Path(p).name] = n
        stats.setdefault("twcs_rows_malformed", {})[Path(p).name] = bad


def _read_dialog_texts(path: Path) -> dict:
    """dialog_id -> .story text (a folder of .story files, searched recursively, or a .zip)."""
    out = {}
    if path.is_dir():
        for f in sorted(path.rglob("*.story")):
            out[f.stem] = f.read_text(encoding="utf-8")
    else:
        with zipfile.ZipFile(path) as z:
            for name in sorted(z.namelist()):
                if name.endswith(".story"):
                    out[name.rsplit("/", 1)[-1][: -len(".story")]] = z.read(name).decode("utf-8")
    return out


_TURN = re.compile(r"(?:^|\n\n)(Customer|Agent): ")


def _story_turns(story: str):
    """[(role, turn text)] of a .story file: turns start 'Customer: '/'Agent: ', a turn's sentences
    are joined by a blank line, the '@highlight' summary part is dropped."""
    body = story.split("\n\n@highlight\n\n", 1)[0]
    parts = _TURN.split(body)
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts), 2)]


def load_tweetsumm(jsonl_paths, dialogs_path, tweets: dict, stats: dict, known_companies: set):
    """Adds TweetSumm turns as tweets; returns {tweetsumm ref: twcs tweet id} for all dialogs."""
    entries = {}
    for p in jsonl_paths:
        with open(p, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    d = json.loads(line)
                    entries[d["conversation_id"]] = d
    ref_to_id = {}
    for cid, d in entries.items():
        for i, t in enumerate(d["tweet_ids_sentence_offset"]):
            ref_to_id[f"tweetsumm:{cid}#{i}"] = str(t["tweet_id"])
    texts = _read_dialog_texts(Path(dialogs_path)) if dialogs_path else {}
    stats["tweetsumm_dialogs_jsonl"] = len(entries)
    stats["tweetsumm_dialogs_with_text"] = len(set(texts) & set(entries))
    checked = mismatched = 0
    known_lc = {c.lower(): c for c in known_companies}
    for cid in sorted(set(texts) & set(entries)):
        tso = entries[cid]["tweet_ids_sentence_offset"]
        turns = _story_turns(texts[cid])
        if len(turns) != len(tso):
            mismatched += 1
            continue
        # company of the dialog: a TWCS row of one of its agent tweets, else the brand handle the
        # customer addresses most (known brands first).
        company = ""
        for (role, _), t in zip(turns, tso):
            row = tweets.get(str(t["tweet_id"]))
            if role == "Agent" and row is not None and row.exact and not row.inbound:
                company = row.author
                break
        if not company:
            cnt = collections.Counter()
            for role, turn_text in turns:
                if role == "Customer":
                    for m in re.findall(r"@(\w+)", turn_text):
                        if not m.isdigit():
                            cnt[known_lc.get(m.lower(), m)] += 1
            ranked = sorted(cnt.items(), key=lambda kv: (kv[0] not in known_companies, -kv[1], kv[0]))
            company = ranked[0][0] if ranked else "unknown"
        last_customer = ""
        for i, ((role, joined), t) in enumerate(zip(turns, tso)):
            tid = str(t["tweet_id"])
            offs = [tuple(int(x) for x in o.strip("[] ").split(",")) for o in t["sentence_offsets"]]
            # cut the turn back into its sentences by the span lengths (splitting on blank lines
            # would break sentences that hold one)
            pos, sents = 0, []
            for a, b in offs:
                sents.append(joined[pos:pos + b - a])
                pos += b - a + 2
            if pos - 2 != len(joined):
                mismatched += 1
                break
            checked += 1
            # rebuild the tweet from its sentence spans: one space where the spans leave a gap
            text, prev_end = "", None
            for (a, b), s in zip(offs, sents):
                text += ("" if prev_end is None or a == prev_end else " ") + s
                prev_end = b
            ref = f"tweetsumm:{cid}#{i}"
            is_agent = role == "Agent"
            if tid not in tweets:
                tweets[tid] = Tweet(tid, text, company if is_agent else "", not is_agent,
                                    last_customer if is_agent else "", exact=False)
            tw = tweets[tid]
            tw.sources.add("tweetsumm")
            tw.tweetsumm_ref = tw.tweetsumm_ref or ref
            if not is_agent:
                last_customer = tid
    stats["tweetsumm_turns_checked"] = checked
    stats["tweetsumm_span_mismatches"] = mismatched
    return ref_to_id


# --------------------------------------------------------------------------------------------
# Reserved messages
# --------------------------------------------------------------------------------------------
def load_reserved(path) -> list:
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()  # '#' starts a comment line only: tweetsumm ids contain '#'
        if line and not line.startswith("#"):
            out.append(line)
    return out


def resolve_reserved(reserved, tweets, ref_to_id):
    """-> (twcs ids, tweetsumm refs, {normalised text}, {template}, counts)."""
    ids, refs, texts, templates = set(), set(), set(), set()
    unresolved = []
    for r in reserved:
        tid = ""
        if r.startswith("twcs:"):
            tid = r.split(":", 1)[1]
        elif r.startswith("tweetsumm:"):
            refs.add(r)
            tid = ref_to_id.get(r, "")
        if tid:
            ids.add(tid)
        t = tweets.get(tid) if tid else None
        if t is None:
            unresolved.append(r)
            continue
        texts.add(normalise(t.text))
        templates.add(template_key(t.text))
    counts = {
        "reserved_total": len(reserved),
        "reserved_twcs": sum(r.startswith("twcs:") for r in reserved),
        "reserved_tweetsumm": sum(r.startswith("tweetsumm:") for r in reserved),
        "reserved_text_found_in_sources": len(reserved) - len(unresolved),
        "reserved_text_not_in_sources": len(unresolved),
    }
    texts.discard("")
    templates.discard("")
    return ids, refs, texts, templates, counts


# --------------------------------------------------------------------------------------------
# Pool
# --------------------------------------------------------------------------------------------
def _thread(t: Tweet, tweets: dict) -> str:
    """Conversation id: the TweetSumm dialog, else the root of the reply chain in the sources."""
    if t.tweetsumm_ref:
        return t.tweetsumm_ref.split("#", 1)[0]
    seen, cur = {t.tweet_id}, t
    while cur.in_reply_to and cur.in_reply_to not in seen:
        seen.add(cur.in_reply_to)
        nxt = tweets.get(cur.in_reply_to)
        if nxt is None:
            return f"twcs:{cur.in_reply_to}"
        if nxt.tweetsumm_ref:
            return nxt.tweetsumm_ref.split("#", 1)[0]
        cur = nxt
    return f"twcs:{cur.tweet_id}"


def _context(t: Tweet, tweets: dict) -> str:
    seen, cur = set(), t.in_reply_to
    while cur and cur not in seen and len(seen) < 10:
        seen.add(cur)
        p = tweets.get(cur)
        if p is None:
            return ""
        if p.inbound:
            return p.text
        cur = p.in_reply_to
    return ""


def build(tweets: dict, ref_to_id: dict, reserved: list, target: int, cap_share: float, stats: dict):
    r_ids, r_refs, r_texts, r_templates, rc = resolve_reserved(reserved, tweets, ref_to_id)
    stats.update(rc)
    cands = sorted((t for t in tweets.values() if not t.inbound and t.text.strip()),
                   key=lambda t: (not t.exact, int(t.tweet_id)))
    stats["company_messages_in_sources"] = len(cands)
    stats["company_messages_by_source"] = dict(sorted(collections.Counter(
        "+".join(sorted(t.sources)) for t in cands).items()))
    drop = collections.Counter()
    seen_norm, per_template, kept = set(), collections.Counter(), []
    for t in cands:
        norm, tmpl = normalise(t.text), template_key(t.text)
        if t.tweet_id in r_ids or (t.tweetsumm_ref and t.tweetsumm_ref in r_refs):
            drop["excluded_reserved_by_id"] += 1
        elif norm in r_texts:
            drop["excluded_reserved_by_same_text"] += 1
        elif tmpl in r_templates:
            drop["excluded_reserved_by_same_template"] += 1
        elif word_count(norm) < MIN_WORDS:
            drop["dropped_under_4_words"] += 1
        elif looks_non_english(norm):
            drop["dropped_non_english"] += 1
        elif norm in seen_norm:
            drop["dropped_duplicate_text"] += 1
        else:
            seen_norm.add(norm)
            kept.append((t, tmpl))
    # at most MAX_TEMPLATE_COPIES per near-identical template (chosen by seeded hash)
    survivors = []
    for t, tmpl in sorted(kept, key=lambda x: _h("tmpl", x[0].tweet_id)):
        per_template[tmpl] += 1
        if per_template[tmpl] > MAX_TEMPLATE_COPIES:
            drop["dropped_template_repeat"] += 1
        else:
            survivors.append(t)
    stats.update({k: drop[k] for k in ("excluded_reserved_by_id", "excluded_reserved_by_same_text",
                                      "excluded_reserved_by_same_template", "dropped_under_4_words",
                                      "dropped_non_english", "dropped_duplicate_text",
                                      "dropped_template_repeat")})
    stats["templates_with_more_than_3_copies"] = sum(1 for v in per_template.values() if v > 3)
    stats["eligible_after_filters"] = len(survivors)

    # water-filling across companies: round-robin, each company's messages in seeded-hash order,
    # companies in seeded-hash order within a round; no company above cap_share of the pool.
    by_company = collections.defaultdict(list)
    for t in survivors:
        by_company[t.author or "unknown"].append(t)
    for c in by_company:
        by_company[c].sort(key=lambda t: _h("pick", t.tweet_id))
    cap = int(cap_share * target)
    order = sorted(by_company, key=lambda c: _h("company", c))
    picked, rnd = [], 0
    while len(picked) < target and rnd < cap:
        progressed = False
        for c in order:
            if rnd < len(by_company[c]) and len(picked) < target:
                picked.append(by_company[c][rnd])
                progressed = True
        if not progressed:
            break
        rnd += 1
    if len(picked) < target:
        raise SystemExit(f"only {len(picked)} messages available under the per-company cap, "
                         f"need {target}; add sources or lower --target")
    rows = []
    for t in sorted(picked, key=lambda t: int(t.tweet_id)):
        rows.append({
            "id": f"twcs:{t.tweet_id}",
            "text": t.text,
            "company": t.author or "unknown",
            "context": _context(t, tweets),
            "split": "",
            "source": "twcs" if t.exact else "tweetsumm",
            "tweetsumm_ref": t.tweetsumm_ref,
            "thread": _thread(t, tweets),
        })
    splits = assign_splits([(r["id"], r["text"], r["thread"]) for r in rows])
    for r in rows:
        r["split"] = splits[r["id"]]
    stats["pool_total"] = len(rows)
    stats["pool_by_split"] = dict(sorted(collections.Counter(r["split"] for r in rows).items()))
    stats["pool_by_source"] = dict(sorted(collections.Counter(r["source"] for r in rows).items()))
    stats["pool_companies"] = len({r["company"] for r in rows})
    stats["pool_by_company"] = dict(sorted(collections.Counter(r["company"] for r in rows).items(),
                                           key=lambda kv: (-kv[1], kv[0])))
    stats["pool_with_context"] = sum(1 for r in rows if r["context"])
    return rows, r_texts, r_templates, survivors


def train_rows(survivors, rows, tweets: dict, stats: dict) -> list:
    """The eligible messages the pool did not take, for training (`real-train`), minus any that
    shares a conversation or a near-identical template with a `real-test` message, so nothing
    of the test split has a twin in training."""
    taken = {r["id"] for r in rows}
    test_threads = {r["thread"] for r in rows if r["split"] == "real-test"}
    test_tmpl = {template_key(r["text"]) for r in rows if r["split"] == "real-test"}
    out, near = [], 0
    for t in sorted(survivors, key=lambda t: int(t.tweet_id)):
        if f"twcs:{t.tweet_id}" in taken:
            continue
        thread = _thread(t, tweets)
        if thread in test_threads or template_key(t.text) in test_tmpl:
            near += 1
            continue
        out.append({"id": f"twcs:{t.tweet_id}", "text": t.text, "company": t.author or "unknown",
                    "context": _context(t, tweets), "split": "real-train",
                    "source": "twcs" if t.exact else "tweetsumm",
                    "tweetsumm_ref": t.tweetsumm_ref, "thread": thread})
    stats["train_pool_total"] = len(out)
    stats["train_pool_dropped_near_real_test"] = near
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", type=Path, help=f"folder with the files SOURCE.md fetches "
                    f"({', '.join(SRC_TWCS + SRC_TWEETSUMM_JSONL + (SRC_TWEETSUMM_DIALOGS,))})")
    ap.add_argument("--twcs", action="append", default=[], help="TWCS-format CSV (repeatable)")
    ap.add_argument("--tweetsumm-jsonl", action="append", default=[], help="TweetSumm JSONL (repeatable)")
    ap.add_argument("--tweetsumm-dialogs", help="folder or .zip of TweetSumm <dialog_id>.story texts")
    ap.add_argument("--reserved", type=Path, default=DEFAULT_RESERVED)
    ap.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    ap.add_argument("--target", type=int, default=1900)
    ap.add_argument("--company-cap", type=float, default=0.12)
    a = ap.parse_args(argv)
    if a.src:
        a.twcs += [str(a.src / n) for n in SRC_TWCS if (a.src / n).exists()]
        a.tweetsumm_jsonl += [str(a.src / n) for n in SRC_TWEETSUMM_JSONL if (a.src / n).exists()]
        if not a.tweetsumm_dialogs and (a.src / SRC_TWEETSUMM_DIALOGS).exists():
            a.tweetsumm_dialogs = str(a.src / SRC_TWEETSUMM_DIALOGS)
    if not (a.twcs or a.tweetsumm_jsonl):
        ap.error("no source files (give --src or --twcs / --tweetsumm-jsonl)")

    stats: dict = {"inputs": {}}
    for p in a.twcs + a.tweetsumm_jsonl + ([a.tweetsumm_dialogs] if a.tweetsumm_dialogs else []):
        pp = Path(p)
        if pp.is_file():
            stats["inputs"][pp.name] = hashlib.sha256(pp.read_bytes()).hexdigest()
    stats["inputs"][a.reserved.name] = hashlib.sha256(a.reserved.read_bytes()).hexdigest()
    tweets: dict = {}
    load_twcs(a.twcs, tweets, stats)
    known = {t.author for t in tweets.values() if not t.inbound and t.author}
    ref_to_id = load_tweetsumm(a.tweetsumm_jsonl, a.tweetsumm_dialogs, tweets, stats, known) \
        if a.tweetsumm_jsonl else {}
    rows, r_texts, r_templates, survivors = build(tweets, ref_to_id, load_reserved(a.reserved),
                                                  a.target, a.company_cap, stats)
    extra = train_rows(survivors, rows, tweets, stats)

    a.out_dir.mkdir(parents=True, exist_ok=True)
    with open(a.out_dir / "pool.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(a.out_dir / "train-pool.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for r in extra:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(a.out_dir / "pool_stats.json", "w", encoding="utf-8", newline="\n") as f:
        json.dump(stats, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(a.out_dir / "reserved_sha256.txt", "w", encoding="utf-8", newline="\n") as f:
        f.write("# sha256 of normalise() / template_key() of each reserved message whose text the\n"
                "# sources hold (tools/build_real_pool.py); lets tests check the pool without them.\n")
        for kind, vals in (("text", r_texts), ("template", r_templates)):
            for h in sorted(sha(v) for v in vals):
                f.write(f"{kind} {h}\n")
    keys = [k for k in stats if k not in ("inputs", "pool_by_company")]
    for k in keys:
        print(f"{k}: {stats[k]}")
    top = list(stats["pool_by_company"].items())[:15]
    print("top companies:", ", ".join(f"{c} {n}" for c, n in top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
