// The characters left in an answer, counted while typing. Progressive enhancement: without this
// file the page states the limit and the server refuses a longer answer, keeping it.
// The visible count follows every key; the screen reader's (aria-live) waits for a pause, so
// it is not read out after each letter.
const PAUSE_MS = 800;

function characters(text) {
  // As the server counts: code points, a line break as one.
  return Array.from(text.replace(/\r\n?/g, "\n")).length;
}

function countDown(field, count) {
  const max = Number(field.dataset.maxLength);
  const [shown, spoken] = count.querySelectorAll("span");
  let timer;
  const update = (speak) => {
    const length = characters(field.value);
    const over = length > max;
    const template = over ? count.dataset.over : count.dataset.left;
    const text = template.replace("{left}", max - length).replace("{length}", length);
    shown.textContent = text;
    count.classList.toggle("field-error", over);
    clearTimeout(timer);
    if (speak) timer = setTimeout(() => { spoken.textContent = text; }, PAUSE_MS);
  };
  count.hidden = false;
  update(false);
  field.addEventListener("input", () => update(true));
}

document.addEventListener("DOMContentLoaded", () => {
  for (const field of document.querySelectorAll("textarea[data-max-length]")) {
    const count = document.getElementById(`${field.id}-count`);
    if (count) countDown(field, count);
  }
});
