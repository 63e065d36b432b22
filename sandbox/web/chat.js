// KinBridge demo web chat: plain JS talking to the sandbox's client API on 127.0.0.1.
"use strict";
const state = { personas: [], current: null, lastJson: "", botId: null, firstText: {} };
const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const resp = await fetch(path, opts);
  if (!resp.ok) throw new Error(`${path}: ${resp.status}`);
  return resp.json();
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k.startsWith("on")) node[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

async function loadPersonas() {
  const data = await api("/sandbox/personas");
  state.personas = data.personas;
  state.botId = data.bot_id;
  const list = $("personas");
  list.innerHTML = "";
  for (const p of state.personas) {
    const item = el("li", { "data-user": p.id, onclick: () => choose(p.id) },
                    el("b", {}, p.name), el("span", {}, p.note || ""));
    list.append(item);
  }
  const wanted = Number(new URLSearchParams(location.search).get("as")) || (state.personas[0] || {}).id;
  if (wanted) choose(wanted);
}

function choose(userId) {
  state.current = state.personas.find((p) => p.id === userId) || { id: userId, name: String(userId) };
  for (const li of document.querySelectorAll("#personas li"))
    li.classList.toggle("active", Number(li.dataset.user) === userId);
  $("who").textContent = state.current.name;
  $("role").textContent = state.current.note || "";
  state.lastJson = "";
  history.replaceState(null, "", `?as=${userId}`);
  refresh();
}

function fileUrl(fileId) { return `/sandbox/files/${encodeURIComponent(fileId)}`; }

function render(messages) {
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  box.innerHTML = "";
  let replyKeyboard = null;
  for (const m of messages) {
    const mine = m.from && m.from.id !== state.botId;
    const bubble = el("div", { class: `msg ${mine ? "me" : "bot"}`, "data-message-id": m.message_id });
    if (m.photo) bubble.append(el("img", { src: fileUrl(m.photo[m.photo.length - 1].file_id), alt: "photo" }));
    if (m.document) bubble.append(el("a", { class: "doc", href: fileUrl(m.document.file_id),
                                            download: m.document.file_name || "file" },
                                     `📎 ${m.document.file_name || "file"}`));
    if (m.voice) bubble.append(el("audio", { controls: "", src: fileUrl(m.voice.file_id) }));
    if (m.sticker) bubble.append(el("div", {}, m.sticker.emoji || "🙂"));
    const text = m.text || m.caption || "";
    if (text) bubble.append(el("div", { class: "text" }, text));
    const when = new Date(m.date * 1000).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai",
      weekday: "short", hour: "2-digit", minute: "2-digit" });  // the demo village's time
    const key = `${state.current.id}:${m.message_id}`;  // "edited" when the words changed
    if (!(key in state.firstText)) state.firstText[key] = text;
    const edited = state.firstText[key] !== text;
    bubble.append(el("div", { class: "meta" }, (edited ? "edited " : "") + when));
    box.append(bubble);
    const markup = m.reply_markup || {};
    if (markup.inline_keyboard && markup.inline_keyboard.length) {
      const kb = el("div", { class: "keyboard" });
      for (const row of markup.inline_keyboard) {
        const r = el("div", { class: "row" });
        for (const b of row) {
          r.append(el("button", { type: "button", "data-callback": b.callback_data || "",
                                  onclick: () => press(m.message_id, b.callback_data) }, b.text));
        }
        kb.append(r);
      }
      box.append(kb);
    }
    if (markup.keyboard) replyKeyboard = markup.keyboard;
    else if (markup.remove_keyboard) replyKeyboard = null;
    box.append(el("div", { class: "clearfix" }));
  }
  const rk = $("reply-keyboard");
  rk.innerHTML = "";
  for (const row of replyKeyboard || [])
    for (const b of row) rk.append(el("button", { type: "button", onclick: () => say(b.text || b) }, b.text || b));
  if (atBottom || !state.rendered) box.scrollTop = box.scrollHeight;
  state.rendered = true;
}

async function refresh() {
  if (!state.current) return;
  try {
    const messages = await api(`/sandbox/chats/${state.current.id}/messages?after=0`);
    const json = JSON.stringify(messages);
    if (json !== state.lastJson) { state.lastJson = json; state.rendered = false; render(messages); }
  } catch (e) { console.warn(e); }
}

async function say(text) {
  if (!text.trim() || !state.current) return;
  await api("/sandbox/send", { user_id: state.current.id, text, first_name: state.current.name,
                               language_code: state.current.language_code || "zh-hans" });
  refresh();
}

async function press(messageId, data) {
  await api("/sandbox/press", { user_id: state.current.id, message_id: messageId, data });
  refresh();
}

async function clock(jump) {
  await api("/sandbox/clock", jump ? { jump } : undefined).catch(() => null);
  const c = await api("/sandbox/clock");
  $("now").textContent = `Demo time: ${c.local || "now"}`;
}

$("composer").onsubmit = (ev) => { ev.preventDefault(); const t = $("text").value; $("text").value = ""; say(t); };
$("voice").onclick = async () => {
  await api("/sandbox/voice", { user_id: state.current.id, duration: 4, first_name: state.current.name });
  refresh();
};
for (const b of document.querySelectorAll("#clock button"))
  b.onclick = async () => { b.disabled = true; await clock(b.dataset.jump); b.disabled = false; };

loadPersonas();
clock();
setInterval(refresh, 700);
setInterval(() => clock(), 5000);
