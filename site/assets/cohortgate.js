/* cohortgate catalog site: the catalog filter and a language switch that keeps the page.
   Hand-written, no dependencies, nothing fetched. Without JavaScript the catalog shows every
   dataset and the language links lead to the other language's home page. */
(function () {
  "use strict";

  function filterCatalog() {
    var form = document.getElementById("cg-filter");
    var table = document.getElementById("cg-catalog");
    if (!form || !table) return;
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
    var rows = table.tBodies[0].rows;
    var count = document.getElementById("cg-count");
    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (s) {
      var wanted = params.get(s.getAttribute("data-filter"));
      if (wanted) s.value = wanted;
    });

    function matches(row, select) {
      if (!select.value) return true;
      var have = " " + row.getAttribute("data-" + select.getAttribute("data-filter")) + " ";
      return have.indexOf(" " + select.value + " ") >= 0;
    }

    function apply() {
      var shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var ok = selects.every(function (s) { return matches(rows[i], s); });
        rows[i].hidden = !ok;
        if (ok) shown++;
      }
      count.textContent = count.getAttribute("data-template")
        .replace("{shown}", String(shown)).replace("{total}", String(rows.length));
      var query = new URLSearchParams();
      selects.forEach(function (s) { if (s.value) query.set(s.getAttribute("data-filter"), s.value); });
      var search = query.toString();
      window.history.replaceState(null, "", window.location.pathname + (search ? "?" + search : ""));
    }

    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    apply();
  }

  /* The same page in another language: the sites differ only by their base URL. */
  function samePageIn(lang) {
    var bases = {};
    document.querySelectorAll('link[rel="alternate"][hreflang]').forEach(function (link) {
      bases[link.getAttribute("hreflang")] = link.href;
    });
    var here = bases[document.documentElement.lang];
    var there = bases[lang];
    var url = window.location.href;
    if (!here || !there || url.indexOf(here) !== 0) return null;
    return there + url.slice(here.length);
  }

  function switchLanguages() {
    document.querySelectorAll("a[hreflang]").forEach(function (a) {
      var url = samePageIn(a.getAttribute("hreflang"));
      if (url) a.href = url;
    });
    /* The theme's own handler maps pages through sitemap.xml, which fails off the published
       host; ours runs first (capture) and keeps it from replacing the link's target. */
    document.addEventListener("click", function (event) {
      var a = event.target instanceof Element ? event.target.closest("a[hreflang]") : null;
      if (!a) return;
      var url = samePageIn(a.getAttribute("hreflang"));
      if (url) {
        a.href = url;
        event.stopPropagation();
      }
    }, true);
  }

  /* A wide table scrolls sideways inside the theme's wrapper; keyboard users must be able to
     reach and scroll it (WCAG 2.1.1), so every scrolling wrapper becomes a focusable, named
     region. The theme adds wrappers after load, hence the observer. */
  function focusableScrollRegions() {
    function mark(wrap) {
      if (wrap.hasAttribute("tabindex")) return;
      var table = wrap.querySelector("table");
      var caption = table && table.caption ? table.caption.textContent : "";
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", caption || document.title);
    }
    function scan() {
      document.querySelectorAll(".md-typeset__scrollwrap").forEach(mark);
    }
    scan();
    new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
  }

  function start() {
    filterCatalog();
    switchLanguages();
    focusableScrollRegions();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
