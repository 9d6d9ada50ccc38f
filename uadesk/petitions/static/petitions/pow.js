// The proof of work before signing (the ALTCHA scheme), solved here with the browser's own SHA-256.
// The hidden "challenge" field holds salt:hash:max:signature; we find the number n with
// sha256(salt + n) == hash and put it in "work". No JavaScript, or no crypto.subtle: the form is
// sent without it and the desk takes it under a stricter rate limit.
(function () {
  "use strict";
  var form = document.querySelector("form[data-pow]");
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) return;
  var challengeField = form.querySelector("input[name=challenge]");
  var workField = form.querySelector("input[name=work]");
  var status = form.querySelector(".pow-status");
  var parts = challengeField.value.split(":");
  if (parts.length !== 4) return;
  var salt = parts[0], target = parts[1], max = parseInt(parts[2], 10);
  var encoder = new TextEncoder(), solving = null, submitting = false;

  function hex(buffer) {
    var bytes = new Uint8Array(buffer), out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }

  async function solve() {
    for (var n = 0; n <= max; n++) {
      var digest = await window.crypto.subtle.digest("SHA-256", encoder.encode(salt + n));
      if (hex(digest) === target) return n;
    }
    return null;
  }

  function start() {
    if (!solving) solving = solve().then(function (n) { if (n !== null) workField.value = String(n); });
    return solving;
  }

  form.addEventListener("submit", function (event) {
    if (workField.value || submitting) return;
    event.preventDefault();
    submitting = true;
    if (status) status.textContent = status.dataset.working || "…";
    start().finally(function () { form.submit(); });
  });
  // Start at once: most people take longer to type than the browser takes to solve.
  start();
})();
