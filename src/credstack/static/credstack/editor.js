// Definition editor: add rows from <template>s. Without JavaScript the form still works with the
// rows it was rendered with.
(function () {
  "use strict";
  function nextIndex(container) {
    return container.children.length;
  }
  function addFrom(templateName, container, replacements) {
    const tpl = document.querySelector('template[data-template="' + templateName + '"]');
    if (!tpl || !container) return null;
    let html = tpl.innerHTML;
    for (const [key, value] of Object.entries(replacements)) html = html.split(key).join(String(value));
    const wrapper = document.createElement("div");
    wrapper.innerHTML = html.trim();
    const node = wrapper.firstElementChild;
    container.appendChild(node);
    const first = node.querySelector("input, textarea, select");
    if (first) first.focus();
    return node;
  }
  document.addEventListener("click", function (event) {
    const add = event.target.closest("[data-add]");
    if (add) {
      const name = add.getAttribute("data-add");
      const container = document.querySelector('[data-rows="' + name + '"]');
      const index = nextIndex(container);
      const node = addFrom(name, container, { "__i__": index });
      if (name === "criteria" && node) {
        const levels = node.querySelector('[data-rows="levels-' + index + '"]');
        ["Not yet", "Developing", "Proficient", "Exemplary"].forEach(function (label, li) {
          const level = addFrom("level", levels, { "__c__": index, "__i__": li });
          level.querySelector('input[name$=".name"]').value = label;
          level.querySelector('input[name$=".points"]').value = li;
        });
        node.querySelector('input[name$=".name"]').focus();
      }
      return;
    }
    const addLevel = event.target.closest("[data-add-level]");
    if (addLevel) {
      const ci = addLevel.getAttribute("data-add-level");
      const container = document.querySelector('[data-rows="levels-' + ci + '"]');
      addFrom("level", container, { "__c__": ci, "__i__": nextIndex(container) });
    }
  });
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
