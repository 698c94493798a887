// bargainsim class pages: the websocket, numbers and DOM helpers (text only, never HTML).
"use strict";
const B = {};
B.fmt = (v) => (v === null || v === undefined) ? "-" :
  (Math.round(Number(v) * 10000) / 10000).toString();
B.el = (tag, attrs, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v;
    else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
};
B.termLines = (t) => {  // one term a line where space is short; reads "a=1, b=2" as text
  const items = t ? Object.entries(t) : [];
  return B.el("span", {}, ...(items.length ? items.flatMap(([k, v], i) => [i ? " " : "",
    B.el("span", {class: "term", text: `${k}=${B.fmt(v)}${i < items.length - 1 ? "," : ""}`})]) : ["-"]));
};
B.terms = (t) => t ? Object.entries(t).map(([k, v]) => `${k}=${B.fmt(v)}`).join(", ") : "-";
B.connect = (onOpen, onMessage) => {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  let ws = null, wait = 500;
  const open = () => {
    ws = new WebSocket(url);
    ws.onopen = () => { wait = 500; onOpen(); };
    ws.onmessage = (e) => onMessage(JSON.parse(e.data));
    ws.onclose = () => { setTimeout(open, wait); wait = Math.min(wait * 2, 5000); };
  };
  open();
  return (message) => { if (ws && ws.readyState === 1) ws.send(JSON.stringify(message)); };
};
B.say = (node, text, ok) => {
  node.hidden = !text; node.textContent = text || ""; node.classList.toggle("ok", !!ok);
};
