// The teacher's page: the join code and QR, rounds, every table live, results and charts.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  let secret = decodeURIComponent(location.hash.slice(1)), monitor = null, benchmarks = {};
  let shown = null, lastCurrent = null;  // the round shown below (follows the one started)
  const send = B.connect(() => { if (secret) send({type: "teacher", secret}); else $("login").hidden = false; }, receive);
  $("login-form").addEventListener("submit", (e) => {
    e.preventDefault(); secret = $("secret").value.trim(); send({type: "teacher", secret});
  });
  $("export").addEventListener("click", () => send({type: "export"}));
  $("show-round").addEventListener("change", () => { shown = Number($("show-round").value); render(); });

  function receive(m) {
    if (m.type === "error") { B.say($("message"), m.message); if (m.message.includes("secret")) $("login").hidden = false; return; }
    if (m.type === "room") {
      B.say($("message"), ""); $("login").hidden = true; $("room-area").hidden = false;
      $("code").textContent = m.code; $("url").textContent = m.url;
      $("qr").innerHTML = m.qr;  // segno's SVG, made by the server
    } else if (m.type === "monitor") { monitor = m; render(); }
    else if (m.type === "benchmarks") { benchmarks = m.rounds; render(); }
    else if (m.type === "csv") {
      const a = B.el("a", {href: URL.createObjectURL(new Blob([m.text], {type: "text/csv"})), download: "bargainsim-class.csv"});
      document.body.append(a); a.click(); a.remove();
    }
  }

  function render() {
    if (!monitor) return;
    const m = monitor;
    $("title").textContent = m.title;
    $("count").textContent = `${m.students.length} student${m.students.length === 1 ? "" : "s"} in the room`;
    $("students").textContent = m.students.map((s) => s.name).join(", ");
    const rounds = $("rounds"); rounds.replaceChildren();
    for (const r of m.rounds) {
      const button = B.el("button", {type: "button", class: "secondary", text: m.current === r.index ? "Start again" : "Start"});
      button.addEventListener("click", () => send({type: "start", round: r.index}));
      rounds.append(B.el("li", {class: m.current === r.index ? "current" : ""},
        `${r.name} (${r.scenario}, ${r.seating}) `, button));
    }
    if (m.current !== lastCurrent) { shown = m.current; lastCurrent = m.current; }
    const played = m.rounds.filter((r) => m.tables.some((t) => t.round === r.index));
    const select = $("show-round"); select.replaceChildren();
    for (const r of played) select.append(B.el("option", {value: r.index, selected: r.index === shown, text: r.name}));
    select.disabled = !played.length;
    const cur = shown === null ? null : m.rounds[shown];
    $("round-now").textContent = cur ? `· ${cur.name}` : "· no round started";
    const tables = $("tables"); tables.replaceChildren();
    for (const t of m.tables.filter((t) => t.round === shown)) {
      const unit = t.clock === "week" ? "week" : "step";
      const card = B.el("div", {class: "tablecard" + (t.finished ? " done" : "")});
      card.append(B.el("div", {class: "status", text: `${t.id}: ${unit} ${t.step} of ${t.horizon}`}));
      for (const [seat, names] of Object.entries(t.players)) card.append(B.el("div", {text: `${seat}: ${names.join(", ")}`}));
      const last = {};
      for (const o of t.offers) last[o.by] = o;
      for (const o of Object.values(last)) card.append(B.el("div", {class: "muted", text: `${o.by} offers ${B.terms(o.terms)}`}));
      for (const d of t.deals) card.append(B.el("div", {text: `DEAL with ${d.table} (${unit} ${d.step}): ${B.terms(d.terms)}`}));
      if (!t.finished) {
        card.append(B.el("div", {class: "muted", text: `waiting for ${t.waiting_for}`}));
        const nudge = B.el("button", {type: "button", class: "secondary", text: "Let the agent answer"});
        nudge.addEventListener("click", () => send({type: "agent", table: t.id}));
        card.append(B.el("div", {class: "buttons"}, nudge));
      }
      else if (!t.deals.length) card.append(B.el("div", {text: "no deal"}));
      tables.append(card);
    }
    renderResults(m);
    renderCharts(m);
  }

  function renderResults(m) {
    const t = $("results"); t.replaceChildren();
    const issues = [];
    for (const r of m.results) for (const k of Object.keys(r)) if (k.startsWith("deal_") && k !== "deal_step" && k !== "deal_with" && !issues.includes(k.slice(5))) issues.push(k.slice(5));
    t.append(B.el("tr", {}, ...["table", "players", "deal", "step", "theory", "agents"].map((h) => B.el("th", {text: h}))));
    for (const r of m.results.filter((r) => r.round - 1 === shown)) {
      const terms = (who) => issues.filter((i) => r[`${who}_${i}`] !== undefined && r[`${who}_${i}`] !== null)
        .map((i) => `${i}=${B.fmt(r[`${who}_${i}`])}`).join(", ") || "-";
      t.append(B.el("tr", {}, B.el("td", {"data-label": "table", text: r.table}),
        B.el("td", {"data-label": "players", text: r.players}),
        B.el("td", {"data-label": "deal", text: r.status === "deal" ? `${r.deal_with}: ${terms("deal")}` : r.status}),
        B.el("td", {"data-label": "step", class: "num", text: r.deal_step ?? "-"}),
        B.el("td", {"data-label": "theory", text: r.theory_step === null || r.theory_step === undefined ? "-" : `step ${r.theory_step}: ${terms("theory")}`}),
        B.el("td", {"data-label": "agents", text: r.agents_step === null || r.agents_step === undefined ? "-" : `step ${r.agents_step}: ${terms("agents")}`})));
    }
  }

  const NS = "http://www.w3.org/2000/svg";
  const svg = (tag, attrs) => { const e = document.createElementNS(NS, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); return e; };

  function histogram(title, values, lo, hi, marks, noun) {
    const W = 360, H = 170, L = 34, R = 24, T = 22, Bm = 32, bins = 12;
    const box = B.el("div", {class: "chart"});
    box.append(B.el("div", {class: "status", text: title}));
    const s = svg("svg", {viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title});
    const none = values.filter((v) => v === null).length, vals = values.filter((v) => v !== null);
    if (hi <= lo) hi = lo + 1;
    const counts = new Array(bins).fill(0);
    for (const v of vals) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / (hi - lo) * bins)))]++;
    const top = Math.max(1, ...counts, none);
    const x = (v) => L + (v - lo) / (hi - lo) * (W - L - R), bw = (W - L - R) / bins;
    counts.forEach((c, i) => s.append(svg("rect", {x: L + i * bw + 1, y: H - Bm - c / top * (H - T - Bm), width: bw - 2, height: c / top * (H - T - Bm), fill: "#8fb3d9"})));
    s.append(svg("line", {x1: L, x2: W - R, y1: H - Bm, y2: H - Bm, stroke: "#222"}));
    for (const v of [lo, (lo + hi) / 2, hi]) { const t = svg("text", {x: x(v), y: H - Bm + 16, "text-anchor": "middle"}); t.textContent = B.fmt(v); s.append(t); }
    const yl = svg("text", {x: 2, y: T - 6}); yl.textContent = `${noun} (of ${values.length})` + (none ? `; ${none} without a deal` : ""); s.append(yl);
    for (const v of marks) s.append(svg("circle", {cx: x(Math.min(hi, Math.max(lo, v))), cy: H - Bm - 7, r: 6, fill: "#d62828", stroke: "#fff"}));
    box.append(s);
    return box;
  }

  function renderCharts(m) {
    const charts = $("charts"); charts.replaceChildren();
    if (shown === null) return;
    const b = benchmarks[String(shown)];
    if (!b) return;
    const tables = m.tables.filter((t) => t.round === shown);
    const issues = tables.length ? tables[0].issues : [];
    const horizon = tables.length ? tables[0].horizon : 1;
    const deals = tables.flatMap((t) => t.deals);
    const lastSteps = tables.filter((t) => t.deals.length).map((t) => Math.max(...t.deals.map((d) => d.step)));
    for (const [mode, spread] of Object.entries(b.spread)) {
      charts.append(histogram(`${mode}: settlement step (agents, ${spread.seeds} seeds)`, spread.steps, 0, horizon, lastSteps, "runs"));
      for (const i of issues) charts.append(histogram(`${mode}: ${i.name} (${i.unit})`, spread.terms[i.name], i.min, i.max, deals.map((d) => d.terms[i.name]), "deals"));
    }
  }
})();
