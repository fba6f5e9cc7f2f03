/* spbe_engine meeting dashboard. Plain JavaScript, no library, no network.
 *
 * Exact like the engine: the weights are the engine's integer-scaled weights (BigInt), the index is
 * sum(level * w) / W kept as a pair of integers, the predikat compares num * bandDen >= bandNum * den,
 * and the shown value rounds half-up to 2 decimals on integers. No floating point touches a score.
 * SPDX-License-Identifier: MIT
 */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("spbe-data").textContent);
  var lang = D.lang;
  var N = D.ids.length;
  var W = D.weights.map(function (w) { return BigInt(w); });
  var TOTAL = BigInt(D.total);
  var BANDS = D.bands.map(function (b) { return [BigInt(b[0]), BigInt(b[1]), b[2], b[3]]; });
  var base = D.levels.slice();
  var cur = D.levels.slice();
  var unit = "";
  var unitName = {};
  D.units.forEach(function (u) { unitName[u.id] = u.name; });
  var app = document.getElementById("app");

  function L(key) { return D.labels[lang][key]; }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }

  /* num/den half-up (away from zero on ties) to `places` decimals, in the page's language. */
  function fmt(num, den, places) {
    if (den < 0n) { num = -num; den = -den; }
    var neg = num < 0n;
    if (neg) num = -num;
    var scale = 10n ** BigInt(places);
    var q = (2n * num * scale + den) / (2n * den);
    var whole = (q / scale).toString();
    var text = whole;
    if (places > 0) text += (lang === "id" ? "," : ".") + (q % scale).toString().padStart(places, "0");
    return (neg && q !== 0n ? "\u2212" : "") + text;
  }
  function signed(num, den, places) {
    var t = fmt(num, den, places);
    return t.charAt(0) === "\u2212" ? t : "+" + t;
  }
  function hundredths(num, den) { return (2n * num * 100n + den) / (2n * den); }
  function band(num, den) {
    for (var k = 0; k < BANDS.length; k++) {
      if (num * BANDS[k][1] >= BANDS[k][0] * den) return BANDS[k];
    }
    return BANDS[BANDS.length - 1];
  }
  function predikatText(b) { return lang === "id" || b[2] === b[3] ? b[2] : b[2] + " (" + b[3] + ")"; }
  function levelName(i, level) {
    var names = D.scales[D.scale[i]][String(level)];
    return names ? names[lang === "id" ? 0 : 1] : "";
  }

  /* The whole computation, as the engine does it. */
  function score(levels) {
    var weighted = levels.map(function (l, i) { return BigInt(l) * W[i]; });
    var sum = weighted.reduce(function (s, x) { return s + x; }, 0n);
    var groups = D.groups.map(function (g) {
      return g.members.reduce(function (s, m) { return s + weighted[m]; }, 0n);
    });
    return { num: sum, den: TOTAL, groups: groups };
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "cls") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function table(cls, heads) {
    var t = el("table", { cls: cls });
    var tr = el("tr");
    heads.forEach(function (h) { tr.appendChild(el("th", { text: h[0], cls: h[1] || "", scope: "col" })); });
    t.appendChild(el("thead", null, [tr]));
    t.appendChild(el("tbody"));
    return t;
  }

  var refs = {};

  function build() {
    app.textContent = "";
    document.documentElement.lang = lang;
    document.title = L("title") + " \u2014 " + D.subject + " (" + D.period + ")";
    var header = el("header", { cls: "top" }, [
      el("h1", { text: D.subject }),
      el("p", { cls: "sub", text: L("title") + " \u00b7 " + D.catalogue + " \u00b7 " + D.period }),
    ]);
    app.appendChild(header);

    /* controls */
    var select = el("select", { id: "unit-filter", "aria-label": L("unit") });
    select.appendChild(el("option", { value: "", text: L("all_units") }));
    D.units.forEach(function (u) { select.appendChild(el("option", { value: u.id, text: u.name })); });
    select.value = unit;
    select.addEventListener("change", function () { unit = select.value; build(); });
    var bTargets = el("button", { id: "apply-targets", type: "button", text: unit ? L("apply_targets") : L("apply_targets_all") });
    bTargets.addEventListener("click", applyTargets);
    var bActions = el("button", { id: "apply-actions", type: "button", text: unit ? L("apply_actions_unit") : L("apply_actions") });
    bActions.addEventListener("click", applyActions);
    var bReset = el("button", { id: "reset", type: "button", cls: "secondary", text: L("reset") });
    bReset.addEventListener("click", function () { cur = base.slice(); update(); });
    var bPrint = el("button", { type: "button", cls: "secondary", text: L("print") });
    bPrint.addEventListener("click", function () { window.print(); });
    var bLang = el("button", { id: "lang", type: "button", cls: "secondary", lang: lang === "id" ? "en" : "id",
      text: lang === "id" ? "English" : "Bahasa Indonesia" });  /* each language named in itself */
    bLang.addEventListener("click", function () { lang = lang === "id" ? "en" : "id"; build(); });
    app.appendChild(el("div", { cls: "controls" }, [
      el("label", { "for": "unit-filter", text: L("unit") }), select, bTargets, bActions, bReset, bPrint, bLang,
    ]));

    /* headline cards */
    refs.index = el("div", { id: "index", cls: "value big" });
    refs.predikat = el("div", { id: "predikat", cls: "value" });
    refs.rank = el("div", { id: "rank", cls: "value" });
    refs.change = el("div", { id: "change", cls: "value" });
    refs.target = el("div", { id: "target", cls: "value" });
    var cards = [
      card(L("index"), refs.index), card(L("predikat"), refs.predikat),
      card(D.peers && D.peers.group ? L("rank") : L("rank_all"), refs.rank), card(L("change"), refs.change),
    ];
    if (D.indexTarget) cards.push(card(fill(L("target"), { period: D.indexTarget.period }), refs.target));
    app.appendChild(el("section", { cls: "cards", "aria-live": "polite" }, cards));
    refs.changed = el("p", { id: "changed", cls: "note" });
    app.appendChild(refs.changed);

    /* domains and aspects; the ranking beside them */
    var gt = table("groups", [[L("group")], [L("name")], [L("weight"), "num"], [L("index"), "num"], [L("predikat")], [L("delta"), "num"]]);
    refs.groupCells = D.groups.map(function (g) {
      var cells = { index: el("td", { cls: "num strong" }), predikat: el("td"), change: el("td", { cls: "num" }) };
      gt.tBodies[0].appendChild(el("tr", { cls: g.parent ? "aspect" : "domain", "data-group": g.id }, [
        el("td", { text: g.id }), el("td", { text: g.name }), el("td", { cls: "num", text: shown(g.weightShown) }),
        cells.index, cells.predikat, cells.change,
      ]));
      return cells;
    });
    var row = [el("section", { cls: "panel" }, [el("h2", { text: L("groups") }), gt])];
    if (D.peers) {
      refs.ranking = table("ranking", [["#", "num"], [L("agency")], [L("index"), "num"], [L("predikat")]]);
      var caption = D.peers.group ? fill(L("province"), { name: D.peers.group, period: D.peers.period })
        : fill(L("peers_period"), { period: D.peers.period });
      row.push(el("section", { cls: "panel" }, [
        el("h2", { text: D.peers.group ? L("ranking") : L("ranking_all") }), el("p", { cls: "note", text: caption }), refs.ranking,
      ]));
    }
    app.appendChild(el("div", { cls: D.peers ? "grid" : "grid single" }, row));

    /* indicators */
    var it = table("indicators", [[L("no"), "num"], [L("indicator")], [L("lead")], [L("level")], [L("start"), "num"],
      [L("target_level"), "num"], [L("open_actions"), "num"]]);
    refs.selects = [];
    refs.rows = [];
    for (var i = 0; i < N; i++) {
      var sel = el("select", { "data-indicator": D.ids[i], "aria-label": L("level") + " " + D.ids[i] });
      for (var v = D.lo[i]; v <= D.hi[i]; v++) {
        sel.appendChild(el("option", { value: String(v), text: v + " \u2013 " + levelName(i, v) }));
      }
      sel.addEventListener("change", (function (k, s) {
        return function () { cur[k] = parseInt(s.value, 10); update(); };
      })(i, sel));
      refs.selects.push(sel);
      var owners = [D.lead[i]].concat(D.support[i]);
      var openCount = D.actions.filter(function (a) { return a.at === i && a.open; }).length;
      var leadText = unitName[D.lead[i]] || D.lead[i];
      var before = D.reportedFrom[i];  /* the base level when the units reported another one */
      var nameCell = el("td", { text: D.names[i] });
      if (before !== null) {
        var values = { before: before, level: base[i] };
        nameCell.appendChild(el("span", { cls: "reported-badge", title: fill(L("reported_title"), values),
          text: fill(L("reported"), values) }));
      }
      var tr = el("tr", { "data-indicator": D.ids[i], cls: before !== null ? "reported" : "" }, [
        el("td", { cls: "num", text: D.ids[i] }), nameCell,
        el("td", { cls: "unit-cell", text: D.lead[i], title: leadText }), el("td", null, [sel]),
        el("td", { cls: "num", text: String(base[i]) }),
        el("td", { cls: "num", text: D.targets[i] === null ? "" : String(D.targets[i]) }),
        el("td", { cls: "num", text: openCount ? String(openCount) : "" }),
      ]);
      tr.hidden = unit !== "" && owners.indexOf(unit) < 0;
      refs.rows.push(tr);
      it.tBodies[0].appendChild(tr);
    }
    var indSection = el("section", { cls: "panel" }, [el("h2", { text: L("indicators") })]);
    if (unit) indSection.appendChild(el("p", { cls: "note", text: fill(L("showing"), { unit: unitName[unit] }) }));
    var reportedCount = D.reportedFrom.filter(function (b) { return b !== null; }).length;
    if (reportedCount) indSection.appendChild(el("p", { cls: "note", id: "reported-note", text: fill(L("reported_note"), { n: reportedCount }) }));
    indSection.appendChild(it);
    app.appendChild(indSection);

    /* accountability */
    var at = table("accountability", [[L("unit")], [L("lead_count"), "num"], [L("stake_target"), "num"],
      [L("stake_max"), "num"], [L("open_actions"), "num"], [L("overdue_actions"), "num"]]);
    refs.units = D.units.map(function (u) {
      var lead = [];
      for (var k = 0; k < N; k++) if (D.lead[k] === u.id) lead.push(k);
      var mine = D.actions.filter(function (a) { return a.unit === u.id; });
      var cells = { target: el("td", { cls: "num" }), max: el("td", { cls: "num" }) };
      var tr = el("tr", { "data-unit": u.id, cls: u.id === unit ? "selected" : "" }, [
        el("td", { text: u.name }), el("td", { cls: "num", text: String(lead.length) }), cells.target, cells.max,
        el("td", { cls: "num", text: String(mine.filter(function (a) { return a.open; }).length) }),
        el("td", { cls: "num", text: String(mine.filter(function (a) { return a.overdue; }).length) }),
      ]);
      at.tBodies[0].appendChild(tr);
      return { lead: lead, cells: cells };
    });
    app.appendChild(el("section", { cls: "panel" }, [el("h2", { text: L("accountability") }), at]));

    /* actions */
    var shownActions = D.actions.filter(function (a) { return !unit || a.unit === unit; });
    var actSection = el("section", { cls: "panel" }, [el("h2", { text: L("actions") })]);
    if (!shownActions.length) {
      actSection.appendChild(el("p", { cls: "note", id: "no-actions", text: L("no_actions") }));
    } else {
      var act = table("actions", [[L("indicator"), "num"], [L("unit")], [L("kendala")], [L("rencana")], [L("pic")],
        [L("due")], [L("status")], [L("to_level"), "num"]]);
      shownActions.forEach(function (a) {
        var status = (L(a.status) || a.status) + (a.overdue ? " \u2014 " + L("overdue") : "");
        act.tBodies[0].appendChild(el("tr", { cls: a.overdue ? "overdue" : (a.open ? "" : "closed"), "data-unit": a.unit }, [
          el("td", { cls: "num", text: a.indicator }), el("td", { text: unitName[a.unit] || a.unit }),
          el("td", { text: a.kendala }), el("td", { text: a.rencana }), el("td", { text: a.pic }),
          el("td", { cls: "date", text: a.due }), el("td", { text: status }),
          el("td", { cls: "num", text: a.level === null ? "" : String(a.level) }),
        ]));
      });
      actSection.appendChild(act);
    }
    app.appendChild(actSection);
    app.appendChild(el("footer", { cls: "note" }, [
      el("p", { text: L("exact") }),
      el("p", { text: fill(L("generated"), { time: D.generated, subject: D.subject, period: D.period, catalogue: D.catalogue }) }),
    ]));
    update();
  }

  function card(label, value) {
    return el("div", { cls: "card" }, [el("div", { cls: "label", text: label }), value]);
  }
  function shown(decimalText) { return lang === "id" ? decimalText.replace(".", ",") : decimalText; }

  function applyTargets() {
    for (var i = 0; i < N; i++) {
      var t = D.targets[i];
      if (t !== null && (!unit || D.lead[i] === unit) && t > cur[i]) cur[i] = t;
    }
    update();
  }
  function applyActions() {
    D.actions.forEach(function (a) {
      if (a.open && a.level !== null && (!unit || a.unit === unit) && a.level > cur[a.at]) cur[a.at] = a.level;
    });
    update();
  }

  function update() {
    var s = score(cur);
    var s0 = score(base);
    var b = band(s.num, s.den);
    refs.index.textContent = fmt(s.num, s.den, 2);
    refs.predikat.textContent = predikatText(b);
    refs.predikat.setAttribute("data-band", b[2]);
    refs.change.textContent = signed(s.num - s0.num, s.den, 2);
    if (D.indexTarget) {
      var tn = BigInt(D.indexTarget.num), td = BigInt(D.indexTarget.den);
      var gapNum = tn * s.den - s.num * td, gapDen = s.den * td;
      refs.target.textContent = fmt(tn, td, 2);
      refs.target.appendChild(el("span", { cls: "small", text: gapNum <= 0n ? L("reached") : fill(L("gap"), { gap: fmt(gapNum, gapDen, 2) }) }));
      refs.target.className = "value " + (gapNum <= 0n ? "ok" : "warn");
    }
    var changed = 0;
    for (var i = 0; i < N; i++) {
      if (refs.selects[i].value !== String(cur[i])) refs.selects[i].value = String(cur[i]);
      var diff = cur[i] !== base[i];
      if (diff) changed++;
      refs.rows[i].classList.toggle("changed", diff);
    }
    refs.changed.textContent = changed ? fill(L("changed"), { n: changed }) : L("unchanged");
    D.groups.forEach(function (g, k) {
      var w = BigInt(g.weight);
      var c = refs.groupCells[k];
      c.index.textContent = fmt(s.groups[k], w, 2);
      c.predikat.textContent = predikatText(band(s.groups[k], w));
      c.change.textContent = signed(s.groups[k] - s0.groups[k], w, 2);
    });
    refs.units.forEach(function (u) {
      var toTarget = 0n, toMax = 0n;
      u.lead.forEach(function (k) {
        var t = D.targets[k];
        if (t !== null && t > cur[k]) toTarget += BigInt(t - cur[k]) * W[k];
        toMax += BigInt(D.hi[k] - cur[k]) * W[k];
      });
      u.cells.target.textContent = fmt(toTarget, TOTAL, 4);
      u.cells.max.textContent = fmt(toMax, TOTAL, 4);
    });
    if (D.peers) {
      var mine = hundredths(s.num, s.den);
      var rows = D.peers.rows.map(function (p) { return [p[0], BigInt(p[1]), p[2], false]; });
      rows.push([D.subject + " " + L("this_city"), mine, b[2], true]);
      var higher = 0;
      D.peers.rows.forEach(function (p) { if (BigInt(p[1]) > mine) higher++; });
      refs.rank.textContent = fill(L("rank_of"), { rank: higher + 1, n: rows.length });
      rows.sort(function (x, y) { return x[1] > y[1] ? -1 : x[1] < y[1] ? 1 : (x[3] ? -1 : y[3] ? 1 : 0); });
      var body = refs.ranking.tBodies[0];
      body.textContent = "";
      var rank = 0, prev = null;
      rows.forEach(function (r, pos) {
        if (prev === null || r[1] !== prev) { rank = pos + 1; prev = r[1]; }
        body.appendChild(el("tr", { cls: r[3] ? "self" : "" }, [
          el("td", { cls: "num", text: String(rank) }), el("td", { text: r[0] }),
          el("td", { cls: "num", text: fmt(r[1], 100n, 2) }), el("td", { text: r[2] }),
        ]));
      });
    } else {
      refs.rank.textContent = L("no_peers");
      refs.rank.className = "value muted";
    }
  }

  build();
})();
