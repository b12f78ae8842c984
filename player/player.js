// Backprop Lab's live player: animates batches of training frames in the browser.
//
// The server trains a batch of frames per script run and sends them as the component's
// arguments. This script plays them at a fixed interval. While half a batch is still queued, it
// requests the next batch by setting the component's value, so the animation keeps going while
// the server works. It uses Streamlit's component protocol (postMessage) directly.
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
    intervalMs: 160,
    prefetchAt: 8,
    fitKind: "curve",
    logCost: false,
    costX: [],
    costY: [],
    costMax: 0,
    costMin: Infinity,
    stepMax: 1,
  };
  // Maximum number of cost points kept for drawing. Beyond it every second point is dropped.
  const MAX_COST_POINTS = 2000;
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
    return {
      template: "plotly_white",
      height: big ? 520 : 420,
      margin: { l: 80, r: 30, t: 50, b: 70 },
      font: { size: font, color: "#222222" },
      showlegend: false,
      hovermode: false,
      grid: { rows: 1, columns: 2, pattern: "independent" },
      xaxis: { title: { text: "step" }, domain: [0, 0.45], rangemode: "tozero" },
      yaxis: { title: { text: setup.cost_label }, rangemode: "tozero", type: args.log_cost ? "log" : "linear" },
      xaxis2: { title: { text: setup.x_label }, domain: [0.55, 1] },
      yaxis2: { title: { text: setup.y_label }, range: setup.y_range },
      annotations: [
        { text: "Cost during training", xref: "x domain", yref: "y domain", x: 0, y: 1.12, showarrow: false, xanchor: "left", font: { size: font + 3 } },
        { text: "Network prediction and the data", xref: "x2 domain", yref: "y2 domain", x: 0, y: 1.12, showarrow: false, xanchor: "left", font: { size: font + 3 } },
      ],
    };
  }

  function drawFromScratch(args) {
    const setup = args.setup;
    const width = args.presenter ? 4 : 2;
    const first = args.frames.length ? args.frames[0] : null;
    state.fitKind = setup.fit_kind;
    state.logCost = Boolean(args.log_cost);

    state.costX = [];
    state.costY = [];
    state.costMax = 0;
    state.costMin = Infinity;
    args.history.steps.forEach(function (step, index) {
      addCost(step, args.history.costs[index]);
    });

    const traces = [
      { x: state.costX.slice(), y: state.costY.slice(), mode: "lines", line: { color: "#0072B2", width: width }, xaxis: "x", yaxis: "y", name: "cost" },
      { x: setup.points_x, y: setup.points_y, mode: "markers", marker: { color: "#0072B2", size: args.presenter ? 10 : 7 }, xaxis: "x2", yaxis: "y2", name: "expected" },
    ];
    if (setup.fit_kind === "curve") {
      traces.push({ x: setup.fit_x, y: first ? first.fit : [], mode: "lines", line: { color: "#D55E00", width: width + 1 }, xaxis: "x2", yaxis: "y2", name: "prediction" });
    } else {
      traces.push({ x: setup.points_x, y: first ? first.fit : [], mode: "markers", marker: { color: "#D55E00", size: args.presenter ? 10 : 7, symbol: "diamond" }, xaxis: "x2", yaxis: "y2", name: "predicted" });
      traces.push({ x: setup.y_range, y: setup.y_range, mode: "lines", line: { color: "#7F7F7F", dash: "dash", width: 1.5 }, xaxis: "x2", yaxis: "y2", name: "y = x" });
    }

    // A static plot has no hover or zoom layers, which makes each frame about a quarter cheaper
    // for the browser. Pause brings back the page's interactive charts.
    Plotly.react(chart, traces, layout(args), { displayModeBar: false, responsive: true, staticPlot: true });
    document.body.classList.toggle("presenter", Boolean(args.presenter));
    document.getElementById("cost-label").textContent = args.presenter ? "Cost" : "Cost (all data)";
    setHeight();
  }

  function addCost(step, cost) {
    if (cost === null || (state.logCost && cost <= 0)) return;
    state.costX.push(step);
    state.costY.push(cost);
    state.costMax = Math.max(state.costMax, cost);
    state.costMin = Math.min(state.costMin, cost);
    state.stepMax = Math.max(state.stepMax, step);
    if (state.costX.length > MAX_COST_POINTS) {
      state.costX = state.costX.filter(function (_, index) { return index % 2 === 0 || index === state.costX.length - 1; });
      state.costY = state.costY.filter(function (_, index) { return index % 2 === 0 || index === state.costY.length - 1; });
    }
  }

  // Fixed axis ranges let every frame move the lines without a full redraw. They are set
  // once per batch, to cover every frame of it.
  function fitAxesToQueue() {
    let stepMax = state.stepMax;
    let costMax = state.costMax;
    let costMin = state.costMin;
    state.queue.forEach(function (frame) {
      stepMax = Math.max(stepMax, frame.step);
      if (frame.cost !== null && !(state.logCost && frame.cost <= 0)) {
        costMax = Math.max(costMax, frame.cost);
        costMin = Math.min(costMin, frame.cost);
      }
    });
    const update = { "xaxis.range": [0, stepMax * 1.02] };
    if (state.logCost && isFinite(costMin) && costMax > 0) {
      update["yaxis.range"] = [Math.log10(costMin) - 0.1, Math.log10(costMax) + 0.1];
    } else if (!state.logCost && costMax > 0) {
      update["yaxis.range"] = [0, costMax * 1.05];
    }
    Plotly.relayout(chart, update);
  }

  function showFrame(frame) {
    addCost(frame.step, frame.cost);
    // Moving the two lines with redraw off costs the browser about a quarter of a full redraw.
    Plotly.animate(
      chart,
      { data: [{ x: state.costX, y: state.costY }, { y: frame.fit }], traces: [COST_TRACE, FIT_TRACE] },
      { transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate" }
    );
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
      fitAxesToQueue();
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
