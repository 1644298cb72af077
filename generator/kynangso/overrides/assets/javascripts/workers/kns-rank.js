/* Kỹ năng số: how search weighs a query, loaded by the stand-in (kns-search.js) right after
 * Material's search worker on the first query, so a page costs none of it before.
 * Material matches every word of a query as the start of a word, which a resident still typing
 * needs ("thanh to" finds "thanh toán"); each whole word is also asked for as it stands, with
 * more weight, so "hoa don" puts "hoá đơn" before "kích hoạt". */
"use strict";
(function () {
  var EXACT = 10; // the weight of a word found as typed, beside 1 for a word it begins
  var WORD = /^[\p{L}\p{N}]+$/u;
  var lunr = self.lunr;
  var use = lunr.Builder.prototype.use;

  // lunr.vi resets the indexing pipeline but leaves lunr's English stemmer on queries, where it
  // would turn the exact "tay" into "tai" (tài khoản): queries are compared unstemmed
  lunr.Builder.prototype.use = function () {
    use.apply(this, arguments);
    this.searchPipeline.remove(lunr.stemmer);
  };

  self.knsWeighed = function (query) {
    return String(query).split(/\s+/).map(function (word) {
      return WORD.test(word) ? word + " " + word + "^" + EXACT : word;
    }).join(" ");
  };
})();
