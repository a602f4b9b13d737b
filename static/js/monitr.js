// Small behaviours shared by every page. Kept dependency-free; htmx does the server round trips.
(function () {
  "use strict";

  // Forms marked data-autosubmit submit when one of their selects changes (the organisation switcher).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.tagName === "SELECT") form.requestSubmit();
  });

  // Menus: <details class="menu"> and <div data-menu> with a [data-menu-button] that shows its .menu-panel.
  // Only one is open at a time; a click elsewhere or Escape closes them (Escape puts the focus back on its button).
  function closeMenus(except) {
    var closed = null;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (menu === except) return;
      menu.removeAttribute("open");
      closed = menu.querySelector("summary");
    });
    document.querySelectorAll("[data-menu]").forEach(function (menu) {
      if (menu === except) return;
      var panel = menu.querySelector(".menu-panel");
      var button = menu.querySelector("[data-menu-button]");
      if (panel && !panel.hidden) closed = button;
      if (panel) panel.hidden = true;
      if (button) button.setAttribute("aria-expanded", "false");
    });
    return closed;
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

  // The sidebar as a menu on narrow screens: the header's button opens it over the page, the close button, the
  // backdrop, Escape or a wider window close it. Focus moves into it on opening and back to the button on closing.
  var nav = document.querySelector("[data-nav]");
  var navToggle = document.querySelector("[data-nav-toggle]");
  var backdrop = document.querySelector(".nav-backdrop");
  var narrow = window.matchMedia("(max-width: 860px)");
  function navIsOpen() {
    return document.body.classList.contains("nav-open");
  }
  function setNav(open, focusBack) {
    if (!nav || !navToggle) return;
    document.body.classList.toggle("nav-open", open);
    navToggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (backdrop) backdrop.hidden = !open;
    if (open) {
      var current = nav.querySelector("[aria-current=page]") || nav.querySelector("a, button");
      if (current) current.focus();
    } else if (focusBack) {
      navToggle.focus();
    }
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-nav-toggle]")) setNav(!navIsOpen(), false);
    else if (event.target.closest("[data-nav-close]")) setNav(false, true);
  });
  narrow.addEventListener("change", function (event) {
    if (!event.matches && navIsOpen()) setNav(false, false);
  });
  // Tab stays inside the open menu, as in a dialog.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Tab" || !navIsOpen() || !narrow.matches) return;
    var focusable = nav.querySelectorAll("a[href], button:not([disabled])");
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });

  // Escape closes what is open: a menu (its button gets the focus back), else the sidebar menu.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var button = closeMenus(null);
    if (button) button.focus();
    else if (navIsOpen()) setNav(false, true);
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
