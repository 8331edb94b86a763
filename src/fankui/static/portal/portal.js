// The public pages' small behaviours (submit, submitted, track). A file of the site's own, never inline: the
// Content-Security-Policy runs scripts from the site's files only (docs/security.md). Each part looks for its
// elements and does nothing on a page without them; every page works without JavaScript.
(function () {
  "use strict";

  // One click, one request: the button stays disabled until the next page (the form's token also makes a re-post
  // harmless). Coming back with the browser's Back button shows the cached page: the button is usable again.
  function sendOnce(formId, buttonId) {
    var form = document.getElementById(formId);
    var button = document.getElementById(buttonId);
    if (!form || !button) { return; }
    var label = button.textContent;
    form.addEventListener("submit", function () {
      button.disabled = true;
      if (button.dataset.sending) { button.textContent = button.dataset.sending; }
    });
    window.addEventListener("pageshow", function () {
      button.disabled = false;
      button.textContent = label;
    });
  }

  // The submit form: characters left in the request's text, contact fields hidden for an anonymous request.
  function submitForm() {
    var body = document.getElementById("id_body");
    var counter = document.getElementById("body-count");
    var count = document.getElementById("body-count-n");
    if (body && counter && count) {
      var max = parseInt(counter.dataset.max, 10);
      var update = function () {
        var n = Array.from(body.value.trim()).length;
        count.textContent = n;
        counter.classList.toggle("over", n > max);
      };
      body.addEventListener("input", update);
      update();
    }
    var anonymous = document.getElementById("id_anonymous");
    var contact = document.getElementById("contact-fields");
    if (anonymous && contact) {
      var toggle = function () { contact.hidden = anonymous.checked; };
      anonymous.addEventListener("change", toggle);
      toggle();
    }
  }

  // The confirmation page: copy the tracking code, where the browser allows it.
  function copyCode() {
    var button = document.getElementById("copy-code");
    var code = document.getElementById("tracking-code");
    if (!button || !code || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(code.textContent.trim()).then(function () {
        button.textContent = button.dataset.copied;
      });
    });
  }

  sendOnce("submit-form", "submit-button");
  sendOnce("rate-form", "rate-button");
  submitForm();
  copyCode();
})();
