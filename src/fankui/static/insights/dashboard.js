// Draws each chart of the dashboard with Apache ECharts (served from static/vendor, never a CDN).
// The data is in a <script type="application/json"> beside each chart box, written by the server.
(function () {
  "use strict";
  function draw(box) {
    var source = document.getElementById(box.dataset.chart);
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(box);
    var line = data.kind === "line";
    var option = {
      title: { text: data.title, textStyle: { fontSize: 13 } },
      // Drawn on the canvas: an HTML tooltip would carry inline styles, which the Content-Security-Policy refuses.
      tooltip: { trigger: "axis", renderMode: "richText" },
      grid: { left: line ? 40 : 120, right: 24, top: 36, bottom: 28 },
      color: ["#2f6fb0"],
    };
    if (line) {
      option.xAxis = { type: "category", data: data.labels.map(function (d) { return d.slice(5); }) };
      option.yAxis = { type: "value", minInterval: 1 };
      option.series = [{ type: "line", data: data.values, smooth: true, areaStyle: { opacity: 0.15 } }];
    } else {
      option.yAxis = { type: "category", data: data.labels.slice().reverse(), axisLabel: { width: 110, overflow: "truncate" } };
      option.xAxis = { type: "value", minInterval: 1 };
      option.series = [{ type: "bar", data: data.values.slice().reverse(), label: { show: true, position: "right" } }];
    }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".echart[data-chart]").forEach(draw);
  });
})();
