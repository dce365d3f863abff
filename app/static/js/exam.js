// Progressive enhancement for the exam pages: a live countdown. The server owns the clock; this
// only shows it. When the time is up the page reloads and the server finishes the attempt.
(function () {
  "use strict";
  var timer = document.getElementById("timer");
  var value = document.getElementById("timer-value");
  if (!timer || !value) { return; }
  var remaining = parseInt(timer.getAttribute("data-remaining"), 10);
  if (isNaN(remaining)) { return; }
  var endsAt = Date.now() + remaining * 1000;
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    value.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
    if (left <= 60) { timer.classList.add("timer--urgent"); }
    if (left === 0) { window.location.reload(); return; }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
