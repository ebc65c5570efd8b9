// The third-party browser libraries, loaded on first use. Their files are copied from npm packages into
// lib/ by src/PortMapper.Web/FrontEnd.targets; the paths below must match the LibPath values there.
// Some of them are UMD bundles that publish a global when evaluated; this module hands them out so that
// no other module has to know which global a library uses.

const lib = (path) => new URL(`../lib/${path}`, import.meta.url).href;

let graphLibraries;

/**
 * Cytoscape with the dagre layout registered, and tippy.js for tooltips. (SVG export is our own, in
 * Components/Graph/GraphCanvas.razor.js: the cytoscape-svg package is GPL-3.0 and cannot ship with PortMapper.)
 * @returns {Promise<{ cytoscape: Function, tippy: Function }>}
 */
export function loadGraphLibraries() {
  graphLibraries ??= load().catch((error) => {
    graphLibraries = undefined;
    throw error;
  });
  return graphLibraries;
}

async function load() {
  const [{ default: cytoscape }, { default: dagre }] = await Promise.all([
    import(lib('cytoscape/cytoscape.esm.min.mjs')),
    import(lib('cytoscape-dagre/cytoscape-dagre.min.mjs')),
    import(lib('popper/popper.min.js')),
  ]);
  // tippy's UMD bundle reads the Popper global while it is evaluated, so it comes after popper.
  await import(lib('tippy/tippy-bundle.umd.min.js'));

  cytoscape.use(dagre);
  return Object.freeze({ cytoscape, tippy: globalThis.tippy });
}
