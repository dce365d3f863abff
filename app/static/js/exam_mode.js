// Exam mode, as progressive enhancement (without it "Save and next" does the same work):
// - the chosen answer (and the flag) is saved the moment it is chosen, by posting the page's own
//   form in the background; a page that is left or reloaded keeps the last choice;
// - leaving the exam by a link asks first, and closing the tab gets the browser's warning; the
//   page's own buttons (save, finish, language) and the reload at the end of the time do not.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form || !form.hasAttribute("data-exam-mode") || !window.fetch || !window.FormData) { return; }
  var status = document.getElementById("save-status");
  var timer = document.getElementById("timer");
  var remaining = timer ? parseInt(timer.getAttribute("data-remaining"), 10) : NaN;
  var endsAt = isNaN(remaining) ? Infinity : Date.now() + remaining * 1000;
  var leaving = false;

  function say(text) { if (status) { status.textContent = text; } }

  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (name !== "option" && name !== "flag") { return; }
    var data = new FormData(form);
    data.set("go", "stay");
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.ok) { say(form.getAttribute("data-saved")); return; }
        return response.json().then(function (answer) {
          // Time is up: the server finished the exam. A save that met another request at the same
          // moment (also 409) is not: the page's own submit may already be on its way.
          if (answer.finished && !leaving) { leaving = true; window.location.reload(); return; }
          say(form.getAttribute("data-save-failed"));
        });
      })
      .catch(function () { say(form.getAttribute("data-save-failed")); });
  });

  document.addEventListener("submit", function () { leaving = true; }, true);

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link.getAttribute("href").charAt(0) === "#") { return; }
    if (!window.confirm(form.getAttribute("data-leave-warning"))) { event.preventDefault(); return; }
    leaving = true;
  });

  window.addEventListener("beforeunload", function (event) {
    if (leaving || Date.now() >= endsAt - 1500) { return; }  // our own step, or the time is up
    event.preventDefault();
    event.returnValue = "";
  });
})();
