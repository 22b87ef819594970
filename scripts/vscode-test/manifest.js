// Writes the extension-host parts of package.json (contributes, activationEvents, capabilities)
// and leaves every other key alone: node scripts/vscode-test/manifest.js
// The extension tests check that every command here is registered and vice versa.
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', '..', 'package.json');
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));

const commands = [
  ['newExperiment', 'New Experiment', '$(new-file)'],
  ['startRun', 'Start Run', '$(play)'],
  ['stopRun', 'Stop Run', '$(debug-stop)'],
  ['resumeRun', 'Resume Run', '$(debug-continue)'],
  ['openDashboard', 'Open Dashboard', '$(graph-line)'],
  ['compareRuns', 'Compare Runs', '$(diff)'],
  ['inspectBatches', 'Inspect Batches', '$(symbol-array)'],
  ['setFilterRatio', 'Set Filter Ratio', undefined],
  ['chooseReferenceModel', 'Choose Reference Model', undefined],
  ['configureFlexi', 'Configure Flexi-JEST', undefined],
  ['precomputeReferenceEmbeddings', 'Precompute Reference Embeddings', undefined],
  ['exportModel', 'Export Model', '$(export)'],
  ['openHyperparameterPanel', 'Open Hyperparameter Panel', '$(settings)'],
  ['refreshRuns', 'Refresh Runs', '$(refresh)'],
  ['showRunLog', 'Show Run Log', '$(output)'],
  ['revealRunFolder', 'Reveal Run Folder', '$(folder-opened)'],
].map(([id, title, icon]) => ({ command: `jestStudio.${id}`, title, category: 'JEST', ...(icon ? { icon } : {}) }));

const EXPERIMENT = 'resourceFilename =~ /\\.jest\\.json$/';
const RUN = 'view == jestStudio.runs && viewItem =~ /^jestRun/';
// commands that need an experiment file or a run: hidden from the palette where they cannot work
const editorOnly = ['setFilterRatio', 'chooseReferenceModel', 'configureFlexi', 'openHyperparameterPanel'];

pkg.activationEvents = [
  'workspaceContains:**/*.jest.json',
  'onView:jestStudio.runs',
  'onWebviewPanel:jestStudio.dashboard',
  'onWebviewPanel:jestStudio.batchInspector',
  'onWebviewPanel:jestStudio.hyperparameters',
  ...commands.map((c) => `onCommand:${c.command}`),
];

pkg.capabilities = {
  untrustedWorkspaces: {
    supported: 'limited',
    description: 'In an untrusted workspace JEST Studio shows experiments and runs but starts no runs, exports or reference embeddings (they execute code on the folder\'s data and write files).',
    restrictedConfigurations: ['jestStudio.runsFolder'],
  },
  virtualWorkspaces: { supported: false, description: 'Runs are local processes that read and write run folders on disk.' },
};

pkg.contributes = {
  ...(pkg.contributes ?? {}),
  commands,
  languages: [{ id: 'jsonc', filenamePatterns: ['*.jest.json'] }],
  jsonValidation: [{ fileMatch: '*.jest.json', url: './media/experiment.schema.json' }],
  configuration: {
    title: 'JEST Studio',
    properties: {
      'jestStudio.runsFolder': {
        type: 'string',
        default: 'runs',
        scope: 'resource',
        markdownDescription: 'Where runs are written and read: a folder relative to each workspace folder, or an absolute path.',
      },
      'jestStudio.device': {
        type: 'string',
        enum: ['experiment', 'auto', 'cpu', 'cuda', 'webgpu'],
        enumDescriptions: [
          'Use the experiment file\'s runtime.device.',
          'A GPU provider when one loads (says which it took), else the CPU.',
          'The CPU.',
          'NVIDIA CUDA (needs the opt-in CUDA provider: see README).',
          'WebGPU over Vulkan (Linux binary).',
        ],
        default: 'experiment',
        markdownDescription: 'The device runs use, overriding `runtime.device` in the experiment file (`experiment` keeps the file\'s).',
      },
      'jestStudio.threads': {
        type: 'integer',
        default: 0,
        minimum: 0,
        markdownDescription: 'Intra-op threads for runs started here, overriding `runtime.threads` (0 keeps the file\'s). Passed to the engine as `--threads`.',
      },
    },
  },
  viewsContainers: { activitybar: [{ id: 'jestStudio', title: 'JEST Studio', icon: 'media/jest-studio.svg' }] },
  views: { jestStudio: [{ id: 'jestStudio.runs', name: 'Runs', icon: '$(beaker)', contextualTitle: 'JEST Studio' }] },
  viewsWelcome: [
    {
      view: 'jestStudio.runs',
      contents: 'No runs yet.\n[New Experiment](command:jestStudio.newExperiment)\n[Start Run](command:jestStudio.startRun)\nRuns are read from the folder in the setting jestStudio.runsFolder.',
    },
  ],
  menus: {
    commandPalette: [
      ...editorOnly.map((id) => ({ command: `jestStudio.${id}`, when: `${EXPERIMENT} || workbenchState != empty` })),
      { command: 'jestStudio.showRunLog', when: 'false' },
      { command: 'jestStudio.revealRunFolder', when: 'false' },
    ],
    'view/title': [
      { command: 'jestStudio.startRun', when: 'view == jestStudio.runs', group: 'navigation@1' },
      { command: 'jestStudio.compareRuns', when: 'view == jestStudio.runs', group: 'navigation@2' },
      { command: 'jestStudio.refreshRuns', when: 'view == jestStudio.runs', group: 'navigation@3' },
    ],
    'view/item/context': [
      { command: 'jestStudio.stopRun', when: `${RUN} && viewItem =~ /\\.live/`, group: 'inline@1' },
      { command: 'jestStudio.resumeRun', when: `${RUN} && viewItem =~ /^jestRun\\.(stopped|failed)$/`, group: 'inline@1' },
      { command: 'jestStudio.openDashboard', when: RUN, group: 'inline@2' },
      { command: 'jestStudio.inspectBatches', when: RUN, group: '1_open@2' },
      { command: 'jestStudio.showRunLog', when: RUN, group: '1_open@3' },
      { command: 'jestStudio.exportModel', when: `${RUN} && viewItem =~ /^jestRun\\.(finished|stopped)$/`, group: '2_run@1' },
      { command: 'jestStudio.revealRunFolder', when: RUN, group: '3_folder@1' },
      { command: 'jestStudio.compareRuns', when: 'view == jestStudio.runs && viewItem == jestExperiment', group: 'inline@1' },
    ],
    'editor/title': [{ command: 'jestStudio.startRun', when: EXPERIMENT, group: 'navigation@1' }],
    'editor/context': [
      { command: 'jestStudio.startRun', when: EXPERIMENT, group: 'jest@1' },
      { command: 'jestStudio.setFilterRatio', when: EXPERIMENT, group: 'jest@2' },
      { command: 'jestStudio.configureFlexi', when: EXPERIMENT, group: 'jest@3' },
      { command: 'jestStudio.chooseReferenceModel', when: EXPERIMENT, group: 'jest@4' },
      { command: 'jestStudio.openHyperparameterPanel', when: EXPERIMENT, group: 'jest@5' },
    ],
    'explorer/context': [{ command: 'jestStudio.startRun', when: EXPERIMENT, group: 'jest@1' }],
  },
};

fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
console.log(`package.json: ${commands.length} commands, ${pkg.activationEvents.length} activation events`);
