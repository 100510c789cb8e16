// Irreversible actions ask first. A submit button with data-confirm="what will happen"
// opens the page's <dialog id="confirm-dialog"> with that text; only "yes" sends the form
// (with the button's name and value). A static file, not an inline script, so a strict
// Content-Security-Policy holds.
(function () {
  "use strict";
  var dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") {
    return; // no <dialog> support: the form is sent as before
  }
  var text = dialog.querySelector("[data-confirm-text]");
  var pending = null;

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm]");
    if (!button || !button.form || button.dataset.confirmed === "yes") {
      return;
    }
    if (!button.form.noValidate && !button.form.reportValidity()) {
      return; // the browser first points at the missing field (e.g. the reason)
    }
    event.preventDefault();
    pending = button;
    text.textContent = button.dataset.confirm;
    dialog.returnValue = "";
    dialog.showModal();
  });

  dialog.addEventListener("close", function () {
    var button = pending;
    pending = null;
    if (button && dialog.returnValue === "yes") {
      button.dataset.confirmed = "yes";
      if (typeof button.form.requestSubmit === "function") {
        button.form.requestSubmit(button);
      } else {
        button.click();
      }
      delete button.dataset.confirmed;
    }
  });
})();
