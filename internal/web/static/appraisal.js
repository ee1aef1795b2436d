// 团队考核: the totals by person (stacked by category) and each person's
// 12-month trend, drawn with ECharts from the page's data-chart JSON.
(function () {
  'use strict';
  function draw() {
    var holder = document.getElementById('ap-chart-data');
    if (!holder || !window.echarts) return;
    var data;
    try { data = JSON.parse(holder.getAttribute('data-chart') || '{}'); } catch (e) { return; }
    var totals = document.getElementById('ap-chart-totals');
    var trend = document.getElementById('ap-chart-trend');
    var charts = [];
    if (totals) {
      var bars = echarts.init(totals);
      bars.setOption({
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        legend: { top: 0 },
        grid: { left: 40, right: 10, top: 40, bottom: 30 },
        xAxis: { type: 'category', data: data.people || [] },
        yAxis: { type: 'value', min: 0 },
        series: (data.categories || []).map(function (c) {
          return { name: c.name, type: 'bar', stack: 'total', data: c.data, emphasis: { focus: 'series' } };
        })
      });
      charts.push(bars);
    }
    if (trend) {
      var lines = echarts.init(trend);
      lines.setOption({
        tooltip: { trigger: 'axis' },
        legend: { top: 0, type: 'scroll' },
        grid: { left: 40, right: 10, top: 40, bottom: 30 },
        xAxis: { type: 'category', data: data.months || [] },
        yAxis: { type: 'value', min: 0 },
        series: (data.trend || []).map(function (t) {
          return { name: t.name, type: 'line', data: t.data, connectNulls: true };
        })
      });
      charts.push(lines);
    }
    window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
    holder.setAttribute('data-drawn', String(charts.length));
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw);
  else draw();
})();
