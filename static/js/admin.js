// Opens the language tabs named in the address (#lang-ru), so a link from the
// translation status page lands on the missing language.
window.addEventListener("load", () => {
  const match = /^#lang-([a-z]+)$/.exec(window.location.hash);
  if (!match) {
    return;
  }
  document
    .querySelectorAll(`.ui-tabs-nav a[href$="_${match[1]}"]`)
    .forEach((tab) => tab.click());
});
