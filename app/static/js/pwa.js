// Installable Kezek: registers the service worker (/sw.js, scope "/") on every page and tells it
// the page's language, so that its offline page speaks the person's language. Keeps the
// browser's install prompt for the practice page's "Install" button.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) { return; }
  var lang = document.documentElement.lang || "kk";
  window.kezekInstall = { prompt: null, listeners: [] };
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    window.kezekInstall.prompt = event;
    window.kezekInstall.listeners.forEach(function (listener) { listener(event); });
  });
  function tell(worker) {
    if (worker) { worker.postMessage({ type: "language", lang: lang }); }
  }
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (registration) {
    tell(registration.active || registration.waiting || registration.installing);
  }).catch(function () { /* no worker: the site works online as before */ });
  navigator.serviceWorker.ready.then(function (registration) { tell(registration.active); });
})();
