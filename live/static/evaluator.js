// The evaluator's page: one tap stamps the device's time; stamps wait in localStorage until acknowledged.
"use strict";
(function () {
  var api = "/api/e/" + live.code;
  var storeKey = "drillsim-live-" + live.code;
  var offset = 0, uncertainty = 0, sending = false, open = null;
  // {queue: [stamp, ...] not yet acknowledged, items: [{client_id, key, label, device_time, state, ...}]}
  var saved = JSON.parse(localStorage.getItem(storeKey) || '{"queue": [], "items": []}');
  var labels = {};
  document.querySelectorAll("button.stamp").forEach(function (b) { labels[b.dataset.key] = b.textContent; });

  function save() { localStorage.setItem(storeKey, JSON.stringify(saved)); }

  function clientId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function hhmmss(ms) {
    var d = new Date(ms);
    return [d.getHours(), d.getMinutes(), d.getSeconds()].map(function (n) { return (n < 10 ? "0" : "") + n; }).join(":");
  }

  function setOnline(yes) {
    var net = live.byTestId("net");
    net.dataset.online = yes ? "true" : "false";
    net.textContent = live.word(yes ? "online" : "offline");
  }

  function render() {
    live.byTestId("queued").textContent = String(saved.queue.length);
    var list = live.byTestId("stamps");
    var typing = list.querySelector(".note");
    var typed = typing ? typing.value : "";
    while (list.firstChild) list.removeChild(list.firstChild);
    saved.items.slice().reverse().forEach(function (item) {
      var li = document.createElement("li");
      li.setAttribute("data-testid", "stamp-item");
      li.dataset.clientId = item.client_id;
      li.dataset.state = item.state;
      var text = hhmmss(item.device_time) + " " + (labels[item.key] || item.key);
      if (item.undone) text += " (" + live.word("undone") + ")";
      if (item.corrected) text += " (" + live.word("corrected") + ")";
      if (item.note) text += " — " + item.note;
      var span = document.createElement("span");
      span.textContent = text;
      li.appendChild(span);
      li.addEventListener("click", function (e) { if (e.target === span || e.target === li) tools(li, item); });
      list.appendChild(li);
      if (item.client_id === open) {
        tools(li, item);
        li.querySelector(".note").value = typed;
      }
    });
  }

  function tools(li, item) {
    if (li.querySelector(".tools")) return;
    open = item.client_id;
    var t = document.getElementById("item-tools").content.cloneNode(true);
    li.appendChild(t);
    li.querySelector(".undo").addEventListener("click", function () {
      item.undone = true; open = null;
      stamp(item.key, {undoes: item.client_id});
    });
    li.querySelector(".correct").addEventListener("click", function () {
      var typed = window.prompt(live.word("new_time"), hhmmss(item.device_time));
      if (!typed) return;
      var p = typed.split(":").map(Number), d = new Date(item.device_time);
      d.setHours(p[0] || 0, p[1] || 0, p[2] || 0, 0);
      item.corrected = true; item.device_time = d.getTime(); open = null;
      stamp(item.key, {corrects: item.client_id}, d.getTime());
    });
    li.querySelector(".note-save").addEventListener("click", function () {
      var text = li.querySelector(".note").value.trim();
      if (!text) return;
      item.note = text; open = null;
      stamp("note", {corrects: item.client_id, note: text});
    });
  }

  function stamp(key, extra, when) {
    var s = {client_id: clientId(), key: key, device_time: when || Date.now(), offset_ms: offset,
             uncertainty_ms: uncertainty};
    Object.keys(extra || {}).forEach(function (k) { s[k] = extra[k]; });
    saved.queue.push(s);
    if (!s.undoes && !s.corrects) {
      saved.items.push({client_id: s.client_id, key: key, device_time: s.device_time, state: "queued"});
    }
    save(); render(); flush();
  }

  function mark(id, state) {
    saved.items.forEach(function (item) { if (item.client_id === id) item.state = state; });
  }

  function flush() {
    if (sending || !saved.queue.length) return;
    sending = true;
    var s = saved.queue[0];
    var abort = new AbortController(), timer = setTimeout(function () { abort.abort(); }, 10000);
    live.post(api + "/stamps", s, abort.signal).then(function (r) { clearTimeout(timer); return r; }).then(function (r) {
      return r.json().then(function (data) {
        if (r.ok && data.ack) {
          saved.queue.shift(); mark(s.client_id, "acked"); live.showError("");
        } else if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
          saved.queue.shift(); mark(s.client_id, "refused"); live.showError(data.detail || String(r.status));
        } else {
          throw new Error(String(r.status));
        }
        setOnline(true); save(); render();
        sending = false; flush();
      });
    }).catch(function () {
      clearTimeout(timer); setOnline(false); sending = false; setTimeout(flush, 2000);
    });
  }

  function sync() {
    var t0 = Date.now();
    live.post(api + "/sync", {t0: t0}).then(function (r) { return r.json(); }).then(function (d) {
      var t3 = Date.now();
      offset = ((d.t1 - t0) + (d.t2 - t3)) / 2;
      uncertainty = (t3 - t0 - (d.t2 - d.t1)) / 2;
      setOnline(true); flush();
    }).catch(function () { setOnline(false); });
  }

  function refresh() {
    fetch(api + "/state").then(function (r) { return r.json(); }).then(function (d) {
      var st = live.byTestId("state");
      st.dataset.state = d.state; st.textContent = live.word(d.state);
      var before = JSON.stringify(saved.items);
      d.acked.forEach(function (id) { mark(id, "acked"); });
      if (JSON.stringify(saved.items) !== before) { save(); render(); }
      setOnline(true);
    }).catch(function () { setOnline(false); });
  }

  document.querySelectorAll("button.stamp").forEach(function (b) {
    b.addEventListener("click", function () { stamp(b.dataset.key, {}); });
  });
  window.addEventListener("online", function () { setOnline(true); sync(); flush(); });
  window.addEventListener("offline", function () { setOnline(false); });
  render(); sync(); refresh(); flush();
  setInterval(sync, 30000);
  setInterval(refresh, 2000);  // the drill's state (ready, running, paused, ended) within 2 s of a change
  setInterval(flush, 3000);
})();
