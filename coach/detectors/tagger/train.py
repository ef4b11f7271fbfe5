"""Fine-tune the span tagger end to end, export it to ONNX, and calibrate its thresholds.

Why fine-tune the whole encoder: frozen sentence vectors plus a linear head could not tell a
dodge from a sympathetic line in real messages (F1 0.15 there); the model class alone fixes
nothing either, so the corpus matters as much (see models/tagger.md). What this module
guarantees is the engineering: training is deterministic for a seed, shows progress, and
checkpoints every `ckpt_every` steps so a stopped run resumes where it stopped with the same
result; the exported graph is int8 only where it agrees with fp32 on >= 99 % of calibration
decisions; thresholds are chosen per type on calibration drafts (never a test split) for the
largest F1 within a clean-draft false-positive budget.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from coach.metrics import GoldItem
from coach.detectors.tagger.labels import LABEL_ID, LABELS, type_columns
from coach.detectors.tagger.windows import MAX_TOKENS, Window, batch_inputs, draft_windows
from coach.taxonomy import TYPE_NAMES, TYPES
from coach.text import DraftView

CHECKPOINT = "checkpoint.pt"
INT8_MIN_AGREEMENT = 0.99


@dataclass
class TrainConfig:
    epochs: int = 3
    batch_size: int = 32
    lr: float = 8e-5
    weight_decay: float = 0.01
    warmup: float = 0.06
    layers: int = 6               # encoder layers kept (MiniLM-L6 has 6; fewer is faster)
    max_tokens: int = MAX_TOKENS
    seed: int = 13
    ckpt_every: int = 100
    threads: int = 0              # torch threads (0: all cores)
    # Distillation: a smaller student learns the shipped tagger's token probabilities as well as
    # the gold labels (loss = (1 - distill) * CE(gold) + distill * KL(teacher || student)). The
    # teacher saw the same data, so its soft labels carry what the gold BIO tags cannot: how
    # close a clean sentence came to a problem, which a 3-layer encoder cannot learn alone from
    # 17k drafts (trained plainly it lost 0.14 F1 on real-dev).
    distill: float = 0.0
    teacher: str = ""             # the teacher's model directory (ONNX, as shipped)

    def key(self) -> str:
        d = asdict(self)
        d.pop("ckpt_every")
        d.pop("threads")
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]


def token_labels(window: Window, spans: Sequence[tuple[str, str, int, int]]) -> np.ndarray:
    """BIO label ids of a window's tokens from gold (family, type, start, end) spans."""
    labels = np.zeros(len(window.ids), dtype=np.int64)
    for _fam, t, s, e in spans:
        idx = np.flatnonzero((window.offsets[:, 0] < e) & (window.offsets[:, 1] > s))
        if idx.size == 0:
            continue
        free = idx[labels[idx] == 0]
        if free.size == 0:
            continue
        labels[free] = LABEL_ID[f"I-{t}"]
        if free[0] == idx[0]:
            labels[idx[0]] = LABEL_ID[f"B-{t}"]
    return labels


def examples(items: Sequence[GoldItem], tokenizer, max_tokens: int = MAX_TOKENS
             ) -> list[tuple[Window, np.ndarray]]:
    """(window, token labels) for every window of every draft."""
    out = []
    for g in items:
        for w in draft_windows(DraftView(g.text), tokenizer, max_tokens):
            out.append((w, token_labels(w, g.spans)))
    return out


def _batches(n: int, lengths: list[int], size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar lengths: shuffle, sort within pools of 50 batches, shuffle."""
    order = list(range(n))
    rng.shuffle(order)
    pool = size * 50
    batches = []
    for k in range(0, n, pool):
        chunk = sorted(order[k:k + pool], key=lambda i: lengths[i])
        batches += [chunk[j:j + size] for j in range(0, len(chunk), size)]
    rng.shuffle(batches)
    return batches


def load_encoder(layers: int):
    """A token-classification model on the packaged MiniLM weights (never downloaded)."""
    from transformers import AutoConfig, AutoModelForTokenClassification

    from coach.embedder.model import model_path

    path = model_path()
    cfg = AutoConfig.from_pretrained(str(path), num_labels=len(LABELS),
                                     id2label=dict(enumerate(LABELS)), label2id=LABEL_ID)
    cfg.num_hidden_layers = layers
    model = AutoModelForTokenClassification.from_pretrained(str(path), config=cfg)
    return model, path


def teacher_probs(teacher_dir: str, windows: Sequence[Window],
                  log: Callable[[str], None] = print) -> list[np.ndarray]:
    """The teacher tagger's token probabilities for every training window (ONNX, as shipped;
    the student uses the same tokenizer, so windows and tokens line up one to one)."""
    from coach.detectors.tagger.runtime import OrtTagger

    if not teacher_dir:
        raise ValueError("distillation needs a teacher model directory")
    teacher = OrtTagger(Path(teacher_dir))
    t0 = time.perf_counter()
    out: list[np.ndarray] = []
    for k in range(0, len(windows), 2000):
        out += [p.astype(np.float32) for p in teacher.probs(windows[k:k + 2000])]
    log(f"teacher probabilities for {len(windows)} windows in {time.perf_counter() - t0:.0f} s")
    return out


class Stopped(Exception):
    """Training stopped after `stop_after` steps (the checkpoint holds them)."""


def fine_tune(train: Sequence[GoldItem], out_dir: Path, cfg: TrainConfig,
              log: Callable[[str], None] = print, progress: bool = True,
              stop_after: int | None = None):
    """Fine-tune and return the torch model; resumes from out_dir/checkpoint.pt if present.
    `stop_after` ends the run after that many steps with a checkpoint, as a kill would (tests
    use it to check that resuming gives the same model)."""
    import torch
    from tqdm import tqdm

    from coach.detectors.tagger.runtime import load_tokenizer

    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    model, enc_path = load_encoder(cfg.layers)
    tok = load_tokenizer(enc_path / "tokenizer.json")
    data = examples(train, tok, cfg.max_tokens)
    lengths = [len(w.ids) for w, _l in data]
    soft = teacher_probs(cfg.teacher, [w for w, _l in data], log) if cfg.distill > 0 else None
    steps_per_epoch = math.ceil(len(data) / cfg.batch_size)
    total = steps_per_epoch * cfg.epochs
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    warm = max(1, int(total * cfg.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    step = 0
    ck = out_dir / CHECKPOINT
    if ck.is_file():
        state = torch.load(ck, weights_only=False)
        if state.get("key") == cfg.key() and state.get("n_examples") == len(data):
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["optim"])
            sched.load_state_dict(state["sched"])
            torch.set_rng_state(state["torch_rng"])
            step = int(state["step"])
            log(f"resuming from step {step} of {total} ({ck})")
        else:
            log(f"ignoring {ck}: it was made for other settings or data")

    def save() -> None:
        tmp = ck.with_suffix(".tmp")
        torch.save({"key": cfg.key(), "n_examples": len(data), "step": step,
                    "model": model.state_dict(), "optim": opt.state_dict(),
                    "sched": sched.state_dict(), "torch_rng": torch.get_rng_state()}, tmp)
        os.replace(tmp, ck)

    log(f"fine-tuning {cfg.layers}-layer MiniLM on {len(train)} drafts ({len(data)} windows): "
        f"{cfg.epochs} epochs x {steps_per_epoch} steps of {cfg.batch_size}")
    model.train()
    tok_ids = (tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]"), tok.token_to_id("[PAD]") or 0)
    bar = tqdm(total=total, initial=step, disable=not progress, unit="step", dynamic_ncols=True)
    t0 = time.perf_counter()
    for epoch in range(cfg.epochs):
        batches = _batches(len(data), lengths, cfg.batch_size, random.Random(cfg.seed * 1000 + epoch))
        for b, idx in enumerate(batches):
            if epoch * steps_per_epoch + b < step:
                continue                      # done before a resume
            ws = [data[i][0] for i in idx]
            feeds = batch_inputs(ws, *tok_ids)
            labels = np.full(feeds["input_ids"].shape, -100, dtype=np.int64)
            for j, i in enumerate(idx):
                n = len(data[i][1])
                labels[j, 1:n + 1] = data[i][1]
            batch = {k: torch.from_numpy(v) for k, v in feeds.items()}
            out = model(**batch, labels=torch.from_numpy(labels))
            loss = out.loss
            if soft is not None:
                target = np.zeros(out.logits.shape, dtype=np.float32)
                for j, i in enumerate(idx):
                    target[j, 1:len(data[i][1]) + 1] = soft[i]
                keep = torch.from_numpy(labels != -100)
                logp = torch.log_softmax(out.logits, dim=-1)[keep]
                q = torch.from_numpy(target)[keep]
                kl = (q * (torch.log(q.clamp_min(1e-8)) - logp)).sum(-1).mean()
                loss = (1 - cfg.distill) * loss + cfg.distill * kl
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            bar.update(1)
            bar.set_postfix(epoch=epoch + 1, loss=f"{loss.item():.3f}")
            if not progress and (step % 20 == 0 or step == total):
                log(f"step {step}/{total} epoch {epoch + 1} loss {loss.item():.3f} "
                    f"({time.perf_counter() - t0:.0f} s)")
            if step % cfg.ckpt_every == 0 or step == stop_after:
                save()
            if step == stop_after:
                bar.close()
                raise Stopped(step)
    bar.close()
    save()
    log(f"trained in {time.perf_counter() - t0:.0f} s")
    model.eval()
    return model, enc_path


def export_onnx(model, path: Path, max_tokens: int = MAX_TOKENS) -> Path:
    """The torch model as an ONNX graph (token ids -> logits), written atomically."""
    import torch
    import warnings

    # The sample must hold padding: with an all-ones mask the traced graph may drop the
    # attention mask altogether (transformers skips it then), and padded batches would then
    # attend to [PAD] tokens; tests/detectors/tagger check batched and single windows agree.
    ids = torch.full((2, 16), 1000, dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    mask[1, 10:] = 0
    ids[1, 10:] = 0
    dyn = {k: {0: "batch", 1: "seq"} for k in
           ("input_ids", "attention_mask", "token_type_ids", "logits")}
    tmp = path.with_suffix(".tmp.onnx")

    class _Logits(torch.nn.Module):
        def __init__(self, m) -> None:
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).logits

    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(_Logits(model).eval(), (ids, mask, torch.zeros_like(ids)), str(tmp),
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["logits"], dynamic_axes=dyn, opset_version=17,
                          dynamo=False)
    os.replace(tmp, path)
    return path


def quantize_int8(src: Path, dst: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)
    return dst


# ----------------------------------------------------------------------------- calibration

def draft_scores(tagger, items: Sequence[GoldItem]) -> np.ndarray:
    """(n_drafts, n_types): each draft's highest token score per type."""
    per = [tagger.windows(DraftView(g.text)) for g in items]
    flat = [w for ws in per for w in ws]
    probs = tagger.probs(flat) if flat else []
    cols = type_columns()
    out = np.zeros((len(items), len(cols)), dtype=np.float32)
    pos = 0
    for d, ws in enumerate(per):
        for _w in ws:
            p = probs[pos]
            pos += 1
            for k, (_t, b, i) in enumerate(cols):
                if len(p):
                    out[d, k] = max(out[d, k], float((p[:, b] + p[:, i]).max()))
    return out


FAMILY_NAMES = tuple(dict.fromkeys(TYPES[t].family for t in TYPE_NAMES))
GRID = tuple(round(x, 3) for x in np.arange(0.1, 0.96, 0.025)) + (2.0,)


def family_decisions(scores: np.ndarray, th: np.ndarray, base: np.ndarray | None) -> np.ndarray:
    """(n_drafts, n_families) flagged, from type scores and thresholds (OR the base)."""
    hit = scores >= th
    fam = np.zeros((scores.shape[0], len(FAMILY_NAMES)), dtype=bool)
    for k, t in enumerate(TYPE_NAMES):
        fam[:, FAMILY_NAMES.index(TYPES[t].family)] |= hit[:, k]
    return fam | base if base is not None else fam


def choose_thresholds(scores: np.ndarray, items: Sequence[GoldItem], max_clean_fp: float,
                      base: np.ndarray | None = None, passes: int = 3,
                      groups: Sequence[np.ndarray] | None = None) -> dict[str, float]:
    """Per-type thresholds with the largest family micro-F1 on the calibration drafts whose
    clean-draft false-positive rate stays within the budget, by coordinate ascent (each type's
    threshold in turn over a grid, the others fixed). `base`: what the other detectors of the
    pipeline already flag ((n_drafts, n_families)), so thresholds are chosen for the pipeline
    as it runs. `groups`: index arrays of calibration sets that must each hold (real messages
    and written drafts): the objective is their mean F1 and the budget holds in every group, so
    a large written set cannot buy its F1 with false alarms on real messages. A threshold of
    2.0 switches a type off."""
    gold = np.array([[f in g.families for f in FAMILY_NAMES] for g in items])
    groups = list(groups) if groups else [np.arange(len(items))]

    def score(th: np.ndarray) -> tuple[float, float]:
        pred = family_decisions(scores, th, base)
        f1s, fps = [], []
        for idx in groups:
            p, y = pred[idx], gold[idx]
            tp = int((p & y).sum())
            f1s.append(2 * tp / max(1, 2 * tp + int((p & ~y).sum()) + int((~p & y).sum())))
            clean = ~y.any(axis=1)
            fps.append(float(p[clean].any(axis=1).mean()) if clean.any() else 0.0)
        return float(np.mean(f1s)), max(fps)

    th = np.full(len(TYPE_NAMES), 2.0)
    for _ in range(passes):
        for k in range(len(TYPE_NAMES)):
            best = (score(th)[0], th[k])
            for v in GRID:
                trial = th.copy()
                trial[k] = v
                f1, fp = score(trial)
                if fp <= max_clean_fp and f1 > best[0] + 1e-9:
                    best = (f1, v)
            th[k] = best[1]
    return {t: float(th[k]) for k, t in enumerate(TYPE_NAMES)}


def two_stage_thresholds(scores: np.ndarray, items: Sequence[GoldItem], max_clean_fp: float,
                         base: np.ndarray | None, groups: Sequence[np.ndarray]) -> dict[str, float]:
    """Thresholds chosen on the first group (real messages come first), then, for the types
    that group leaves off (too few of them among real messages: disowning, blame), on the
    other groups, as long as the first group's F1 does not drop and its budget holds."""
    first = [groups[0]]
    th = choose_thresholds(scores, items, max_clean_fp, base, groups=first)
    if len(groups) < 2:
        return th
    gold = np.array([[f in g.families for f in FAMILY_NAMES] for g in items])

    def f1_fp(vec: np.ndarray, idx: np.ndarray) -> tuple[float, float]:
        p, y = family_decisions(scores, vec, base)[idx], gold[idx]
        tp = int((p & y).sum())
        clean = ~y.any(axis=1)
        return (2 * tp / max(1, 2 * tp + int((p & ~y).sum()) + int((~p & y).sum())),
                float(p[clean].any(axis=1).mean()) if clean.any() else 0.0)

    rest = np.concatenate(list(groups[1:]))
    vec = np.array([th[t] for t in TYPE_NAMES])
    f_first = f1_fp(vec, groups[0])[0]
    fp_rest = f1_fp(vec, rest)[1]
    for k, t in enumerate(TYPE_NAMES):
        if th[t] <= 1.0:
            continue
        best = (f1_fp(vec, rest)[0], vec[k])
        for v in GRID:
            trial = vec.copy()
            trial[k] = v
            f_r, fp_r = f1_fp(trial, rest)
            f_1, fp_1 = f1_fp(trial, groups[0])
            # each type may add at most one point of false alarms on the other groups
            if fp_1 <= max_clean_fp and fp_r <= max(max_clean_fp, fp_rest + 0.01) \
                    and f_1 >= f_first - 1e-9 \
                    and f_r > best[0] + 1e-9:
                best = (f_r, v)
        vec[k] = best[1]
        fp_rest = f1_fp(vec, rest)[1]
    return {t: float(vec[k]) for k, t in enumerate(TYPE_NAMES)}


def calibrate(model_dir: str | Path, sets: Sequence[Sequence[GoldItem]], max_clean_fp: float,
              with_rules: bool = True) -> dict[str, float]:
    """Choose and write the thresholds of a trained tagger from calibration sets (each set is
    one group of choose_thresholds)."""
    from coach.detectors.tagger.runtime import OrtTagger, TaggerMeta

    items = [g for s in sets for g in s]
    bounds = np.cumsum([0] + [len(s) for s in sets])
    groups = [np.arange(a, b) for a, b in zip(bounds, bounds[1:])]
    scores = draft_scores(OrtTagger(model_dir), items)
    base = trusted_rule_decisions(items) if with_rules else None
    thresholds = two_stage_thresholds(scores, items, max_clean_fp, base, groups)
    meta = TaggerMeta.load(Path(model_dir))
    meta.thresholds = thresholds
    meta.info["max_clean_fp"] = max_clean_fp
    meta.info["thresholds_for"] = "rules (trusted) + tagger" if with_rules else "tagger alone"
    meta.save(Path(model_dir))
    return thresholds


def decisions(scores: np.ndarray, thresholds: dict[str, float]) -> np.ndarray:
    th = np.array([thresholds[t] for t in TYPE_NAMES])
    return scores >= th


def trusted_rule_decisions(items: Sequence[GoldItem]) -> np.ndarray:
    """(n_drafts, n_families): what the rules flag on their own in the default pipeline, i.e.
    the rules above the trust line (a weak rule's flag stands only where the tagger flags the
    same family anyway, so it adds no family decision of its own)."""
    from coach import Coach, CoachConfig
    from coach.detectors.rules.calibration import RULE_TRUST_PATH, load_trust, untrusted

    trust = load_trust(str(RULE_TRUST_PATH))
    coach = Coach(CoachConfig(detectors=("rules",)))
    out = np.zeros((len(items), len(FAMILY_NAMES)), dtype=bool)
    for d, g in enumerate(items):
        for f in coach.check(g.text):
            if not untrusted(f.rule, trust):
                out[d, FAMILY_NAMES.index(f.family)] = True
    return out


def build(train: Sequence[GoldItem], calibrate: Sequence[GoldItem], out_dir: str | Path,
          cfg: TrainConfig, max_clean_fp: float = 0.02, log: Callable[[str], None] = print,
          progress: bool = True, meta_info: dict | None = None, with_rules: bool = True,
          cal_sizes: Sequence[int] | None = None) -> dict:
    """Train, export, quantise where safe, calibrate; write the model directory. Returns meta.
    `with_rules`: choose thresholds for the default pipeline (trusted rules + tagger), as the
    tagger is used; else for the tagger alone."""
    from coach.detectors.tagger.runtime import GRAPH, TOKENIZER, OrtTagger, TaggerMeta

    out = Path(out_dir)
    model, enc_path = fine_tune(train, out, cfg, log=log, progress=progress)
    fp32 = export_onnx(model, out / "tagger.fp32.onnx", cfg.max_tokens)
    shutil.copyfile(enc_path / "tokenizer.json", out / TOKENIZER)
    placeholder = {t: 0.5 for t in TYPE_NAMES}
    meta = TaggerMeta(LABELS, placeholder, cfg.max_tokens,
                      f"sentence-transformers/all-MiniLM-L6-v2 (first {cfg.layers} layers)")
    shutil.copyfile(fp32, out / GRAPH)
    meta.save(out)
    s32 = draft_scores(OrtTagger(out), calibrate)
    base = trusted_rule_decisions(calibrate) if with_rules else None
    bounds = np.cumsum([0] + list(cal_sizes or [len(calibrate)]))
    groups = [np.arange(a, b) for a, b in zip(bounds, bounds[1:])]
    thresholds = two_stage_thresholds(s32, calibrate, max_clean_fp, base, groups)
    d32 = decisions(s32, thresholds)
    int8 = quantize_int8(fp32, out / "tagger.int8.onnx")
    shutil.copyfile(int8, out / GRAPH)
    s8 = draft_scores(OrtTagger(out), calibrate)
    agree = float((decisions(s8, thresholds) == d32).mean())
    if agree >= INT8_MIN_AGREEMENT:
        chosen = "int8"
    else:
        chosen = "fp32"
        shutil.copyfile(fp32, out / GRAPH)
    log(f"int8 agrees with fp32 on {agree:.4f} of calibration decisions: shipping {chosen}")
    info = {"weights": chosen, "int8_agreement": round(agree, 4), "train": asdict(cfg),
            "n_train_drafts": len(train), "n_calibration_drafts": len(calibrate),
            "max_clean_fp": max_clean_fp,
            "thresholds_for": "rules (trusted) + tagger" if with_rules else "tagger alone",
            **(meta_info or {})}
    meta = TaggerMeta(LABELS, thresholds, cfg.max_tokens, meta.encoder, info)
    meta.save(out)
    for f in ("tagger.fp32.onnx", "tagger.int8.onnx"):
        (out / f).unlink(missing_ok=True)
    return {"thresholds": thresholds, **info}
