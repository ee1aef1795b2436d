// kefu: small progressive enhancements (no inline scripts: the CSP allows
// only files from this site).
// Repeatable form rows: a button with data-add-row="TEMPLATE_ID" and
// data-target="TBODY_ID" appends the <template>'s row; a button with
// data-remove-row removes its row.
document.addEventListener("click", function (e) {
  var add = e.target.closest("[data-add-row]");
  if (add) {
    var tpl = document.getElementById(add.dataset.addRow);
    var body = document.getElementById(add.dataset.target);
    if (tpl && body) {
      body.appendChild(tpl.content.cloneNode(true));
    }
    return;
  }
  var rm = e.target.closest("[data-remove-row]");
  if (rm) {
    var row = rm.closest("tr");
    if (row) {
      row.remove();
    }
  }
});
