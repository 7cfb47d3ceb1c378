// HLS (.m3u8) streams: native playback where the browser has it (Safari),
// hls.js (static/vendor/hls.js) elsewhere.
(function () {
  "use strict";
  document.querySelectorAll("video[data-hls-src]").forEach((video) => {
    const source = video.dataset.hlsSrc;
    if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = source;
    } else if (window.Hls && window.Hls.isSupported()) {
      const hls = new window.Hls();
      hls.loadSource(source);
      hls.attachMedia(video);
    }
  });
})();
