// Quick exit: leave for a neutral site at once, replacing this page in the session history
// so that Back does not return here. Works by button, or by pressing Escape twice.
(function () {
  "use strict";
  var NEUTRAL = "https://www.google.com/";
  // The link's own address: the consent pages send it through /consent/exit, which ends the
  // portal session before redirecting to the neutral site.
  function destination() {
    var link = document.querySelector("[data-quick-exit]");
    return link && link.href ? link.href : NEUTRAL;
  }
  function leave(event) {
    if (event) { event.preventDefault(); }
    document.title = "New tab";
    document.body.style.visibility = "hidden";
    window.location.replace(destination());
  }
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-quick-exit]") : null;
    if (target) { leave(event); }
  });
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    if (now - lastEscape < 1000) { leave(event); }
    lastEscape = now;
  });
})();
