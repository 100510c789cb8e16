// Warn before leaving a page whose form has changes that are not saved. A form opts in
// with data-warn-unsaved="<message>"; its state when the page loaded is compared with its
// state on leaving, so typing a value and then restoring it does not warn. Submitting the
// form (any of its buttons, also those outside it with form="...") is not leaving.
(function () {
  "use strict";

  function state(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }

  function watch(form) {
    var initial = state(form);
    var submitting = false;
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (submitting || state(form) === initial) {
        return undefined;
      }
      event.preventDefault();
      // older browsers show (or at least need) a return value; modern ones a fixed text
      event.returnValue = form.getAttribute("data-warn-unsaved") || "";
      return event.returnValue;
    });
  }

  function start() {
    document.querySelectorAll("form[data-warn-unsaved]").forEach(watch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
