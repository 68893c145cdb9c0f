// The focal point picker of the story form (articles.admin.focal_point_picker):
// a click on the uncropped preview writes the point, in percent, into the two
// number fields beside it, which an editor may also type into.
(() => {
  const fieldNamed = (scope, suffix) =>
    scope.querySelector(`input[name$="${suffix}"]`);

  const setUp = (picker) => {
    const scope = picker.closest("fieldset") || document;
    const inputX = fieldNamed(scope, picker.dataset.focalX);
    const inputY = fieldNamed(scope, picker.dataset.focalY);
    const marker = picker.querySelector(".focal-point-marker");
    const image = picker.querySelector("img");
    if (!inputX || !inputY || !image) {
      return;
    }
    const show = () => {
      const x = parseFloat(inputX.value);
      const y = parseFloat(inputY.value);
      const inside = x >= 0 && x <= 100 && y >= 0 && y <= 100;
      marker.hidden = !inside;
      if (inside) {
        marker.style.left = `${x}%`;
        marker.style.top = `${y}%`;
      }
    };
    image.addEventListener("click", (event) => {
      const box = image.getBoundingClientRect();
      const percent = (offset, size) =>
        Math.min(100, Math.max(0, Math.round((offset / size) * 1000) / 10));
      inputX.value = percent(event.clientX - box.left, box.width);
      inputY.value = percent(event.clientY - box.top, box.height);
      inputX.dispatchEvent(new Event("change", { bubbles: true }));
      show();
    });
    inputX.addEventListener("input", show);
    inputY.addEventListener("input", show);
    show();
  };

  window.addEventListener("load", () => {
    document.querySelectorAll(".focal-point-picker").forEach(setUp);
  });
})();
