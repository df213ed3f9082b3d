// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();
});

// An error link jumps to the field; a plain jump would scroll the question's text (legend or
// label) off the top of the screen, so show the question above the field and then focus it.
document.addEventListener("click", (event) => {
  const link = event.target.closest(".error-summary a[href^='#']");
  const field = link && document.getElementById(link.hash.slice(1));
  if (!field) return;
  const question = field.closest("fieldset")?.querySelector("legend") ?? field.labels?.[0];
  if (!question) return;
  event.preventDefault();
  const height = field.getBoundingClientRect().bottom - question.getBoundingClientRect().top;
  (height < window.innerHeight ? question : field).scrollIntoView();
  field.focus({ preventScroll: true });
});
