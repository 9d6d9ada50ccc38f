// The "Copy the link" button after signing. Without JavaScript the button stays hidden and the link
// is there to select and copy by hand.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var said = button.closest("section").querySelector("[data-copied]");
    if (!field) return;
    function copied() {
      if (said) said.textContent = said.getAttribute("data-copied");
    }
    function byHand() {
      field.select();
      if (document.execCommand && document.execCommand("copy")) copied();
    }
    field.addEventListener("focus", function () { field.select(); });
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(copied, byHand);
      } else {
        byHand();
      }
    });
    button.hidden = false;
  });
})();
