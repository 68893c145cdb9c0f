/* The public site's only script. Pages are cached whole and shared by every reader,
   so whatever belongs to one reader happens here, in the reader's browser:
   - the reader's language is remembered for the next visit to "/";
   - a story page reports one read (counted off the page, see articles/readership.py);
   - a video loads its player only when the reader presses play (articles/embeds.py);
   - the comment form gets this reader's own security tokens when it is first used. */
(function () {
  "use strict";
  var root = document.documentElement;
  var script = document.currentScript;
  var cookieName = script && script.getAttribute("data-language-cookie");
  var language = root.getAttribute("lang");
  if (cookieName && language && document.cookie.indexOf(cookieName + "=" + language) === -1) {
    document.cookie = cookieName + "=" + language + "; path=/; max-age=31536000; samesite=lax" +
      (window.location.protocol === "https:" ? "; secure" : "");
  }

  var story = document.querySelector("[data-read-url]");
  if (story && navigator.sendBeacon) {
    navigator.sendBeacon(story.getAttribute("data-read-url"));
  }

  Array.prototype.forEach.call(document.querySelectorAll(".embed[data-embed-src]"), function (embed) {
    var play = embed.querySelector(".embed-play");
    if (!play) { return; }
    play.addEventListener("click", function (event) {
      event.preventDefault();
      var frame = document.createElement("iframe");
      frame.src = embed.getAttribute("data-embed-src");
      frame.title = play.textContent.trim();
      frame.allow = "autoplay; fullscreen; picture-in-picture; encrypted-media";
      frame.allowFullscreen = true;
      frame.referrerPolicy = "strict-origin-when-cross-origin";
      embed.classList.add("embed-playing");
      play.replaceWith(frame);
      frame.focus();
    });
  });

  var form = document.querySelector("form[data-token-url]");
  if (!form) {
    return;
  }
  var tokens = null;
  function fetchTokens() {
    if (!tokens) {
      tokens = fetch(form.getAttribute("data-token-url"), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (values) {
        Object.keys(values).forEach(function (name) {
          var input = form.querySelector("input[name='" + name + "']");
          if (input) { input.value = values[name]; }
        });
        return values;
      }).catch(function (error) {
        tokens = null;  // try again at the next submit; the server keeps what was typed
        throw error;
      });
    }
    return tokens;
  }
  form.addEventListener("focusin", function () { fetchTokens().catch(function () {}); });
  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-tokens") === "ready") {
      return;
    }
    event.preventDefault();
    fetchTokens().then(function () {
      form.setAttribute("data-tokens", "ready");
    }, function () {}).then(function () {
      form.submit();
    });
  });
}());
