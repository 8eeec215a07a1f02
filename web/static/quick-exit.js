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
  // From any other page, a consent-portal session still open in this browser is ended too:
  // a request that outlives the navigation (keepalive), so it never slows the exit down.
  function endPortalSession() {
    var link = document.querySelector("[data-quick-exit]");
    var url = link ? link.getAttribute("data-end-session") : null;
    if (!url || !window.fetch || destination().indexOf(url) !== -1) { return; }
    try {
      window.fetch(url, { credentials: "same-origin", keepalive: true, redirect: "manual", cache: "no-store" });
    } catch (ignored) { /* leaving matters more than ending the session */ }
  }
  function leave(event) {
    if (event) { event.preventDefault(); }
    endPortalSession();
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
