// The traffic graph in the browser: one Cytoscape instance per container, created once and then patched by id.
// The server computes every element and position (src/PortMapper.Web/Graph/GraphBuilder.cs); this module only
// draws, animates, reports clicks and exports. Cluster data is untrusted: it only ever reaches the page through
// Cytoscape data fields (drawn on a canvas) and textContent (tooltip, SVG export) — never as HTML.

import { loadCytoscape } from '../../js/vendor.js';

const views = new WeakMap();

/** Above this many elements the WebGL renderer is used when the browser has WebGL 2 on a real GPU. */
const WEBGL_THRESHOLD = 3000;
/** Above this many added or moved elements an update is applied without animation. */
const ANIMATION_LIMIT = 400;

const COLUMN_TITLES = {
  clients: 'Clients',
  front: 'Load balancers · Ingress · Gateways',
  nodes: 'Node ports · host ports',
  services: 'Services · clusterIP:port',
  backends: 'Pods · podIP:targetPort',
};

/**
 * The palette the styles are built from: PortMapperTheme.Graph(dark) in C#, sent with create() and setPalette().
 * These light colours are only the fallback for a caller that sends none.
 */
const LIGHT = {
  background: '#ffffff', text: '#1d2733', mutedText: '#4f5b6a', nodeFill: '#ffffff', nodeBorder: '#9aa5b1', labelBackground: '#ffffff',
  ok: '#8a97a8', degraded: '#a86400', degradedFill: '#fff5dc', broken: '#b3261e', brokenFill: '#fdecea',
  highlight: '#0b57d0', highlightFill: '#dbe8ff', added: '#1e7d3a', match: '#ffd400',
  bandFill: '#f7f9fc', bandBorder: '#c9d2dd', collapsedFill: '#f1f4f8', collapsedBorder: '#6b7889',
  kinds: {},
};

const FONT = '"Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", "DejaVu Sans", sans-serif';
const MONO = '"Cascadia Mono", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace';

const kindStyle = (p, kind, extra = {}) => ({
  selector: `node.${kind}`,
  style: { 'background-color': p.kinds?.[kind]?.fill ?? p.nodeFill, 'border-color': p.kinds?.[kind]?.border ?? p.nodeBorder, ...extra },
});

/** Cytoscape's stylesheet in palette `p`: the same shapes and line styles in every theme, only colours change. */
const buildStyle = (p) => [
  {
    selector: 'node',
    style: {
      shape: 'round-rectangle',
      width: 190,
      height: 42,
      'background-color': p.nodeFill,
      'border-width': 1.5,
      'border-color': p.nodeBorder,
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-max-width': 184,
      'text-valign': 'center',
      'text-halign': 'center',
      'font-family': FONT,
      'font-size': 11.5,
      'line-height': 1.3,
      color: p.text,
      'underlay-padding': 7,
      'underlay-shape': 'round-rectangle',
      'underlay-opacity': 0,
      'z-index-compare': 'manual',
      'z-index': 5,
    },
  },
  kindStyle(p, 'client', { shape: 'ellipse', width: 150, height: 44, 'underlay-shape': 'ellipse' }),
  kindStyle(p, 'loadBalancer'),
  kindStyle(p, 'ingress'),
  kindStyle(p, 'gateway'),
  kindStyle(p, 'nodePort', { 'border-style': 'double', 'border-width': 4 }),
  kindStyle(p, 'node'),
  kindStyle(p, 'externalIP'),
  kindStyle(p, 'hostPort'),
  kindStyle(p, 'hostNetwork'),
  kindStyle(p, 'service', { 'border-width': 2.2, 'font-weight': 600 }),
  kindStyle(p, 'dns', { 'border-width': 2.2, 'font-weight': 600 }),
  kindStyle(p, 'pods', { 'border-style': 'double', 'border-width': 4 }),
  kindStyle(p, 'pod'),
  kindStyle(p, 'externalName'),
  kindStyle(p, 'backend'),
  {
    // An expanded namespace: a band behind its rows, sized by the server (not a compound node: those cost twice as much to draw).
    selector: 'node.namespace.band',
    style: {
      width: 'data(width)',
      height: 'data(height)',
      'background-color': p.bandFill,
      'border-color': p.bandBorder,
      'border-width': 1,
      'text-valign': 'top',
      'text-halign': 'center',
      'text-margin-y': -6,
      'font-size': 14,
      'font-weight': 600,
      color: p.text,
      'z-index': 0,
    },
  },
  {
    selector: 'node.namespace.collapsed',
    style: {
      width: 250,
      height: 64,
      'background-color': p.collapsedFill,
      'border-color': p.collapsedBorder,
      'border-width': 4,
      'border-style': 'double',
      'text-valign': 'center',
      'text-margin-y': 0,
      'font-size': 12,
      'font-weight': 400,
    },
  },
  {
    selector: 'node.header',
    style: {
      shape: 'rectangle',
      width: 220,
      height: 24,
      'background-opacity': 0,
      'border-width': 0,
      label: 'data(label)',
      'font-size': 12,
      'font-weight': 600,
      'text-transform': 'uppercase',
      color: p.mutedText,
      events: 'no',
      'z-index': 0,
    },
  },
  { selector: 'node.expandable', style: { 'text-outline-width': 0 } },
  {
    selector: 'node.degraded',
    style: { 'border-color': p.degraded, 'border-style': 'dotted', 'border-width': 3, 'background-color': p.degradedFill },
  },
  {
    selector: 'node.broken',
    style: { 'border-color': p.broken, 'border-style': 'dashed', 'border-width': 3, 'background-color': p.brokenFill },
  },
  { selector: 'node.namespace.band.degraded, node.namespace.band.broken', style: { 'background-color': p.bandFill } },
  {
    selector: 'edge',
    style: {
      width: 1.6,
      'curve-style': 'straight',
      'line-color': p.ok,
      'target-arrow-color': p.ok,
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.9,
      label: 'data(label)',
      'font-family': MONO,
      'font-size': 10.5,
      color: p.text,
      'text-background-color': p.labelBackground,
      'text-background-opacity': 0.92,
      'text-background-padding': 2,
      'text-background-shape': 'roundrectangle',
      'z-index-compare': 'manual',
      'z-index': 1,
    },
  },
  {
    selector: 'edge.degraded',
    style: { 'line-color': p.degraded, 'target-arrow-color': p.degraded, 'line-style': 'dotted', width: 2.4, color: p.degraded },
  },
  {
    selector: 'edge.broken',
    style: {
      'line-color': p.broken,
      'target-arrow-color': p.broken,
      'line-style': 'dashed',
      'line-dash-pattern': [7, 4],
      'target-arrow-shape': 'tee',
      'arrow-scale': 1.3,
      width: 2.4,
      color: p.broken,
    },
  },
  { selector: 'node.match', style: { 'underlay-color': p.match, 'underlay-opacity': 0.55 } },
  { selector: 'node.preview-added', style: { 'underlay-color': p.added, 'underlay-opacity': 0.3, 'border-style': 'dashed', 'border-color': p.added } },
  { selector: 'edge.preview-added', style: { 'line-color': p.added, 'target-arrow-color': p.added, 'line-style': 'dashed', width: 2.6 } },
  { selector: 'node.preview-changed', style: { 'underlay-color': p.highlight, 'underlay-opacity': 0.22 } },
  { selector: '.preview-removed', style: { opacity: 0.35 } },
  { selector: '.faded', style: { opacity: 0.18 } },
  { selector: 'node.hl', style: { 'underlay-color': p.highlight, 'underlay-opacity': 0.14 } },
  { selector: 'edge.hl', style: { 'line-color': p.highlight, 'target-arrow-color': p.highlight, width: 3.2, 'z-index': 3 } },
  { selector: 'edge.hl.broken', style: { 'line-color': p.broken, 'target-arrow-color': p.broken } },
  { selector: 'node.lit', style: { 'background-color': p.highlightFill, 'border-color': p.highlight, 'border-width': 3.5, 'border-style': 'solid' } },
  { selector: 'edge.lit', style: { 'line-color': p.highlight, 'target-arrow-color': p.highlight, width: 4, 'line-style': 'solid', 'z-index': 4 } },
  // A traced request that stops here (NetworkPolicy drops it at the pods): red, and the arrow ends in a bar.
  { selector: 'node.blocked', style: { 'background-color': p.brokenFill, 'border-color': p.broken, 'border-width': 3.5, 'border-style': 'solid' } },
  {
    selector: 'edge.blocked',
    style: {
      'line-color': p.broken, 'target-arrow-color': p.broken, 'target-arrow-shape': 'tee', 'arrow-scale': 1.4,
      width: 4, 'line-style': 'dashed', 'line-dash-pattern': [7, 4], color: p.broken, 'z-index': 4,
    },
  },
  // Selection and highlight only add a glow: the border keeps saying ok, degraded or broken.
  { selector: 'node:selected', style: { 'underlay-color': p.highlight, 'underlay-opacity': 0.32, 'underlay-padding': 9 } },
  { selector: 'edge:selected', style: { 'line-color': p.highlight, 'target-arrow-color': p.highlight, width: 3.6 } },
];

/**
 * Creates the graph in `container` and draws `graph` ({ nodes, edges } as GraphNode/GraphEdge JSON).
 * @returns {Promise<{ renderer: string }>}
 */
export async function create(container, dotnet, graph, options) {
  // User-timing marks for the browser benchmark (bench/browser): when the model arrived, was added, was drawn.
  performance.mark('portmapper:graph-create');
  const cytoscape = await loadCytoscape();
  dispose(container);
  const palette = options?.palette ?? LIGHT;
  const size = graph.nodes.length + graph.edges.length;
  const webgl = size > WEBGL_THRESHOLD && hardwareWebgl();
  const cy = cytoscape({
    container,
    style: buildStyle(palette),
    layout: { name: 'preset' },
    minZoom: 0.03,
    maxZoom: 2.5,
    wheelSensitivity: 0.35,
    boxSelectionEnabled: false,
    autoungrabify: true,
    hideEdgesOnViewport: size > 6000,
    textureOnViewport: size > 6000,
    ...(webgl ? { renderer: { name: 'canvas', webgl: true } } : {}),
  });
  const view = { cy, dotnet, container, tooltip: createTooltip(container), timers: [], disposed: false, webgl, palette };
  container.dataset.theme = palette.name ?? 'light';
  views.set(container, view);
  wireEvents(view);

  // Cytoscape measures its container once; the page around it settles (fonts, toolbar, side panel) and resizes.
  view.resizes = new ResizeObserver(() => {
    if (!view.disposed) {
      cy.resize();
    }
  });
  view.resizes.observe(container);

  // Let Cytoscape draw one frame of the empty graph first. On its very first frame it renders every element into its
  // layer textures, off-screen ones included, before anything shows; on later frames it draws what is in view and
  // fills the layers in idle time. At a thousand elements that takes the first drawing from ~550 to ~170 ms
  // (docs/benchmarks.md). Harmless if Cytoscape changes: two frames' wait.
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  if (view.disposed) {
    return { renderer: 'canvas' };
  }

  cy.batch(() => {
    cy.add(graph.nodes.map(toNode));
    cy.add(graph.edges.map(toEdge));
    placeHeaders(cy);
  });
  initialView(cy);
  performance.mark('portmapper:graph-added');
  container.dataset.renderer = webgl ? 'webgl' : 'canvas';
  markRendered(view, options?.version);
  return { renderer: container.dataset.renderer };
}

/** Applies a GraphDiff: removals, additions and changes by id, in one batch; moves and new elements are animated. */
export function update(container, diff, options) {
  const view = views.get(container);
  if (!view) {
    return;
  }

  performance.mark('portmapper:graph-update');
  const { cy } = view;
  const moved = [];
  const added = [];
  const animate = options?.animate !== false
    && diff.addNodes.length + diff.changeNodes.length <= ANIMATION_LIMIT;
  cy.batch(() => {
    cy.remove(cy.collection(diff.removeEdges.map((id) => cy.getElementById(id)).filter((e) => e.nonempty())));
    cy.remove(cy.collection(diff.removeNodes.map((id) => cy.getElementById(id)).filter((n) => n.nonempty())));
    for (const data of diff.addNodes) {
      const node = cy.add(toNode(data));
      added.push(node);
    }

    for (const data of diff.changeNodes) {
      const node = cy.getElementById(data.id);
      if (node.empty()) {
        added.push(cy.add(toNode(data)));
        continue;
      }

      const next = toNode(data);
      const { id: _id, ...fields } = next.data;
      node.data(fields);
      reclass(node, next.classes);
      const p = node.position();
      if (p.x !== data.x || p.y !== data.y) {
        moved.push([node, { x: data.x, y: data.y }]);
      }
    }

    cy.add(diff.addEdges.filter((e) => cy.getElementById(e.source).nonempty() && cy.getElementById(e.target).nonempty()).map(toEdge));
    for (const data of diff.changeEdges) {
      const edge = cy.getElementById(data.id);
      if (edge.nonempty()) {
        const { id: _id, source: _source, target: _target, ...fields } = toEdge(data).data;
        const next = toEdge(data);
        edge.data(fields);
        reclass(edge, next.classes);
      }
    }

    if (!animate) {
      for (const [node, position] of moved) {
        node.position(position);
      }
    }

    placeHeaders(cy);
  });

  if (animate) {
    for (const [node, position] of moved) {
      node.animate({ position }, { duration: 350, easing: 'ease-in-out-cubic' });
    }

    for (const node of added) {
      node.style('opacity', 0);
      node.animate({ style: { opacity: 1 } }, { duration: 450, complete: () => node.removeStyle('opacity') });
    }
  }

  if (options?.fit) {
    showRegion(cy, cy.elements().boundingBox(), animate);
  }

  markRendered(view, options?.version);
}

/** Selects an element (or nothing), highlights the given paths end to end and optionally centres the element. */
export function focus(container, id, pathIds, center) {
  const view = views.get(container);
  if (!view) {
    return;
  }

  const { cy } = view;
  let on = cy.collection();
  cy.batch(() => {
    cy.elements(':selected').unselect();
    cy.elements().removeClass('faded hl');
    const paths = new Set(pathIds ?? []);
    if (paths.size > 0) {
      on = cy.elements().filter((e) => !e.hasClass('header') && (e.data('paths') ?? []).some((p) => paths.has(p)));
      cy.elements().not(on).not('.header').not('.band').addClass('faded');
      on.addClass('hl');
    }

    if (id) {
      cy.getElementById(id).select();
    }
  });

  const target = id ? cy.getElementById(id) : null;
  if (center && target?.nonempty()) {
    if (target.hasClass('band')) {
      // An opened namespace: from its name and first rows, with the clients column on its left.
      const band = target.boundingBox();
      const left = cy.nodes().not('.header').boundingBox().x1;
      showRegion(cy, { x1: Math.min(left, band.x1), y1: band.y1 - 12, x2: band.x2, y2: band.y2, w: band.x2 - Math.min(left, band.x1), h: band.h + 12 }, true);
    } else if (on.nonempty() && legibleWhole(cy, on.union(target).boundingBox())) {
      // The highlighted path end to end, when it fits at a readable zoom.
      showRegion(cy, on.union(target).boundingBox(), true);
    } else {
      cy.animate({ center: { eles: target }, zoom: Math.min(1.2, Math.max(cy.zoom(), 0.85)) }, { duration: 350 });
    }
  }
}

/** Classes the page adds on top of an element's own (a trace, a highlight, a search): a data update keeps them. */
const OVERLAYS = ['lit', 'blocked', 'faded', 'hl', 'match'];

/** Sets an element's own classes (status, kind) from the server, keeping the overlays it carries. */
function reclass(ele, classes) {
  const kept = OVERLAYS.filter((c) => ele.hasClass(c));
  ele.classes(classes);
  for (const c of kept) {
    ele.addClass(c);
  }
}

/**
 * Lights the steps of a traced request one after another: steps is an array of arrays of element ids, left to right.
 * From step droppedAt on (when set) the request does not arrive: those steps and the edges into them are drawn blocked.
 */
export function playTrace(container, steps, droppedAt) {
  const view = views.get(container);
  if (!view) {
    return;
  }

  const { cy } = view;
  clearTimers(view);
  cy.elements().removeClass('lit blocked faded hl');
  if (!steps || steps.length === 0) {
    return;
  }

  const all = cy.collection();
  steps.forEach((ids, i) => {
    for (const id of ids) {
      all.merge(cy.getElementById(id));
      if (i > 0) {
        for (const from of steps[i - 1]) {
          all.merge(cy.getElementById(`${from}->${id}`));
        }
      }
    }
  });
  cy.elements().not(all).not('.header').not('.band').addClass('faded');
  showRegion(cy, all.boundingBox(), true);
  steps.forEach((ids, i) => {
    const cls = droppedAt != null && i >= droppedAt ? 'blocked' : 'lit';
    view.timers.push(setTimeout(() => {
      for (const id of ids) {
        cy.getElementById(id).addClass(cls);
        if (i > 0) {
          for (const from of steps[i - 1]) {
            cy.getElementById(`${from}->${id}`).addClass(cls);
          }
        }
      }
    }, 250 + (i * 380)));
  });
}

/** Clears highlights, trace and selection. */
export function clear(container) {
  const view = views.get(container);
  if (view) {
    clearTimers(view);
    view.cy.elements().removeClass('lit blocked faded hl').unselect();
  }
}

export function fit(container) {
  const view = views.get(container);
  if (view) {
    fitAll(view.cy, true);
  }
}

/** Re-colours the graph in another palette (a theme switch): styles only, positions and viewport stay. */
export function setPalette(container, palette) {
  const view = views.get(container);
  if (!view || !palette) {
    return;
  }

  view.palette = palette;
  view.cy.style(buildStyle(palette));
  container.dataset.theme = palette.name ?? 'light';
}

/** Downloads the whole graph as a PNG image. */
export function exportPng(container, fileName) {
  const view = views.get(container);
  if (!view) {
    return false;
  }

  const blob = view.cy.png({ output: 'blob', full: true, scale: 2, bg: view.palette.background, maxWidth: 12000, maxHeight: 12000 });
  download(blob, fileName);
  return true;
}

/** Downloads the whole graph as SVG, drawn from the elements' positions and computed styles. */
export function exportSvg(container, fileName) {
  const view = views.get(container);
  if (!view) {
    return false;
  }

  const text = new XMLSerializer().serializeToString(toSvg(view.cy, view.palette));
  download(new Blob(['<?xml version="1.0" encoding="UTF-8"?>\n', text], { type: 'image/svg+xml' }), fileName);
  return true;
}

/**
 * For tests and scripts: where an element is drawn (in page coordinates) and how, or null when it is not drawn.
 * @returns {{ x: number, y: number, label: string, classes: string[], visible: boolean } | null}
 */
export function inspect(container, id) {
  const view = views.get(container);
  const ele = view?.cy.getElementById(id);
  if (!ele || ele.empty()) {
    return null;
  }

  const rect = container.getBoundingClientRect();
  const p = ele.isNode() ? ele.renderedPosition() : ele.renderedMidpoint();
  return {
    x: rect.left + p.x,
    y: rect.top + p.y,
    label: ele.data('label') ?? '',
    classes: ele.classes(),
    visible: ele.visible(),
    // The colour it is drawn in: the border of a box, the line of an arrow.
    color: ele.isNode() ? ele.style('border-color') : ele.style('line-color'),
  };
}

/** For tests and scripts: the zoom, the pan, the graph's box in rendered pixels and the drawing area's size. */
export function viewport(container) {
  const view = views.get(container);
  if (!view) {
    return null;
  }

  const { cy } = view;
  const box = cy.elements().renderedBoundingBox();
  return { zoom: cy.zoom(), pan: cy.pan(), box: { x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2 }, width: cy.width(), height: cy.height() };
}

/** For tests and scripts: brings an element into view at a readable zoom; resolves once it is drawn there (false: no such element). */
export function reveal(container, id) {
  const view = views.get(container);
  const ele = view?.cy.getElementById(id);
  if (!ele || ele.empty()) {
    return Promise.resolve(false);
  }

  view.cy.stop(true, true);
  const box = ele.renderedBoundingBox({ includeLabels: false });
  const inside = box.x1 >= 0 && box.y1 >= 0 && box.x2 <= container.clientWidth && box.y2 <= container.clientHeight;
  if (!inside || view.cy.zoom() < 0.6) {
    view.cy.zoom(Math.max(view.cy.zoom(), 0.8));
    view.cy.center(ele);
  }

  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))));
}

export function dispose(container) {
  const view = views.get(container);
  if (!view) {
    return;
  }

  view.disposed = true;
  view.resizes?.disconnect();
  clearTimers(view);
  container.removeEventListener('keydown', view.onKey);
  view.tooltip.remove();
  view.cy.destroy();
  views.delete(container);
}

// ---------------------------------------------------------------------------------------------------- elements

function toNode(n) {
  const classes = [n.kind, n.status];
  if (n.expandable) classes.push('expandable');
  if (n.match) classes.push('match');
  if (n.preview) classes.push(`preview-${n.preview}`);
  if (n.kind === 'namespace') classes.push(n.expandable ? 'collapsed' : 'band');
  return {
    group: 'nodes',
    data: {
      id: n.id,
      width: n.width ?? undefined,
      height: n.height ?? undefined,
      label: n.label,
      title: n.title,
      kind: n.kind,
      column: n.column,
      status: n.status,
      paths: n.paths,
      problems: n.problems,
      expandable: n.expandable,
    },
    position: { x: n.x, y: n.y },
    classes,
  };
}

function toEdge(e) {
  const classes = [e.status];
  if (e.preview) classes.push(`preview-${e.preview}`);
  return {
    group: 'edges',
    data: { id: e.id, source: e.source, target: e.target, label: e.label, status: e.status, paths: e.paths },
    classes,
  };
}

/** Column titles above the graph; not counted as elements. */
function placeHeaders(cy) {
  cy.remove(cy.nodes('.header'));
  const nodes = cy.nodes().not('.band');
  if (nodes.empty()) {
    return;
  }

  const top = nodes.reduce((min, n) => Math.min(min, n.position('y')), Infinity);
  const columns = new Map();
  nodes.forEach((n) => {
    const column = n.data('column');
    if (column && !columns.has(column) && !(column === 'services' && n.hasClass('namespace'))) {
      columns.set(column, n.position('x'));
    }
  });
  cy.add([...columns].map(([column, x]) => ({
    group: 'nodes',
    data: { id: `header:${column}`, label: COLUMN_TITLES[column] ?? column },
    position: { x, y: top - 78 },
    classes: ['header'],
    selectable: false,
  })));
}

/** The whole graph when it is legible at that size; otherwise its top left at a readable zoom (Fit shows all). */
function initialView(cy) {
  showRegion(cy, cy.elements().boundingBox(), false);
}

/** Below this zoom the labels are too small to read. */
const READABLE_ZOOM = 0.75;
const VIEW_PADDING = 36;
/** The legend sits over the bottom of the drawing area: keep the graph above it. */
const LEGEND_CLEARANCE = 56;

/**
 * Shows the model-coordinates `box` whole when it is legible that way (never magnified past 100 %: a few boxes stay
 * their size), otherwise its top left at a readable zoom, where reading starts.
 */
function showRegion(cy, box, animate) {
  const area = drawingArea(cy);
  if (box.w <= 0 || box.h <= 0 || area.w <= 0 || area.h <= 0) {
    return;
  }

  const whole = wholeZoom(area, box);
  if (whole >= READABLE_ZOOM) {
    moveTo(cy, Math.min(1, whole), box, area, animate);
    return;
  }

  const zoom = Math.min(1, Math.max(READABLE_ZOOM, (area.w - (2 * VIEW_PADDING)) / box.w));
  setViewport(cy, { zoom, pan: { x: VIEW_PADDING - (box.x1 * zoom), y: (VIEW_PADDING * 0.66) - (box.y1 * zoom) } }, animate);
}

/** Whether `box` fits in the drawing area at a readable zoom. */
function legibleWhole(cy, box) {
  return wholeZoom(drawingArea(cy), box) >= READABLE_ZOOM;
}

/** Everything in view, however small that makes it, but never magnified past 100 %. */
function fitAll(cy, animate) {
  const box = cy.elements().boundingBox();
  const area = drawingArea(cy);
  if (box.w > 0 && box.h > 0) {
    moveTo(cy, Math.max(cy.minZoom(), Math.min(1, wholeZoom(area, box))), box, area, animate);
  }
}

/** The container's size, measured now (Cytoscape keeps the size it saw last). */
function drawingArea(cy) {
  cy.resize();
  return { w: cy.width(), h: cy.height() };
}

/** The zoom that shows `box` whole, with padding around it and the legend's band kept free at the bottom. */
function wholeZoom(area, box) {
  return Math.min((area.w - (2 * VIEW_PADDING)) / box.w, (area.h - VIEW_PADDING - LEGEND_CLEARANCE) / box.h);
}

/** `box` centred in the part of the drawing area above the legend, at `zoom`. */
function moveTo(cy, zoom, box, area, animate) {
  const pan = {
    x: ((area.w - (box.w * zoom)) / 2) - (box.x1 * zoom),
    y: ((area.h - LEGEND_CLEARANCE + VIEW_PADDING - (box.h * zoom)) / 2) - (box.y1 * zoom),
  };
  setViewport(cy, { zoom, pan }, animate);
}

function setViewport(cy, viewport, animate) {
  if (animate) {
    cy.animate(viewport, { duration: 350 });
  } else {
    cy.viewport(viewport);
  }
}

function markRendered(view, version) {
  const { cy, container } = view;
  container.dataset.nodeCount = String(cy.nodes().not('.header').length);
  container.dataset.edgeCount = String(cy.edges().length);
  // Two frames later the canvas has drawn what the batch changed.
  requestAnimationFrame(() => requestAnimationFrame(() => {
    if (!view.disposed) {
      performance.mark('portmapper:graph-drawn');
      container.dataset.renderedVersion = String(version ?? 0);
    }
  }));
}

/**
 * WebGL 2 on a real GPU. A software one (SwiftShader, llvmpipe: headless Chromium, VMs without a GPU) draws slower
 * than the canvas renderer, and Cytoscape's WebGL renderer drops dashes and arrowheads on edges (docs/benchmarks.md).
 */
function hardwareWebgl() {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) {
      return false;
    }

    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
    return !/swiftshader|llvmpipe|softpipe|software/i.test(renderer);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------- interaction

function call(view, method, ...args) {
  if (!view.disposed) {
    // The circuit may be gone (page closing, reconnecting): nothing to tell then.
    view.dotnet.invokeMethodAsync(method, ...args).catch(() => {});
  }
}

function wireEvents(view) {
  const { cy, container } = view;
  cy.on('tap', 'node', (e) => {
    if (!e.target.hasClass('header')) {
      call(view, 'OnElementTap', e.target.id());
    }
  });
  cy.on('tap', 'edge', (e) => call(view, 'OnElementTap', e.target.id()));
  cy.on('tap', (e) => {
    if (e.target === cy) {
      call(view, 'OnBackgroundTap');
    }
  });
  cy.on('mouseover', 'node, edge', (e) => {
    if (!e.target.hasClass('header')) {
      showTooltip(view, e.target);
      container.style.cursor = 'pointer';
    }
  });
  cy.on('mouseout', 'node, edge', () => {
    view.tooltip.hidden = true;
    container.style.cursor = '';
  });
  cy.on('viewport', () => {
    view.tooltip.hidden = true;
  });

  view.onKey = (e) => onKey(view, e);
  container.addEventListener('keydown', view.onKey);
}

function onKey(view, e) {
  const { cy } = view;
  const selected = cy.nodes(':selected').first();
  switch (e.key) {
    case 'ArrowLeft':
    case 'ArrowRight':
    case 'ArrowUp':
    case 'ArrowDown': {
      e.preventDefault();
      const next = selected.nonempty() ? nearest(cy, selected, e.key) : firstNode(cy);
      if (next) {
        cy.elements(':selected').unselect();
        next.select();
        const extent = cy.extent();
        const p = next.position();
        if (p.x < extent.x1 || p.x > extent.x2 || p.y < extent.y1 || p.y > extent.y2) {
          cy.animate({ center: { eles: next } }, { duration: 200 });
        }
        call(view, 'OnElementFocus', next.id());
      }
      break;
    }
    case 'Enter':
    case ' ':
      if (selected.nonempty()) {
        e.preventDefault();
        call(view, 'OnElementTap', selected.id());
      }
      break;
    case 'Escape':
      call(view, 'OnBackgroundTap');
      break;
    case '+':
    case '=':
      cy.zoom({ level: cy.zoom() * 1.2, renderedPosition: center(view) });
      break;
    case '-':
      cy.zoom({ level: cy.zoom() / 1.2, renderedPosition: center(view) });
      break;
    case '0':
      cy.fit(cy.elements(), 40);
      break;
    default:
      return;
  }
}

function center(view) {
  return { x: view.container.clientWidth / 2, y: view.container.clientHeight / 2 };
}

function firstNode(cy) {
  const nodes = cy.nodes().not('.band').not('.header');
  let best = null;
  nodes.forEach((n) => {
    const p = n.position();
    if (!best || p.x < best.position('x') || (p.x === best.position('x') && p.y < best.position('y'))) {
      best = n;
    }
  });
  return best;
}

/** The node nearest to `from` in the direction of the arrow key, preferring the same row or column. */
function nearest(cy, from, key) {
  const o = from.position();
  let best = null;
  let bestScore = Infinity;
  cy.nodes().not('.band').not('.header').forEach((n) => {
    if (n.same(from)) return;
    const p = n.position();
    const dx = p.x - o.x;
    const dy = p.y - o.y;
    const [along, across] = key === 'ArrowLeft' ? [-dx, dy] : key === 'ArrowRight' ? [dx, dy] : key === 'ArrowUp' ? [-dy, dx] : [dy, dx];
    if (along <= 0.5) return;
    const score = along + (Math.abs(across) * 3);
    if (score < bestScore) {
      bestScore = score;
      best = n;
    }
  });
  return best;
}

function clearTimers(view) {
  for (const t of view.timers) clearTimeout(t);
  view.timers = [];
}

// ---------------------------------------------------------------------------------------------------- tooltip

function createTooltip(container) {
  const tip = document.createElement('div');
  tip.className = 'pm-graph-tooltip';
  tip.setAttribute('role', 'tooltip');
  tip.hidden = true;
  container.append(tip);
  return tip;
}

function showTooltip(view, ele) {
  const tip = view.tooltip;
  tip.replaceChildren();
  const title = ele.isNode() ? (ele.data('title') ?? ele.data('label')) : `${ele.source().data('title')?.split('\n')[0] ?? ''} → ${ele.target().data('title')?.split('\n')[0] ?? ''}`;
  for (const [i, line] of String(title).split('\n').entries()) {
    const div = document.createElement('div');
    div.className = i === 0 ? 'pm-tip-title' : 'pm-tip-line';
    div.textContent = line;
    tip.append(div);
  }

  if (ele.isEdge() && ele.data('label')) {
    const port = document.createElement('div');
    port.className = 'pm-tip-line';
    port.textContent = `to port ${ele.data('label')}`;
    tip.append(port);
  }

  const status = ele.data('status');
  if (status && status !== 'ok') {
    const s = document.createElement('div');
    s.className = `pm-tip-status pm-tip-${status}`;
    s.textContent = status === 'broken' ? '✕ broken here' : '⚠ degraded here';
    tip.append(s);
  }

  for (const p of (ele.data('problems') ?? []).slice(0, 4)) {
    const div = document.createElement('div');
    div.className = `pm-tip-problem pm-tip-${p.severity}`;
    const code = document.createElement('strong');
    code.textContent = `${p.code} `;
    div.append(code, document.createTextNode(p.message));
    tip.append(div);
  }

  const box = ele.renderedBoundingBox({ includeLabels: false });
  tip.hidden = false;
  const width = view.container.clientWidth;
  const height = view.container.clientHeight;
  const x = Math.min(Math.max(8, box.x1), Math.max(8, width - tip.offsetWidth - 8));
  const below = box.y2 + 8;
  const y = below + tip.offsetHeight > height ? Math.max(8, box.y1 - tip.offsetHeight - 8) : below;
  tip.style.left = `${x}px`;
  tip.style.top = `${y}px`;
}

// ---------------------------------------------------------------------------------------------------- export

function download(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

const SVG = 'http://www.w3.org/2000/svg';

function svgElement(name, attributes) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) {
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  return el;
}

function dashes(style, width) {
  if (style === 'dashed') return `${width * 3} ${width * 2}`;
  if (style === 'dotted') return `${width} ${width * 1.5}`;
  return undefined;
}

function num(value) {
  return parseFloat(value) || 0;
}

/** Our own SVG export: boxes, arrows and labels from each element's position and computed style. */
function toSvg(cy, palette) {
  const box = cy.elements().boundingBox({ includeLabels: true, includeOverlays: false });
  const pad = 24;
  const width = Math.ceil(box.w + (pad * 2));
  const height = Math.ceil(box.h + (pad * 2));
  const svg = svgElement('svg', {
    xmlns: SVG,
    width,
    height,
    viewBox: `${box.x1 - pad} ${box.y1 - pad} ${width} ${height}`,
    'font-family': FONT,
  });
  const title = svgElement('title', {});
  title.textContent = 'PortMapper traffic graph';
  svg.append(title);
  const defs = svgElement('defs', {});
  svg.append(defs);
  svg.append(svgElement('rect', { x: box.x1 - pad, y: box.y1 - pad, width, height, fill: palette.background }));

  const markers = new Map();
  const marker = (colour) => {
    if (!markers.has(colour)) {
      const id = `arrow${markers.size}`;
      const m = svgElement('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
      m.append(svgElement('path', { d: 'M0,0 L10,5 L0,10 z', fill: colour }));
      defs.append(m);
      markers.set(colour, id);
    }
    return markers.get(colour);
  };

  const bands = cy.nodes('.band');
  const leaves = cy.nodes().not('.band');
  for (const n of bands) {
    svg.append(nodeShape(n));
    const b = n.boundingBox({ includeLabels: false });
    svg.append(text(n.data('label'), (b.x1 + b.x2) / 2, b.y1 - 10, n, 'middle'));
  }

  for (const e of cy.edges()) {
    const s = e.sourceEndpoint();
    const t = e.targetEndpoint();
    const colour = e.style('line-color');
    const w = num(e.style('width'));
    const opacity = num(e.style('opacity'));
    const g = svgElement('g', { opacity: opacity < 1 ? opacity : undefined });
    const tee = e.style('target-arrow-shape') === 'tee';
    g.append(svgElement('line', {
      x1: s.x, y1: s.y, x2: t.x, y2: t.y,
      stroke: colour,
      'stroke-width': w,
      'stroke-dasharray': dashes(e.style('line-style'), w),
      'marker-end': tee ? undefined : `url(#${marker(colour)})`,
    }));
    if (tee) {
      const angle = Math.atan2(t.y - s.y, t.x - s.x) + (Math.PI / 2);
      const r = 7;
      g.append(svgElement('line', {
        x1: t.x + (Math.cos(angle) * r), y1: t.y + (Math.sin(angle) * r),
        x2: t.x - (Math.cos(angle) * r), y2: t.y - (Math.sin(angle) * r),
        stroke: colour, 'stroke-width': w + 1,
      }));
    }
    const label = e.data('label');
    if (label) {
      const m = e.midpoint();
      const size = num(e.style('font-size'));
      const approx = label.length * size * 0.62;
      g.append(svgElement('rect', { x: m.x - (approx / 2) - 2, y: m.y - (size / 2) - 2, width: approx + 4, height: size + 4, rx: 3, fill: palette.labelBackground, 'fill-opacity': 0.92 }));
      const t2 = svgElement('text', { x: m.x, y: m.y, 'font-family': MONO, 'font-size': size, fill: e.style('color'), 'text-anchor': 'middle', 'dominant-baseline': 'central' });
      t2.textContent = label;
      g.append(t2);
    }
    svg.append(g);
  }

  for (const n of leaves) {
    const g = svgElement('g', { opacity: num(n.style('opacity')) < 1 ? num(n.style('opacity')) : undefined });
    if (!n.hasClass('header')) {
      g.append(nodeShape(n));
    }
    const p = n.position();
    g.append(text(n.data('label'), p.x, p.y, n, 'middle', true));
    svg.append(g);
  }

  return svg;
}

function nodeShape(n) {
  const b = n.boundingBox({ includeLabels: false, includeOverlays: false, includeUnderlays: false });
  const bw = num(n.style('border-width'));
  const style = n.style('border-style');
  const attributes = {
    fill: n.style('background-color'),
    'fill-opacity': n.style('background-opacity'),
    stroke: bw > 0 ? n.style('border-color') : 'none',
    'stroke-width': style === 'double' ? bw / 2 : bw,
    'stroke-dasharray': dashes(style, bw),
  };
  const x = b.x1 + (bw / 2);
  const y = b.y1 + (bw / 2);
  const w = b.w - bw;
  const h = b.h - bw;
  if (n.style('shape') === 'ellipse') {
    return svgElement('ellipse', { cx: x + (w / 2), cy: y + (h / 2), rx: w / 2, ry: h / 2, ...attributes });
  }
  return svgElement('rect', { x, y, width: w, height: h, rx: 8, ...attributes });
}

/** Multi-line text, each line a tspan whose content is set with textContent. */
function text(label, x, y, ele, anchor, centred) {
  const lines = String(label ?? '').split('\n');
  const size = num(ele.style('font-size'));
  const lineHeight = size * 1.3;
  const t = svgElement('text', {
    x,
    y: centred ? y - (((lines.length - 1) * lineHeight) / 2) : y,
    'font-size': size,
    'font-weight': ele.style('font-weight'),
    fill: ele.style('color'),
    'text-anchor': anchor,
    'dominant-baseline': 'central',
  });
  lines.forEach((line, i) => {
    const span = svgElement('tspan', { x, dy: i === 0 ? 0 : lineHeight });
    span.textContent = ele.hasClass('header') ? line.toUpperCase() : line;
    t.append(span);
  });
  return t;
}
