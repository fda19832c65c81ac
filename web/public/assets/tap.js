// One tap: the family already tapped the link in the message; submit the answer right away.
// Without scripts the button stays for a second tap. Only the answer form (#tap) is submitted:
// the reasons and the note on the next page are the family's own choice, never automatic.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("tap");
  if (form && !sessionStorage.getItem(form.action)) {
    sessionStorage.setItem(form.action, "1");
    form.submit();
  }
});
