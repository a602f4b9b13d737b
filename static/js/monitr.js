// Small behaviours shared by every page. Kept dependency-free; htmx does the server round trips.
(function () {
  "use strict";

  // Forms marked data-autosubmit submit when one of their selects changes (the organisation switcher).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.tagName === "SELECT") form.requestSubmit();
  });

  // Menus: <details class="menu"> and <div data-menu> with a [data-menu-button] that shows its .menu-panel.
  // Only one is open at a time; a click elsewhere or Escape closes them.
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
    document.querySelectorAll("[data-menu]").forEach(function (menu) {
      if (menu === except) return;
      var panel = menu.querySelector(".menu-panel");
      var button = menu.querySelector("[data-menu-button]");
      if (panel) panel.hidden = true;
      if (button) button.setAttribute("aria-expanded", "false");
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-menu-button]");
    var menu = event.target.closest("details.menu, [data-menu]");
    closeMenus(menu);
    if (button) {
      var panel = button.parentElement.querySelector(".menu-panel");
      panel.hidden = !panel.hidden;
      button.setAttribute("aria-expanded", panel.hidden ? "false" : "true");
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null);
  });

  // Bars get their width from data-width: the Content-Security-Policy forbids style attributes in the markup,
  // not styles set from script. Run now and on every piece of page htmx swaps in.
  function applyWidths(root) {
    if (root.matches && root.matches("[data-width]")) root.style.width = root.dataset.width;
    root.querySelectorAll("[data-width]").forEach(function (element) {
      element.style.width = element.dataset.width;
    });
  }
  applyWidths(document);
  document.addEventListener("htmx:load", function (event) {
    applyWidths(event.detail.elt);
  });

  // A page that answers a form post with something shown only once (a new API token's secret) is marked
  // data-shown-once. Its history entry is replaced by a plain GET of the same address, so a reload or a return through
  // the history asks for the page again instead of posting the form a second time.
  if (document.querySelector("[data-shown-once]")) {
    window.history.replaceState(window.history.state, "", window.location.href);
  }

  // A "Back" link with data-history-back goes back in the browser's history when there is one to go back to.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-history-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  // Buttons with data-confirm ask before their form is sent.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
