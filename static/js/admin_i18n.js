// Puts the admin's language on what third-party scripts draw in English:
// the rich-text editor's menus, tooltips and aria-labels (django-prose-editor
// writes them without gettext) and modeltranslation's language tabs (their
// names come from the browser, which may not know Kyrgyz). The words come from
// the admin's JavaScript catalog (newsroom/locale/*/LC_MESSAGES/djangojs.po).
(() => {
  "use strict";
  if (typeof window.gettext !== "function") {
    return;
  }
  const ATTRIBUTES = ["title", "aria-label"];
  const LANGUAGES = { ky: gettext("Kyrgyz"), ru: gettext("Russian") };
  const HEADING = /^heading (\d)$/i;

  // The editor's own English words; translating one that is not listed here
  // would leave it English, and the admin's leak test would say so.
  const EDITOR_WORDS = new Set([
    "blockquote",
    "bold",
    "horizontal rule",
    "insert link",
    "italic",
    "ordered list",
    "paragraph",
    "Paragraph",
    "redo",
    "remove link",
    "strike",
    "subscript",
    "superscript",
    "undo",
    "unordered list",
    "underline",
    "title",
    "Title",
    "URL",
    "Edit Link",
    "Open in new window",
    "Cancel",
    "Update",
    "Insert",
  ]);

  const translate = (text) => {
    const trimmed = text.trim();
    const heading = HEADING.exec(trimmed);
    if (heading) {
      return interpolate(gettext("Heading %s"), [heading[1]]);
    }
    return EDITOR_WORDS.has(trimmed) ? gettext(trimmed) : null;
  };

  const localizeEditor = (root) => {
    root.querySelectorAll(".prose-editor *").forEach((element) => {
      for (const name of ATTRIBUTES) {
        const value = element.getAttribute(name);
        const translated = value && translate(value);
        if (translated && translated !== value) {
          element.setAttribute(name, translated);
        }
      }
      // An icon button's text is the icon's name in the icon font: it draws the picture.
      if (element.classList.contains("material-icons")) {
        return;
      }
      for (const node of element.childNodes) {
        if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) {
          const translated = translate(node.textContent);
          if (translated && translated !== node.textContent.trim()) {
            node.textContent = translated;
          }
        }
      }
    });
  };

  const languageOf = (element) => {
    const match = /_([a-z]{2})$/.exec(element.getAttribute("href") || element.value || "");
    return match && LANGUAGES[match[1]] ? match[1] : null;
  };

  const localizeTabs = (root) => {
    root.querySelectorAll(".ui-tabs-nav a").forEach((tab) => {
      const code = languageOf(tab);
      if (code && tab.textContent !== LANGUAGES[code]) {
        tab.textContent = LANGUAGES[code];
        tab.setAttribute("title", LANGUAGES[code]);
      }
    });
    // The switch above the form that turns every tab to one language.
    root.querySelectorAll("#modeltranslation-main-switch").forEach((select) => {
      select.setAttribute("aria-label", gettext("Language of the fields"));
      for (const option of select.options) {
        const code = option.textContent.trim();
        if (LANGUAGES[code]) {
          option.textContent = LANGUAGES[code];
        }
      }
    });
  };

  // The blank photo form that "Add another" copies keeps modeltranslation's "[ky]"
  // label suffixes (its tabs skip that template): name the language instead.
  const localizeTemplateLabels = (root) => {
    root.querySelectorAll(".empty-form label").forEach((label) => {
      const match = / \[([a-z]{2})\]/.exec(label.textContent);
      if (match && LANGUAGES[match[1]]) {
        label.textContent = label.textContent.replace(match[0], ` (${LANGUAGES[match[1]]})`);
      }
    });
  };

  const localize = () => {
    localizeEditor(document);
    localizeTabs(document);
    localizeTemplateLabels(document);
  };

  let pending = false;
  new MutationObserver(() => {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(() => {
        pending = false;
        localize();
      });
    }
  }).observe(document.documentElement, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ATTRIBUTES,
  });
  document.addEventListener("DOMContentLoaded", localize);
})();
