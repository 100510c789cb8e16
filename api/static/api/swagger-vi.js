// Swagger UI has no translations of its own (the request for them is still open
// upstream), so its labels are swapped here for those the page carries in
// <script id="swagger-labels"> (English -> the reader's language, from the project's
// gettext catalogue): text that is exactly a label, and the title, placeholder and
// aria-label attributes. Swagger UI renders with React and may write a label again at
// any time, so a MutationObserver swaps whatever appears. Code, examples and answers
// (pre, code, textarea, input) are left as they are. A static file, not an inline
// script, so the Content-Security-Policy holds; it runs before Swagger UI starts.
(function () {
  "use strict";
  var source = document.getElementById("swagger-labels");
  var root = document.getElementById("swagger-ui");
  if (!source || !root) {
    return;
  }
  var labels = JSON.parse(source.textContent);
  var ATTRIBUTES = ["title", "placeholder", "aria-label"];
  var KEEP = "pre, code, textarea, input, .microlight";
  var has = Object.prototype.hasOwnProperty;

  function swapText(node) {
    var text = node.nodeValue;
    var key = text.trim();
    if (key && has.call(labels, key) && labels[key] !== key) {
      var parent = node.parentElement;
      if (parent && parent.closest(KEEP)) {
        return;
      }
      node.nodeValue = text.replace(key, labels[key]);
    }
  }

  function swapAttributes(element) {
    ATTRIBUTES.forEach(function (name) {
      var value = element.getAttribute(name);
      var key = value && value.trim();
      if (key && has.call(labels, key) && labels[key] !== key) {
        element.setAttribute(name, labels[key]);
      }
    });
  }

  function swapAll(node) {
    if (node.nodeType === Node.TEXT_NODE) {
      swapText(node);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    swapAttributes(node);
    var walker = document.createTreeWalker(node, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (var current = walker.nextNode(); current; current = walker.nextNode()) {
      if (current.nodeType === Node.TEXT_NODE) {
        swapText(current);
      } else {
        swapAttributes(current);
      }
    }
  }

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      if (record.type === "characterData") {
        swapText(record.target);
      } else if (record.type === "attributes") {
        swapAttributes(record.target);
      } else {
        record.addedNodes.forEach(swapAll);
      }
    });
  }).observe(root, {childList: true, subtree: true, characterData: true, attributes: true,
                    attributeFilter: ATTRIBUTES});
})();
