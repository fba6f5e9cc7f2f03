"""Readable explanations of a score, in English or Bahasa Indonesia, citing the regulation.

The point is the *why*: the formula, each group's weight and index, the band the unrounded index
falls in, and the rounding trap (an index shown as 3.50 that is still Baik).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from ..errors import SpbeError
from ..exact import display, to_decimal
from ..i18n import tr

if TYPE_CHECKING:
    from .result import ScoreResult

_TEXT = {
    "en": {
        "head": "{subject} — period {period} — {index_name} under {reg} (catalogue {cat}{status})",
        "index": "Index {disp} (unrounded {exact}) → predikat {pred}.",
        "formula": (
            "How it is computed ({reg}): each group index is the weighted mean of its indicators' levels, "
            "Σ(level × weight) / Σweight; the index is Σ(level × weight) / {total} over all indicators."
        ),
        "weighting": "Weighting: {w} (not the official weights: this is a what-if, not an official result).",
        "groups": "Groups (weight, index, predikat):",
        "bands": "Predikat bands ({reg}), lower bound inclusive, on the unrounded index: {bands}.",
        "why": "Why {pred}: {exact} is at least {lower}{upper}.",
        "upper": " and below {upper}",
        "trap": (
            "Note: the index is displayed as {disp} because values are rounded half-up to 2 decimals for display "
            "only; the predikat is decided on the unrounded value {exact}, which is below {lower}, "
            "so it is {pred}, not {other}."
        ),
        "top": "Largest contributions to the index (level × weight / {total}):",
        "gain": "Largest gains from one more level:",
        "gain_row": "  indicator {id} (level {lv} → {nxt}): +{gain}",
        "partial": "Partial: {n} indicator(s) not assessed ({ids}) were set to {how}; this is not an official result.",
        "warning": "Warning: {text}.",
        "minimum": "the scale minimum",
        "level": "level {v}",
        "status": ", provisional",
        "rules": "Rules that fired:",
        "changed": "level of {ind} lowered {before} → {after} by rule {rule}",
    },
    "id": {
        "head": "{subject} — periode {period} — {index_name} menurut {reg} (katalog {cat}{status})",
        "index": "Indeks {disp} (tanpa pembulatan {exact}) → predikat {pred}.",
        "formula": (
            "Cara perhitungan ({reg}): indeks setiap kelompok adalah rata-rata tertimbang tingkat kematangan "
            "indikatornya, Σ(nilai × bobot) / Σbobot; indeks adalah Σ(nilai × bobot) / {total} atas semua indikator."
        ),
        "weighting": "Pembobotan: {w} (bukan bobot resmi: ini simulasi, bukan hasil resmi).",
        "groups": "Kelompok (bobot, indeks, predikat):",
        "bands": "Predikat ({reg}), batas bawah inklusif, pada indeks tanpa pembulatan: {bands}.",
        "why": "Alasan {pred}: {exact} tidak kurang dari {lower}{upper}.",
        "upper": " dan kurang dari {upper}",
        "trap": (
            "Catatan: indeks ditampilkan {disp} karena nilai dibulatkan setengah ke atas (half-up) ke 2 desimal "
            "hanya untuk tampilan; predikat ditentukan dari nilai tanpa pembulatan {exact}, yang kurang dari {lower}, "
            "sehingga predikatnya {pred}, bukan {other}."
        ),
        "top": "Kontribusi terbesar terhadap indeks (nilai × bobot / {total}):",
        "gain": "Kenaikan terbesar bila naik satu tingkat:",
        "gain_row": "  indikator {id} (tingkat {lv} → {nxt}): +{gain}",
        "partial": ("Parsial: {n} indikator belum dinilai ({ids}) diisi dengan {how}; ini bukan hasil resmi."),
        "warning": "Peringatan: {text}.",
        "minimum": "nilai minimum skala",
        "level": "tingkat {v}",
        "status": ", sementara",
        "rules": "Aturan yang berlaku:",
        "changed": "tingkat indikator {ind} diturunkan {before} → {after} oleh aturan {rule}",
    },
}


def _num(value: str, lang: str) -> str:
    return value.replace(".", ",") if lang == "id" else value


def explain(r: ScoreResult, lang: str = "en") -> str:
    if lang not in _TEXT:
        raise SpbeError(tr("unknown language {lang_!r}", lang_=lang), field="lang", allowed="en, id")
    t = _TEXT[lang]
    cc = r.compiled
    cat = cc.catalogue
    reg = cat.regulation.short
    total_w = cc.exact_weight(cc.total)  # 100 officially; the weights' own total under another weighting

    def n(s: object) -> str:
        return _num(str(s), lang)

    lines = [
        t["head"].format(
            subject=r.subject,
            period=r.period,
            index_name=cat.index_name,
            reg=reg,
            cat=cat.id,
            status=t["status"] if cat.status == "provisional" else "",
        ),
        t["index"].format(disp=n(r.display), exact=n(r.index), pred=r.predikat),
        t["formula"].format(reg=reg, total=n(total_w)),
    ]
    if cc.weighting != "official":
        lines.append(t["weighting"].format(w=cc.weighting))
    if r.partial:
        how = (
            t["minimum"]
            if r.missing and _filled_with_minimum(r)
            else t["level"].format(v=r.levels[cc.position[r.missing[0]]])
        )
        lines.append(t["partial"].format(n=len(r.missing), ids=", ".join(r.missing), how=how))
    warning = cc.catalogue.period_warning(r.period, lang)
    if warning:
        lines.append(t["warning"].format(text=warning))
    lines.append(t["groups"])
    for gid, g in r.groups.items():
        depth = _depth(r, gid)
        name = g.name if lang == "id" or not g.name_en else f"{g.name} ({g.name_en})"
        lines.append(f"{'  ' * (depth + 1)}{gid} {name}: {n(g.weight)}, {n(g.display)}, {g.predikat}")
    bands = "; ".join(f"{b.predikat} ≥ {n(b.lower)}" for b in cat.bands)
    lines.append(t["bands"].format(reg=reg, bands=bands))
    band = cc.band(r.numerator, cc.total)
    pos = list(cat.bands).index(band)
    upper = t["upper"].format(upper=n(cat.bands[pos - 1].lower)) if pos > 0 else ""
    lines.append(t["why"].format(pred=band.predikat, exact=n(r.index), lower=n(band.lower), upper=upper))
    if pos > 0:
        above = cat.bands[pos - 1]
        shown = Fraction(r.display)
        if shown >= Fraction(above.lower):
            lines.append(
                t["trap"].format(
                    disp=n(r.display), exact=n(r.index), lower=n(above.lower), pred=band.predikat, other=above.predikat
                )
            )
    # Every contribution shares the denominator cc.total, so rank on integer numerators.
    names = [ind.name for ind in cat.indicators()]
    top = sorted(range(len(cc.ids)), key=lambda k: (-r.levels[k] * cc.weights[k], k))[:5]
    lines.append(t["top"].format(total=n(total_w)))
    for k in top:
        contribution = display(r.levels[k] * cc.weights[k], cc.total, 4)
        lines.append(f"  {cc.ids[k]} {names[k]}: {r.levels[k]} × {n(cc.exact_weights[k])} → {n(contribution)}")
    gains = sorted((k for k in range(len(cc.ids)) if r.levels[k] < cc.hi[k]), key=lambda k: (-cc.weights[k], k))
    if gains:
        lines.append(t["gain"])
        for k in gains[:3]:
            gain = to_decimal(cc.weights[k], cc.total)
            lines.append(t["gain_row"].format(id=cc.ids[k], lv=r.levels[k], nxt=r.levels[k] + 1, gain=n(gain)))
    if r.findings:
        lines.append(t["rules"])
        for fd in r.findings:
            basis = fd.basis + (f", {fd.citation}" if fd.citation else "")
            lines.append(f"  [{fd.severity}] {fd.rule_id} ({basis}): {fd.message(lang)}")
            if fd.change is not None:
                ch = fd.change
                lines.append(
                    "    " + t["changed"].format(ind=ch.indicator, before=ch.before, after=ch.after, rule=ch.rule_id)
                )
    return "\n".join(lines)


def _filled_with_minimum(r: ScoreResult) -> bool:
    cc = r.compiled
    return all(r.levels[cc.position[i]] == cc.lo[cc.position[i]] for i in r.missing)


def _depth(r: ScoreResult, gid: str) -> int:
    cc = r.compiled
    depth = 0
    parent = cc.groups[cc.group_index[gid]].parent
    while parent is not None:
        depth += 1
        parent = cc.groups[cc.group_index[parent]].parent
    return depth
