// Shared by the live pages: the page's code, CSRF token and words, and JSON POSTs. No innerHTML anywhere.
"use strict";
var live = (function () {
  function meta(name) { return document.querySelector('meta[name="' + name + '"]').content; }
  var words = JSON.parse(document.getElementById("words").textContent);
  function word(w) { return Object.prototype.hasOwnProperty.call(words, w) ? words[w] : w; }
  function post(url, body, signal) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", signal: signal,
      headers: {"Content-Type": "application/json", "X-CSRF-Token": meta("csrf-token")},
      body: JSON.stringify(body || {})
    });
  }
  function mmss(s) {
    s = Math.max(0, Math.floor(s));
    var m = Math.floor(s / 60), r = s % 60;
    return (m < 10 ? "0" : "") + m + ":" + (r < 10 ? "0" : "") + r;
  }
  function byTestId(id) { return document.querySelector('[data-testid="' + id + '"]'); }
  function showError(text) { document.getElementById("error").textContent = text || ""; }
  return {code: meta("drillsim-code"), word: word, post: post, mmss: mmss, byTestId: byTestId, showError: showError};
})();
