// Drag-and-drop ordering of a round request's choices where JavaScript runs (no framework). The
// form stands without it: each row is a plain select, and a saved request keeps its up/down
// buttons, which stay the way to reorder by keyboard. Dropping a row on another moves its value
// there and shifts the ones between, so the form submits the new order as usual.
(function () {
  "use strict";
  const form = document.querySelector("form[data-choice-order]");
  if (!form) {
    return;
  }
  const rows = Array.from(form.querySelectorAll("[data-choice-row]"));
  const hint = form.querySelector("[data-choice-hint]");
  const status = form.querySelector("[data-choice-status]");
  let dragged = null;

  function move(from, to) {
    if (from === null || from === to) {
      return;
    }
    const selects = rows.map((row) => row.querySelector("select"));
    const values = selects.map((select) => select.value);
    const [value] = values.splice(from, 1);
    values.splice(to, 0, value);
    selects.forEach((select, index) => {
      select.value = values[index];
    });
    if (status) {
      // Read out by screen readers: which choice went where (the label of its new row).
      const label = rows[to].querySelector("label");
      status.textContent = (status.dataset.moved || "") + " " + (label ? label.textContent.trim() : "");
    }
  }

  function clearTargets() {
    rows.forEach((row) => row.classList.remove("choice-row--target"));
  }

  rows.forEach((row, index) => {
    row.draggable = true;
    row.classList.add("choice-row--draggable");
    row.addEventListener("dragstart", (event) => {
      dragged = index;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", String(index));
      row.classList.add("choice-row--dragging");
    });
    row.addEventListener("dragend", () => {
      row.classList.remove("choice-row--dragging");
      clearTargets();
      dragged = null;
    });
    row.addEventListener("dragover", (event) => {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      row.classList.add("choice-row--target");
    });
    row.addEventListener("dragleave", () => row.classList.remove("choice-row--target"));
    row.addEventListener("drop", (event) => {
      event.preventDefault();
      const from = dragged !== null ? dragged : Number(event.dataTransfer.getData("text/plain"));
      clearTargets();
      move(from, index);
    });
  });
  if (hint) {
    hint.hidden = false;
  }
})();
