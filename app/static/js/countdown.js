// Shows the time left on a hold. Without JavaScript the page still states the expiry time.
(function () {
  "use strict";
  document.querySelectorAll("[data-countdown]").forEach(function (element) {
    var deadline = Date.parse(element.dataset.countdown);
    function tick() {
      var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
      if (left === 0) {
        element.textContent = element.dataset.expired;
        return;
      }
      var minutes = Math.floor(left / 60);
      var seconds = String(left % 60).padStart(2, "0");
      element.textContent = element.dataset.template.replace("{time}", minutes + ":" + seconds);
      window.setTimeout(tick, 1000);
    }
    tick();
  });
})();
