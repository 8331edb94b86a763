// 回访's call page (fankui.surveys): Ctrl+Enter records the call from any field, as on the operator's desk. The
// form works without this file; it only saves reaching for the button.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
  const form = document.getElementById("call-form");
  if (!form) return;
  event.preventDefault();
  form.requestSubmit();
});
