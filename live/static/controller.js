// The controller's page: the drill's state from the server's events, and the controller's acts.
"use strict";
(function () {
  var api = "/api/c/" + live.code;
  var state = null, at = 0;

  function render(s) {
    state = s; at = performance.now();
    var st = live.byTestId("state");
    st.dataset.state = s.state; st.textContent = live.word(s.state);
    s.injects.forEach(function (i) {
      var row = live.byTestId("inject-" + i.id);
      if (!row) return;
      row.dataset.status = i.status;
      row.querySelector(".status").textContent = live.word(i.status);
      row.querySelector(".due").textContent = i.due_s !== undefined ? live.word("due") + " " + live.mmss(i.due_s) : "";
      var open = (s.state === "running" || s.state === "paused") && (i.status === "pending" || i.status === "due");
      live.byTestId("deliver-" + i.id).disabled = !open;
      live.byTestId("skip-" + i.id).disabled = !open;
    });
    s.requirements.forEach(function (r) {
      var row = live.byTestId("req-" + r.id);
      if (!row) return;
      row.dataset.status = r.status;
      row.querySelector(".status").textContent = live.word(r.status);
      live.byTestId("req-" + r.id + "-left").textContent = r.left_s !== undefined ? live.mmss(r.left_s) : "";
    });
    var warnings = document.getElementById("warnings");
    while (warnings.firstChild) warnings.removeChild(warnings.firstChild);
    (s.warnings || []).forEach(function (w) {
      var li = document.createElement("li"); li.textContent = w; warnings.appendChild(li);
    });
    live.byTestId("start").disabled = s.state !== "ready";
    live.byTestId("pause").disabled = s.state !== "running";
    live.byTestId("resume").disabled = s.state !== "paused";
    live.byTestId("end").disabled = !(s.state === "running" || s.state === "paused");
    if (s.result) {
      live.byTestId("result").hidden = false;
      document.getElementById("result-text").textContent =
        live.word("score") + " " + (s.result.score === null ? "—" : Math.round(s.result.score * 10) / 10) +
        ", " + live.word("rating") + " " + (s.result.rating || "—");
      live.byTestId("end-confirm").hidden = true;
    }
    tick();
  }

  function tick() {
    if (!state) return;
    var s = state.clock_s + (state.state === "running" ? (performance.now() - at) / 1000 : 0);
    live.byTestId("clock").textContent = live.mmss(s);
  }

  function send(url, body) {
    live.showError("");
    return live.post(url, body).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { live.showError(data.detail || String(r.status)); return; }
        render(data);
      });
    }).catch(function (e) { live.showError(String(e)); });
  }

  document.querySelectorAll("[data-act]").forEach(function (b) {
    b.addEventListener("click", function () { send(api + "/" + b.dataset.act); });
  });
  document.getElementById("end").addEventListener("click", function () {
    live.byTestId("end-confirm").hidden = false;
  });
  document.querySelectorAll("[data-inject]").forEach(function (b) {
    b.addEventListener("click", function () { send(api + "/" + b.dataset.do, {inject: b.dataset.inject}); });
  });

  function listen() {
    var source = new EventSource(api + "/events");
    source.addEventListener("state", function (e) { render(JSON.parse(e.data)); });
    source.onerror = function () {
      source.close();
      if (!state || state.state !== "ended") setTimeout(listen, 2000);
    };
  }
  fetch(api + "/state").then(function (r) { return r.json(); }).then(render).then(listen);
  setInterval(tick, 250);
})();
