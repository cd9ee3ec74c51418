/* The book's page script. Jupyter Book adds every script of _static/ to every page; tools/light_pages.py
   defers it and explains what it replaces.

   Nothing here measures the whole page while it loads: a box is measured
   when it comes near the screen, so a long chapter is laid out a part at a
   time (course.css lets the browser skip what is far from the screen).

   1. Wide boxes. Tables and displayed formulas that may be wider than a
      small phone's column come marked from the build as scroll regions,
      with a "scroll sideways" hint; code blocks with long lines come with a
      tab stop. Once near the screen and drawn, each box is measured for the
      screen it is on, and its marks are set right: a region that fits loses
      them, one that scrolls gets them, and the right edge fades until the
      end. A box the browser has not drawn yet keeps the build's marks.
   2. "On this page". The link to the section at the top of the screen (at
      the end of the page: the last section on screen) is marked active,
      with the items it sits in (what Bootstrap's ScrollSpy did, which
      measured every section at load).
   3. Links to a section. The jump lands where the skipped blocks above the
      section are estimated to end; the section is aligned again, at once,
      until the blocks drawn around it stop moving it. */
(function () {
  "use strict";

  var REGIONS = ".bd-content .pst-scrollable-table-container, .bd-content div.math";
  var TAB_STOPS = ".bd-content pre, .bd-content .cell_output > .output";
  var NEAR = "50% 0px";

  function scrolls(box) {
    // A pixel of overflow is rounding, not content: the box does not scroll for it.
    return box.scrollWidth - box.clientWidth > 1;
  }

  function markRegion(box) {
    var overflow = box.scrollWidth - box.clientWidth;
    var wide = overflow > 1;
    var hint = box.nextElementSibling;
    var hinted = hint && hint.classList.contains("lr-scroll-hint");
    box.classList.toggle("lr-fits", overflow > 0 && !wide);
    box.classList.toggle("lr-scrolls", wide);
    box.classList.toggle("lr-at-end", box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
    if (wide) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", (box.classList.contains("math") ? "Formula" : "Table") + ", scrolls sideways");
      if (!hinted) {
        hint = document.createElement("p");
        hint.className = "lr-scroll-hint";
        hint.setAttribute("aria-hidden", "true");
        hint.textContent = "scroll sideways \u2192";
        box.after(hint);
      }
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
      if (hinted) {
        hint.remove();
      }
    }
  }

  function markTabStop(box) {
    if (scrolls(box) || box.scrollHeight - box.clientHeight > 1) {
      box.tabIndex = 0;
    } else {
      box.removeAttribute("tabindex");
    }
  }

  function skipped(box) {
    // Inside a block the browser has not drawn yet (content-visibility: auto) nothing can be measured.
    var inside = box.firstElementChild || box;
    return Boolean(inside.checkVisibility) && !inside.checkVisibility({contentVisibilityAuto: true});
  }

  function markWhenDrawn(selector, mark) {
    var boxes = document.querySelectorAll(selector);
    if (!boxes.length) {
      return;
    }
    function markIfDrawn(box) {
      if (!skipped(box)) {
        mark(box);
      }
    }
    var near = new Set();
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          near.add(entry.target);
          markIfDrawn(entry.target);
        } else {
          near.delete(entry.target);
        }
      });
    }, {rootMargin: NEAR});
    boxes.forEach(function (box) {
      observer.observe(box);
      if (mark === markRegion) {
        box.addEventListener("scroll", function () { markRegion(box); }, {passive: true});
      }
    });
    // A block the browser starts to draw as it comes near the screen can now be measured.
    document.addEventListener("contentvisibilityautostatechange", function (event) {
      if (event.skipped) {
        return;
      }
      if (event.target.matches(selector)) {
        markIfDrawn(event.target);
      }
      event.target.querySelectorAll(selector).forEach(markIfDrawn);
    }, true);
    var pending = null;
    // A box far from the screen is measured again when it next comes near.
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { near.forEach(markIfDrawn); }, 150);
    });
  }

  function markSectionInContents() {
    var links = Array.prototype.slice.call(document.querySelectorAll(".page-toc a.nav-link[href^='#']"));
    var sections = [];
    var linkOf = new Map();
    links.forEach(function (link) {
      var section = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (section) {
        sections.push(section);
        linkOf.set(section, link);
      }
    });
    if (!sections.length) {
      return;
    }
    var inTop = new Set();
    function activate(link) {
      links.forEach(function (other) {
        other.classList.remove("active");
        other.parentElement.classList.remove("active");
        other.removeAttribute("aria-current");
      });
      link.setAttribute("aria-current", "true");
      for (var item = link.closest("li"); item; item = item.parentElement.closest("li")) {
        item.classList.add("active");
        var own = item.querySelector(":scope > a");
        if (own) {
          own.classList.add("active");
        }
      }
    }
    // The section that started last in the top 40 % of the screen (as the theme set for ScrollSpy) is current;
    // at the end of the page, where the last sections cannot reach the top, it is the last one on screen.
    function update() {
      var current = null;
      var atEnd = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
      sections.forEach(function (section) {
        if (atEnd ? section.getBoundingClientRect().top < window.innerHeight : inTop.has(section)) {
          current = section;
        }
      });
      if (current) {
        activate(linkOf.get(current));
      }
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          inTop.add(entry.target);
        } else {
          inTop.delete(entry.target);
        }
      });
      update();
    }, {rootMargin: "0px 0px -60% 0px"});
    sections.forEach(function (section) { observer.observe(section); });
    var queued = false;
    window.addEventListener("scroll", function () {
      if (!queued) {
        queued = true;
        requestAnimationFrame(function () { queued = false; update(); });
      }
    }, {passive: true});
  }

  // A link to a section jumps to where the skipped blocks above it are estimated to end; as the blocks around
  // it are drawn, their true heights move it. Align the section again until it stays at the top.
  function alignTo(hash) {
    var target = hash.length > 1 && document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) {
      return;
    }
    var frames = 0;
    var still = 0;
    var last = null;
    function align() {
      // At once: the theme's smooth scrolling would end where the section was when it began.
      target.scrollIntoView({behavior: "instant"});
      var top = target.getBoundingClientRect().top;
      still = last !== null && Math.abs(top - last) <= 1 ? still + 1 : 0;
      last = top;
      if (still < 3 && frames++ < 60) {
        requestAnimationFrame(align);
      }
    }
    requestAnimationFrame(align);
  }
  window.addEventListener("hashchange", function () { alignTo(location.hash); });
  // A second click on the same link changes no hash, but jumps all the same.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#']");
    if (link && link.hash === location.hash) {
      alignTo(link.hash);
    }
  });
  alignTo(location.hash);

  if (!("IntersectionObserver" in window)) {
    return;
  }
  markWhenDrawn(REGIONS, markRegion);
  markWhenDrawn(TAB_STOPS, markTabStop);
  markSectionInContents();
})();
