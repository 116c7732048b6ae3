/* relaydash: photos made small in the browser before they are sent with a comment.
   A phone's photo is 3–5 MB and takes about a minute to send over a weak connection;
   2048 pixels on the long side as JPEG (quality 0.8) shows everything a property manager
   needs at a fraction of that. browser-image-compression (vendored, see
   static/vendor/browser-image-compression/README.md) does the work in a web worker, so
   the page stays responsive, and applies the photo's EXIF orientation, so nothing
   arrives sideways. It is loaded only when the first photo is chosen.

   window.relaydashPhotos.isPhoto(file): whether the file is a photo made small here;
   window.relaydashPhotos.shrink(file): a promise of the small JPEG (same name, .jpg),
   or of the file itself when the small one would not be smaller; rejects when the
   browser cannot read the image (the caller then sends the original).
   Other files (PDF, documents, GIF, SVG) are never touched. */
(function () {
  "use strict";

  var script = document.currentScript;
  var libraryUrl = script ? new URL(script.getAttribute("data-library"), location.href).href : "";
  var PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
  var OPTIONS = {
    maxWidthOrHeight: 2048,
    initialQuality: 0.8,
    fileType: "image/jpeg",
    // A cap besides the pixels: a photo full of fine detail gets a lower quality rather
    // than more than this.
    maxSizeMB: 0.9,
    useWebWorker: true,
    // The worker loads the library from here (its default is a CDN: never asked).
    libURL: libraryUrl,
  };
  var loading = null;

  function library() {
    if (window.imageCompression) return Promise.resolve(window.imageCompression);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = libraryUrl;
        tag.onload = function () { resolve(window.imageCompression); };
        tag.onerror = function () {
          loading = null;
          reject(new Error("browser-image-compression could not be loaded"));
        };
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function jpegName(name) {
    var dot = name.lastIndexOf(".");
    return (dot > 0 ? name.slice(0, dot) : name) + ".jpg";
  }

  function isPhoto(file) {
    return Boolean(libraryUrl) && PHOTO_TYPES.indexOf(file.type) !== -1;
  }

  // One photo at a time: a 12-megapixel photo takes ~50 MB once decoded, and a phone
  // given ten at once would run out of memory.
  var queue = Promise.resolve();

  function shrink(file) {
    var done = queue.then(library).then(function (imageCompression) {
      return imageCompression(file, OPTIONS);
    }).then(function (small) {
      if (small.size >= file.size) return file;
      return new File([small], jpegName(file.name), { type: "image/jpeg", lastModified: file.lastModified });
    });
    queue = done.catch(function () { /* the next photo goes on regardless */ });
    return done;
  }

  window.relaydashPhotos = { isPhoto: isPhoto, shrink: shrink };
})();
