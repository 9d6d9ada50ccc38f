// The sent page's copy buttons, for a supporter who sends the letter from webmail: each button copies
// the text of the element its data-copy names, exactly as shown. Without JavaScript the buttons stay
// hidden and the text is there to select by hand; nothing here asks any server for anything.
(function () {
  "use strict";
  var status = document.getElementById("copy-status");
  var buttons = document.querySelectorAll("button[data-copy]");

  // Where the Clipboard API is missing or refused (an old browser, a page not served over https).
  function copyBySelection(text) {
    var scratch = document.createElement("textarea");
    scratch.value = text;
    scratch.setAttribute("readonly", "");
    scratch.className = "copy-scratch";
    document.body.appendChild(scratch);
    scratch.select();
    var done = false;
    try {
      done = document.execCommand("copy");
    } catch (error) {
      done = false;
    }
    document.body.removeChild(scratch);
    return done;
  }

  function copied(button) {
    buttons.forEach(function (other) {
      if (other.dataset.label) {
        other.textContent = other.dataset.label;
      }
    });
    button.dataset.label = button.dataset.label || button.textContent;
    button.textContent = button.dataset.copied;
    if (status) {
      status.textContent = "";
      status.textContent = button.dataset.copied;
    }
  }

  buttons.forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent;
      function fallBack() {
        if (copyBySelection(text)) {
          copied(button);
        } else {
          // Nothing copied: the text is selected, for the supporter to copy themselves.
          window.getSelection().selectAllChildren(source);
        }
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () {
          copied(button);
        }, fallBack);
      } else {
        fallBack();
      }
    });
  });
})();
