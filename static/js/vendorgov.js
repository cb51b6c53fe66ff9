// vendorgov: progressive enhancement only; every page works without it.
document.addEventListener("DOMContentLoaded", () => {
  // Forms marked data-confirm ask before doing something that cannot be undone lightly.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Copy buttons (e.g. a new API token).
  document.querySelectorAll("[data-copy-target]").forEach((button) => {
    button.addEventListener("click", async () => {
      const field = document.querySelector(button.dataset.copyTarget);
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
        button.textContent = "Copied";
      } catch (error) {
        button.textContent = "Press Ctrl+C to copy";
      }
    });
  });
});
