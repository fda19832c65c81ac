// One tap: the family already tapped the link in the message; submit the answer right away.
// Without scripts the button stays for a second tap.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("tap");
  if (form && !sessionStorage.getItem(form.action)) {
    sessionStorage.setItem(form.action, "1");
    form.submit();
  }
});
