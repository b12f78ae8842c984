// Backprop Lab's live player: animates batches of training frames in the browser.
//
// The server trains a batch of frames per script run and sends them as the component's
// arguments. This script plays them at a fixed interval and asks for the next batch, by setting
// the component's value, while half a batch is still queued, so the animation keeps going while
// the server works. It speaks Streamlit's component protocol (postMessage) directly.
"use strict";

(function () {
  const COST_TRACE = 0;
  const FIT_TRACE = 2;
  const chart = document.getElementById("chart");
  const state = {
    session: null,
    batchSeen: 0,
    requested: 0,
    queue: [],
    playing: false,
    stopped: false,
    timer: null,
    intervalMs: 125,
    prefetchAt: 8,
    fitKind: "curve",
  };
  // Read by tests and the class benchmark: frames drawn since the page loaded.
  window.__backpropLabFramesDrawn = 0;

  function send(type, fields) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, fields), "*");
  }

  function setHeight() {
    send("streamlit:setFrameHeight", { height: document.body.scrollHeight });
  }

  function requestBatch(number) {
    if (state.requested >= number) return;
    state.requested = number;
    send("streamlit:setComponentValue", {
      value: { want: number, session: state.session },
      dataType: "json",
    });
  }

  function formatCost(value) {
    return value === null ? "not finite" : Number(value.toPrecision(6)).toString();
  }

  function layout(args) {
    const setup = args.setup;
    const big = args.presenter;
    const font = big ? 21 : 15;
    const width = big ? 4 : 2;
    return {
      template: "plotly_white",
      height: big ? 520 : 420,
      margin: { l: 80, r: 30, t: 50, b: 70 },
      font: { size: font, color: "#222222" },
      showlegend: false,
      grid: { rows: 1, columns: 2, pattern: "independent" },
      xaxis: { title: { text: "step" }, domain: [0, 0.45], rangemode: "tozero" },
      yaxis: { title: { text: setup.cost_label }, rangemode: "tozero", type: args.log_cost ? "log" : "linear" },
      xaxis2: { title: { text: setup.x_label }, domain: [0.55, 1] },
      yaxis2: { title: { text: setup.y_label }, range: setup.y_range },
      annotations: [
        { text: "Cost during training", xref: "x domain", yref: "y domain", x: 0, y: 1.12, showarrow: false, xanchor: "left", font: { size: font + 3 } },
        { text: "Network prediction and the data", xref: "x2 domain", yref: "y2 domain", x: 0, y: 1.12, showarrow: false, xanchor: "left", font: { size: font + 3 } },
      ],
      _lineWidth: width,
    };
  }

  function drawFromScratch(args) {
    const setup = args.setup;
    const plotLayout = layout(args);
    const width = plotLayout._lineWidth;
    delete plotLayout._lineWidth;
    const first = args.frames.length ? args.frames[0] : null;
    state.fitKind = setup.fit_kind;
    const traces = [
      { x: args.history.steps.slice(), y: args.history.costs.slice(), mode: "lines", line: { color: "#0072B2", width: width }, xaxis: "x", yaxis: "y", name: "cost" },
      { x: setup.points_x, y: setup.points_y, mode: "markers", marker: { color: "#0072B2", size: args.presenter ? 10 : 7 }, xaxis: "x2", yaxis: "y2", name: "expected" },
    ];
    if (setup.fit_kind === "curve") {
      traces.push({ x: setup.fit_x, y: first ? first.fit : [], mode: "lines", line: { color: "#D55E00", width: width + 1 }, xaxis: "x2", yaxis: "y2", name: "prediction" });
    } else {
      traces.push({ x: setup.points_x, y: first ? first.fit : [], mode: "markers", marker: { color: "#D55E00", size: args.presenter ? 10 : 7, symbol: "diamond" }, xaxis: "x2", yaxis: "y2", name: "predicted" });
      traces.push({ x: setup.y_range, y: setup.y_range, mode: "lines", line: { color: "#7F7F7F", dash: "dash", width: 1.5 }, xaxis: "x2", yaxis: "y2", name: "y = x" });
    }
    Plotly.react(chart, traces, plotLayout, { displayModeBar: false, responsive: true });
    document.body.classList.toggle("presenter", Boolean(args.presenter));
    document.getElementById("cost-label").textContent = args.presenter ? "Cost" : "Cost (all data)";
    setHeight();
  }

  function showFrame(frame) {
    if (frame.cost !== null) {
      Plotly.extendTraces(chart, { x: [[frame.step]], y: [[frame.cost]] }, [COST_TRACE]);
    }
    Plotly.restyle(chart, { y: [frame.fit] }, [FIT_TRACE]);
    document.getElementById("step").textContent = frame.step.toLocaleString("en-US");
    document.getElementById("epoch").textContent = frame.epoch.toLocaleString("en-US");
    document.getElementById("cost").textContent = formatCost(frame.cost);
    window.__backpropLabFramesDrawn += 1;
  }

  function tick() {
    const frame = state.queue.shift();
    if (frame !== undefined) {
      showFrame(frame);
    }
    if (!state.playing) return;
    if (state.stopped) {
      // Training stopped in the last batch: once its frames are shown, one more request
      // makes the page end Play and show why training stopped.
      if (state.queue.length === 0) requestBatch(state.batchSeen + 1);
    } else if (state.queue.length <= state.prefetchAt) {
      requestBatch(state.batchSeen + 1);
    }
  }

  function onRender(args) {
    if (args.session !== state.session) {
      state.session = args.session;
      state.batchSeen = 0;
      state.requested = args.batch;
      state.queue = [];
      drawFromScratch(args);
    }
    if (args.batch > state.batchSeen) {
      state.batchSeen = args.batch;
      state.queue.push(...args.frames);
      state.requested = Math.max(state.requested, args.batch);
    }
    state.playing = Boolean(args.playing);
    state.stopped = Boolean(args.stopped);
    state.prefetchAt = Math.floor(args.frames_per_batch / 2);
    document.getElementById("note").textContent = args.note || "";
    if (state.timer === null || state.intervalMs !== args.interval_ms) {
      if (state.timer !== null) clearInterval(state.timer);
      state.intervalMs = args.interval_ms;
      state.timer = setInterval(tick, state.intervalMs);
    }
  }

  window.addEventListener("message", function (event) {
    const data = event.data;
    if (!data || data.type !== "streamlit:render") return;
    try {
      onRender(data.args);
    } catch (error) {
      document.getElementById("note").textContent = "The live view failed to draw: " + error;
      setHeight();
    }
  });
  window.addEventListener("resize", setHeight);
  send("streamlit:componentReady", { apiVersion: 1 });
})();
