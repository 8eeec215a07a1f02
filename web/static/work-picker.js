// The exhibition editor's work picker: as the curator types, ask the server for the matching
// works and show them in place. Without this script the search form does the same on submit.
(function () {
  "use strict";
  var form = document.querySelector("form[data-picker]");
  var list = document.getElementById("candidates");
  if (!form || !list || !window.fetch) { return; }
  var timer = null;
  var asked = 0;
  function refresh() {
    var params = new URLSearchParams(new FormData(form));
    var mine = ++asked;
    window.fetch(form.getAttribute("data-picker") + "?" + params.toString(), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || mine !== asked) { return; }
        // A work the curator ticked while the answer was on its way stays ticked.
        var ticked = list.querySelector("input[name=item_id]:checked");
        list.innerHTML = html;
        if (ticked) {
          var same = list.querySelector("input[name=item_id][value='" + ticked.value + "']");
          if (same) { same.checked = true; }
        }
      })
      .catch(function () { /* the search button still works */ });
  }
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  });
})();
