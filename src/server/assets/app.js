// Enhancement only: the page works without this file.
// "/" focuses the search box, as on most search sites.
document.addEventListener("keydown", function (event) {
  var box = document.getElementById("q");
  var typing = event.target && /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
  if (event.key === "/" && box && !typing) {
    event.preventDefault();
    box.focus();
    box.select();
  }
});
