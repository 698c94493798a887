// The student's page: join, keep the seat's token (localStorage), show the table, answer.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const KEY = "bargainsim-seat";
  let view = null, shown = null;  // the last view; the question whose controls are shown
  const params = new URLSearchParams(location.search);
  if (params.get("code")) $("code").value = params.get("code");

  const send = B.connect(() => {
    const token = localStorage.getItem(KEY);
    if (token) send({type: "hello", token}); else showJoin();
  }, receive);

  function showJoin() { $("join").hidden = false; $("lobby").hidden = true; $("game").hidden = true; }

  function receive(m) {
    if (m.type === "joined") { localStorage.setItem(KEY, m.token); B.say($("message"), ""); }
    else if (m.type === "error") {
      B.say($("message"), m.message);
      if (m.message.includes("not known in this room")) { localStorage.removeItem(KEY); showJoin(); }
    } else if (m.type === "view") { render(m); }
  }

  $("join-form").addEventListener("submit", (e) => {
    e.preventDefault();
    send({type: "join", name: $("name").value, code: $("code").value.trim().toUpperCase()});
  });

  function seatName(v) {
    if (!v.seat) return "";
    return v.member ? `${v.member}, in ${v.seat}` : v.seat;
  }

  function render(v) {
    view = v;
    $("join").hidden = true;
    $("who").textContent = `${v.name}` + (v.seat ? ` · you play ${seatName(v)}` : "");
    if (!v.table) { $("lobby").hidden = false; $("game").hidden = true; return; }
    $("lobby").hidden = true; $("game").hidden = false;
    const t = v.table, q = v.question;
    $("round-name").textContent = v.round.name;
    $("round-note").textContent = v.round.note;
    const unit = t.clock === "week" ? "week" : "step";
    let status = `${unit} ${t.step} of ${t.horizon}`;
    if (t.finished) status = t.deals.length ? `Game over: a deal (${unit} ${t.deals[t.deals.length - 1].step})` :
      `Game over: no deal by ${unit} ${t.horizon}`;
    else if (q) status += q.round ? `, round ${q.round} of ${q.rounds}: your move` : ": your move";
    else if (v.votes && v.member && Object.keys(v.votes).includes(v.member)) status += ": you voted; waiting for the other members";
    else status += `: waiting for ${t.waiting_for}`;
    $("status").textContent = status;
    renderTable(v);
    renderMove(v);
    renderResult(v);
    const h = $("history"); h.replaceChildren();
    for (const o of t.offers) h.append(B.el("li", {text: `${unit} ${o.step}: ${o.by} offers ${B.terms(o.terms)}`}));
    for (const d of t.deals) h.append(B.el("li", {text: `${unit} ${d.step}: DEAL with ${d.table}: ${B.terms(d.terms)}`}));
  }

  function lastOffers(v) {
    const mine = {}, theirs = {};
    const q = v.question;
    if (q) return {theirs: q.theirs, own: q.own, other: q.other};
    for (const o of v.table.offers) {
      if (o.by === v.seat) Object.assign(mine, {terms: o.terms}); else Object.assign(theirs, {terms: o.terms, by: o.by});
    }
    return {theirs: theirs.terms || null, own: mine.terms || null, other: theirs.by || "other side"};
  }

  function renderTable(v) {
    const t = v.table, o = lastOffers(v);
    const table = $("table"); table.replaceChildren();
    table.append(B.el("tr", {}, B.el("th", {text: "issue"}), B.el("th", {class: "num", text: `${o.other}`}),
      B.el("th", {class: "num", text: "you"})));
    for (const i of t.issues) {
      table.append(B.el("tr", {}, B.el("td", {}, i.name,
          B.el("span", {class: "range-note", text: `${B.fmt(i.min)} to ${B.fmt(i.max)} ${i.unit}`})),
        B.el("td", {class: "num", text: o.theirs ? B.fmt(o.theirs[i.name]) : "-"}),
        B.el("td", {class: "num", text: o.own ? B.fmt(o.own[i.name]) : "-"})));
    }
    const q = v.question;
    let worth = "";
    if (q && q.worth !== null && q.worth !== undefined) {
      worth = `${q.other}'s offer is worth ${B.fmt(q.worth)} to you (0-1)`;
      if (q.worth_now !== null && q.worth_now !== undefined) worth += `, ${B.fmt(q.worth_now)} after discounting`;
      worth += ".";
    } else if (q && q.kind === "move") worth = "Nothing to accept yet: make an offer.";
    $("worth").textContent = worth;
    const votes = $("votes"); votes.replaceChildren();
    if (q && q.members && q.members.length) {  // the alliance's members: cost, share, vote
      const cost = Object.fromEntries((q.votes || []).map((r) => [r.who, r.cost]));
      for (const m of q.members) {
        const by = v.votes && v.votes[m.name] ? `voted (${v.votes[m.name]})` : "not voted yet";
        const costs = cost[m.name] === undefined ? "" : `, the offer costs it $${Math.round(cost[m.name])}M`;
        const you = m.name === v.member ? " (you)" : "";
        votes.append(B.el("li", {text: `${m.name}${you}: market share ${Math.round(m.share * 100)}%${costs}; ${by}`}));
      }
    } else {
      for (const r of (q && q.votes) || []) votes.append(B.el("li", {text: r.text}));
    }
  }

  function renderMove(v) {
    const q = v.question, card = $("move-card");
    if (!q) { card.hidden = true; shown = null; return; }
    card.hidden = false;
    const key = `${v.table.id}/${q.turn}`;
    const yesNo = q.kind !== "move";
    $("offer-button").hidden = yesNo; $("accept-button").hidden = yesNo;
    $("yes-button").hidden = !yesNo; $("no-button").hidden = !yesNo;
    $("accept-button").disabled = !q.can_accept;
    $("agent").textContent = `The agent strategy would ${q.agent}.`;
    const titles = {move: "Your move: accept their offer, or make yours", consent: "Consent to this deal?",
      leave: "Leave the alliance and bargain alone?", sign: "Sign the interim agreement?"};
    $("move-title").textContent = titles[q.kind] || "Your move";
    const note = $("group-note");
    note.hidden = !v.member;
    if (v.member) note.textContent = `You speak for ${v.member}. The alliance (${q.rule}) accepts when ` +
      (q.rule === "share_weighted" ? `members holding ${Math.round(q.quorum * 100)}% of market share accept` :
       "every member accepts") + "; otherwise it offers " +
      (q.rule === "share_weighted" ? "the share-weighted mean of the members' offers." : "each issue at the lowest member's offer.");
    if (shown === key) return;  // keep what the student is typing
    shown = key;
    const box = $("issues"); box.replaceChildren();
    if (yesNo) return;
    for (const i of v.table.issues) {
      const step = (i.max - i.min) / 1000;
      const value = q.own ? q.own[i.name] : i.min;
      const id = `issue-${i.name}`;
      const range = B.el("input", {type: "range", min: i.min, max: i.max, step, value, "aria-label": `${i.name} slider`});
      const number = B.el("input", {type: "number", id, name: i.name, min: i.min, max: i.max, step: "any", value: B.fmt(value), inputmode: "decimal"});
      range.addEventListener("input", () => { number.value = B.fmt(range.value); });
      number.addEventListener("input", () => { range.value = number.value; });
      const theirs = q.theirs ? `; ${q.other} offers ${B.fmt(q.theirs[i.name])}` : "";
      box.append(B.el("div", {class: "issue"}, B.el("label", {for: id, text: i.name}), range, number,
        B.el("span", {class: "unit", text: `${i.unit}: ${B.fmt(i.min)} to ${B.fmt(i.max)}${theirs}`})));
    }
  }

  function answer(a) {
    const q = view && view.question;
    if (!q) return;
    send({type: "move", turn: q.turn, answer: a});
  }
  $("move-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const offer = {};
    for (const input of $("issues").querySelectorAll("input[type=number]")) {
      const text = input.value.trim();
      offer[input.name] = text === "" || isNaN(Number(text)) ? text : Number(text);
    }
    answer({offer});
  });
  $("accept-button").addEventListener("click", () => answer({accept: true}));
  $("yes-button").addEventListener("click", () => answer({yes: true}));
  $("no-button").addEventListener("click", () => answer({yes: false}));

  function renderResult(v) {
    const card = $("result-card");
    if (!v.result) { card.hidden = true; return; }
    card.hidden = false;
    const r = v.result, t = $("result"); t.replaceChildren();
    const unit = v.table.clock === "week" ? "week" : "step";
    const row = (who, step, terms) => t.append(B.el("tr", {}, B.el("td", {"data-label": "who", text: who}),
      B.el("td", {"data-label": unit, class: "num", text: step}), B.el("td", {"data-label": "terms"}, terms)));
    t.append(B.el("tr", {}, B.el("th", {text: ""}), B.el("th", {text: unit}), B.el("th", {text: "terms"})));
    for (const d of r.deals) row(`your table (${d.table})`, d.step, B.termLines(d.terms));
    if (!r.deals.length) row("your table", "none", "no deal");
    for (const d of (r.agents && r.agents.deals) || []) row(`the agents (${d.table})`, d.step, B.termLines(d.terms));
    if (r.theory) row("theory", r.theory.step === null ? "none" : r.theory.step, B.termLines(r.theory.terms));
    $("theory").textContent = r.theory ? `Theory: ${r.theory.source}.` : "No closed form applies here: the agents are the benchmark.";
  }
})();
