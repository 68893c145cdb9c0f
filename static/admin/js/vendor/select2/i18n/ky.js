/* Kyrgyz for Select2 4.0 (the admin's autocomplete fields); Select2 ships none. */
(function () {
  "use strict";
  // Loaded, like Select2's own language files, before admin/js/jquery.init.js moves
  // jQuery to django.jQuery.
  const $ = window.jQuery;
  if (!$ || !$.fn || !$.fn.select2 || !$.fn.select2.amd) {
    return;
  }
  $.fn.select2.amd.define("select2/i18n/ky", [], function () {
    return {
      errorLoading: () => "Натыйжаларды жүктөө мүмкүн болбоду",
      inputTooLong: (args) => `Дагы ${args.input.length - args.maximum} белгини өчүрүңүз`,
      inputTooShort: (args) => `Дагы жок дегенде ${args.minimum - args.input.length} белги жазыңыз`,
      loadingMore: () => "Дагы натыйжалар жүктөлүүдө…",
      maximumSelected: (args) => `Эң көп ${args.maximum} нерсе тандай аласыз`,
      noResults: () => "Эч нерсе табылган жок",
      searching: () => "Изделүүдө…",
      removeAllItems: () => "Баарын алып салуу",
    };
  });
})();
