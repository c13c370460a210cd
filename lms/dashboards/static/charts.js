// Draw every chart of the page from the JSON beside it; the data tables stay the accessible version.
document.querySelectorAll("script.chart-data").forEach((data) => {
  const target = document.getElementById(data.dataset.target);
  const figure = JSON.parse(data.textContent);
  const config = {
    responsive: true,
    displaylogo: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d"],
    toImageButtonOptions: { format: "png", filename: data.dataset.target, scale: 2 },
  };
  window.Plotly.newPlot(target, figure.data, figure.layout, config);
});
