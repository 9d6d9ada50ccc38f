// Copy buttons beside the officials' addresses: shown only where this script runs, each puts its
// address's text on the clipboard (or, where the browser allows no clipboard, selects it to copy).
for (const button of document.querySelectorAll("button[data-copied]")) {
  const address = button.parentElement.querySelector("address");
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(address.innerText);
      button.textContent = button.dataset.copied;
    } catch {
      window.getSelection().selectAllChildren(address);
    }
  });
}
